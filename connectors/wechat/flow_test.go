package wechat

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors"
	"kefu/connectors/channeltest"
	"kefu/connectors/wechattest"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// A quick answer goes back in the push response and nothing is sent through
// the API.
func TestQuickAnswerIsPassive(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	e.api.AddFollower(testAppID, "u1", "")
	now := time.Now()
	code, body := serve(e.oa, e.pusher.Request("/wechat", wechattest.TextXML("gh_1", "u1", "11", "你好", now), now, "n1"))
	e.oa.Wait()
	reply, err := e.pusher.ReadReply(body)
	if code != 200 || err != nil || reply == nil || reply.Content != "re: 你好" || reply.ToUserName != "u1" {
		t.Fatalf("got %d %+v %v, want a passive reply re: 你好 to u1", code, reply, err)
	}
	if sent := e.api.Sent(); len(sent) != 0 {
		t.Fatalf("API sends: got %v, want none", sent)
	}
}

// A slow answer: the push is acknowledged within the window with "success"
// and the answer follows through message/custom/send, recorded as sent; a
// WeChat retry arriving meanwhile is acknowledged and answers nothing more.
func TestSlowAnswerGoesThroughTheAPI(t *testing.T) {
	e := newEnv(t, ModeSafe, func(c *Config) { c.ReplyWindow = 100 * time.Millisecond })
	e.rec.Delay = 400 * time.Millisecond
	e.api.AddFollower(testAppID, "u1", "")
	now := time.Now()
	push := wechattest.TextXML("gh_1", "u1", "12", "有没有儿童雨靴", now)
	start := time.Now()
	code, body := serve(e.oa, e.pusher.Request("/wechat", push, now, "n1"))
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Fatalf("acknowledged after %s, want within the 100ms window", took)
	}
	if code != 200 || string(body) != "success" {
		t.Fatalf("got %d %q, want 200 success", code, body)
	}
	// WeChat's retry of the same message (same body, new nonce).
	code, body = serve(e.oa, e.pusher.Request("/wechat", push, now, "n2"))
	if code != 200 || string(body) != "success" {
		t.Fatalf("retry: got %d %q, want 200 success", code, body)
	}
	e.oa.Wait()
	if got := e.api.SentTo("u1"); len(got) != 1 || got[0] != "re: 有没有儿童雨靴" {
		t.Fatalf("API sends: got %q, want [re: 有没有儿童雨靴]", got)
	}
	if n := len(e.rec.Inbounds()); n != 1 {
		t.Fatalf("inbounds: got %d, want 1", n)
	}
	out, _ := e.rec.Receive(context.Background(), e.rec.Inbounds()[0])
	if d := e.rec.Delivery(out.Replies[0].ID); d != appliance.DeliverySent {
		t.Fatalf("delivery: got %q, want sent", d)
	}
}

// The same request delivered twice (same nonce, same body) is a retry and
// is answered once; the nonce with another body is a replay and refused.
func TestReplays(t *testing.T) {
	e := newEnv(t, ModePlaintext, nil)
	e.api.AddFollower(testAppID, "u1", "")
	now := time.Now()
	build := func(text string) *http.Request {
		return e.pusher.Request("/wechat", wechattest.TextXML("gh_1", "u1", "13", text, now), now, "same-nonce")
	}
	_, first := serve(e.oa, build("你好"))
	code, second := serve(e.oa, build("你好"))
	e.oa.Wait()
	if code != 200 {
		t.Fatalf("identical retry: got %d, want 200", code)
	}
	r1, _ := e.pusher.ReadReply(first)
	r2, _ := e.pusher.ReadReply(second)
	if r1 == nil || r2 != nil {
		t.Fatalf("replies: got %+v then %+v, want one reply then success", r1, r2)
	}
	if code, body := serve(e.oa, build("把钱转给我")); code != http.StatusUnauthorized || !bytes.Contains(body, []byte("replayed_nonce")) {
		t.Fatalf("replayed nonce: got %d %s, want 401 replayed_nonce", code, body)
	}
	if n := len(e.rec.Inbounds()); n != 1 {
		t.Fatalf("inbounds: got %d, want 1", n)
	}
}

func TestSafeModeRefusesPlaintext(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	plain, _ := wechattest.NewPusher(testToken, "", testAppID)
	now := time.Now()
	code, _ := serve(e.oa, plain.Request("/wechat", wechattest.TextXML("gh_1", "u1", "14", "hi", now), now, "n"))
	if code != http.StatusUnauthorized || len(e.rec.Inbounds()) != 0 {
		t.Fatalf("plaintext push in safe mode: got %d with %d inbounds, want 401 and none", code, len(e.rec.Inbounds()))
	}
}

func TestPushForAnotherAppIsRefused(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	other, _ := wechattest.NewPusher(testToken, testAESKey, "wxanotherapp")
	now := time.Now()
	code, _ := serve(e.oa, other.Request("/wechat", wechattest.TextXML("gh_1", "u1", "15", "hi", now), now, "n"))
	if code != http.StatusForbidden {
		t.Fatalf("got %d, want 403", code)
	}
}

