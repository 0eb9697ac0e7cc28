// Package ollamatest is a fake of the Ollama HTTP API for tests, faithful to
// the protocol the real server speaks (routes, request validation, error
// shapes and status codes, streaming NDJSON vs. a single JSON object,
// normalized embeddings). What the model *says* is scripted by each test, so
// the fake never decides what a correct answer is.
package ollamatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/ollama/ollama/api"
)

// Model is a model the fake server has "pulled".
type Model struct {
	Name  string
	Embed bool // an embedding model; it cannot chat
	Dims  int  // embedding size (embedding models only)
}

// ChatFunc scripts the assistant's reply to a chat request.
type ChatFunc func(req *api.ChatRequest) (string, error)

// Server is a running fake.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	models   map[string]Model
	chat     ChatFunc
	delay    time.Duration
	requests []string // paths, in order
	chats    []api.ChatRequest
	embeds   int
}

// NewServer starts a fake serving the given models.
func NewServer(models ...Model) *Server {
	s := &Server{models: map[string]Model{}}
	for _, m := range models {
		s.models[m.Name] = m
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", s.version)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Ollama is running") })
	mux.HandleFunc("GET /api/tags", s.tags)
	mux.HandleFunc("POST /api/chat", s.handleChat)
	mux.HandleFunc("POST /api/embed", s.handleEmbed)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		d := s.delay
		s.mu.Unlock()
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		mux.ServeHTTP(w, r)
	}))
	return s
}

// URL returns the base URL as a *url.URL, ready for api.NewClient.
func (s *Server) BaseURL() *url.URL {
	u, _ := url.Parse(s.Server.URL)
	return u
}

// Client returns an api.Client talking to the fake.
func (s *Server) Client() *api.Client { return api.NewClient(s.BaseURL(), s.Server.Client()) }

// OnChat scripts chat replies.
func (s *Server) OnChat(f ChatFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// SetDelay makes every request wait d before it is answered (to test timeouts).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns "METHOD /path" of every request received so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// ChatRequests returns the chat requests received so far.
func (s *Server) ChatRequests() []api.ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.ChatRequest(nil), s.chats...)
}

// EmbedCalls returns how many embed requests were served.
func (s *Server) EmbedCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.embeds
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": "0.17.4"})
}

func (s *Server) tags(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list api.ListResponse
	for _, m := range s.models {
		list.Models = append(list.Models, api.ListModelResponse{Name: m.Name, Model: m.Name, ModifiedAt: time.Now()})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	var req api.ChatRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Model == "" {
		writeError(w, http.StatusBadRequest, "model is required")
		return
	}
	s.mu.Lock()
	m, ok := s.models[req.Model]
	chat := s.chat
	s.chats = append(s.chats, req)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model '%s' not found", req.Model))
		return
	}
	if m.Embed {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q does not support chat", req.Model))
		return
	}
	for _, msg := range req.Messages {
		switch msg.Role {
		case "system", "user", "assistant", "tool":
		default:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid role: %s", msg.Role))
			return
		}
	}
	if len(req.Format) > 0 {
		// The real server accepts "json" or a JSON schema object; anything
		// else is rejected before the model runs.
		var f any
		if err := json.Unmarshal(req.Format, &f); err != nil {
			writeError(w, http.StatusBadRequest, "invalid format")
			return
		}
		switch v := f.(type) {
		case string:
			if v != "json" && v != "" {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid format: %q; expected \"json\" or a valid JSON Schema", v))
				return
			}
		case map[string]any:
		default:
			writeError(w, http.StatusBadRequest, "invalid format: expected \"json\" or a valid JSON Schema")
			return
		}
	}
	if chat == nil {
		chat = func(*api.ChatRequest) (string, error) { return "", nil }
	}
	content, err := chat(&req)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	now := time.Now().UTC()
	final := api.ChatResponse{Model: req.Model, CreatedAt: now, Message: api.Message{Role: "assistant"},
		Done: true, DoneReason: "stop"}
	if req.Stream != nil && !*req.Stream {
		final.Message.Content = content
		writeJSON(w, http.StatusOK, final)
		return
	}
	// Streaming (the default): NDJSON chunks, then a final chunk with done=true.
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, piece := range splitPieces(content, 8) {
		_ = enc.Encode(api.ChatResponse{Model: req.Model, CreatedAt: now, Message: api.Message{Role: "assistant", Content: piece}})
	}
	_ = enc.Encode(final)
}

func (s *Server) handleEmbed(w http.ResponseWriter, r *http.Request) {
	var req api.EmbedRequest
	if !decode(w, r, &req) {
		return
	}
	var input []string
	switch v := req.Input.(type) {
	case string:
		if v != "" {
			input = append(input, v)
		}
	case []any:
		for _, x := range v {
			str, ok := x.(string)
			if !ok {
				writeError(w, http.StatusBadRequest, "invalid input type")
				return
			}
			input = append(input, str)
		}
	case nil:
	default:
		writeError(w, http.StatusBadRequest, "invalid input type")
		return
	}
	s.mu.Lock()
	m, ok := s.models[req.Model]
	s.embeds++
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model '%s' not found", req.Model))
		return
	}
	if !m.Embed {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q does not support embeddings", req.Model))
		return
	}
	if len(input) == 0 {
		writeJSON(w, http.StatusOK, api.EmbedResponse{Model: req.Model, Embeddings: [][]float32{}})
		return
	}
	dims := m.Dims
	if req.Dimensions > 0 && req.Dimensions < dims {
		dims = req.Dimensions
	}
	out := api.EmbedResponse{Model: req.Model}
	for _, text := range input {
		out.Embeddings = append(out.Embeddings, Embedding(text, dims))
	}
	writeJSON(w, http.StatusOK, out)
}

// Embedding is the fake's deterministic embedding: hashed character bigrams
// folded into dims dimensions and L2-normalized, as Ollama normalizes its
// /api/embed output. Texts sharing wording are close; that is all it promises.
func Embedding(text string, dims int) []float32 {
	v := make([]float64, dims)
	var rs []rune
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	for i := range rs {
		end := min(i+2, len(rs))
		h := fnv.New32a()
		h.Write([]byte(string(rs[i:end])))
		x := h.Sum32()
		sign := 1.0
		if x&1 == 1 {
			sign = -1
		}
		v[int(x>>1)%dims] += sign
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i, x := range v {
		if norm > 0 {
			out[i] = float32(x / norm)
		}
	}
	return out
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(r.Body).Decode(v)
	switch {
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "missing request body")
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

func splitPieces(s string, n int) []string {
	rs := []rune(s)
	var out []string
	for len(rs) > n {
		out = append(out, string(rs[:n]))
		rs = rs[n:]
	}
	if len(rs) > 0 {
		out = append(out, string(rs))
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
