package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"kefu/appliance"
	"kefu/appliance/config"
	"kefu/console"
)

// startApp runs the whole appliance on a random port with a temporary SQLite
// database in dir, with the demo data.
func startApp(t *testing.T, dir string, extraEnv map[string]string) (*Program, func()) {
	t.Helper()
	cfg, err := config.Load("", func(k string) string {
		if v, ok := extraEnv[k]; ok {
			return v
		}
		switch k {
		case "KEFU_DATA_DIR":
			return dir
		case "KEFU_HTTP_ADDR":
			return "127.0.0.1:0"
		case "KEFU_LOG_LEVEL":
			return "error"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Program{Config: cfg, Demo: true}
	if err := p.Open(context.Background()); err != nil {
		p.Close()
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	shutdown := func() {
		if stopped {
			return
		}
		stopped = true
		stop()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		p.Close()
	}
	t.Cleanup(shutdown)
	return p, shutdown
}

type appClient struct {
	t      *testing.T
	url    string
	key    string
	secret string
}

func (a *appClient) do(method, path string, body []byte, ts time.Time, mutate func(*http.Request)) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("X-Kefu-Key", a.key)
	req.Header.Set("X-Kefu-Timestamp", stamp)
	req.Header.Set("X-Kefu-Signature", console.Sign(a.secret, stamp, body))
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		a.t.Fatalf("%s %s: status %d, body %q is not JSON", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func (a *appClient) send(userID, msgID, text string) (int, map[string]any) {
	body, _ := json.Marshal(map[string]string{"user_id": userID, "message_id": msgID, "text": text})
	return a.do("POST", "/api/v1/app/messages", body, time.Now(), nil)
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func replies(body map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := body["replies"].([]any)
	for _, r := range list {
		out = append(out, r.(map[string]any))
	}
	return out
}

func countMessages(t *testing.T, p *Program) int {
	t.Helper()
	var n int64
	if err := p.Store.DB().Table("messages").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestAppAPIEndToEnd(t *testing.T) {
	dir := t.TempDir()
	p, stop := startApp(t, dir, nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}

	status, body := app.send("demo-1001", "m-1", "在吗")
	if status != 200 {
		t.Fatalf("first message: status %d body %v", status, body)
	}
	convID := body["conversation_id"]
	rs := replies(body)
	if len(rs) != 1 || rs[0]["from"] != "bot" || !strings.Contains(rs[0]["text"].(string), "您好") {
		t.Fatalf("greeting: got %v", body)
	}
	stored := countMessages(t, p)

	// The same message_id: the same conversation and replies, nothing new stored.
	status, again := app.send("demo-1001", "m-1", "在吗")
	if status != 200 || again["conversation_id"] != convID || fmt.Sprint(replies(again)) != fmt.Sprint(rs) {
		t.Fatalf("retry: got %d %v, want %v", status, again, body)
	}
	if n := countMessages(t, p); n != stored {
		t.Fatalf("retry stored %d new messages", n-stored)
	}

	status, body = app.send("demo-1001", "m-2", "退货运费谁出啊")
	if status != 200 || !strings.Contains(replies(body)[0]["text"].(string), "运费") {
		t.Fatalf("faq answer: %d %v", status, body)
	}

	// Bad input: each refused with its code, nothing stored.
	stored = countMessages(t, p)
	valid, _ := json.Marshal(map[string]string{"user_id": "u", "message_id": "x1", "text": "hi"})
	cases := []struct {
		name   string
		body   []byte
		ts     time.Time
		mutate func(*http.Request)
		status int
		code   string
	}{
		{"no signature", valid, time.Now(), func(r *http.Request) { r.Header.Del("X-Kefu-Signature") }, 401, "missing_signature"},
		{"unknown key", valid, time.Now(), func(r *http.Request) { r.Header.Set("X-Kefu-Key", "nobody") }, 401, "unknown_app_key"},
		{"bad signature", valid, time.Now(), func(r *http.Request) { r.Header.Set("X-Kefu-Signature", strings.Repeat("0", 64)) }, 401, "bad_signature"},
		{"tampered body", valid, time.Now(), func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(string(valid), "hi", "ho", 1)))
		}, 401, "bad_signature"},
		{"replayed timestamp", valid, time.Now().Add(-6 * time.Minute), nil, 401, "timestamp_expired"},
		{"future timestamp", valid, time.Now().Add(6 * time.Minute), nil, 401, "timestamp_expired"},
		{"bad timestamp", valid, time.Now(), func(r *http.Request) { r.Header.Set("X-Kefu-Timestamp", "yesterday") }, 400, "invalid_timestamp"},
		{"malformed json", []byte(`{"user_id": "u",`), time.Now(), nil, 400, "malformed_json"},
		{"wrong types", []byte(`{"user_id": 5, "message_id": "a", "text": "b"}`), time.Now(), nil, 400, "invalid_field"},
		{"missing user", []byte(`{"message_id": "a", "text": "b"}`), time.Now(), nil, 400, "missing_field"},
		{"missing message id", []byte(`{"user_id": "u", "text": "b"}`), time.Now(), nil, 400, "missing_field"},
		{"empty text", []byte(`{"user_id": "u", "message_id": "a", "text": "  "}`), time.Now(), nil, 400, "empty_message"},
		{"too long text", []byte(`{"user_id": "u", "message_id": "a", "text": "` + strings.Repeat("长", 4001) + `"}`), time.Now(), nil, 400, "message_too_long"},
		{"oversized body", []byte(`{"user_id": "u", "message_id": "a", "text": "` + strings.Repeat("x", 2<<20) + `"}`), time.Now(), nil, 413, "body_too_large"},
		{"not json", valid, time.Now(), func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 415, "unsupported_media_type"},
		{"empty body", nil, time.Now(), nil, 400, "empty_body"},
	}
	for _, c := range cases {
		st, b := app.do("POST", "/api/v1/app/messages", c.body, c.ts, c.mutate)
		if st != c.status || errCode(b) != c.code {
			t.Errorf("%s: got %d %v, want %d %s", c.name, st, b, c.status, c.code)
		}
	}
	if n := countMessages(t, p); n != stored {
		t.Fatalf("bad requests stored %d messages", n-stored)
	}

	// Script tags are data, stored as written.
	status, body = app.send("demo-1001", "m-3", `<script>alert("x")</script>`)
	if status != 200 {
		t.Fatalf("script text: %d %v", status, body)
	}

	// Hand-off: the customer asks for a human, an agent answers in the console,
	// the app fetches the agent's reply.
	status, body = app.send("demo-1001", "m-4", "转人工")
	if status != 200 || replies(body)[0]["from"] != "system" {
		t.Fatalf("handoff: %d %v", status, body)
	}
	agent := login(t, p.URL(), "agent1")
	st, _ := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%v/take", body["conversation_id"]), nil, false)
	if st != 403 {
		t.Errorf("take without the CSRF header: got %d, want 403", st)
	}
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%v/take", body["conversation_id"]), nil, true); st != 200 {
		t.Fatalf("take: %d %v", st, b)
	}
	status, silent := app.send("demo-1001", "m-5", "运费怎么算")
	if status != 200 || len(replies(silent)) != 0 {
		t.Fatalf("while an agent owns it the bot must stay silent: %v", silent)
	}
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", body["conversation_id"]),
		map[string]any{"text": "您好，我是客服小王，请问有什么可以帮您？"}, true); st != 201 {
		t.Fatalf("agent reply: %d %v", st, b)
	}
	_, got := app.do("GET", "/api/v1/app/messages?user_id=demo-1001&after=0", nil, time.Now(), nil)
	msgs := got["messages"].([]any)
	last := msgs[len(msgs)-1].(map[string]any)
	if last["from"] != "agent" || !strings.Contains(last["text"].(string), "小王") {
		t.Fatalf("app fetch: last message %v, want the agent's reply", last)
	}
	_, got = app.do("GET", fmt.Sprintf("/api/v1/app/messages?user_id=demo-1001&after=%v", got["next_after"]), nil, time.Now(), nil)
	if n := len(got["messages"].([]any)); n != 0 {
		t.Errorf("fetch after the cursor: %d messages, want 0", n)
	}
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%v/close", body["conversation_id"]), nil, true); st != 200 {
		t.Fatalf("close: %d %v", st, b)
	}
	_, back := app.send("demo-1001", "m-6", "运费怎么算")
	if len(replies(back)) != 1 || replies(back)[0]["from"] != "bot" || back["conversation_id"] == body["conversation_id"] {
		t.Fatalf("after close the bot answers in a new conversation: %v", back)
	}

	// Metrics count what happened.
	resp, err := http.Get(p.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`kefu_messages_in_total{channel="app"}`, `kefu_handoffs_total{reason="customer_request"} 1`, `kefu_nlu_duration_seconds_bucket`,
		"kefu_store_undecryptable_total 0"} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// A restart loses nothing: the retried message gets the same answer.
	stop()
	p2, _ := startApp(t, dir, nil)
	app.url = p2.URL()
	if p2.DemoInfo.AppSecret != app.secret {
		t.Fatalf("the demo app secret changed across a restart")
	}
	status, again = app.send("demo-1001", "m-1", "在吗")
	if status != 200 || again["conversation_id"] != convID || fmt.Sprint(replies(again)) != fmt.Sprint(rs) {
		t.Fatalf("retry after restart: got %d %v, want %v", status, again, rs)
	}
}

type consoleClient struct {
	t    *testing.T
	url  string
	http *http.Client
	csrf string
}

func login(t *testing.T, url, username string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &consoleClient{t: t, url: url, http: &http.Client{Jar: jar}}
	st, body := c.do("POST", "/api/v1/auth/login", map[string]any{"username": username, "password": DemoPassword}, false)
	if st != 200 {
		t.Fatalf("login %s: %d %v", username, st, body)
	}
	c.csrf = body["csrf_token"].(string)
	return c
}

func (c *consoleClient) do(method, path string, body any, csrf bool) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestConsoleAccessControl(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	anon := &consoleClient{t: t, url: p.URL(), http: http.DefaultClient}
	if st, b := anon.do("GET", "/api/v1/conversations", nil, false); st != 401 || errCode(b) != "not_logged_in" {
		t.Errorf("anonymous: %d %v", st, b)
	}
	bad := &consoleClient{t: t, url: p.URL(), http: http.DefaultClient}
	if st, b := bad.do("POST", "/api/v1/auth/login", map[string]any{"username": "agent1", "password": "wrong-password"}, false); st != 401 || errCode(b) != "bad_credentials" {
		t.Errorf("wrong password: %d %v", st, b)
	}
	type want struct {
		user, method, path string
		status             int
	}
	for _, w := range []want{
		{"editor", "GET", "/api/v1/conversations", 403},
		{"compliance", "GET", "/api/v1/conversations", 200},
		{"compliance", "POST", "/api/v1/conversations/1/take", 403},
		{"compliance", "GET", "/api/v1/audit", 200},
		{"agent1", "GET", "/api/v1/audit", 403},
		{"agent1", "GET", "/api/v1/users", 403},
		{"supervisor", "GET", "/api/v1/users", 200},
		{"supervisor", "POST", "/api/v1/users", 403},
		{"admin", "GET", "/api/v1/users", 200},
	} {
		c := login(t, p.URL(), w.user)
		if st, b := c.do(w.method, w.path, map[string]any{}, true); st != w.status {
			t.Errorf("%s %s %s: got %d %v, want %d", w.user, w.method, w.path, st, b, w.status)
		}
	}
	admin := login(t, p.URL(), "admin")
	st, b := admin.do("POST", "/api/v1/users", map[string]any{"username": "agent3", "role": "agent", "password": "short"}, true)
	if st != 400 || errCode(b) != "weak_password" {
		t.Errorf("weak password: %d %v", st, b)
	}
	st, b = admin.do("POST", "/api/v1/users", map[string]any{"username": "agent3", "role": "agent", "password": "long-enough-1", "display_name": "小赵"}, true)
	if st != 201 {
		t.Fatalf("create user: %d %v", st, b)
	}
	newID := b["user"].(map[string]any)["id"]
	a3 := &consoleClient{t: t, url: p.URL()}
	jar, _ := cookiejar.New(nil)
	a3.http = &http.Client{Jar: jar}
	if st, b := a3.do("POST", "/api/v1/auth/login", map[string]any{"username": "agent3", "password": "long-enough-1"}, false); st != 200 {
		t.Fatalf("new user login: %d %v", st, b)
	}
	// Disabling the user ends their session at once.
	if st, b := admin.do("PATCH", fmt.Sprintf("/api/v1/users/%v", newID), map[string]any{"disabled": true}, true); st != 200 {
		t.Fatalf("disable: %d %v", st, b)
	}
	if st, _ := a3.do("GET", "/api/v1/auth/me", nil, false); st != 401 {
		t.Errorf("a disabled user's session still works: %d", st)
	}
	_, audit := admin.do("GET", "/api/v1/audit?action=user.update", nil, false)
	if len(audit["entries"].([]any)) != 1 {
		t.Errorf("user.update not audited: %v", audit)
	}
	// Five wrong passwords lock the username for a while.
	for i := range 6 {
		st, b := bad.do("POST", "/api/v1/auth/login", map[string]any{"username": "editor", "password": fmt.Sprint("guess", i)}, false)
		if i == 5 && (st != 429 || errCode(b) != "too_many_attempts") {
			t.Errorf("sixth wrong password: %d %v, want 429", st, b)
		}
	}
}

// widgetSession starts a widget visitor session: its token and visitor_id.
func widgetSession(t *testing.T, url string) map[string]string {
	t.Helper()
	resp, err := http.Post(url+"/api/v1/widget/session", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sess map[string]string
	json.NewDecoder(resp.Body).Decode(&sess)
	if sess["token"] == "" {
		t.Fatalf("no widget token: %d %v", resp.StatusCode, sess)
	}
	return sess
}

func TestWidgetResumesAfterReconnect(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	sess := widgetSession(t, p.URL())
	wsURL := strings.Replace(p.URL(), "http", "ws", 1) + "/api/v1/widget/ws?token=" + sess["token"]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, wsURL+"&after=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	wsjson.Write(ctx, conn, map[string]string{"type": "send", "message_id": "w-1", "text": "在吗"})
	var got []map[string]any
	for len(got) < 3 { // ack, the customer's message, the bot's reply
		var f map[string]any
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	var lastID float64
	seen := map[float64]int{}
	for _, f := range got {
		if f["type"] == "message" {
			m := f["message"].(map[string]any)
			seen[m["id"].(float64)]++
			lastID = max(lastID, m["id"].(float64))
		}
	}
	conn.Close(websocket.StatusNormalClosure, "")
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %v arrived %d times", id, n)
		}
	}

	// While the widget is away an agent takes over and writes.
	out, err := p.Engine.Receive(ctx, appliance.Inbound{Channel: "web", MessageID: "w-2", Text: "转人工",
		Identity: appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: sess["visitor_id"]}})
	if err != nil {
		t.Fatal(err)
	}
	agent, _ := p.Store.UserByUsername(ctx, "agent1")
	if _, err := p.Engine.AgentSend(ctx, out.Conversation.ID, agent, "您好，我是小王", false); err != nil {
		t.Fatal(err)
	}
	// Reconnecting from the last id replays exactly what was missed.
	conn, _, err = websocket.Dial(ctx, fmt.Sprintf("%s&after=%d", wsURL, int64(lastID)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	var texts []string
	for len(texts) < 3 {
		var f map[string]any
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			t.Fatal(err)
		}
		m := f["message"].(map[string]any)
		if m["id"].(float64) <= lastID {
			t.Fatalf("replayed an old message %v", m)
		}
		texts = append(texts, m["text"].(string))
	}
	if texts[0] != "转人工" || !strings.Contains(texts[1], "人工客服") || texts[2] != "您好，我是小王" {
		t.Errorf("missed messages: got %q", texts)
	}
	// A forged token is refused.
	if _, resp, err := websocket.Dial(ctx, strings.Replace(wsURL, "token=", "token=x", 1), nil); err == nil || resp.StatusCode != 401 {
		t.Errorf("forged token: %v", err)
	}
}

// TestWidgetSurvivesBadFrames: frames that are not JSON objects, or of an
// unknown type, are answered with an error frame and the socket stays open
// for the next message.
func TestWidgetSurvivesBadFrames(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(p.URL(), "http", "ws", 1)+"/api/v1/widget/ws?token="+widgetSession(t, p.URL())["token"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for _, bad := range []struct {
		typ  websocket.MessageType
		data string
		code string
	}{
		{websocket.MessageText, "not json", "malformed_frame"},
		{websocket.MessageText, `["send"]`, "malformed_frame"},
		{websocket.MessageText, `{"type":"send","text":12}`, "malformed_frame"},
		{websocket.MessageBinary, `{"type":"ping"}`, "malformed_frame"},
		{websocket.MessageText, `{"type":"shout"}`, "unknown_frame"},
		{websocket.MessageText, `{"type":"send","message_id":"b-1","text":"   "}`, "empty_message"},
	} {
		if err := conn.Write(ctx, bad.typ, []byte(bad.data)); err != nil {
			t.Fatal(err)
		}
		var f map[string]any
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			t.Fatalf("after %q: %v", bad.data, err)
		}
		if f["type"] != "error" || f["code"] != bad.code {
			t.Errorf("after %q: %v, want an error frame %s", bad.data, f, bad.code)
		}
	}
	wsjson.Write(ctx, conn, map[string]string{"type": "send", "message_id": "b-2", "text": "你好"})
	for {
		var f map[string]any
		if err := wsjson.Read(ctx, conn, &f); err != nil {
			t.Fatalf("the socket did not carry on after the bad frames: %v", err)
		}
		if f["type"] == "ack" && f["message_id"] == "b-2" {
			break
		}
	}
}
