package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/channeltest"
	"kefu/connectors/douyintest"
	"kefu/connectors/wechattest"
	"kefu/connectors/wecomtest"
)

const (
	e2eAppID  = "wx5d3a1c8e9f0b2d47"
	e2eSecret = "oa-app-secret-2026"
	e2eToken  = "kefutoken2026"
	e2eAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// wechatPush sends a signed, encrypted push to the appliance's real HTTP
// endpoint, as WeChat's servers do, and returns the passive reply.
func wechatPush(t *testing.T, target string, p *wechattest.Pusher, openID, msgID, text string, at time.Time) *wechattest.Reply {
	t.Helper()
	req := p.Request(target, wechattest.TextXML("gh_brand", openID, msgID, text, at), time.Now(), wechattest.Nonce())
	req.RequestURI = "" // built for a server; sent by a client here
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push %q: status %d %s", text, resp.StatusCode, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("push %q acknowledged after %s, beyond WeChat's 5 s", text, d)
	}
	reply, err := p.ReadReply(body)
	if err != nil {
		t.Fatalf("push %q: %v", text, err)
	}
	return reply
}

// ageState moves a customer's dialogue state back in time, as hours
// passing would.
func ageState(t *testing.T, p *Program, customerID int64, by time.Duration) {
	t.Helper()
	ctx := context.Background()
	st, err := p.Store.DialogueState(ctx, customerID)
	if err != nil {
		t.Fatal(err)
	}
	st.UpdatedAt = st.UpdatedAt.Add(-by)
	if err := p.Store.SaveDialogueState(ctx, customerID, st); err != nil {
		t.Fatal(err)
	}
}

