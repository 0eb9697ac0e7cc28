package appliance_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/knowledge"
)

var demoFAQ = []knowledge.FAQ{
	{ID: "faq-shipping-fee", Question: "运费怎么算？", Similar: []string{"包邮吗", "邮费多少"}, Answer: "单笔订单满 99 元全国包邮。"},
	{ID: "faq-refund-time", Question: "退款多久到账？", Similar: []string{"钱什么时候退回来"}, Answer: "仓库确认收货后 1-3 个工作日内退款。"},
}

type recorder struct {
	mu     sync.Mutex
	events []appliance.Event
}

func (r *recorder) Publish(e appliance.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func newEngine(t *testing.T, channels ...appliance.Channel) (*appliance.Engine, *store.Store, *recorder) {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	rec := &recorder{}
	e := appliance.NewEngine(appliance.EngineConfig{Store: s, Knowledge: knowledge.NewFAQMatcher(demoFAQ),
		Notifier: rec, Channels: channels, MaxTextRunes: 100})
	return e, s, rec
}

func web(visitor, msgID, text string) appliance.Inbound {
	return appliance.Inbound{Channel: "web", MessageID: msgID, Text: text,
		Identity: appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: visitor}}
}

func mustReceive(t *testing.T, e *appliance.Engine, in appliance.Inbound) *appliance.Outcome {
	t.Helper()
	out, err := e.Receive(context.Background(), in)
	if err != nil {
		t.Fatalf("receive %q: %v", in.Text, err)
	}
	return out
}

func TestReceiveAnswersAndIsIdempotent(t *testing.T) {
	e, s, _ := newEngine(t)
	ctx := context.Background()
	out := mustReceive(t, e, web("v1", "m1", "在吗"))
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "您好") || out.Duplicate {
		t.Fatalf("greeting: got %+v", out.Replies)
	}
	again := mustReceive(t, e, web("v1", "m1", "在吗"))
	if !again.Duplicate || again.Message.ID != out.Message.ID || len(again.Replies) != 1 || again.Replies[0].ID != out.Replies[0].ID {
		t.Fatalf("retry: got %+v, want the first outcome marked duplicate", again)
	}
	msgs, _ := s.Messages(ctx, appliance.MessageFilter{ConversationID: out.Conversation.ID})
	if len(msgs) != 2 {
		t.Fatalf("stored %d messages, want 2 (one inbound, one reply)", len(msgs))
	}
	// Another visitor may reuse the same message id: it is a different message.
	other := mustReceive(t, e, web("v2", "m1", "在吗"))
	if other.Duplicate || other.Conversation.ID == out.Conversation.ID {
		t.Errorf("another sender's m1 was treated as a duplicate")
	}

	ans := mustReceive(t, e, web("v1", "m2", "请问包邮吗"))
	if len(ans.Replies) != 1 || ans.Replies[0].Text != demoFAQ[0].Answer {
		t.Fatalf("faq: got %+v, want the curated answer verbatim", ans.Replies)
	}
	in, _ := s.Message(ctx, ans.Message.ID)
	if in.Decision == nil || in.Decision.Policy != appliance.PolicyAnswer || in.Decision.Knowledge == nil ||
		len(in.Decision.Knowledge.Passages) == 0 || in.Decision.Knowledge.Passages[0].ID != "faq-shipping-fee" {
		t.Errorf("decision: got %+v, want the answer with its passage", in.Decision)
	}
	if !strings.Contains(string(ans.Replies[0].Payload), "faq-shipping-fee") {
		t.Errorf("reply payload %s: want the citation", ans.Replies[0].Payload)
	}
	unknown := mustReceive(t, e, web("v1", "m3", "火星上能收快递吗量子纠缠"))
	if !strings.Contains(unknown.Replies[0].Text, "转人工") {
		t.Errorf("unknown question: got %q, want the don't-know text offering a human", unknown.Replies[0].Text)
	}
}

