package wechattest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// Documented errcodes and errmsgs.
const (
	ErrSystem        = -1
	ErrInvalidToken  = 40001
	ErrGrantType     = 40002
	ErrInvalidOpenID = 40003
	ErrMsgType       = 40008
	ErrInvalidAppID  = 40013
	ErrInvalidSecret = 40125
	ErrTokenMissing  = 41001
	ErrTokenExpired  = 42001
	ErrEmptyContent  = 44004
	ErrOutOfWindow   = 45015
	ErrDataFormat    = 47001
)

var errmsgs = map[int]string{
	ErrSystem:        "system error",
	ErrInvalidToken:  "invalid credential, access_token is invalid or not latest",
	ErrGrantType:     "invalid grant_type",
	ErrInvalidOpenID: "invalid openid",
	ErrMsgType:       "invalid message type",
	ErrInvalidAppID:  "invalid appid",
	ErrInvalidSecret: "invalid appsecret",
	ErrTokenMissing:  "access_token missing",
	ErrTokenExpired:  "access_token expired",
	ErrEmptyContent:  "empty content",
	ErrOutOfWindow:   "response out of time limit or subscription is canceled",
	ErrDataFormat:    "data format error",
}

// Sent is a customer-service message the fake accepted.
type Sent struct {
	AppID   string
	ToUser  string
	MsgType string
	Content string
}

type token struct {
	appID   string
	expires time.Time
	revoked bool
}

// Server is a running fake of api.weixin.qq.com.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	now       func() time.Time
	ttl       time.Duration
	secrets   map[string]string            // appid → secret
	followers map[string]map[string]string // appid → openid → unionid
	tokens    map[string]*token
	current   map[string]string // appid → newest token
	seq       int
	fetches   int
	sent      []Sent
	failNext  []int
	delay     time.Duration
}

// NewServer starts a fake with no apps; add them with AddApp.
func NewServer() *Server {
	s := &Server{now: time.Now, ttl: 7200 * time.Second, secrets: map[string]string{},
		followers: map[string]map[string]string{}, tokens: map[string]*token{}, current: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.token)
	mux.HandleFunc("POST /cgi-bin/stable_token", s.stableToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.customSend)
	mux.HandleFunc("GET /cgi-bin/user/info", s.userInfo)
	s.Server = httptest.NewServer(mux)
	return s
}

// AddApp registers an official account or mini program.
func (s *Server) AddApp(appID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[appID] = secret
	s.followers[appID] = map[string]string{}
}

// AddFollower registers a user of an app (only they can be messaged), with
// their unionid ("" when the app is not bound to an open platform account).
func (s *Server) AddFollower(appID, openID, unionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.followers[appID][openID] = unionID
}

// SetClock replaces the fake's clock, so tests can let tokens expire.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetTokenTTL sets the expires_in of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// RevokeTokens makes every issued token invalid (errcode 40001), as when
// another server fetched a new token with cgi-bin/token.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.revoked = true
	}
	clear(s.current)
}

// FailNext makes the next customer-service sends answer these errcodes, in order.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// SetSendDelay delays every customer-service send.
func (s *Server) SetSendDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Sent returns the messages accepted so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns the texts accepted for one openid.
func (s *Server) SentTo(openID string) []string {
	var out []string
	for _, m := range s.Sent() {
		if m.ToUser == openID {
			out = append(out, m.Content)
		}
	}
	return out
}

// TokenFetches counts token requests that issued or returned a token.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func writeErr(w http.ResponseWriter, code int) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": errmsgs[code]})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	json.NewEncoder(w).Encode(v)
}

