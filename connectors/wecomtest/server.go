package wecomtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kefu/connectors/wxcrypt"
)

// Errcodes the fake answers with, as WeCom documents them.
const (
	ErrInvalidSecret   = 40001
	ErrInvalidCorpID   = 40013
	ErrInvalidToken    = 40014
	ErrTokenMissing    = 41001
	ErrTokenExpired    = 42001
	ErrInvalidParam    = 40058
	ErrInvalidOpenKfID = 95000
	ErrOutOfWindow     = 95002
	ErrInvalidMsgToken = 95007
	ErrStateChange     = 95016
)

var errmsgs = map[int]string{
	ErrInvalidSecret:   "invalid credential",
	ErrInvalidCorpID:   "invalid corpid",
	ErrInvalidToken:    "invalid access_token",
	ErrTokenMissing:    "access_token missing",
	ErrTokenExpired:    "access_token expired",
	ErrInvalidParam:    "invalid parameter",
	ErrInvalidOpenKfID: "invalid open_kfid",
	ErrOutOfWindow:     "send msg time exceed limit",
	ErrInvalidMsgToken: "invalid msg token",
	ErrStateChange:     "service state change not allowed",
}

// Msg is a message waiting in a 客服 account, as kf/sync_msg returns it.
type Msg = map[string]any

// Sent is a message the fake accepted from send_msg or send_msg_on_event.
type Sent struct {
	ToUser, OpenKfID, MsgID, Content, WelcomeCode string
}

// Server is a running fake of qyapi.weixin.qq.com for 微信客服.
type Server struct {
	*httptest.Server
	CorpID, Secret string

	mu        sync.Mutex
	tokens    map[string]time.Time
	seq       int
	fetches   int
	queues    map[string][]Msg // open_kfid → messages in arrival order
	msgTokens map[string]bool
	welcome   map[string]time.Time // welcome_code → expiry
	states    map[string][2]string // open_kfid/user → state, servicer
	sent      []Sent
	sentIDs   map[string]bool
	failNext  []int
	syncCalls int
	pageSize  int
}

// NewServer starts a fake for one corp.
func NewServer(corpID, secret string) *Server {
	s := &Server{CorpID: corpID, Secret: secret, tokens: map[string]time.Time{}, queues: map[string][]Msg{},
		msgTokens: map[string]bool{}, welcome: map[string]time.Time{}, states: map[string][2]string{}, sentIDs: map[string]bool{}, pageSize: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.gettoken)
	mux.HandleFunc("POST /cgi-bin/kf/sync_msg", s.auth(s.syncMsg))
	mux.HandleFunc("POST /cgi-bin/kf/send_msg", s.auth(s.sendMsg))
	mux.HandleFunc("POST /cgi-bin/kf/send_msg_on_event", s.auth(s.sendOnEvent))
	mux.HandleFunc("POST /cgi-bin/kf/service_state/get", s.auth(s.stateGet))
	mux.HandleFunc("POST /cgi-bin/kf/service_state/trans", s.auth(s.stateTrans))
	s.Server = httptest.NewServer(mux)
	return s
}

// AddKf registers a 客服 account.
func (s *Server) AddKf(openKfID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[openKfID]; !ok {
		s.queues[openKfID] = []Msg{}
	}
}

// SetPageSize makes sync_msg return at most n messages a page.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// CustomerText queues a text from a customer and returns its msgid.
func (s *Server) CustomerText(openKfID, user, msgID, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[openKfID] = append(s.queues[openKfID], Msg{"msgid": msgID, "open_kfid": openKfID, "external_userid": user,
		"send_time": time.Now().Unix(), "origin": 3, "msgtype": "text", "text": map[string]any{"content": text}})
	s.states[openKfID+"/"+user] = [2]string{"0", ""}
	return msgID
}

// EnterSession queues an enter_session event with a welcome code.
func (s *Server) EnterSession(openKfID, user, sceneParam string) (msgID, welcomeCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	msgID, welcomeCode = fmt.Sprintf("evt_%d", s.seq), fmt.Sprintf("WELCOME_%d", s.seq)
	s.welcome[welcomeCode] = time.Now().Add(20 * time.Second)
	s.queues[openKfID] = append(s.queues[openKfID], Msg{"msgid": msgID, "send_time": time.Now().Unix(), "origin": 4, "msgtype": "event",
		"event": map[string]any{"event_type": "enter_session", "open_kfid": openKfID, "external_userid": user,
			"scene": "123", "scene_param": sceneParam, "welcome_code": welcomeCode}})
	return msgID, welcomeCode
}