func TestConcurrentRetriesStoreOnce(t *testing.T) {
	e, s, _ := newEngine(t)
	var wg sync.WaitGroup
	outs := make([]*appliance.Outcome, 10)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.Receive(context.Background(), web("v9", "same", "运费怎么算"))
			if err != nil {
				t.Error(err)
				return
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	dups := 0
	for _, o := range outs {
		if o == nil {
			t.Fatal("missing outcome")
		}
		if o.Message.ID != outs[0].Message.ID || len(o.Replies) != 1 || o.Replies[0].ID != outs[0].Replies[0].ID {
			t.Fatalf("outcomes differ: %+v vs %+v", o, outs[0])
		}
		if o.Duplicate {
			dups++
		}
	}
	if dups != 9 {
		t.Errorf("got %d duplicates, want 9", dups)
	}
	msgs, _ := s.Messages(context.Background(), appliance.MessageFilter{ConversationID: outs[0].Conversation.ID})
	if len(msgs) != 2 {
		t.Errorf("stored %d messages, want 2", len(msgs))
	}
}

func TestHandoffStateMachine(t *testing.T) {
	e, s, rec := newEngine(t)
	ctx := context.Background()
	agent := &appliance.User{Username: "a1", Role: appliance.RoleAgent}
	other := &appliance.User{Username: "a2", Role: appliance.RoleAgent}
	for _, u := range []*appliance.User{agent, other} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	first := mustReceive(t, e, web("c1", "1", "你好"))
	convID := first.Conversation.ID
	// bot → queued on the customer's request.
	out := mustReceive(t, e, web("c1", "2", "转人工"))
	if out.Conversation.Status != appliance.StatusQueued || out.Conversation.HandoffReason != "customer_request" {
		t.Fatalf("after 转人工: status %s reason %q, want queued/customer_request", out.Conversation.Status, out.Conversation.HandoffReason)
	}
	if len(out.Replies) != 1 || out.Replies[0].Sender != appliance.SenderSystem {
		t.Errorf("hand-off notice: got %+v", out.Replies)
	}
	// queued: the bot stays silent, even for a question it could answer.
	silent := mustReceive(t, e, web("c1", "3", "运费怎么算"))
	if len(silent.Replies) != 0 || silent.Conversation.ID != convID {
		t.Fatalf("queued: the bot replied %+v", silent.Replies)
	}
	// queued → assigned.
	if _, err := e.Take(ctx, convID, agent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Take(ctx, convID, other); appliance.ErrorCode(err) != "already_assigned" {
		t.Errorf("second agent take: got %v, want already_assigned", err)
	}
	if _, err := e.AgentSend(ctx, convID, other, "我来", false); appliance.ErrorCode(err) != "not_assignee" {
		t.Errorf("other agent reply: got %v, want not_assignee", err)
	}
	if _, err := e.Handoff(ctx, convID, "x", agent); appliance.ErrorCode(err) != "not_with_bot" {
		t.Errorf("hand-off of an assigned conversation: got %v, want not_with_bot", err)
	}
	// assigned: still silent.
	if out := mustReceive(t, e, web("c1", "4", "在吗")); len(out.Replies) != 0 {
		t.Fatalf("assigned: the bot replied %+v", out.Replies)
	}
	m, err := e.AgentSend(ctx, convID, agent, "您好，我是客服小王", false)
	if err != nil || m.Sender != appliance.SenderAgent || m.Channel != "web" {
		t.Fatalf("agent reply: %+v, %v", m, err)
	}
	if _, err := e.AgentSend(ctx, convID, agent, "内部备注：VIP", true); err != nil {
		t.Fatal(err)
	}
	conv, _ := s.Conversation(ctx, convID)
	if conv.FirstResponseAt == nil || conv.AssigneeID != agent.ID {
		t.Errorf("after agent reply: %+v", conv)
	}
	if _, err := e.Close(ctx, convID, other); appliance.ErrorCode(err) != "not_assignee" {
		t.Errorf("close by another agent: got %v, want not_assignee", err)
	}
	// assigned → closed.
	if _, err := e.Close(ctx, convID, agent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AgentSend(ctx, convID, agent, "还在吗", false); appliance.ErrorCode(err) != "conversation_closed" {
		t.Errorf("reply to a closed conversation: got %v, want conversation_closed", err)
	}
	// closed → a new bot conversation that answers again.
	back := mustReceive(t, e, web("c1", "5", "运费怎么算"))
	if back.Conversation.ID == convID || back.Conversation.Status != appliance.StatusBot || len(back.Replies) != 1 {
		t.Fatalf("after close: conversation %d status %s replies %d, want a new bot conversation that answers",
			back.Conversation.ID, back.Conversation.Status, len(back.Replies))
	}
	// The customer never sees the note; the hand-off was audited.
	visible, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: back.Conversation.CustomerID, CustomerOnly: true})
	for _, v := range visible {
		if strings.Contains(v.Text, "内部备注") {
			t.Errorf("an internal note is visible to the customer")
		}
	}
	audit, _ := s.Audit(ctx, appliance.AuditFilter{TargetType: "conversation"})
	if len(audit) != 2 {
		t.Errorf("got %d audit entries, want take and close", len(audit))
	}
	// An agent may step into a bot conversation directly.
	if _, err := e.Take(ctx, back.Conversation.ID, other); err != nil {
		t.Errorf("take a bot conversation: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) < 10 {
		t.Errorf("got %d events, want every change published", len(rec.events))
	}
}

func TestBadInput(t *testing.T) {
	e, _, _ := newEngine(t)
	cases := []struct {
		in   appliance.Inbound
		code string
	}{
		{web("v", "1", "   "), "empty_message"},
		{web("v", "2", strings.Repeat("长", 101)), "message_too_long"},
		{web("v", "", "hi"), "missing_message_id"},
		{web("", "3", "hi"), "missing_sender"},
		{web("v", strings.Repeat("x", 129), "hi"), "message_id_too_long"},
	}
	for _, c := range cases {
		_, err := e.Receive(context.Background(), c.in)
		if appliance.ErrorCode(err) != c.code || appliance.ErrorKind(err) != appliance.EINVALID {
			t.Errorf("%q: got %v, want %s", c.in.Text, err, c.code)
		}
	}
	// Invalid UTF-8 and NUL bytes are cleaned, not refused.
	out, err := e.Receive(context.Background(), web("v", "4", "在吗\xff\x00"))
	if err != nil || strings.ContainsRune(out.Message.Text, 0) {
		t.Errorf("invalid utf-8: got %v %q", err, out.Message.Text)
	}
}

func TestRecoverFinishesAcceptedMessages(t *testing.T) {
	e, s, _ := newEngine(t)
	ctx := context.Background()
	// Simulate a stop between accepting a message and answering it.
	cust, ident, _ := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "r1"}, "")
	conv := &appliance.Conversation{CustomerID: cust.ID, Channel: "web", LastChannel: "web", LastIdentityID: ident.ID, Status: appliance.StatusBot}
	s.CreateConversation(ctx, conv)
	in := &appliance.Message{ConversationID: conv.ID, CustomerID: cust.ID, Channel: "web", Sender: appliance.SenderCustomer,
		Kind: appliance.KindText, Text: "退款多久到账", ChannelMsgID: "lost", CreatedAt: time.Now()}
	if err := s.CreateMessage(ctx, in, appliance.DedupeKey("web", appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "r1"}, "lost")); err != nil {
		t.Fatal(err)
	}
	// In a cluster a message younger than the cut-off is its node's work
	// in hand: left alone.
	if n, err := e.RecoverBefore(ctx, in.CreatedAt.Add(-time.Minute)); err != nil || n != 0 {
		t.Fatalf("recover what is older than a minute before it: %d, %v; want 0", n, err)
	}
	n, err := e.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recover: %d, %v; want 1", n, err)
	}
	if n, err := e.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("recover again: %d, %v; want 0", n, err)
	}
	replies, _ := s.Replies(ctx, in.ID)
	if len(replies) != 1 || replies[0].Text != demoFAQ[1].Answer {
		t.Fatalf("recovered reply: got %+v", replies)
	}
	// The retry of that message now gets the same reply, nothing new.
	out := mustReceive(t, e, web("r1", "lost", "退款多久到账"))
	if !out.Duplicate || len(out.Replies) != 1 || out.Replies[0].ID != replies[0].ID {
		t.Errorf("retry after recovery: got %+v", out)
	}
}