// issue returns a token for appid; the caller holds s.mu. A fresh token
// leaves the previous one valid for five minutes, as WeChat does.
func (s *Server) issue(appID string, reuse bool) (string, time.Duration) {
	now := s.now()
	if cur, ok := s.current[appID]; ok && reuse {
		if t := s.tokens[cur]; !t.revoked && now.Before(t.expires) {
			s.fetches++
			return cur, t.expires.Sub(now).Truncate(time.Second)
		}
	}
	if cur, ok := s.current[appID]; ok {
		if t := s.tokens[cur]; t.expires.After(now.Add(5 * time.Minute)) {
			t.expires = now.Add(5 * time.Minute)
		}
	}
	s.seq++
	tok := fmt.Sprintf("ACCESS_TOKEN_%s_%d", appID, s.seq)
	s.tokens[tok] = &token{appID: appID, expires: now.Add(s.ttl)}
	s.current[appID] = tok
	s.fetches++
	return tok, s.ttl
}

func (s *Server) credentials(w http.ResponseWriter, grant, appID, secret string) bool {
	switch {
	case grant != "client_credential":
		writeErr(w, ErrGrantType)
	case s.secrets[appID] == "" && appID != "":
		writeErr(w, ErrInvalidAppID)
	case appID == "":
		writeJSON(w, map[string]any{"errcode": 41002, "errmsg": "appid missing"})
	case secret != s.secrets[appID]:
		writeErr(w, ErrInvalidSecret)
	default:
		return true
	}
	return false
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.credentials(w, q.Get("grant_type"), q.Get("appid"), q.Get("secret")) {
		return
	}
	tok, ttl := s.issue(q.Get("appid"), false)
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(ttl.Seconds())})
}

func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		writeErr(w, ErrDataFormat)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.credentials(w, in.GrantType, in.AppID, in.Secret) {
		return
	}
	if in.ForceRefresh {
		// Forcing a refresh makes the previous token invalid at once.
		if cur, ok := s.current[in.AppID]; ok {
			s.tokens[cur].revoked = true
		}
	}
	tok, ttl := s.issue(in.AppID, !in.ForceRefresh)
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": int(ttl.Seconds())})
}

// authorize checks access_token and returns its appid; the caller holds s.mu.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok := r.URL.Query().Get("access_token")
	t, ok := s.tokens[tok]
	switch {
	case tok == "":
		writeErr(w, ErrTokenMissing)
	case !ok || t.revoked:
		writeErr(w, ErrInvalidToken)
	case !s.now().Before(t.expires):
		writeErr(w, ErrTokenExpired)
	default:
		return t.appID, true
	}
	return "", false
}

var msgTypes = []string{"text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard", "miniprogrampage", "link"}

func (s *Server) customSend(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	defer s.mu.Unlock()
	appID, ok := s.authorize(w, r)
	if !ok {
		return
	}
	var in struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    *struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if len(body) == 0 {
		writeJSON(w, map[string]any{"errcode": 44002, "errmsg": "empty post data"})
		return
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeErr(w, ErrDataFormat)
		return
	}
	if _, ok := s.followers[appID][in.ToUser]; !ok {
		writeErr(w, ErrInvalidOpenID)
		return
	}
	if !slices.Contains(msgTypes, in.MsgType) {
		writeErr(w, ErrMsgType)
		return
	}
	if in.MsgType == "text" && (in.Text == nil || in.Text.Content == "") {
		writeErr(w, ErrEmptyContent)
		return
	}
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		writeErr(w, code)
		return
	}
	m := Sent{AppID: appID, ToUser: in.ToUser, MsgType: in.MsgType}
	if in.Text != nil {
		m.Content = in.Text.Content
	}
	s.sent = append(s.sent, m)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (s *Server) userInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	appID, ok := s.authorize(w, r)
	if !ok {
		return
	}
	openID := r.URL.Query().Get("openid")
	unionID, ok := s.followers[appID][openID]
	if !ok {
		writeErr(w, ErrInvalidOpenID)
		return
	}
	out := map[string]any{"subscribe": 1, "openid": openID, "language": "zh_CN", "subscribe_time": s.now().Unix(),
		"remark": "", "groupid": 0, "tagid_list": []int{}, "subscribe_scene": "ADD_SCENE_QR_CODE", "qr_scene": 0, "qr_scene_str": ""}
	if unionID != "" {
		out["unionid"] = unionID
	}
	writeJSON(w, out)
}
