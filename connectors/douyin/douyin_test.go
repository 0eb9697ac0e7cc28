package douyin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/channeltest"
	"kefu/connectors/douyin"
	"kefu/connectors/douyintest"
)

const (
	clientKey = "awx0000000000001"
	secret    = "client-secret-0001"
	account   = "enterprise-open-id"
)

type env struct {
	api *douyintest.Server
	a   *douyin.Adapter
	rec *channeltest.Receiver
}

func newEnv(t *testing.T, rec *channeltest.Receiver, policy douyin.Policy) *env {
	api := douyintest.NewServer(clientKey, account)
	t.Cleanup(api.Close)
	tokens := &douyintest.MemoryTokens{T: douyin.Token{RefreshToken: api.RefreshToken()}}
	hc := &http.Client{Timeout: 5 * time.Second}
	a, err := douyin.New(douyin.Config{ClientKey: clientKey, ClientSecret: secret, AccountOpenID: account, APIBase: api.URL,
		HTTPClient: hc, Tokens: douyin.NewRefresher(api.URL, clientKey, hc, tokens, nil), Receiver: rec, Recorder: rec,
		Policy: policy, ReplyWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &env{api: api, a: a, rec: rec}
}

func serve(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestContractPrivateMessages(t *testing.T) {
	channeltest.Run(t, "douyin", func(t *testing.T, rec *channeltest.Receiver) channeltest.Subject {
		e := newEnv(t, rec, douyin.Policy{})
		rec.Channel = e.a
		push := func(t *testing.T, user, id, text string) *http.Request {
			return e.api.PrivateMessage("/douyin", secret, user, id, text)
		}
		return channeltest.Subject{
			Handler: e.a, Channel: e.a, Push: push,
			BadSignature: func(t *testing.T, user, id, text string) *http.Request {
				r := push(t, user, id, text)
				r.Header.Set("X-Douyin-Signature", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
				return r
			},
			// Douyin signs no timestamp: replays are identical bodies and
			// are deduplicated by message id.
			Stale: nil,
			Malformed: func(t *testing.T) *http.Request {
				return douyintest.Webhook("/douyin", secret, []byte(`{"event":"im_receive_msg","client_key":"`+clientKey+`","content":{"text":`))
			},
			Identity: func(user string) appliance.Identity {
				return appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: clientKey, Value: user}
			},
			Replies:      func(t *testing.T, user string, _ [][]byte) []string { return e.api.SentTo(user) },
			FailNextSend: func() { e.api.FailNext(douyintest.ErrNoPermission) },
			Settle:       func() { e.a.Wait(); rec.Wait() },
		}
	})
}

func TestVerifyWebhook(t *testing.T) {
	e := newEnv(t, channeltest.NewReceiver(), douyin.Policy{})
	body := []byte(`{"event":"verify_webhook","client_key":"` + clientKey + `","content":{"challenge":12345}}`)
	code, resp := serve(e.a, douyintest.Webhook("/douyin", secret, body))
	if code != 200 || strings.TrimSpace(resp) != `{"challenge":12345}` {
		t.Fatalf("got %d %s, want 200 {\"challenge\":12345}", code, resp)
	}
	r := douyintest.Webhook("/douyin", "wrong-secret", body)
	if code, _ := serve(e.a, r); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: got %d, want 401", code)
	}
}

// A general comment gets a short, masked public answer with the product link.
func TestCommentAnsweredPublicly(t *testing.T) {
	rec := channeltest.NewReceiver()
	rec.Reply = func(appliance.Inbound) []string {
		return []string{"有的！这款儿童雨靴有26到35码，防滑鞋底，材质是天然橡胶。可以在店铺首页了解更多款式和颜色，欢迎下单。"}
	}
	e := newEnv(t, rec, douyin.Policy{MaxRunes: 40, Links: map[string]string{"@item1": "https://shop.example.com/p/42"}})
	code, _ := serve(e.a, e.api.Comment("/douyin", secret, "fan1", "@c1", "@item1", "有35码吗"))
	e.a.Wait()
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	sent := e.api.Sent()
	if len(sent) != 1 || sent[0].Kind != "comment" || sent[0].CommentID != "@c1" {
		t.Fatalf("sent: got %+v, want one comment answer to @c1", sent)
	}
	text := sent[0].Text
	if !strings.HasSuffix(text, "https://shop.example.com/p/42") {
		t.Fatalf("public answer %q must end with the product link", text)
	}
	if n := len([]rune(strings.TrimSuffix(text, " https://shop.example.com/p/42"))); n > 40 {
		t.Fatalf("public answer is %d runes, want at most 40", n)
	}
	in := rec.Inbounds()
	if len(in) != 1 || in[0].Channel != "douyin_comment" || in[0].Context["item_id"] != "@item1" {
		t.Fatalf("inbound: got %+v", in)
	}
}

// A personal comment gets the public note; the answer goes privately when
// the customer has a private conversation open.
func TestPersonalCommentMovesToPrivate(t *testing.T) {
	rec := channeltest.NewReceiver()
	rec.Reply = func(in appliance.Inbound) []string {
		return []string{"您的订单E202611230001已发货，单号SF123"}
	}
	e := newEnv(t, rec, douyin.Policy{})
	serve(e.a, e.api.PrivateMessage("/douyin", secret, "fan2", "@m1", "你好"))
	e.a.Wait()
	serve(e.a, e.api.Comment("/douyin", secret, "fan2", "@c2", "@item1", "我的订单怎么还没到，电话13912345678"))
	e.a.Wait()
	var public, private []string
	for _, s := range e.api.Sent() {
		if s.Kind == "comment" {
			public = append(public, s.Text)
		} else {
			private = append(private, s.Text)
		}
	}
	if len(public) != 1 || public[0] != douyin.DefaultPrivateNote {
		t.Fatalf("public: got %q, want only the private note", public)
	}
	if len(private) != 1 || !strings.Contains(private[0], "E202611230001") {
		t.Fatalf("private: got %q, want the full answer", private)
	}
}

func TestPolicy(t *testing.T) {
	p := douyin.Policy{MaxRunes: 20}
	for _, tc := range []struct {
		comment, answer string
		private         bool
		want            string
	}{
		{"好看吗", "好看的，百搭款。", false, "好看的，百搭款。"},
		{"怎么退款", "请提供订单号", true, douyin.DefaultPrivateNote},
		{"I want a refund", "ok", true, douyin.DefaultPrivateNote},
		{"有优惠吗", "现在下单立减20元，满199再送雨伞一把，活动截止到本月底。更多详情见店铺首页。", false, "现在下单立减20元，满199再送雨伞一…"},
		{"多少钱", "会员价99元。请拨打13800001111咨询", true, douyin.DefaultPrivateNote},
	} {
		got, private := p.Public(tc.comment, tc.answer, "")
		if got != tc.want || private != tc.private {
			t.Fatalf("%q → %q: got %q private=%v, want %q private=%v", tc.comment, tc.answer, got, private, tc.want, tc.private)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"电话13812345678":         "电话138****5678",
		"身份证110101199003071234": "身份证110***********1234",
		"身份证11010119900307123X": "身份证110***********123X",
		"卡号6222021234567890123": "卡号**** **** 0123",
		"订单E202611230001":       "订单E202611230001",
		"10 件":                  "10 件",
	} {
		if got := douyin.Mask(in); got != want {
			t.Fatalf("Mask(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	rec := channeltest.NewReceiver()
	e := newEnv(t, rec, douyin.Policy{})
	rec.Channel = e.a
	serve(e.a, e.api.PrivateMessage("/douyin", secret, "fan3", "@m3", "在吗"))
	e.a.Wait()
	rec.Wait()
	e.api.ExpireTokens()
	to := &appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: clientKey, Value: "fan3"}
	if err := e.a.Deliver(context.Background(), to, &appliance.Message{Text: "您好"}); err != nil {
		t.Fatalf("Deliver after expiry: %v", err)
	}
	if got := e.api.SentTo("fan3"); len(got) != 2 {
		t.Fatalf("sent: got %q, want 2", got)
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"event":"im_receive_msg","client_key":"k","from_user_id":"u","to_user_id":"a","content":{"conversation_short_id":"c","server_message_id":"m","message_type":"text","text":"hi"}}`))
	f.Add([]byte(`{"event":"item_comment_reply","content":"{\"comment_id\":\"c\",\"comment_user_id\":\"u\",\"content\":\"hi\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := douyin.ParseEvent(b)
		if err != nil {
			return
		}
		var im douyin.IMContent
		var c douyin.CommentContent
		ev.DecodeContent(&im)
		ev.DecodeContent(&c)
	})
}

func FuzzPolicy(f *testing.F) {
	f.Add("我的订单", "您的订单已发货 13812345678")
	f.Add("好看", strings.Repeat("好", 100))
	f.Fuzz(func(t *testing.T, comment, answer string) {
		text, _ := douyin.Policy{MaxRunes: 30}.Public(comment, answer, "")
		if douyin.HasPII(text) {
			t.Fatalf("public answer %q carries personal data", text)
		}
	})
}
