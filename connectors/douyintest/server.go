// Package douyintest is a fake of the Douyin open API used by the douyin
// adapter (oauth/refresh_token, im/send/msg, item/comment/reply), enforcing
// the account's access token, the documented request fields and Douyin's
// data/extra error envelope, and a helper that signs webhooks as Douyin does.
package douyintest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"kefu/connectors/douyin"
)

// Error codes, as Douyin documents them.
const (
	ErrParam        = 2100005 // 参数不合法
	ErrTokenInvalid = 2190002 // access_token 无效
	ErrTokenExpired = 2190008 // access_token 过期
	ErrRefresh      = 10010   // refresh_token 过期
	ErrNoPermission = 2100004 // 系统繁忙/无权限 (used for FailNext)
)

// Sent is what the fake accepted.
type Sent struct {
	Kind      string // "im" or "comment"
	ToUser    string
	CommentID string
	ItemID    string
	Text      string
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	ClientKey, Account string

	mu       sync.Mutex
	tokens   map[string]time.Time
	refresh  string
	seq      int
	convs    map[string]string // server_message_id → customer open_id
	comments map[string]string // comment_id → item_id
	sent     []Sent
	failNext []int
}

// NewServer starts a fake for an app and its enterprise account; the
// returned refresh token is the account's.
func NewServer(clientKey, account string) *Server {
	s := &Server{ClientKey: clientKey, Account: account, tokens: map[string]time.Time{}, refresh: "rft.initial",
		convs: map[string]string{}, comments: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/refresh_token/", s.refreshToken)
	mux.HandleFunc("POST /im/send/msg/", s.auth(s.sendMsg))
	mux.HandleFunc("POST /item/comment/reply/", s.auth(s.commentReply))
	s.Server = httptest.NewServer(mux)
	return s
}

// RefreshToken returns the account's current refresh token.
func (s *Server) RefreshToken() string { s.mu.Lock(); defer s.mu.Unlock(); return s.refresh }

// ExpireTokens expires every access token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tokens {
		s.tokens[k] = time.Now().Add(-time.Second)
	}
}

// FailNext makes the next sends answer these error codes.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	s.failNext = append(s.failNext, codes...)
	s.mu.Unlock()
}

// Sent returns what was accepted.
func (s *Server) Sent() []Sent { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.sent) }

// SentTo returns the texts a customer got, privately or as comment answers.
func (s *Server) SentTo(user string) []string {
	var out []string
	for _, m := range s.Sent() {
		if m.ToUser == user {
			out = append(out, m.Text)
		}
	}
	return out
}

func writeErr(w http.ResponseWriter, code int, desc string) {
	writeJSON(w, map[string]any{"data": map[string]any{"error_code": code, "description": desc},
		"extra": map[string]any{"error_code": code, "description": desc, "sub_error_code": 0, "sub_description": "", "logid": "20261123000000010000", "now": time.Now().UnixMilli()}})
}

