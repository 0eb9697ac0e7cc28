package wechat

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/wechattest"
)

type trivialReceiver struct{}

func (trivialReceiver) Receive(_ context.Context, in appliance.Inbound) (*appliance.Outcome, error) {
	return &appliance.Outcome{Replies: []*appliance.Message{{ID: 1, Kind: appliance.KindText, Text: "收到"}}}, nil
}

// BenchmarkInboundSafeMode measures inbound official-account messages per
// second through signature verification, replay check, AES decryption, XML
// parsing and the encrypted passive reply, with a Receiver that answers at
// once. The requests (WeChat's side: encryption, signing) are built before
// the timer starts.
func BenchmarkInboundSafeMode(b *testing.B) {
	for _, mode := range []Mode{ModeSafe, ModePlaintext} {
		b.Run(string(mode), func(b *testing.B) {
			e := newEnv(b, mode, func(c *Config) { c.Receiver, c.Recorder = trivialReceiver{}, nil })
			now := time.Now()
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				body := wechattest.TextXML("gh_1", "oUser", fmt.Sprint(1000000+i), "有没有儿童雨靴", now)
				reqs[i] = e.pusher.Request("/wechat", body, now, fmt.Sprintf("n%d", i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				e.oa.ServeHTTP(w, reqs[i])
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
			b.StopTimer()
			e.oa.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func FuzzParsePush(f *testing.F) {
	files, _ := os.ReadDir("testdata/push")
	for _, fi := range files {
		b, _ := os.ReadFile("testdata/push/" + fi.Name())
		f.Add(b)
	}
	e := newEnv(f, ModeSafe, nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePush(b)
		if err != nil || p.Validate() != nil {
			return
		}
		in, ok := e.oa.inbound(p)
		if ok && (in.MessageID == "" || in.Identity.Value == "" || len(in.MessageID) > 128) {
			t.Fatalf("inbound without id or sender: %+v", in)
		}
	})
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>"), "aes")
	f.Add([]byte(`{"ToUserName":"gh","Encrypt":"abc"}`), "")
	e := newEnv(f, ModeCompatible, nil)
	f.Fuzz(func(t *testing.T, body []byte, encryptType string) {
		// Signed by the fake as WeChat would, whatever the body: the parser
		// behind the signature must refuse garbage without panicking.
		r := e.pusher.Request("/wechat", body, time.Now(), wechattest.Nonce())
		q := r.URL.Query()
		q.Set("encrypt_type", encryptType)
		r.URL.RawQuery = q.Encode()
		e.oa.open(r)
	})
}
