package appliance_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/knowledge"
	"kefu/nlu/cascade"
	"kefu/nlu/catalogs"
)

var (
	shopOnce sync.Once
	shopNLU  *cascade.Engine
	shopErr  error
)

// shop returns the local NLU on the e-commerce catalog, trained once.
func shop(t *testing.T) *cascade.Engine {
	t.Helper()
	shopOnce.Do(func() {
		cat, err := catalogs.Load("ecommerce")
		if err != nil {
			shopErr = err
			return
		}
		shopNLU, shopErr = cascade.New(context.Background(), cascade.Config{Catalog: cat})
	})
	if shopErr != nil {
		t.Fatal(shopErr)
	}
	return shopNLU
}

func mpIn(openID, msgID, text string, ctx map[string]string) appliance.Inbound {
	return appliance.Inbound{Channel: "wechat_mp", MessageID: msgID, Text: text, Context: ctx,
		Identity: appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wxmp", Value: openID}}
}

func TestMiniProgramOrderReachesTheDialogue(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	e := appliance.NewEngine(appliance.EngineConfig{Store: s, NLU: shop(t), Knowledge: knowledge.NewFAQMatcher(demoFAQ)})
	ctx := context.Background()

	// The customer opens the chat from an order page: the event carries the
	// order, is greeted, and the order stays in focus.
	ev := mpIn("o-1", "evt-1", "", map[string]string{"event": "user_enter_tempsession", "session_from": "order:2026112300123", "order_no": "2026112300123"})
	ev.Kind = appliance.KindEvent
	out := mustReceive(t, e, ev)
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "您好") {
		t.Fatalf("enter event: got %+v, want the greeting", out.Replies)
	}
	st, _ := s.DialogueState(ctx, out.Conversation.CustomerID)
	if st.Focus["order"].Value != "2026112300123" {
		t.Fatalf("focus after the event: got %+v, want the order", st.Focus)
	}

	// "我的订单到哪了" carries the same context (the adapter attaches the
	// session's): the order slot is filled, nobody asks for the number.
	q := mustReceive(t, e, mpIn("o-1", "m-1", "我的订单到哪了", map[string]string{"order_no": "2026112300123"}))
	in, _ := s.Message(ctx, q.Message.ID)
	d := in.Decision
	if d == nil || d.Dialogue == nil || d.Dialogue.Intent != "order_status" || d.Dialogue.Filled["order_no"] != "2026112300123" {
		t.Fatalf("decision: got %+v, want order_status with the mini program's order", d)
	}
	if d.Policy == appliance.PolicyAskSlot || strings.Contains(q.Replies[0].Text, "订单号是多少") {
		t.Errorf("asked for the order number the mini program passed: %q", q.Replies[0].Text)
	}

	// Without the context the same question asks for it.
	other := mustReceive(t, e, mpIn("o-2", "m-1", "我的订单到哪了", nil))
	if !strings.Contains(other.Replies[0].Text, "订单号") {
		t.Errorf("without context: got %q, want the question for the order number", other.Replies[0].Text)
	}

	// An order the customer names wins over the page's.
	named := mustReceive(t, e, mpIn("o-1", "m-2", "订单 2026112300999 到哪了", map[string]string{"order_no": "2026112300123"}))
	nm, _ := s.Message(ctx, named.Message.ID)
	if got := nm.Decision.Dialogue.Filled["order_no"]; got != "2026112300999" {
		t.Errorf("named order: got %q, want the one in the text", got)
	}
}

func TestPlatformEventsGreet(t *testing.T) {
	e, _, _ := newEngine(t)
	for _, name := range []string{"subscribe", "user_enter_tempsession", "enter_session"} {
		in := wechatIn("o-"+name, "evt-"+name, "", "")
		in.Kind, in.Context = appliance.KindEvent, map[string]string{"event": name}
		out := mustReceive(t, e, in)
		if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "您好") {
			t.Errorf("%s: got %+v, want the greeting", name, out.Replies)
		}
	}
	// A menu click the adapter mapped to a question is answered as one.
	click := wechatIn("o-click", "evt-click", "运费怎么算", "")
	click.Kind, click.Context = appliance.KindEvent, map[string]string{"event": "click", "event_key": "SHIPPING"}
	if out := mustReceive(t, e, click); len(out.Replies) != 1 || out.Replies[0].Text != demoFAQ[0].Answer {
		t.Errorf("menu click: got %+v, want the shipping answer", out.Replies)
	}
	bare := wechatIn("o-bare", "evt-bare", "", "")
	bare.Kind, bare.Context = appliance.KindEvent, map[string]string{"event": "click", "event_key": "UNKNOWN"}
	if out := mustReceive(t, e, bare); len(out.Replies) != 0 {
		t.Errorf("unmapped click: got %+v, want no reply", out.Replies)
	}
}

