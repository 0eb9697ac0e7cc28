package accounts_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/secret"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/connectors/accounts"
	"kefu/connectors/channeltest"
	"kefu/connectors/douyintest"
	"kefu/connectors/wechattest"
	"kefu/connectors/wecomtest"
)

const (
	appID   = "wx2c2769f8efd9abc2"
	secretA = "app-secret-0001"
	tokenA  = "spamtest"
	aesKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

type harness struct {
	store *store.Store
	box   *secret.Box
	rec   *channeltest.Receiver
	bases []string
}

func newHarness(t *testing.T, bases ...string) *harness {
	t.Helper()
	box, err := secret.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{store: storetest.Open(t, store.SQLite), box: box, rec: channeltest.NewReceiver(), bases: bases}
}

func (h *harness) manager(t *testing.T) *accounts.Manager {
	t.Helper()
	m := accounts.New(accounts.Config{Store: h.store, Sealer: h.box, APIBases: h.bases, PublicURL: func() string { return "https://kefu.example.com" },
		ReplyWindow: 2 * time.Second})
	if err := m.Open(context.Background(), h.rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func serve(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func oaInput(api string) appliance.ChannelAccountInput {
	return appliance.ChannelAccountInput{Kind: accounts.KindWeChatOA, Key: appID, Name: "品牌公众号", Enabled: true,
		Settings: map[string]string{"mode": "safe", "api_base": api},
		Secrets:  map[string]string{"app_secret": secretA, "token": tokenA, "encoding_aes_key": aesKey}}
}

func push(t *testing.T, m *accounts.Manager, token, msgID, text string) (int, *wechattest.Reply) {
	t.Helper()
	p, err := wechattest.NewPusher(token, aesKey, appID)
	if err != nil {
		t.Fatal(err)
	}
	body := wechattest.TextXML("gh_brand", "openid-1", msgID, text, time.Now())
	code, out := serve(m, p.Request("/channels/wechat/oa/"+appID, body, time.Now(), wechattest.Nonce()))
	if code != http.StatusOK {
		return code, nil
	}
	reply, err := p.ReadReply([]byte(out))
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return code, reply
}

func TestSetUpAppliesWithoutRestartAndMasksSecrets(t *testing.T) {
	api := wechattest.NewServer()
	t.Cleanup(api.Close)
	api.AddApp(appID, secretA)
	api.AddFollower(appID, "openid-1", "")
	h := newHarness(t, api.URL)
	m := h.manager(t)
	ctx := context.Background()

	if code, _ := push(t, m, tokenA, "1", "在吗"); code != http.StatusNotFound {
		t.Fatalf("push before set-up: status %d, want 404", code)
	}
	v, err := m.Save(ctx, oaInput(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Running || v.URL != "https://kefu.example.com/channels/wechat/oa/"+appID {
		t.Errorf("view: running %v url %q", v.Running, v.URL)
	}
	shown, _ := json.Marshal(v)
	stored, _ := h.store.ChannelAccount(ctx, v.ID)
	for _, s := range []string{secretA, tokenA, aesKey} {
		if strings.Contains(string(shown), s) || strings.Contains(stored.SecretsSealed, s) {
			t.Fatalf("secret %q shown or stored in clear", s)
		}
	}
	if v.Secrets["encoding_aes_key"] != "••••DEFG" || v.Secrets["token"] != "••••" {
		t.Errorf("masks: got %v", v.Secrets)
	}

	// At once, without a restart: the push is verified, decrypted and
	// answered in the 5-second window.
	code, reply := push(t, m, tokenA, "1", "在吗")
	if code != http.StatusOK || reply == nil || reply.Content != "re: 在吗" {
		t.Fatalf("push: status %d reply %+v, want the passive reply", code, reply)
	}

	// Saving other fields with the secrets left empty keeps them.
	in := oaInput(api.URL)
	in.ID, in.Name, in.Secrets = v.ID, "新名字", map[string]string{}
	if _, err := m.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	if code, reply := push(t, m, tokenA, "2", "运费"); code != http.StatusOK || reply == nil {
		t.Fatalf("push after an edit without secrets: status %d", code)
	}
	// A new token applies at once: the old one is refused.
	in.Secrets = map[string]string{"token": "newtoken42"}
	if _, err := m.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	if code, _ := push(t, m, tokenA, "3", "运费"); code != http.StatusUnauthorized {
		t.Errorf("push signed with the old token: status %d, want 401", code)
	}
	if code, _ := push(t, m, "newtoken42", "4", "运费"); code != http.StatusOK {
		t.Errorf("push signed with the new token: status %d, want 200", code)
	}

	// Agent replies reach the customer through the custom-send API.
	var oa appliance.Channel
	for _, c := range m.Channels() {
		if c.Name() == accounts.KindWeChatOA {
			oa = c
		}
	}
	to := &appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: appID, Value: "openid-1"}
	if err := oa.Deliver(ctx, to, &appliance.Message{ID: 9, Kind: appliance.KindText, Text: "您好，我是客服小王"}); err != nil {
		t.Fatal(err)
	}
	if got := api.SentTo("openid-1"); len(got) != 1 || got[0] != "您好，我是客服小王" {
		t.Errorf("custom send: got %v", got)
	}
	other := &appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wxother", Value: "x"}
	if err := oa.Deliver(ctx, other, &appliance.Message{Text: "hi"}); appliance.ErrorCode(err) != "unknown_account" {
		t.Errorf("deliver to an appid not set up: got %v, want unknown_account", err)
	}

	// A restart finds the account and opens its sealed secrets.
	m2 := h.manager(t)
	if code, _ := push(t, m2, "newtoken42", "5", "在吗"); code != http.StatusOK {
		t.Errorf("push after a restart: status %d", code)
	}
	// With another secret key the credentials cannot be opened: the account
	// is shown with its error instead of failing the start.
	other2, _ := secret.New([]byte("another key, another key, another"))
	m3 := accounts.New(accounts.Config{Store: h.store, Sealer: other2, APIBases: h.bases})
	if err := m3.Open(ctx, h.rec); err != nil {
		t.Fatal(err)
	}
	defer m3.Close()
	list, _ := m3.List(ctx)
	if len(list) != 1 || list[0].Running || !strings.Contains(list[0].Error, "secret_key") {
		t.Errorf("account with unreadable secrets: got %+v", list)
	}

	// Disabled, then deleted: pushes are refused.
	in.Enabled = false
	if _, err := m.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	if code, _ := push(t, m, "newtoken42", "6", "在吗"); code != http.StatusNotFound {
		t.Errorf("push to a disabled account: status %d, want 404", code)
	}
	if _, err := m.Delete(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := m.List(ctx); len(list) != 0 {
		t.Errorf("after delete: %d accounts", len(list))
	}
}

func TestSetUpValidation(t *testing.T) {
	h := newHarness(t, "https://api.weixin.qq.com", "https://gw.example.com/wechat")
	m := h.manager(t)
	ctx := context.Background()
	good := oaInput("https://gw.example.com/wechat/")
	if _, err := m.Save(ctx, good); err != nil {
		t.Fatalf("a gateway base URL that is configured: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*appliance.ChannelAccountInput)
		code   string
	}{
		{"duplicate", func(in *appliance.ChannelAccountInput) {}, "channel_account_exists"},
		{"host not configured", func(in *appliance.ChannelAccountInput) {
			in.Key, in.Settings["api_base"] = "wx1", "https://evil.example.com"
		}, "api_base_not_allowed"},
		{"default host not configured", func(in *appliance.ChannelAccountInput) {
			in.Key, in.Kind, in.Settings = "ww1", accounts.KindWeCom, map[string]string{}
			in.Secrets = map[string]string{"secret": "s", "token": tokenA, "encoding_aes_key": aesKey}
		}, "api_base_not_allowed"},
		{"secret of another kind", func(in *appliance.ChannelAccountInput) { in.Key = "wx8"; in.Secrets["client_secret"] = "x" }, "unknown_secret"},
		{"unknown kind", func(in *appliance.ChannelAccountInput) { in.Kind = "telegram" }, "unknown_channel_kind"},
		{"bad key", func(in *appliance.ChannelAccountInput) { in.Key = "../../etc" }, "invalid_key"},
		{"missing secret", func(in *appliance.ChannelAccountInput) { in.Key = "wx2"; delete(in.Secrets, "app_secret") }, "missing_secret"},
		{"bad aes key", func(in *appliance.ChannelAccountInput) { in.Key = "wx3"; in.Secrets["encoding_aes_key"] = "short" }, "invalid_secret"},
		{"bad token", func(in *appliance.ChannelAccountInput) { in.Key = "wx4"; in.Secrets["token"] = "含中文" }, "invalid_secret"},
		{"bad mode", func(in *appliance.ChannelAccountInput) { in.Key = "wx5"; in.Settings["mode"] = "open" }, "invalid_setting"},
		{"unknown setting", func(in *appliance.ChannelAccountInput) { in.Key = "wx6"; in.Settings["proxy"] = "x" }, "unknown_setting"},
		{"bad menu", func(in *appliance.ChannelAccountInput) { in.Key = "wx7"; in.Settings["menu"] = "ORDER" }, "invalid_setting"},
	}
	for _, c := range cases {
		in := oaInput("https://api.weixin.qq.com")
		c.mutate(&in)
		if _, err := m.Save(ctx, in); appliance.ErrorCode(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
	// Plaintext mode needs no EncodingAESKey.
	plain := oaInput("https://api.weixin.qq.com")
	plain.Key, plain.Settings["mode"] = "wxplain", "plaintext"
	delete(plain.Secrets, "encoding_aes_key")
	if _, err := m.Save(ctx, plain); err != nil {
		t.Errorf("plaintext account: %v", err)
	}
}

func TestWeComCursorSurvivesRestartAndStatesMirror(t *testing.T) {
	const corp, kf = "ww0123456789abcdef", "wkAAAA"
	api := wecomtest.NewServer(corp, "kf-secret")
	t.Cleanup(api.Close)
	api.AddKf(kf)
	h := newHarness(t, api.URL)
	m := h.manager(t)
	ctx := context.Background()
	_, err := m.Save(ctx, appliance.ChannelAccountInput{Kind: accounts.KindWeCom, Key: corp, Enabled: true,
		Settings: map[string]string{"api_base": api.URL, "open_kfids": kf, "servicers": "agent1=zhangsan"},
		Secrets:  map[string]string{"secret": "kf-secret", "token": tokenA, "encoding_aes_key": aesKey}})
	if err != nil {
		t.Fatal(err)
	}
	api.CustomerText(kf, "wm-user-1", "msg-1", "在吗")
	api.CustomerText(kf, "wm-user-1", "msg-2", "运费怎么算")
	code, _ := serve(m, wecomtest.Callback("/channels/wecom/"+corp, tokenA, aesKey, corp, kf, api.IssueMsgToken(), time.Now(), wechattest.Nonce()))
	if code != http.StatusOK {
		t.Fatalf("callback: status %d", code)
	}
	if err := channeltest.WaitFor(5*time.Second, func() bool { return len(h.rec.Inbounds()) == 2 }); err != nil {
		t.Fatalf("synced %d messages, want 2", len(h.rec.Inbounds()))
	}
	if c, _ := h.store.ChannelState(ctx, accounts.KindWeCom, corp, "cursor:"+kf); c == "" {
		t.Fatal("cursor not saved")
	}
	m.Close()

	// After a restart only what is new is read.
	api.CustomerText(kf, "wm-user-1", "msg-3", "退款多久到账")
	m2 := h.manager(t)
	m2.Poll(ctx)
	ins := h.rec.Inbounds()
	if len(ins) != 3 || ins[2].MessageID != "msg-3" || h.rec.Calls() != 3 {
		t.Fatalf("after restart: %d inbounds, %d calls; want msg-3 read once, nothing twice", len(ins), h.rec.Calls())
	}

	// Hand-off states reach WeCom: queued, then taken by an agent with a
	// WeCom userid.
	ident, err := h.store.AttachIdentity(ctx, 1, ins[0].Identity)
	if err != nil {
		t.Fatal(err)
	}
	agent := &appliance.User{Username: "agent1", Role: appliance.RoleAgent, PasswordHash: "x"}
	if err := h.store.CreateUser(ctx, agent); err != nil {
		t.Fatal(err)
	}
	conv := &appliance.Conversation{ID: 1, LastChannel: accounts.KindWeCom, LastIdentityID: ident.ID, Status: appliance.StatusQueued}
	m2.Publish(appliance.Event{Type: appliance.EventConversation, Conversation: conv})
	if err := channeltest.WaitFor(5*time.Second, func() bool { s, _ := api.State(kf, "wm-user-1"); return s == 2 }); err != nil {
		s, _ := api.State(kf, "wm-user-1")
		t.Fatalf("WeCom state after hand-off: %d, want 2 (queued)", s)
	}
	taken := *conv
	taken.Status, taken.AssigneeID = appliance.StatusAssigned, agent.ID
	m2.Publish(appliance.Event{Type: appliance.EventConversation, Conversation: &taken})
	if err := channeltest.WaitFor(5*time.Second, func() bool { s, who := api.State(kf, "wm-user-1"); return s == 3 && who == "zhangsan" }); err != nil {
		s, who := api.State(kf, "wm-user-1")
		t.Fatalf("WeCom state after take: %d %q, want 3 zhangsan", s, who)
	}
}

func TestDouyinTokensAreSealedAndRefreshed(t *testing.T) {
	const clientKey, account = "awtestclientkey", "enterprise-open-id"
	api := douyintest.NewServer(clientKey, account)
	t.Cleanup(api.Close)
	h := newHarness(t, api.URL)
	m := h.manager(t)
	ctx := context.Background()
	refresh := api.RefreshToken()
	_, err := m.Save(ctx, appliance.ChannelAccountInput{Kind: accounts.KindDouyin, Key: clientKey, Enabled: true,
		Settings: map[string]string{"api_base": api.URL, "account_open_id": account},
		Secrets:  map[string]string{"client_secret": "dy-secret", "refresh_token": refresh}})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := serve(m, api.PrivateMessage("/channels/douyin/"+clientKey, "dy-secret", "fan-1", "srv-1", "在吗"))
	if code != http.StatusOK {
		t.Fatalf("webhook: status %d", code)
	}
	var dy appliance.Channel
	for _, c := range m.Channels() {
		if c.Name() == accounts.KindDouyin {
			dy = c
		}
	}
	to := &appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: clientKey, Value: "fan-1"}
	if err := dy.Deliver(ctx, to, &appliance.Message{ID: 5, Kind: appliance.KindText, Text: "您好"}); err != nil {
		t.Fatal(err)
	}
	if got := api.SentTo("fan-1"); len(got) == 0 || got[len(got)-1] != "您好" {
		t.Fatalf("private message: got %v", got)
	}
	saved, _ := h.store.ChannelState(ctx, accounts.KindDouyin, clientKey, "oauth_token")
	if saved == "" || strings.Contains(saved, api.RefreshToken()) {
		t.Fatalf("refreshed token: saved %q, want it sealed", saved)
	}
}

// Without any callback, polling picks messages up; it stops with its context.
func TestPollingRunsUntilStopped(t *testing.T) {
	const corp, kf = "ww00000000000000aa", "wkPOLL"
	api := wecomtest.NewServer(corp, "kf-secret")
	t.Cleanup(api.Close)
	api.AddKf(kf)
	h := newHarness(t, api.URL)
	m := accounts.New(accounts.Config{Store: h.store, Sealer: h.box, APIBases: h.bases, PollInterval: 20 * time.Millisecond})
	if err := m.Open(context.Background(), h.rec); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Save(context.Background(), appliance.ChannelAccountInput{Kind: accounts.KindWeCom, Key: corp, Enabled: true,
		Settings: map[string]string{"api_base": api.URL, "open_kfids": kf},
		Secrets:  map[string]string{"secret": "kf-secret", "token": tokenA, "encoding_aes_key": aesKey}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	api.CustomerText(kf, "wm-1", "p-1", "在吗")
	if err := channeltest.WaitFor(5*time.Second, func() bool { return len(h.rec.Inbounds()) == 1 }); err != nil {
		t.Fatal("the poller did not pick the message up")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
	// A sync the stop cut short may still be counted by the fake; after
	// that, polling every 20 ms would show within 300 ms.
	calls := api.SyncCalls()
	for i := 0; i < 20; i++ {
		time.Sleep(100 * time.Millisecond)
		if n := api.SyncCalls(); n == calls {
			break
		} else {
			calls = n
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := api.SyncCalls(); n != calls {
		t.Errorf("still polling after the stop: %d more syncs", n-calls)
	}
}