// ServicerText queues a message an agent sent from the WeCom client (origin 5).
func (s *Server) ServicerText(openKfID, user, msgID, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[openKfID] = append(s.queues[openKfID], Msg{"msgid": msgID, "open_kfid": openKfID, "external_userid": user,
		"send_time": time.Now().Unix(), "origin": 5, "servicer_userid": "zhangsan", "msgtype": "text", "text": map[string]any{"content": text}})
}

// IssueMsgToken returns a fresh callback token (valid for sync_msg).
func (s *Server) IssueMsgToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	t := fmt.Sprintf("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996N%d", s.seq)
	s.msgTokens[t] = true
	return t
}

// ExpireTokens expires every access token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tokens {
		s.tokens[k] = time.Now().Add(-time.Second)
	}
}

// FailNext makes the next send_msg calls answer these errcodes.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// SetState sets a customer's service state directly (as an agent in the
// WeCom client would).
func (s *Server) SetState(openKfID, user string, state int, servicer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[openKfID+"/"+user] = [2]string{strconv.Itoa(state), servicer}
}

// State returns a customer's service state and servicer.
func (s *Server) State(openKfID, user string) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.states[openKfID+"/"+user]
	n, _ := strconv.Atoi(st[0])
	return n, st[1]
}

// Sent returns accepted messages.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns the texts sent to a customer.
func (s *Server) SentTo(user string) []string {
	var out []string
	for _, m := range s.Sent() {
		if m.ToUser == user {
			out = append(out, m.Content)
		}
	}
	return out
}

// SyncCalls counts sync_msg calls.
func (s *Server) SyncCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncCalls
}

func writeErr(w http.ResponseWriter, code int) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": errmsgs[code]})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) gettoken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case q.Get("corpid") != s.CorpID:
		writeErr(w, ErrInvalidCorpID)
	case q.Get("corpsecret") != s.Secret:
		writeErr(w, ErrInvalidSecret)
	default:
		s.seq++
		s.fetches++
		tok := fmt.Sprintf("WECOM_TOKEN_%d", s.seq)
		s.tokens[tok] = time.Now().Add(7200 * time.Second)
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200})
	}
}

type handler func(w http.ResponseWriter, body map[string]any)

// auth checks access_token and decodes the JSON body; the handler runs
// with s.mu held.
func (s *Server) auth(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		defer s.mu.Unlock()
		tok := r.URL.Query().Get("access_token")
		exp, ok := s.tokens[tok]
		switch {
		case tok == "":
			writeErr(w, ErrTokenMissing)
			return
		case !ok:
			writeErr(w, ErrInvalidToken)
			return
		case time.Now().After(exp):
			writeErr(w, ErrTokenExpired)
			return
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			writeErr(w, ErrInvalidParam)
			return
		}
		h(w, body)
	}
}

func str(m map[string]any, k string) string { v, _ := m[k].(string); return v }

func (s *Server) syncMsg(w http.ResponseWriter, b map[string]any) {
	s.syncCalls++
	kf := str(b, "open_kfid")
	q, ok := s.queues[kf]
	if !ok {
		writeErr(w, ErrInvalidOpenKfID)
		return
	}
	if tok := str(b, "token"); tok != "" && !s.msgTokens[tok] {
		writeErr(w, ErrInvalidMsgToken)
		return
	}
	limit := 1000
	if l, ok := b["limit"].(float64); ok {
		if l < 1 || l > 1000 {
			writeErr(w, ErrInvalidParam)
			return
		}
		limit = int(l)
	}
	limit = min(limit, s.pageSize)
	pos := 0
	if c := str(b, "cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "CURSOR_"))
		if err != nil || n > len(q) || !strings.HasPrefix(c, "CURSOR_") {
			writeErr(w, ErrInvalidParam)
			return
		}
		pos = n
	}
	end := min(pos+limit, len(q))
	more := 0
	if end < len(q) {
		more = 1
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": fmt.Sprintf("CURSOR_%d", end), "has_more": more, "msg_list": q[pos:end]})
}

func (s *Server) text(b map[string]any) (string, bool) {
	if str(b, "msgtype") != "text" {
		return "", false
	}
	t, _ := b["text"].(map[string]any)
	c := str(t, "content")
	return c, c != ""
}

func (s *Server) sendMsg(w http.ResponseWriter, b map[string]any) {
	kf, user := str(b, "open_kfid"), str(b, "touser")
	if _, ok := s.queues[kf]; !ok {
		writeErr(w, ErrInvalidOpenKfID)
		return
	}
	content, ok := s.text(b)
	if user == "" || !ok {
		writeErr(w, ErrInvalidParam)
		return
	}
	if _, wrote := s.states[kf+"/"+user]; !wrote {
		// Only customers who wrote in the last 48 hours can be messaged.
		writeErr(w, ErrOutOfWindow)
		return
	}
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		writeErr(w, code)
		return
	}
	id := str(b, "msgid")
	if id == "" {
		s.seq++
		id = fmt.Sprintf("MSG_%d", s.seq)
	} else if s.sentIDs[id] {
		writeErr(w, ErrInvalidParam)
		return
	}
	s.sentIDs[id] = true
	s.sent = append(s.sent, Sent{ToUser: user, OpenKfID: kf, MsgID: id, Content: content})
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": id})
}