func customerOf(t *testing.T, p *Program, kind appliance.IdentityKind, ns, value string) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := p.Store.FindIdentity(ctx, kind, ns, value)
	if err != nil {
		t.Fatalf("identity %s %s: %v", kind, value, err)
	}
	c, err := p.Store.Customer(ctx, id.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// The e-commerce example of issue 7, through the running appliance's real
// endpoints: a mother asks on the brand's official account in the morning
// "有没有儿童雨靴" and in the app in the afternoon "那雨靴有35码吗?"; the app
// knows her WeChat unionid from WeChat login, so the two records are one
// customer and the question is about the same boots.
func TestCrossChannelContinuity(t *testing.T) {
	wx := wechattest.NewServer()
	t.Cleanup(wx.Close)
	wx.AddApp(e2eAppID, e2eSecret)
	wx.AddFollower(e2eAppID, "o-mother", "union-mother")
	p, _ := startApp(t, t.TempDir(), map[string]string{
		"KEFU_CHANNELS_ACCOUNTS_API_BASES": wx.URL, // the WeChat API is the local fake
	})
	ctx := context.Background()

	// The admin sets the official account up in the console; it runs at once.
	admin := login(t, p.URL(), "admin")
	st, b := admin.do("POST", "/api/v1/channels/accounts", map[string]any{"kind": "wechat_oa", "key": e2eAppID, "name": "童鞋旗舰店",
		"enabled": true, "settings": map[string]string{"mode": "safe", "api_base": "https://api.weixin.qq.com", "resolve_unionid": "true"},
		"secrets": map[string]string{"app_secret": e2eSecret, "token": e2eToken, "encoding_aes_key": e2eAESKey}}, true)
	if st != 400 || errCode(b) != "api_base_not_allowed" {
		t.Fatalf("an API host the configuration does not name: got %d %v, want 400 api_base_not_allowed", st, b)
	}
	st, b = admin.do("POST", "/api/v1/channels/accounts", map[string]any{"kind": "wechat_oa", "key": e2eAppID, "name": "童鞋旗舰店",
		"enabled": true, "settings": map[string]string{"mode": "safe", "api_base": wx.URL, "resolve_unionid": "true"},
		"secrets": map[string]string{"app_secret": e2eSecret, "token": e2eToken, "encoding_aes_key": e2eAESKey}}, true)
	if st != 201 {
		t.Fatalf("set up the official account: %d %v", st, b)
	}
	acc := b["account"].(map[string]any)
	target := p.URL() + "/channels/wechat/oa/" + e2eAppID
	if acc["url"] != target || acc["running"] != true {
		t.Fatalf("account: url %v running %v, want %s running", acc["url"], acc["running"], target)
	}
	if raw, _ := json.Marshal(acc); strings.Contains(string(raw), e2eSecret) || strings.Contains(string(raw), e2eAESKey) {
		t.Fatalf("credentials shown in clear: %s", raw)
	}
	pusher, err := wechattest.NewPusher(e2eToken, e2eAESKey, e2eAppID)
	if err != nil {
		t.Fatal(err)
	}
	// WeChat's server-URL check.
	hs := pusher.Handshake(target, "echo-4711", time.Now(), wechattest.Nonce())
	hs.RequestURI = ""
	if resp, err := http.DefaultClient.Do(hs); err != nil {
		t.Fatal(err)
	} else if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(body) != "echo-4711" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, body)
	}

	// Last week she asked in the app: an app customer record of her own.
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	if st, b := app.send("shop-user-77", "lastweek-1", "运费怎么算"); st != 200 {
		t.Fatalf("app last week: %d %v", st, b)
	}
	appCustomer := customerOf(t, p, appliance.IdentityAppUser, "", "shop-user-77")
	ageState(t, p, appCustomer, 7*24*time.Hour)

	// Morning, on WeChat.
	morning := wechatPush(t, target, pusher, "o-mother", "7100000000000000001", "有没有儿童雨靴", time.Now())
	if morning == nil || morning.Content == "" || morning.ToUserName != "o-mother" {
		t.Fatalf("morning: got passive reply %+v, want an answer to o-mother", morning)
	}
	wxCustomer := customerOf(t, p, appliance.IdentityWeChatOpenID, e2eAppID, "o-mother")
	if customerOf(t, p, appliance.IdentityWeChatUnionID, "", "union-mother") != wxCustomer {
		t.Fatal("the unionid WeChat vouches for was not attached to the WeChat customer")
	}
	if wxCustomer == appCustomer {
		t.Fatal("joined before any proof")
	}
	// WeChat retries the same MsgId: answered once, stored once.
	before := countMessages(t, p)
	wechatPush(t, target, pusher, "o-mother", "7100000000000000001", "有没有儿童雨靴", time.Now())
	if n := countMessages(t, p); n != before {
		t.Fatalf("a WeChat retry stored %d more messages", n-before)
	}

	// Hours pass: the morning conversation closes as idle; her dialogue
	// state is six hours old.
	if _, err := p.Engine.CloseIdle(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	ageState(t, p, wxCustomer, 6*time.Hour)

	// Afternoon, in the app, which knows her unionid from WeChat login.
	body, _ := json.Marshal(map[string]any{"user_id": "shop-user-77", "message_id": "afternoon-1", "text": "那雨靴有35码吗?",
		"identities": []map[string]any{{"kind": "wechat_unionid", "value": "union-mother", "verified": true}}})
	st, b = app.do("POST", "/api/v1/app/messages", body, time.Now(), nil)
	if st != 200 || len(replies(b)) == 0 {
		t.Fatalf("afternoon: %d %v", st, b)
	}
	one := customerOf(t, p, appliance.IdentityAppUser, "", "shop-user-77")
	if one != customerOf(t, p, appliance.IdentityWeChatOpenID, e2eAppID, "o-mother") || one != min(appCustomer, wxCustomer) {
		t.Fatalf("after the proof: app and WeChat resolve to different customers")
	}
	in, err := p.Store.MessageByDedupeKey(ctx, appliance.DedupeKey("app",
		appliance.Identity{Kind: appliance.IdentityAppUser, Value: "shop-user-77", Verified: true}, "afternoon-1"))
	if err != nil {
		t.Fatal(err)
	}
	d := in.Decision
	if d == nil || d.Dialogue == nil || d.Dialogue.Intent != "size_stock" || d.Dialogue.Filled["product"] != "儿童雨靴" || d.Dialogue.Filled["size"] != "35" {
		t.Fatalf("afternoon decision: got %+v, want size_stock about 儿童雨靴 in size 35", d.Dialogue)
	}
	state, _ := p.Store.DialogueState(ctx, one)
	if state.Focus["product"].Value != "儿童雨靴" {
		t.Errorf("focus: got %+v, want 儿童雨靴", state.Focus)
	}
	answer := replies(b)[0]["text"].(string)
	t.Logf("morning answer %q; afternoon answer %q", morning.Content, answer)
	// The stock action of the demo business answers for the product in focus.
	if !strings.Contains(answer, "儿童雨靴") || !strings.Contains(answer, "35") {
		t.Errorf("afternoon answer %q is not about the children's rain boots in size 35", answer)
	}

	// The agent sees one history across both channels, in order, channel
	// marked, and the merge that made it one.
	agent := login(t, p.URL(), "agent1")
	_, convs := agent.do("GET", fmt.Sprintf("/api/v1/conversations?customer_id=%d", one), nil, false)
	list := convs["conversations"].([]any)
	convID := int64(list[0].(map[string]any)["id"].(float64))
	_, hist := agent.do("GET", fmt.Sprintf("/api/v1/conversations/%d/messages?history=customer", convID), nil, false)
	var seq []string
	for _, m := range hist["messages"].([]any) {
		mm := m.(map[string]any)
		if mm["sender"] == "customer" {
			seq = append(seq, mm["channel"].(string)+":"+mm["text"].(string))
		}
	}
	want := []string{"app:运费怎么算", "wechat_oa:有没有儿童雨靴", "app:那雨靴有35码吗?"}
	if fmt.Sprint(seq) != fmt.Sprint(want) {
		t.Fatalf("customer history: got %v, want %v", seq, want)
	}
	_, mb := agent.do("GET", fmt.Sprintf("/api/v1/customers/%d/merges", one), nil, false)
	merges := mb["merges"].([]any)
	if len(merges) != 1 || merges[0].(map[string]any)["reason"] != "wechat_unionid" || merges[0].(map[string]any)["channel"] != "app" {
		t.Fatalf("merge history: %v", mb)
	}
	mergeID := int64(merges[0].(map[string]any)["id"].(float64))
	if st, _ := agent.do("POST", fmt.Sprintf("/api/v1/customer-merges/%d/undo", mergeID), map[string]any{"reason": "x"}, true); st != 403 {
		t.Errorf("an agent undoing a merge: status %d, want 403", st)
	}

	// Back on WeChat she asks for a person; the agent's reply reaches her
	// through WeChat's customer-service message API.
	handoff := wechatPush(t, target, pusher, "o-mother", "7100000000000000002", "转人工", time.Now())
	if handoff == nil || !strings.Contains(handoff.Content, "人工") {
		t.Fatalf("hand-off: got %+v", handoff)
	}
	_, convs = agent.do("GET", fmt.Sprintf("/api/v1/conversations?customer_id=%d&status=queued", one), nil, false)
	queued := convs["conversations"].([]any)
	if len(queued) != 1 {
		t.Fatalf("queued conversations of the customer: %d, want 1", len(queued))
	}
	qid := int64(queued[0].(map[string]any)["id"].(float64))
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%d/take", qid), map[string]any{}, true); st != 200 {
		t.Fatalf("take: %d %v", st, b)
	}
	st, b = agent.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", qid), map[string]any{"text": "您好，儿童雨靴35码有货，我帮您下单？"}, true)
	if st != 201 {
		t.Fatalf("agent reply: %d %v", st, b)
	}
	msgID := int64(b["message"].(map[string]any)["id"].(float64))
	err = channeltest.WaitFor(10*time.Second, func() bool {
		m, err := p.Store.Message(ctx, msgID)
		return err == nil && m.Delivery == appliance.DeliverySent
	})
	if sent := wx.SentTo("o-mother"); err != nil || len(sent) == 0 || sent[len(sent)-1] != "您好，儿童雨靴35码有货，我帮您下单？" {
		t.Fatalf("agent reply through custom send: sent %v, err %v", sent, err)
	}

	// Per-channel counts in the metrics.
	resp, err := http.Get(p.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `kefu_messages_in_total{channel="wechat_oa"} 2`) {
		t.Errorf("metrics: want two WeChat messages counted in kefu_messages_in_total")
	}

	// A supervisor can undo the merge; the app record gets its own history back.
	sup := login(t, p.URL(), "supervisor")
	if st, b := sup.do("POST", fmt.Sprintf("/api/v1/customer-merges/%d/undo", mergeID), map[string]any{"reason": "测试撤销"}, true); st != 200 {
		t.Fatalf("undo: %d %v", st, b)
	}
	if customerOf(t, p, appliance.IdentityWeChatOpenID, e2eAppID, "o-mother") == customerOf(t, p, appliance.IdentityAppUser, "", "shop-user-77") {
		t.Error("still one customer after the undo")
	}
}

