package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/ollama/ollama/api"

	"kefu/nlu"
)

// DefaultModel is the chat model used when none is configured.
const DefaultModel = "qwen2.5:7b-instruct"

// DefaultTimeout bounds one call: a customer waits for the answer.
const DefaultTimeout = 4 * time.Second

// Error codes, recorded in nlu.Trace.Degraded when the cascade falls back.
const (
	CodeTimeout       = "ollama_timeout"
	CodeUnavailable   = "ollama_unavailable"
	CodeModelMissing  = "ollama_model_missing"
	CodeInvalidJSON   = "ollama_invalid_json"
	CodeUnknownIntent = "ollama_unknown_intent"
	CodeSchema        = "ollama_schema_violation"
)

// Error is a failed or rejected call, with a stable code.
type Error struct {
	Code string
	Err  error
}

func (e *Error) Error() string { return "ollama: " + e.Code + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of an *Error in err's chain, "" otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Config configures an Engine.
type Config struct {
	Client  *api.Client // required: api.NewClient(base, httpClient)
	Model   string      // chat model; "" means DefaultModel
	Timeout time.Duration
	Logger  *slog.Logger
	// Options are passed to the model; temperature defaults to 0 so the same
	// message gets the same answer.
	Options map[string]any
}

// Engine asks the model. It is safe for concurrent use.
type Engine struct {
	client  *api.Client
	model   string
	timeout time.Duration
	log     *slog.Logger
	options map[string]any
}

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Client == nil {
		return nil, errors.New("ollama: Config.Client is required")
	}
	e := &Engine{client: cfg.Client, model: cfg.Model, timeout: cfg.Timeout, log: cfg.Logger, options: map[string]any{"temperature": 0}}
	if e.model == "" {
		e.model = DefaultModel
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for k, v := range cfg.Options {
		e.options[k] = v
	}
	return e, nil
}

// Model is the chat model the engine asks.
func (e *Engine) Model() string { return e.model }

// Request is one message to understand, with what the local engine thinks.
type Request struct {
	Text string
	Lang string
	// Candidates are the local engine's best intents with their scores.
	Candidates []nlu.Candidate
	// Examples are the catalog examples nearest to the message.
	Examples []nlu.Example
	// ActiveIntent is the intent of the conversation so far, if any.
	ActiveIntent string
}

// Verdict is a validated answer of the model.
type Verdict struct {
	Intent     string // a catalog intent, or "" for out of scope
	Confidence float64
	OutOfScope bool
	// Slots of Intent as the model read them, not yet normalized; slots the
	// intent does not have were dropped (see Dropped).
	Slots   map[string]string
	Dropped []string
	Raw     string // the model's reply, for the trace
}

type reply struct {
	Intent     string            `json:"intent"`
	Confidence float64           `json:"confidence"`
	Slots      map[string]string `json:"slots"`
}

// Understand asks the model and validates its reply.
func (e *Engine) Understand(ctx context.Context, t *Task, r Request) (Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	stream := false
	req := &api.ChatRequest{
		Model:   e.model,
		Stream:  &stream,
		Format:  t.Format(),
		Options: e.options,
		Messages: []api.Message{
			{Role: "system", Content: t.system},
			{Role: "user", Content: userPrompt(r)},
		},
	}
	var out strings.Builder
	err := e.client.Chat(ctx, req, func(resp api.ChatResponse) error {
		out.WriteString(resp.Message.Content)
		return nil
	})
	if err != nil {
		return Verdict{}, e.fail(classify(ctx, err), err, "")
	}
	return e.validate(t, out.String())
}

func classify(ctx context.Context, err error) string {
	var se api.StatusError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return CodeTimeout
	case errors.As(err, &se) && se.StatusCode == 404:
		return CodeModelMissing
	}
	return CodeUnavailable
}

// validate checks a reply against the schema and the catalog.
func (e *Engine) validate(t *Task, content string) (Verdict, error) {
	var doc any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return Verdict{}, e.fail(CodeInvalidJSON, err, content)
	}
	if m, ok := doc.(map[string]any); ok {
		if name, ok := m["intent"].(string); ok && name != OutOfScope {
			if _, known := t.cat.Intent(name); !known {
				return Verdict{}, e.fail(CodeUnknownIntent, fmt.Errorf("intent %q is not in the catalog", name), content)
			}
		}
	}
	if err := t.validator.Validate(doc); err != nil {
		return Verdict{}, e.fail(CodeSchema, err, content)
	}
	var rep reply
	if err := json.Unmarshal([]byte(content), &rep); err != nil {
		return Verdict{}, e.fail(CodeSchema, err, content)
	}
	v := Verdict{Intent: rep.Intent, Confidence: rep.Confidence, Raw: content, Slots: map[string]string{}}
	if rep.Intent == OutOfScope {
		v.Intent, v.OutOfScope = nlu.IntentNone, true
	}
	for name, val := range rep.Slots {
		if !t.slots[rep.Intent][name] {
			v.Dropped = append(v.Dropped, name)
			continue
		}
		if strings.TrimSpace(val) != "" {
			v.Slots[name] = strings.TrimSpace(val)
		}
	}
	if len(v.Dropped) > 0 {
		e.log.Warn("ollama reply named slots its intent does not have; dropped",
			slog.String("intent", rep.Intent), slog.Any("slots", v.Dropped))
	}
	return v, nil
}

func (e *Engine) fail(code string, err error, content string) error {
	e.log.Warn("ollama reply rejected", slog.String("code", code), slog.String("model", e.model),
		slog.Any("error", err), slog.String("reply", redact(content, 200)))
	return &Error{Code: code, Err: err}
}

// redact shortens a model reply for the log and masks digits, which may be
// phone, ID or card numbers echoed from the customer.
func redact(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		rs = append(rs[:n], '…')
	}
	for i, r := range rs {
		if unicode.IsDigit(r) {
			rs[i] = '*'
		}
	}
	return string(rs)
}

func userPrompt(r Request) string {
	var b strings.Builder
	if r.ActiveIntent != "" {
		fmt.Fprintf(&b, "Conversation so far is about: %s\n", r.ActiveIntent)
	}
	if len(r.Candidates) > 0 {
		b.WriteString("The local classifier's guesses: ")
		for i, c := range r.Candidates {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s (%.2f)", c.Intent, c.Score)
		}
		b.WriteByte('\n')
	}
	if len(r.Examples) > 0 {
		b.WriteString("Similar examples from the catalog:\n")
		for _, ex := range r.Examples {
			fmt.Fprintf(&b, "- %q → %s\n", ex.Text, ex.Intent)
		}
	}
	fmt.Fprintf(&b, "Customer message: %q", r.Text)
	return b.String()
}