type pushChannel struct {
	mu    sync.Mutex
	fails int
	sent  []string
}

func (p *pushChannel) Name() string { return "wechat_oa" }
func (p *pushChannel) Deliver(_ context.Context, to *appliance.Identity, m *appliance.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fails > 0 {
		p.fails--
		return errors.New("token expired")
	}
	p.sent = append(p.sent, to.Value+":"+m.Text)
	return nil
}

func TestAgentRepliesArePushedWithRetries(t *testing.T) {
	push := &pushChannel{fails: 1}
	e, s, _ := newEngine(t, push)
	ctx := context.Background()
	in := appliance.Inbound{Channel: "wechat_oa", MessageID: "w1", Text: "转人工", SyncReply: true,
		Identity: appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wx1", Value: "openid-1"}}
	out := mustReceive(t, e, in)
	// The adapter delivers a synchronous reply itself and records it; the
	// engine stores it pending and does not push it.
	if out.Replies[0].Delivery != appliance.DeliveryPending {
		t.Errorf("a synchronous reply on a push channel: delivery %q, want pending until the adapter records it", out.Replies[0].Delivery)
	}
	agent := &appliance.User{Username: "a", Role: appliance.RoleAgent}
	s.CreateUser(ctx, agent)
	m, err := e.AgentSend(ctx, out.Conversation.ID, agent, "您好", false)
	if err != nil {
		t.Fatal(err)
	}
	e.Wait()
	push.mu.Lock()
	sent := append([]string(nil), push.sent...)
	push.mu.Unlock()
	if len(sent) != 1 || sent[0] != "openid-1:您好" {
		t.Fatalf("pushed %v, want the agent reply to openid-1 once", sent)
	}
	got, _ := s.Message(ctx, m.ID)
	if got.Delivery != appliance.DeliverySent {
		t.Errorf("delivery %q, want sent", got.Delivery)
	}
}
