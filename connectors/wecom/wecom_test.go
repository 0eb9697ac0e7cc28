package wecom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/channeltest"
	"kefu/connectors/wecomtest"
)

// The corp of WeCom's published sample (加解密方案说明).
const (
	corpID = "wx5823bf96d3bd56c7"
	token  = "QDG6eK"
	aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	secret = "kf-secret"
	kf     = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
)

func newAdapter(t testing.TB, api *wecomtest.Server, cursors CursorStore, rec *channeltest.Receiver) *Adapter {
	t.Helper()
	a, err := New(Config{CorpID: corpID, Secret: secret, Token: token, EncodingAESKey: aesKey, APIBase: api.URL,
		Cursors: cursors, Receiver: rec, Recorder: rec, RetryDelay: 10 * time.Millisecond, OpenKfIDs: []string{kf}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func serve(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestContract(t *testing.T) {
	channeltest.Run(t, "wecom_kf", func(t *testing.T, rec *channeltest.Receiver) channeltest.Subject {
		api := wecomtest.NewServer(corpID, secret)
		t.Cleanup(api.Close)
		api.AddKf(kf)
		a := newAdapter(t, api, &wecomtest.MemoryCursors{}, rec)
		rec.Channel = a
		var mu sync.Mutex
		queued := map[string]bool{}
		push := func(t *testing.T, user, id, text string) *http.Request {
			mu.Lock()
			if !queued[id] {
				api.CustomerText(kf, user, id, text)
				queued[id] = true
			}
			mu.Unlock()
			return wecomtest.Callback("/wecom", token, aesKey, corpID, kf, api.IssueMsgToken(), time.Now(), "n"+id+time.Now().Format("150405.000000"))
		}
		return channeltest.Subject{
			Handler: a, Channel: a, Push: push,
			BadSignature: func(t *testing.T, user, id, text string) *http.Request {
				r := push(t, user, id, text)
				q := r.URL.Query()
				q.Set("msg_signature", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
				r.URL.RawQuery = q.Encode()
				return r
			},
			Stale: func(t *testing.T, user, id, text string) *http.Request {
				api.CustomerText(kf, user, id, text)
				return wecomtest.Callback("/wecom", token, aesKey, corpID, kf, "", time.Now().Add(-time.Hour), "n1")
			},
			Malformed: func(t *testing.T) *http.Request {
				return wecomtest.Signed("/wecom", token, aesKey, corpID, []byte("<xml><MsgType>event</MsgType>"), time.Now(), "n2")
			},
			Identity: func(user string) appliance.Identity {
				return appliance.Identity{Kind: appliance.IdentityWeComExternal, Namespace: kf, Value: user}
			},
			Replies:      func(t *testing.T, user string, _ [][]byte) []string { return api.SentTo(user) },
			FailNextSend: func() { api.FailNext(wecomtest.ErrOutOfWindow) },
			Settle:       func() { a.Wait(); rec.Wait() },
		}
	})
}

// WeCom's published URL-verification sample decrypts to its echo string.
func TestVerifyURLPublishedSample(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	a := newAdapter(t, api, &wecomtest.MemoryCursors{}, channeltest.NewReceiver())
	r := httptest.NewRequest(http.MethodGet, "/wecom?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D", nil)
	code, body := serve(a, r)
	if code != 200 || body != "1616140317555161061" {
		t.Fatalf("got %d %q, want 200 1616140317555161061", code, body)
	}
	r = httptest.NewRequest(http.MethodGet, "/wecom?msg_signature=0000&timestamp=1409659589&nonce=263014780&echostr=abc", nil)
	if code, _ := serve(a, r); code != http.StatusUnauthorized {
		t.Fatalf("bad signature: got %d, want 401", code)
	}
}

// A new adapter with the same cursor store continues where the old one
// stopped: nothing lost, nothing read twice.
func TestCursorSurvivesRestart(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	api.AddKf(kf)
	api.SetPageSize(2) // several pages per sync
	cursors := &wecomtest.MemoryCursors{}
	rec := channeltest.NewReceiver()
	ctx := context.Background()

	first := newAdapter(t, api, cursors, rec)
	for _, id := range []string{"m1", "m2", "m3"} {
		api.CustomerText(kf, "wmUser1", id, "消息"+id)
	}
	if err := first.Sync(ctx, kf, api.IssueMsgToken()); err != nil {
		t.Fatal(err)
	}
	first.Close()

	for _, id := range []string{"m4", "m5"} {
		api.CustomerText(kf, "wmUser1", id, "消息"+id)
	}
	second := newAdapter(t, api, cursors, rec)
	if err := second.Sync(ctx, kf, ""); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range rec.Inbounds() {
		ids = append(ids, in.MessageID)
	}
	if got := strings.Join(ids, ","); got != "m1,m2,m3,m4,m5" {
		t.Fatalf("messages: got %s, want m1,m2,m3,m4,m5", got)
	}
	if calls := rec.Calls(); calls != 5 {
		t.Fatalf("Receive calls: got %d, want 5 (nothing read twice)", calls)
	}
	if c, _ := cursors.Cursor(ctx, kf); c != "CURSOR_5" {
		t.Fatalf("cursor: got %q, want CURSOR_5", c)
	}
}

// A Receive failure leaves the cursor before the page: the page is read
// again and the message is not lost.
func TestFailureDoesNotMoveTheCursor(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	api.AddKf(kf)
	cursors := &wecomtest.MemoryCursors{}
	rec := channeltest.NewReceiver()
	a := newAdapter(t, api, cursors, rec)
	api.CustomerText(kf, "wmUser1", "m1", "你好")
	rec.Fail = errors.New("database is down")
	if err := a.Sync(context.Background(), kf, ""); err == nil {
		t.Fatal("Sync succeeded with a failing Receiver")
	}
	if c, _ := cursors.Cursor(context.Background(), kf); c != "" {
		t.Fatalf("cursor moved to %q after a failure", c)
	}
	rec.Fail = nil
	if err := a.Sync(context.Background(), kf, ""); err != nil {
		t.Fatal(err)
	}
	if in := rec.Inbounds(); len(in) != 1 || in[0].Text != "你好" {
		t.Fatalf("inbounds: got %+v, want the message", in)
	}
}

func TestSkipsServicerMessagesAndWelcomes(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	api.AddKf(kf)
	rec := channeltest.NewReceiver()
	rec.Reply = func(in appliance.Inbound) []string { return []string{"您好，请问有什么可以帮您？"} }
	a := newAdapter(t, api, &wecomtest.MemoryCursors{}, rec)
	_, code := api.EnterSession(kf, "wmUser2", "order:E202611230001")
	api.ServicerText(kf, "wmUser2", "s1", "我是人工客服")
	if err := a.Sync(context.Background(), kf, ""); err != nil {
		t.Fatal(err)
	}
	in := rec.Inbounds()
	if len(in) != 1 || in[0].Kind != appliance.KindEvent || in[0].Context["scene_param"] != "order:E202611230001" {
		t.Fatalf("inbounds: got %+v, want only the enter_session event", in)
	}
	sent := api.Sent()
	if len(sent) != 1 || sent[0].WelcomeCode != code || sent[0].Content != "您好，请问有什么可以帮您？" {
		t.Fatalf("sent: got %+v, want the welcome with code %s", sent, code)
	}
	if !in[0].Also[0].Verified || in[0].Also[0].Namespace != corpID {
		t.Fatalf("also: got %+v, want the corp-wide external_userid, verified", in[0].Also)
	}
}

func TestSyncState(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	api.AddKf(kf)
	a := newAdapter(t, api, &wecomtest.MemoryCursors{}, channeltest.NewReceiver())
	api.CustomerText(kf, "wmUser3", "m1", "转人工")
	to := &appliance.Identity{Kind: appliance.IdentityWeComExternal, Namespace: kf, Value: "wmUser3"}
	ctx := context.Background()
	steps := []struct {
		status   appliance.ConversationStatus
		servicer string
		want     int
	}{
		{appliance.StatusBot, "", StateBot},
		{appliance.StatusQueued, "", StateQueued},
		{appliance.StatusAssigned, "lisi", StateHuman},
		{appliance.StatusBot, "", StateHuman}, // WeCom allows no way back to the bot: skipped
		{appliance.StatusClosed, "", StateEnded},
	}
	for _, s := range steps {
		if err := a.SyncState(ctx, to, s.status, s.servicer); err != nil {
			t.Fatalf("%s: %v", s.status, err)
		}
		if got, _ := api.State(kf, "wmUser3"); got != s.want {
			t.Fatalf("after %s: got state %d, want %d", s.status, got, s.want)
		}
	}
	if err := a.SyncState(ctx, to, appliance.StatusAssigned, ""); appliance.ErrorCode(err) != "missing_servicer" {
		t.Fatalf("assigned without servicer: got %v, want missing_servicer", err)
	}
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	api.AddKf(kf)
	a := newAdapter(t, api, &wecomtest.MemoryCursors{}, channeltest.NewReceiver())
	api.CustomerText(kf, "wmUser4", "m1", "hi")
	to := &appliance.Identity{Kind: appliance.IdentityWeComExternal, Namespace: kf, Value: "wmUser4"}
	if err := a.Deliver(context.Background(), to, &appliance.Message{ID: 1, Text: "a"}); err != nil {
		t.Fatal(err)
	}
	api.ExpireTokens()
	if err := a.Deliver(context.Background(), to, &appliance.Message{ID: 2, Text: "b"}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if got := api.SentTo("wmUser4"); len(got) != 2 {
		t.Fatalf("sent: got %q, want 2 messages", got)
	}
}

func TestCallbackForAnotherKfIsRefused(t *testing.T) {
	api := wecomtest.NewServer(corpID, secret)
	defer api.Close()
	a := newAdapter(t, api, &wecomtest.MemoryCursors{}, channeltest.NewReceiver())
	code, _ := serve(a, wecomtest.Callback("/wecom", token, aesKey, corpID, "wkOTHER", "", time.Now(), "n"))
	if code != http.StatusForbidden {
		t.Fatalf("got %d, want 403", code)
	}
}

func FuzzParseCallback(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>"))
	f.Add([]byte("<xml></xml>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseCallback(b)
		if err == nil && ev.Event == "kf_msg_or_event" && ev.OpenKfID == "" {
			t.Fatal("accepted a kf event without OpenKfId")
		}
	})
}