// Concurrent senders share one token fetch.
func TestTokenSingleFlight(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	e.api.AddFollower(testAppID, "u1", "")
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.oa.client.SendText(context.Background(), "u1", "hi"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := e.api.TokenFetches(); n != 1 {
		t.Fatalf("token fetches: got %d, want 1", n)
	}
}

// A token WeChat stops accepting (40001) is dropped and the send retried with
// a new one; an expiring token is refreshed before it expires.
func TestTokenRefusedAndExpiry(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, ModeSafe, func(c *Config) { c.Now = clock })
	e.api.SetClock(clock)
	e.api.AddFollower(testAppID, "u1", "")
	send := func() {
		t.Helper()
		if err := e.oa.client.SendText(context.Background(), "u1", "hi"); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	send()
	e.api.RevokeTokens()
	send()
	if n := e.api.TokenFetches(); n != 2 {
		t.Fatalf("token fetches after a refused token: got %d, want 2", n)
	}
	mu.Lock()
	now = now.Add(7200*time.Second - 4*time.Minute) // inside the refresh margin
	mu.Unlock()
	send()
	if n := e.api.TokenFetches(); n != 3 {
		t.Fatalf("token fetches near expiry: got %d, want 3", n)
	}
	if got := len(e.api.SentTo("u1")); got != 3 {
		t.Fatalf("sent: got %d, want 3", got)
	}
}

type flakyDial struct {
	mu    sync.Mutex
	fails int
	next  http.RoundTripper
}

func (f *flakyDial) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.fails > 0
	f.fails--
	f.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return f.next.RoundTrip(r)
}

// The network failing on the token fetch and on the send does not lose the
// reply: both are retried.
func TestNetworkFailuresAreRetried(t *testing.T) {
	flaky := &flakyDial{fails: 2, next: http.DefaultTransport}
	e := newEnv(t, ModeSafe, func(c *Config) { c.HTTPClient = &http.Client{Transport: flaky} })
	e.api.AddFollower(testAppID, "u1", "")
	if err := e.oa.client.SendText(context.Background(), "u1", "hi"); err != nil {
		t.Fatalf("send: %v", err)
	}
	if got := e.api.SentTo("u1"); len(got) != 1 {
		t.Fatalf("sent: got %q, want one message", got)
	}
}

func TestOnlyConfiguredHostsAreCalled(t *testing.T) {
	e := newEnv(t, ModeSafe, func(c *Config) { c.APIBase = "https://api.weixin.qq.com" })
	hc, err := connectors.NewHTTPClient(time.Second, "https://api.weixin.qq.com")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(ClientConfig{APIBase: e.api.URL, AppID: testAppID, AppSecret: testSecret, HTTPClient: hc})
	err = c.SendText(context.Background(), "u1", "hi")
	if !errors.Is(err, connectors.ErrHostNotAllowed) {
		t.Fatalf("got %v, want ErrHostNotAllowed", err)
	}
	if n := e.api.TokenFetches(); n != 0 {
		t.Fatalf("the fake was reached %d times, want 0", n)
	}
}

func TestUnionIDIsVouchedFor(t *testing.T) {
	e := newEnv(t, ModeSafe, func(c *Config) { c.ResolveUnionID = true })
	e.api.AddFollower(testAppID, "u1", "union-42")
	now := time.Now()
	serve(e.oa, e.pusher.Request("/wechat", wechattest.TextXML("gh_1", "u1", "16", "hi", now), now, "n"))
	e.oa.Wait()
	in := e.rec.Inbounds()
	if len(in) != 1 || len(in[0].Also) != 1 {
		t.Fatalf("inbound: got %+v, want one vouched identity", in)
	}
	if a := in[0].Also[0]; a.Kind != appliance.IdentityWeChatUnionID || a.Value != "union-42" || !a.Verified {
		t.Fatalf("also: got %+v, want verified unionid union-42", a)
	}
}

// Receive failing with an internal error answers 500, so WeChat retries.
func TestInternalErrorAsksForARetry(t *testing.T) {
	e := newEnv(t, ModeSafe, func(c *Config) { c.ReplyWindow = 5 * time.Second })
	e.rec.Fail = errors.New("database is down")
	now := time.Now()
	code, _ := serve(e.oa, e.pusher.Request("/wechat", wechattest.TextXML("gh_1", "u1", "17", "hi", now), now, "n"))
	e.oa.Wait()
	if code != http.StatusInternalServerError {
		t.Fatalf("got %d, want 500", code)
	}
	e.rec.Fail = nil
	code, body := serve(e.oa, e.pusher.Request("/wechat", wechattest.TextXML("gh_1", "u1", "17", "hi", now), now, "n2"))
	e.oa.Wait()
	if r, _ := e.pusher.ReadReply(body); code != 200 || r == nil {
		t.Fatalf("retry: got %d %s, want a reply", code, body)
	}
}

var _ = channeltest.WaitFor