// selfDeliveringChannel counts what the engine pushes through it.
type selfDeliveringChannel struct {
	pushChannel
	name string
}

func (c *selfDeliveringChannel) Name() string { return c.name }

func TestSelfDeliveredRepliesStayPendingUntilRecorded(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	push := &selfDeliveringChannel{name: "wechat_oa"}
	newE := func() *appliance.Engine {
		return appliance.NewEngine(appliance.EngineConfig{Store: s, Knowledge: knowledge.NewFAQMatcher(demoFAQ), Channels: []appliance.Channel{push}})
	}
	e := newE()
	ctx := context.Background()
	in := wechatIn("o-1", "w-1", "运费怎么算", "")
	in.SyncReply = true
	out := mustReceive(t, e, in)
	e.Wait()
	if d := out.Replies[0].Delivery; d != appliance.DeliveryPending {
		t.Fatalf("self-delivered reply: delivery %q, want pending", d)
	}
	if len(push.sent) != 0 {
		t.Fatalf("the engine pushed %v, want nothing: the adapter answers in its response", push.sent)
	}
	// The adapter answered passively and records it.
	if err := s.SetDelivery(ctx, out.Replies[0].ID, appliance.DeliverySent); err != nil {
		t.Fatal(err)
	}
	if again := mustReceive(t, e, in); again.Replies[0].Delivery != appliance.DeliverySent {
		t.Errorf("retry after the adapter recorded it: delivery %q, want sent", again.Replies[0].Delivery)
	}

	// A stop between storing and the adapter's send leaves it pending; the
	// next start sends it through the channel.
	lost := wechatIn("o-2", "w-2", "退款多久到账", "")
	lost.SyncReply = true
	stranded := mustReceive(t, e, lost)
	restarted := newE()
	if n, err := restarted.Redeliver(ctx); err != nil || n != 1 {
		t.Fatalf("redeliver: %d, %v; want 1", n, err)
	}
	restarted.Wait()
	if len(push.sent) != 1 || push.sent[0] != "o-2:"+demoFAQ[1].Answer {
		t.Fatalf("redelivered %v, want the stranded reply to o-2", push.sent)
	}
	if m, _ := s.Message(ctx, stranded.Replies[0].ID); m.Delivery != appliance.DeliverySent {
		t.Errorf("after redelivery: %q, want sent", m.Delivery)
	}

	// Pull and hub channels have their replies once stored.
	for _, ch := range []string{"app", "web"} {
		in := appliance.Inbound{Channel: ch, MessageID: "x-" + ch, Text: "运费怎么算", SyncReply: ch == "app",
			Identity: appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u-" + ch}}
		if out := mustReceive(t, restarted, in); out.Replies[0].Delivery != appliance.DeliverySent {
			t.Errorf("%s reply: delivery %q, want sent", ch, out.Replies[0].Delivery)
		}
	}
	// A push channel without SyncReply (mini program) is delivered by the engine.
	mp := &selfDeliveringChannel{name: "wechat_mp"}
	e2 := appliance.NewEngine(appliance.EngineConfig{Store: s, Knowledge: knowledge.NewFAQMatcher(demoFAQ), Channels: []appliance.Channel{mp}})
	mustReceive(t, e2, mpIn("o-3", "m-3", "运费怎么算", nil))
	e2.Wait()
	if len(mp.sent) != 1 || mp.sent[0] != "o-3:"+demoFAQ[0].Answer {
		t.Errorf("mini program reply: pushed %v, want the answer once", mp.sent)
	}
}
