package accounts_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors/accounts"
	"kefu/connectors/channeltest"
	"kefu/connectors/wechattest"
	"kefu/knowledge"
	"kefu/nlu"
)

// slowNLU understands nothing, slowly: a busy LLM.
type slowNLU struct{ delay time.Duration }

func (s slowNLU) Parse(ctx context.Context, _ nlu.Input) (nlu.Result, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
	}
	return nlu.Result{Trace: nlu.Trace{Engine: "slow"}}, nil
}

// With the real engine: a quick answer is the passive reply, recorded as
// delivered by the adapter; a slow one is acknowledged at once and sent
// through message/custom/send — exactly once, never again by the engine.
func TestOfficialAccountWithTheEngine(t *testing.T) {
	api := wechattest.NewServer()
	t.Cleanup(api.Close)
	api.AddApp(appID, secretA)
	api.AddFollower(appID, "openid-1", "")
	h := newHarness(t, api.URL)
	faq := knowledge.NewFAQMatcher([]knowledge.FAQ{{ID: "ship", Question: "运费怎么算？", Answer: "满 99 元包邮。"}})
	for _, c := range []struct {
		name    string
		delay   time.Duration
		passive bool
	}{{"quick", 0, true}, {"slow", 900 * time.Millisecond, false}} {
		t.Run(c.name, func(t *testing.T) {
			m := accounts.New(accounts.Config{Store: h.store, Sealer: h.box, APIBases: h.bases, ReplyWindow: 400 * time.Millisecond})
			e := appliance.NewEngine(appliance.EngineConfig{Store: h.store, NLU: slowNLU{c.delay}, Knowledge: faq, Channels: m.Channels()})
			if err := m.Open(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			in := oaInput(api.URL)
			if list, _ := m.List(context.Background()); len(list) == 1 {
				in.ID, in.Secrets = list[0].ID, map[string]string{}
			}
			if _, err := m.Save(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			sentBefore := len(api.SentTo("openid-1"))
			start := time.Now()
			code, reply := push(t, m, tokenA, "msg-"+c.name, "运费怎么算")
			if code != http.StatusOK || time.Since(start) > 2*time.Second {
				t.Fatalf("push: status %d after %s", code, time.Since(start))
			}
			if (reply != nil) != c.passive {
				t.Fatalf("passive reply %+v, want passive=%v", reply, c.passive)
			}
			wantSent := sentBefore
			if !c.passive {
				wantSent++
			}
			err := channeltest.WaitFor(5*time.Second, func() bool { return len(api.SentTo("openid-1")) == wantSent })
			m.Close() // waits for the adapter's background send
			e.Wait()
			if err != nil || len(api.SentTo("openid-1")) != wantSent {
				t.Fatalf("custom sends: %d, want %d", len(api.SentTo("openid-1"))-sentBefore, wantSent-sentBefore)
			}
			msg, err := h.store.MessageByDedupeKey(context.Background(), appliance.DedupeKey("wechat_oa",
				appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: appID, Value: "openid-1"}, "msg-"+c.name))
			if err != nil {
				t.Fatal(err)
			}
			replies, _ := h.store.Replies(context.Background(), msg.ID)
			if len(replies) != 1 || replies[0].Delivery != appliance.DeliverySent || replies[0].Text != "满 99 元包邮。" {
				t.Fatalf("stored reply: %+v, want the answer recorded as sent", replies)
			}
		})
	}
}
