package wechat

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// Every push in testdata/push goes through the handler in every mode and
// must become the Inbound in testdata/inbound, answered with the reply in
// testdata/reply (the decrypted passive reply; "success" when there is
// none).
func TestGoldenPushes(t *testing.T) {
	files, _ := filepath.Glob("testdata/push/*")
	if len(files) == 0 {
		t.Fatal("no golden pushes")
	}
	for _, mode := range []Mode{ModePlaintext, ModeCompatible, ModeSafe} {
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			t.Run(string(mode)+"/"+name, func(t *testing.T) {
				e := newEnv(t, mode, func(c *Config) {
					c.Now = func() time.Time { return fixedNow }
					c.MenuText = map[string]string{"ORDER_STATUS": "我的订单到哪了"}
				})
				body, _ := os.ReadFile(f)
				var h http.Handler = e.oa
				if strings.HasPrefix(name, "mp_") {
					h = e.mp
				}
				code, resp := serve(h, e.pusher.Request("/wechat", body, fixedNow, "nonce1"))
				if code != http.StatusOK {
					t.Fatalf("status: got %d (%s), want 200", code, resp)
				}
				e.oa.Wait()
				e.mp.Wait()
				var got []byte
				if in := e.rec.Inbounds(); len(in) == 1 {
					got, _ = json.MarshalIndent(in[0], "", "  ")
				} else if len(in) == 0 {
					got = []byte("null")
				} else {
					t.Fatalf("inbounds: got %d, want at most 1", len(in))
				}
				golden(t, "testdata/inbound/"+name+".json", append(got, '\n'))
				reply, err := e.pusher.ReadReply(resp)
				if err != nil {
					t.Fatalf("reading reply %s: %v", resp, err)
				}
				out := []byte("success\n")
				if reply != nil {
					out = append(PassiveText(reply.ToUserName, reply.FromUserName, reply.Content, time.Unix(reply.CreateTime, 0)), '\n')
				}
				golden(t, "testdata/reply/"+name+".xml", out)
			})
		}
	}
}

func TestSessionFromFollowsTheCustomer(t *testing.T) {
	e := newEnv(t, ModeSafe, nil)
	e.api.AddFollower(testAppID, "oMpUser0001", "")
	enter, _ := os.ReadFile("testdata/push/mp_enter_tempsession.json")
	text, _ := os.ReadFile("testdata/push/mp_text.json")
	now := time.Now()
	for _, b := range [][]byte{enter, text} {
		if code, resp := serve(e.mp, e.pusher.Request("/mp", b, now, "n"+string(b[len(b)-8:]))); code != 200 {
			t.Fatalf("status: got %d (%s), want 200", code, resp)
		}
	}
	e.mp.Wait()
	in := e.rec.Inbounds()
	if len(in) != 2 {
		t.Fatalf("inbounds: got %d, want 2", len(in))
	}
	if got := in[1].Context["order_no"]; got != "E202611230001" {
		t.Fatalf("order_no of the later message: got %q, want E202611230001", got)
	}
	if in[0].Kind != appliance.KindEvent || in[0].Context["event"] != "user_enter_tempsession" {
		t.Fatalf("first inbound: got %s %v, want the enter event", in[0].Kind, in[0].Context)
	}
}

func TestSessionContext(t *testing.T) {
	for in, want := range map[string]map[string]string{
		"order:E202611230001":               {"order_no": "E202611230001"},
		"order_no=E1;store=sh01":            {"order_no": "E1", "session_store": "sh01"},
		"just some text":                    {},
		"":                                  {},
		"Order : E9 , bad key!=x":           {"order_no": "E9"},
		"order:" + strings.Repeat("9", 200): {},
	} {
		got := SessionContext(in)
		if len(got) != len(want) {
			t.Fatalf("%q: got %v, want %v", in, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%q: got %v, want %v", in, got, want)
			}
		}
	}
}