func writeData(w http.ResponseWriter, data map[string]any) {
	data["error_code"], data["description"] = 0, ""
	writeJSON(w, map[string]any{"data": data, "extra": map[string]any{"error_code": 0, "description": "", "sub_error_code": 0,
		"sub_description": "", "logid": "20261123000000010000", "now": time.Now().UnixMilli()}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) refreshToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("client_key") != s.ClientKey {
		writeErr(w, ErrParam, "参数不合法")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Form.Get("refresh_token") != s.refresh {
		writeErr(w, ErrRefresh, "refresh_token 已过期")
		return
	}
	s.seq++
	tok := fmt.Sprintf("act.%d", s.seq)
	s.tokens[tok] = time.Now().Add(15 * 24 * time.Hour)
	writeData(w, map[string]any{"access_token": tok, "expires_in": 1296000, "open_id": s.Account,
		"refresh_expires_in": 2592000, "refresh_token": s.refresh, "scope": "im.direct_message,item.comment"})
}

func (s *Server) auth(h func(w http.ResponseWriter, b map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		defer s.mu.Unlock()
		exp, ok := s.tokens[r.Header.Get("access-token")]
		switch {
		case !ok:
			writeErr(w, ErrTokenInvalid, "access_token 无效")
			return
		case time.Now().After(exp):
			writeErr(w, ErrTokenExpired, "access_token 过期, 请刷新或重新授权")
			return
		case r.URL.Query().Get("open_id") != s.Account:
			writeErr(w, ErrParam, "参数不合法")
			return
		}
		var b map[string]any
		if json.Unmarshal(raw, &b) != nil {
			writeErr(w, ErrParam, "参数不合法")
			return
		}
		if len(s.failNext) > 0 {
			code := s.failNext[0]
			s.failNext = s.failNext[1:]
			writeErr(w, code, "fail")
			return
		}
		h(w, b)
	}
}

func str(m map[string]any, k string) string { v, _ := m[k].(string); return v }

func (s *Server) sendMsg(w http.ResponseWriter, b map[string]any) {
	user, msgID := str(b, "to_user_id"), str(b, "msg_id")
	content, _ := b["content"].(map[string]any)
	text, _ := content["text"].(map[string]any)
	if s.convs[msgID] != user || user == "" || str(b, "conversation_id") == "" || content["msg_type"] != float64(1) || str(text, "text") == "" {
		writeErr(w, ErrParam, "参数不合法")
		return
	}
	s.seq++
	s.sent = append(s.sent, Sent{Kind: "im", ToUser: user, Text: str(text, "text")})
	writeData(w, map[string]any{"msg_id": fmt.Sprintf("@srv%d", s.seq)})
}

func (s *Server) commentReply(w http.ResponseWriter, b map[string]any) {
	item, cid, text := str(b, "item_id"), str(b, "comment_id"), str(b, "content")
	if item == "" || text == "" || (cid != "" && s.comments[cid] != item) {
		writeErr(w, ErrParam, "参数不合法")
		return
	}
	s.seq++
	s.sent = append(s.sent, Sent{Kind: "comment", ToUser: s.comments[cid+"#user"], CommentID: cid, ItemID: item, Text: text})
	writeData(w, map[string]any{"comment_id": fmt.Sprintf("@cmt%d", s.seq)})
}

func (s *Server) webhook(target, secret string, ev map[string]any) *http.Request {
	b, _ := json.Marshal(ev)
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Douyin-Signature", douyin.Sign(secret, b))
	r.Header.Set("Msg-Id", fmt.Sprint(ev["log_id"]))
	return r
}

// PrivateMessage builds the signed im_receive_msg webhook of a customer's
// text and registers the conversation so it can be answered.
func (s *Server) PrivateMessage(target, secret, user, msgID, text string) *http.Request {
	s.mu.Lock()
	s.convs[msgID] = user
	s.mu.Unlock()
	return s.webhook(target, secret, map[string]any{"event": "im_receive_msg", "client_key": s.ClientKey, "from_user_id": user,
		"to_user_id": s.Account, "log_id": "log" + msgID, "content": map[string]any{"conversation_short_id": "@conv_" + user,
			"server_message_id": msgID, "conversation_type": 1, "message_type": "text", "text": text, "create_time": time.Now().UnixMilli(),
			"user_infos": []map[string]any{{"open_id": user, "nick_name": "顾客" + user, "avatar": ""}}}})
}

// Comment builds the signed item_comment_reply webhook of a customer's
// comment on a video; content is sent as a JSON string, as Douyin does for
// this event.
func (s *Server) Comment(target, secret, user, commentID, itemID, text string) *http.Request {
	s.mu.Lock()
	s.comments[commentID], s.comments[commentID+"#user"] = itemID, user
	s.mu.Unlock()
	c, _ := json.Marshal(map[string]any{"comment_id": commentID, "comment_user_id": user, "content": text, "create_time": time.Now().Unix(),
		"digg_count": 0, "reply_comment_total": 0, "reply_to_comment_id": "", "reply_to_item_id": itemID, "nick_name": "顾客" + user})
	return s.webhook(target, secret, map[string]any{"event": "item_comment_reply", "client_key": s.ClientKey, "from_user_id": user,
		"to_user_id": s.Account, "log_id": "log" + commentID, "content": string(c)})
}

// Webhook signs any event body.
func Webhook(target, secret string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("X-Douyin-Signature", douyin.Sign(secret, body))
	return r
}

// MemoryTokens is a douyin.TokenStore in memory.
type MemoryTokens struct {
	mu sync.Mutex
	T  douyin.Token
}

// LoadToken returns the stored token.
func (m *MemoryTokens) LoadToken(context.Context) (douyin.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.T, nil
}

// SaveToken stores a token.
func (m *MemoryTokens) SaveToken(_ context.Context, t douyin.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.T = t
	return nil
}