// WeCom 微信客服 through the running appliance: a callback makes it pull the
// messages, answers go out with kf/send_msg, hand-off states reach WeCom,
// and after a restart only what is new is read.
func TestWeComThroughTheAppliance(t *testing.T) {
	const corp, kf, user = "ww7a1b2c3d4e5f6a7b", "wkKEFU0001", "wm-customer-1"
	api := wecomtest.NewServer(corp, "kf-secret-2026")
	t.Cleanup(api.Close)
	api.AddKf(kf)
	dir := t.TempDir()
	env := map[string]string{"KEFU_CHANNELS_ACCOUNTS_API_BASES": api.URL}
	p, stop := startApp(t, dir, env)
	admin := login(t, p.URL(), "admin")
	st, b := admin.do("POST", "/api/v1/channels/accounts", map[string]any{"kind": "wecom_kf", "key": corp, "enabled": true,
		"settings": map[string]string{"api_base": api.URL, "open_kfids": kf, "servicers": "agent1=zhangsan"},
		"secrets":  map[string]string{"secret": "kf-secret-2026", "token": e2eToken, "encoding_aes_key": e2eAESKey}}, true)
	if st != 201 {
		t.Fatalf("set up WeCom: %d %v", st, b)
	}
	callback := func(p *Program) {
		t.Helper()
		req := wecomtest.Callback(p.URL()+"/channels/wecom/"+corp, e2eToken, e2eAESKey, corp, kf, api.IssueMsgToken(), time.Now(), wechattest.Nonce())
		req.RequestURI = ""
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("callback: status %d", resp.StatusCode)
		}
	}
	api.CustomerText(kf, user, "kfmsg-1", "运费怎么算")
	callback(p)
	if err := channeltest.WaitFor(10*time.Second, func() bool { return len(api.SentTo(user)) == 1 }); err != nil {
		t.Fatalf("answer through kf/send_msg: got %v", api.SentTo(user))
	}
	api.CustomerText(kf, user, "kfmsg-2", "转人工")
	callback(p)
	if err := channeltest.WaitFor(10*time.Second, func() bool { s, _ := api.State(kf, user); return s == 2 }); err != nil {
		s, _ := api.State(kf, user)
		t.Fatalf("WeCom service state after the hand-off: %d, want 2 (排队中)", s)
	}
	agent := login(t, p.URL(), "agent1")
	_, convs := agent.do("GET", "/api/v1/conversations?status=queued", nil, false)
	qid := int64(convs["conversations"].([]any)[0].(map[string]any)["id"].(float64))
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%d/take", qid), map[string]any{}, true); st != 200 {
		t.Fatalf("take: %d %v", st, b)
	}
	if err := channeltest.WaitFor(10*time.Second, func() bool { s, who := api.State(kf, user); return s == 3 && who == "zhangsan" }); err != nil {
		s, who := api.State(kf, user)
		t.Fatalf("WeCom service state after take: %d %q, want 3 zhangsan", s, who)
	}
	stored := countMessages(t, p)
	stop()

	// While the appliance is down the customer writes again; at start it
	// polls and reads only that message.
	api.CustomerText(kf, user, "kfmsg-3", "在吗")
	p2, _ := startApp(t, dir, env)
	if err := channeltest.WaitFor(10*time.Second, func() bool { return countMessages(t, p2) == stored+1 }); err != nil {
		t.Fatalf("after restart: %d messages, want %d (the new one only; the agent owns it, the bot is silent)", countMessages(t, p2), stored+1)
	}
	p2.Channels.Poll(context.Background())
	if n := countMessages(t, p2); n != stored+1 {
		t.Errorf("a second poll stored %d more messages", n-stored-1)
	}
}

