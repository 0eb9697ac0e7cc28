package wechat

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/channeltest"
	"kefu/connectors/wechattest"
)

func oaHarness(mode Mode) channeltest.Harness {
	return func(t *testing.T, rec *channeltest.Receiver) channeltest.Subject {
		e := newEnv(t, mode, func(c *Config) { c.Receiver, c.Recorder = rec, rec })
		push := func(t *testing.T, user, id, text string) *http.Request {
			e.api.AddFollower(testAppID, user, "")
			return e.pusher.Request("/wechat", wechattest.TextXML("gh_1", user, id, text, time.Now()), time.Now(), wechattest.Nonce())
		}
		return channeltest.Subject{
			Handler: e.oa, Channel: e.oa, Push: push,
			BadSignature: func(t *testing.T, user, id, text string) *http.Request {
				r := push(t, user, id, text)
				q := r.URL.Query()
				q.Set("signature", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
				if q.Has("msg_signature") {
					q.Set("msg_signature", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
				}
				r.URL.RawQuery = q.Encode()
				return r
			},
			Stale: func(t *testing.T, user, id, text string) *http.Request {
				old := time.Now().Add(-time.Hour)
				return e.pusher.Request("/wechat", wechattest.TextXML("gh_1", user, id, text, old), old, wechattest.Nonce())
			},
			Malformed: func(t *testing.T) *http.Request {
				return e.pusher.Request("/wechat", []byte("<xml><MsgType>text</MsgType><Content>no sender"), time.Now(), wechattest.Nonce())
			},
			Identity: func(user string) appliance.Identity {
				return appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: testAppID, Value: user}
			},
			Replies: func(t *testing.T, user string, responses [][]byte) []string {
				var out []string
				for _, b := range responses {
					r, err := e.pusher.ReadReply(b)
					if err != nil {
						t.Fatalf("reply: %v", err)
					}
					if r != nil {
						out = append(out, r.Content)
					}
				}
				return append(out, e.api.SentTo(user)...)
			},
			FailNextSend: func() { e.api.FailNext(wechattest.ErrOutOfWindow) },
			Settle:       func() { e.oa.Wait() },
		}
	}
}

func TestContractOfficialAccountSafe(t *testing.T) {
	channeltest.Run(t, "wechat_oa", oaHarness(ModeSafe))
}

func TestContractOfficialAccountCompatible(t *testing.T) {
	channeltest.Run(t, "wechat_oa", oaHarness(ModeCompatible))
}

func TestContractOfficialAccountPlaintext(t *testing.T) {
	channeltest.Run(t, "wechat_oa", oaHarness(ModePlaintext))
}

func TestContractMiniProgram(t *testing.T) {
	channeltest.Run(t, "wechat_mp", func(t *testing.T, rec *channeltest.Receiver) channeltest.Subject {
		e := newEnv(t, ModeSafe, func(c *Config) { c.Receiver, c.Recorder = rec, rec })
		rec.Channel = e.mp
		push := func(t *testing.T, user, id, text string) *http.Request {
			e.api.AddFollower(testAppID, user, "")
			return e.pusher.Request("/mp", wechattest.TextJSON("gh_mini", user, id, text, time.Now()), time.Now(), wechattest.Nonce())
		}
		return channeltest.Subject{
			Handler: e.mp, Channel: e.mp, Push: push,
			BadSignature: func(t *testing.T, user, id, text string) *http.Request {
				r := push(t, user, id, text)
				q := r.URL.Query()
				q.Set("msg_signature", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
				r.URL.RawQuery = q.Encode()
				return r
			},
			Stale: func(t *testing.T, user, id, text string) *http.Request {
				old := time.Now().Add(-time.Hour)
				return e.pusher.Request("/mp", wechattest.TextJSON("gh_mini", user, id, text, old), old, wechattest.Nonce())
			},
			Malformed: func(t *testing.T) *http.Request {
				return e.pusher.Request("/mp", []byte(`{"MsgType":"text","Content":`), time.Now(), wechattest.Nonce())
			},
			Identity: func(user string) appliance.Identity {
				return appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: testAppID, Value: user}
			},
			Replies: func(t *testing.T, user string, responses [][]byte) []string {
				for _, b := range responses {
					if string(b) != "success" {
						t.Fatalf("mini program response: got %q, want success", b)
					}
				}
				return e.api.SentTo(user)
			},
			FailNextSend: func() { e.api.FailNext(wechattest.ErrOutOfWindow) },
			Settle:       func() { e.mp.Wait(); rec.Wait() },
		}
	})
}

func TestHandshake(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	code, body := serve(e.oa, e.pusher.Handshake("/wechat", "1616140317555161061", time.Now(), "n1"))
	if code != 200 || string(body) != "1616140317555161061" {
		t.Fatalf("handshake: got %d %q, want 200 1616140317555161061", code, body)
	}
	r := e.pusher.Handshake("/wechat", "x", time.Now(), "n1")
	q := r.URL.Query()
	q.Set("signature", "0000")
	r.URL.RawQuery = q.Encode()
	if code, _ := serve(e.oa, r); code != http.StatusUnauthorized {
		t.Fatalf("bad handshake: got %d, want 401", code)
	}
}

// The request of WeChat's own published sample, sent as is to an adapter
// configured like the sample's account: safe mode must accept it.
func TestPublishedSampleRequest(t *testing.T) {
	e := newEnv(t, ModeSafe, func(c *Config) {
		c.ReplayWindow = 100 * 365 * 24 * time.Hour // the sample is from 2014
	})
	q := url.Values{"signature": {"16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"}, "timestamp": {"1409735669"}, "nonce": {"1320562132"},
		"encrypt_type": {"aes"}, "msg_signature": {"5d197aaffba7e9b25a30732f161a50dee96bd5fa"}}
	body := `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>`
	r, _ := http.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), stringsReader(body))
	code, resp := serve(e.oa, r)
	if code != 200 {
		t.Fatalf("status: got %d (%s), want 200", code, resp)
	}
	e.oa.Wait()
	in := e.rec.Inbounds()
	if len(in) != 1 || in[0].Text != "abcdteT" || in[0].MessageID != "6054768590064713728" || in[0].Identity.Value != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" {
		t.Fatalf("inbound: got %+v, want abcdteT from oyORnuP8q7ou2gfYjqLzSIWZf0rs", in)
	}
	reply, err := e.pusher.ReadReply(resp)
	if err != nil || reply == nil || reply.Content != "re: abcdteT" {
		t.Fatalf("reply: got %+v, %v, want re: abcdteT", reply, err)
	}
}