func (s *Server) sendOnEvent(w http.ResponseWriter, b map[string]any) {
	code := str(b, "code")
	exp, ok := s.welcome[code]
	content, okText := s.text(b)
	if !ok || time.Now().After(exp) || !okText {
		writeErr(w, ErrInvalidParam)
		return
	}
	delete(s.welcome, code) // a welcome code is good for one message
	s.seq++
	id := fmt.Sprintf("MSG_%d", s.seq)
	s.sent = append(s.sent, Sent{MsgID: id, Content: content, WelcomeCode: code})
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": id})
}

func (s *Server) stateGet(w http.ResponseWriter, b map[string]any) {
	kf, user := str(b, "open_kfid"), str(b, "external_userid")
	if _, ok := s.queues[kf]; !ok {
		writeErr(w, ErrInvalidOpenKfID)
		return
	}
	st, ok := s.states[kf+"/"+user]
	if !ok || user == "" {
		writeErr(w, ErrInvalidParam)
		return
	}
	n, _ := strconv.Atoi(st[0])
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "service_state": n, "servicer_userid": st[1]})
}

var allowed = map[int][]int{0: {1, 2, 3, 4}, 1: {2, 3, 4}, 2: {3, 4}, 3: {3, 4}}

func (s *Server) stateTrans(w http.ResponseWriter, b map[string]any) {
	kf, user := str(b, "open_kfid"), str(b, "external_userid")
	st, ok := s.states[kf+"/"+user]
	if !ok {
		writeErr(w, ErrInvalidParam)
		return
	}
	to, okNum := b["service_state"].(float64)
	cur, _ := strconv.Atoi(st[0])
	servicer := str(b, "servicer_userid")
	if !okNum || !slices.Contains(allowed[cur], int(to)) {
		writeErr(w, ErrStateChange)
		return
	}
	if int(to) == 3 && servicer == "" {
		writeErr(w, ErrInvalidParam)
		return
	}
	s.states[kf+"/"+user] = [2]string{strconv.Itoa(int(to)), servicer}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msg_code": "MSG_CODE_" + strconv.Itoa(int(to))})
}

// Callback builds the POST WeCom sends for a kf_msg_or_event event.
func Callback(target, token, aesKey, corpID, openKfID, msgToken string, at time.Time, nonce string) *http.Request {
	plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>",
		corpID, at.Unix(), msgToken, openKfID)
	return Signed(target, token, aesKey, corpID, []byte(plain), at, nonce)
}

// Signed encrypts and signs any callback body as WeCom does.
func Signed(target, token, aesKey, corpID string, plain []byte, at time.Time, nonce string) *http.Request {
	c, err := wxcrypt.NewCipher(aesKey, corpID)
	if err != nil {
		panic(err)
	}
	enc, _ := c.Encrypt(plain)
	ts := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{"msg_signature": {wxcrypt.Signature(token, ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>", corpID, enc)
	return httptest.NewRequest(http.MethodPost, target+"?"+q.Encode(), bytes.NewReader([]byte(body)))
}

// MemoryCursors is a CursorStore in memory; share one between adapter
// instances to simulate a restart.
type MemoryCursors struct {
	mu sync.Mutex
	m  map[string]string
	// FailSave makes SaveCursor fail.
	FailSave error
}

// Cursor returns the saved cursor.
func (c *MemoryCursors) Cursor(_ context.Context, kf string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[kf], nil
}

// SaveCursor saves a cursor.
func (c *MemoryCursors) SaveCursor(_ context.Context, kf, cursor string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.FailSave != nil {
		return c.FailSave
	}
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[kf] = cursor
	return nil
}