// A Douyin comment gets one short public answer, posted by the adapter and
// recorded as delivered; a private message is answered in private.
func TestDouyinThroughTheAppliance(t *testing.T) {
	const clientKey, account = "awkefu2026demo", "enterprise-open-id-1"
	api := douyintest.NewServer(clientKey, account)
	t.Cleanup(api.Close)
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_CHANNELS_ACCOUNTS_API_BASES": api.URL})
	admin := login(t, p.URL(), "admin")
	st, b := admin.do("POST", "/api/v1/channels/accounts", map[string]any{"kind": "douyin", "key": clientKey, "enabled": true,
		"settings": map[string]string{"api_base": api.URL, "account_open_id": account, "links": "item-boots=https://shop.example.com/boots"},
		"secrets":  map[string]string{"client_secret": "dy-secret-2026", "refresh_token": api.RefreshToken()}}, true)
	if st != 201 {
		t.Fatalf("set up Douyin: %d %v", st, b)
	}
	send := func(req *http.Request) {
		t.Helper()
		u := *req.URL
		req.URL, req.RequestURI, req.Host = &u, "", ""
		req.URL.Scheme, req.URL.Host = "http", p.Addr()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("webhook: status %d", resp.StatusCode)
		}
	}
	send(api.Comment("/channels/douyin/"+clientKey, "dy-secret-2026", "fan-7", "comment-1", "item-boots", "运费怎么算"))
	var public []string
	err := channeltest.WaitFor(10*time.Second, func() bool {
		public = nil
		for _, s := range api.Sent() {
			if s.Kind == "comment" && s.CommentID == "comment-1" {
				public = append(public, s.Text)
			}
		}
		return len(public) == 1
	})
	if err != nil {
		t.Fatalf("public answers: got %v, want one", public)
	}
	text, ok := strings.CutSuffix(public[0], " https://shop.example.com/boots")
	if !ok || len([]rune(text)) > 60 || !strings.Contains(text, "包邮") {
		t.Fatalf("public answer %q: want the short answer (≤ 60 characters) with the video's product link", public[0])
	}
	ctx := context.Background()
	in, err := p.Store.MessageByDedupeKey(ctx, appliance.DedupeKey("douyin_comment",
		appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: clientKey, Value: "fan-7"}, "comment-1"))
	if err != nil {
		t.Fatal(err)
	}
	err = channeltest.WaitFor(5*time.Second, func() bool {
		rs, _ := p.Store.Replies(ctx, in.ID)
		return len(rs) == 1 && rs[0].Delivery == appliance.DeliverySent
	})
	if err != nil {
		t.Errorf("the comment answer was not recorded as delivered by the adapter")
	}
	send(api.PrivateMessage("/channels/douyin/"+clientKey, "dy-secret-2026", "fan-7", "im-1", "退款多久到账"))
	if err := channeltest.WaitFor(10*time.Second, func() bool { return len(api.SentTo("fan-7")) == 2 }); err != nil {
		t.Fatalf("private answer: sent %v", api.SentTo("fan-7"))
	}
}
