package appliance_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/knowledge"
	"kefu/nlu"
)

// scriptedAssistant stands in for the LLM; it records what it was given.
type scriptedAssistant struct {
	mu      sync.Mutex
	summary string
	draft   string
	err     error
	inputs  []appliance.AssistInput
}

func (a *scriptedAssistant) Summarize(_ context.Context, in appliance.AssistInput) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inputs = append(a.inputs, in)
	return a.summary, a.err
}

func (a *scriptedAssistant) Draft(_ context.Context, in appliance.AssistInput) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inputs = append(a.inputs, in)
	return a.draft, a.err
}

func (h *handoffEnv) workspace(a appliance.Assistant, biz appliance.BusinessProfile, tickets appliance.Tickets) *appliance.Workspace {
	return appliance.NewWorkspace(appliance.WorkspaceConfig{Engine: h.e, Router: h.router(), Store: h.s,
		Knowledge: knowledge.NewFAQMatcher(demoFAQ), Assistant: a, Business: biz, Tickets: tickets, CSATs: h.s,
		IntentTitle: func(name string) string {
			if name == "order_status" {
				return "查询订单"
			}
			return ""
		}})
}

func TestExtractiveSummary(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	h.say(t, "v", "在吗")
	h.say(t, "v", "我的快递到哪了，订单号 2026112400123")
	h.say(t, "v", "运费怎么算")
	out := h.say(t, "v", "你们太差劲了，我要投诉")
	w := h.workspace(nil, nil, nil)
	s, pending, err := w.Summary(ctx, out.Conversation.ID)
	if err != nil || pending {
		t.Fatalf("summary: %v pending %v", err, pending)
	}
	if s.Reason != "complaint" || s.Intent != "order_status" || s.IntentTitle != "查询订单" || s.Source != "extractive" {
		t.Errorf("summary fields: %+v", s)
	}
	if !s.Sentiment.Complaint || len(s.Questions) != 3 || s.Questions[0] != "我的快递到哪了，订单号 2026112400123" {
		t.Errorf("sentiment %+v questions %q; want the complaint and the last three questions without the greeting", s.Sentiment, s.Questions)
	}
	for _, want := range []string{"转人工原因：客户投诉", "客户诉求：查询订单", "客户情绪：投诉", "“运费怎么算”"} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("summary text %q lacks %q", s.Text, want)
		}
	}
	if len(s.Channels) != 1 || s.Channels[0] != "web" {
		t.Errorf("channels %v", s.Channels)
	}
}

// TestSummaryNamesFacts: what the bot knows is written with names agents
// read (入住日期, 订单号), a deployment's own slot as it is, and an entity
// already in a slot is not repeated.
func TestSummaryNamesFacts(t *testing.T) {
	s := appliance.HandoffSummary{Slots: map[string]string{"checkin_date": "2026-11-25", "vip_room": "是"},
		Entities: []nlu.Entity{{Type: "date", Value: "2026-11-25", Text: "明天"}, {Type: "order_no", Value: "E2026112401", Text: "E2026112401"}}}
	const want = "已知信息：入住日期 2026-11-25，vip_room 是，订单号 E2026112401。"
	if got := s.Render(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSummaryKeepsTheLatestTask: the facts are the task as it last stood —
// after the shoes' order, the cream's return does not carry the shoes'
// purchase date.
func TestSummaryKeepsTheLatestTask(t *testing.T) {
	turn := func(intent string, filled map[string]string) *appliance.Message {
		return &appliance.Message{Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: "…",
			Decision: &appliance.Decision{Dialogue: &appliance.DialogueTrace{Intent: intent, Filled: filled}}}
	}
	s := appliance.Summarize(&appliance.Conversation{ID: 1}, []*appliance.Message{
		turn("order_status", map[string]string{"product": "鞋子", "purchase_date": "2026-11-24", "order_no": "E202611240017"}),
		turn("return_request", map[string]string{"product": "面霜", "order_no": "E202611090032"}),
	}, nil)
	if s.Intent != "return_request" || len(s.Slots) != 2 || s.Slots["order_no"] != "E202611090032" || s.Slots["purchase_date"] != "" {
		t.Errorf("summary: intent %q slots %v, want the return's two slots alone", s.Intent, s.Slots)
	}
}

func TestLLMSummaryIsWrittenOnceAndPublished(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	a := &scriptedAssistant{summary: "客户询问订单物流，情绪不满，需尽快回复。"}
	w := h.workspace(a, nil, nil)
	out := h.say(t, "v", "转人工")
	s, pending, err := w.Summary(ctx, out.Conversation.ID)
	if err != nil || !pending || s.Source != "extractive" {
		t.Fatalf("first read: %+v pending %v err %v; want the extractive summary while the LLM writes", s, pending, err)
	}
	w.Wait()
	s, pending, _ = w.Summary(ctx, out.Conversation.ID)
	if pending || s.Source != "llm" || s.Text != a.summary {
		t.Errorf("after writing: %+v pending %v", s, pending)
	}
	if len(a.inputs) != 1 || len(a.inputs[0].Transcript) == 0 {
		t.Errorf("the assistant was called %d times with %+v, want once with the transcript", len(a.inputs), a.inputs)
	}
	// The console learns of it through the conversation event.
	h.rec.mu.Lock()
	found := false
	for _, e := range h.rec.events {
		if e.Type == appliance.EventConversation && e.Conversation.Summary == a.summary {
			found = true
		}
	}
	h.rec.mu.Unlock()
	if !found {
		t.Error("no conversation event carried the written summary")
	}
	// A failing LLM leaves the extractive summary.
	h2 := newHandoffEnv(t, nil)
	w2 := h2.workspace(&scriptedAssistant{err: errors.New("ollama: model not found")}, nil, nil)
	o2 := h2.say(t, "v", "转人工")
	w2.Summary(ctx, o2.Conversation.ID)
	w2.Wait()
	if s, _, _ := w2.Summary(ctx, o2.Conversation.ID); s.Source != "extractive" {
		t.Errorf("after an LLM failure: %+v", s)
	}
}

func TestSuggestions(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	h.say(t, "v", "请问包邮吗")
	out := h.say(t, "v", "转人工")
	w := h.workspace(nil, nil, nil)
	list, err := w.Suggestions(ctx, out.Conversation.ID, true)
	if err != nil || len(list) == 0 || list[0].Kind != "knowledge" || list[0].Text != demoFAQ[0].Answer || list[0].Source != "faq-shipping-fee" {
		t.Fatalf("suggestions: %+v, %v; want the FAQ answer to the last question (not to 转人工)", list, err)
	}
	a := &scriptedAssistant{draft: "您好，单笔订单满 99 元即可全国包邮，您之前购买的乳糖酶也适用。"}
	biz := businessFunc(func(*appliance.Customer) ([]appliance.BusinessRecord, error) {
		return []appliance.BusinessRecord{{Kind: "order", ID: "2026112400123", Title: "乳糖酶 60 粒", Amount: "¥129.00"}}, nil
	})
	w = h.workspace(a, biz, nil)
	list, err = w.Suggestions(ctx, out.Conversation.ID, true)
	if err != nil || len(list) < 2 || list[0].Kind != "draft" || list[0].Text != a.draft {
		t.Fatalf("with the assistant: %+v, %v; want the draft first", list, err)
	}
	in := a.inputs[len(a.inputs)-1]
	if len(in.Records) != 1 || in.Records[0].Title != "乳糖酶 60 粒" || len(in.Passages) == 0 {
		t.Errorf("the draft was written without the records or passages: %+v", in)
	}
	// Without draft the assistant is not asked.
	n := len(a.inputs)
	w.Suggestions(ctx, out.Conversation.ID, false)
	if len(a.inputs) != n {
		t.Error("the assistant was asked without draft")
	}
}

func TestProfileShowsWhatIsConfigured(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	out := h.say(t, "v", "转人工")
	cust := out.Conversation.CustomerID
	w := h.workspace(nil, nil, nil)
	p, err := w.Profile(ctx, cust)
	if err != nil {
		t.Fatal(err)
	}
	if p.RecordsStatus != appliance.SectionNotConfigured || p.TicketsStatus != appliance.SectionNotConfigured ||
		len(p.Records) != 0 || len(p.Conversations) != 1 || p.VIP.VIP {
		t.Errorf("bare profile: %+v", p)
	}
	failing := businessFunc(func(*appliance.Customer) ([]appliance.BusinessRecord, error) { return nil, errors.New("erp down") })
	tickets := &fakeTickets{}
	tickets.CreateTicket(ctx, &appliance.Ticket{Type: "return", CustomerID: cust, Title: "退货"})
	h.s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: 99, CustomerID: cust, Score: 5})
	h.s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: 98, CustomerID: cust, Score: 4})
	p, err = h.workspace(nil, failing, tickets).Profile(ctx, cust)
	if err != nil {
		t.Fatal(err)
	}
	if p.RecordsStatus != appliance.SectionUnavailable || p.TicketsStatus != appliance.SectionOK || len(p.Tickets) != 1 ||
		len(p.CSAT) != 2 || p.CSATAverage != 4.5 {
		t.Errorf("profile: records %s tickets %s (%d) csat %d avg %v", p.RecordsStatus, p.TicketsStatus, len(p.Tickets), len(p.CSAT), p.CSATAverage)
	}
}

func TestProfileUpdate(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	out := h.say(t, "v", "你好")
	w := h.workspace(nil, nil, nil)
	tags := []string{" 老客户 ", "老客户", "", "VIP"}
	level := 2
	attrs := map[string]string{"yearly_spend": "12800", "城市": "上海", "empty": " "}
	before, after, err := w.UpdateProfile(ctx, out.Conversation.CustomerID, appliance.ProfileUpdate{Tags: &tags, VIPLevel: &level, Attributes: &attrs})
	if err != nil {
		t.Fatal(err)
	}
	if before.VIPLevel != 0 || len(before.Tags) != 0 {
		t.Errorf("before: %+v", before)
	}
	got, _ := h.s.Customer(ctx, out.Conversation.CustomerID)
	if strings.Join(got.Tags, ",") != "老客户,VIP" || got.VIPLevel != 2 || got.Attributes["城市"] != "上海" || len(got.Attributes) != 2 || after.VIPLevel != 2 {
		t.Errorf("stored: %+v", got)
	}
	// Partial: only the level changes.
	zero := 0
	if _, _, err := w.UpdateProfile(ctx, got.ID, appliance.ProfileUpdate{VIPLevel: &zero}); err != nil {
		t.Fatal(err)
	}
	got, _ = h.s.Customer(ctx, got.ID)
	if got.VIPLevel != 0 || len(got.Tags) != 2 {
		t.Errorf("partial update: %+v", got)
	}
	long := strings.Repeat("长", 33)
	bad := 10
	badAttrs := map[string]string{"has space": "x"}
	for _, c := range []struct {
		u    appliance.ProfileUpdate
		code string
	}{
		{appliance.ProfileUpdate{}, "empty_update"},
		{appliance.ProfileUpdate{Tags: &[]string{long}}, "tag_too_long"},
		{appliance.ProfileUpdate{VIPLevel: &bad}, "invalid_vip_level"},
		{appliance.ProfileUpdate{Attributes: &badAttrs}, "invalid_attribute"},
	} {
		if _, _, err := w.UpdateProfile(ctx, got.ID, c.u); appliance.ErrorCode(err) != c.code {
			t.Errorf("update %+v: got %v, want %s", c.u, err, c.code)
		}
	}
	if _, _, err := w.UpdateProfile(ctx, 424242, appliance.ProfileUpdate{VIPLevel: &zero}); !appliance.IsNotFound(err) {
		t.Errorf("unknown customer: got %v", err)
	}
}

// Wired through a Relay, every hand-off starts its written summary and
// kicks the router, without anyone asking.
func TestRelayStartsSummaryAndRouting(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	relay := appliance.NewRelay(h.rec)
	a := &scriptedAssistant{summary: "客户要求人工服务。"}
	e := appliance.NewEngine(appliance.EngineConfig{Store: h.s, Knowledge: knowledge.NewFAQMatcher(demoFAQ), Notifier: relay,
		NLU: scriptedNLU{}, Now: h.clock.Now, Handoff: h.cfg})
	r := appliance.NewRouter(appliance.RouterConfig{Policy: h.policy, Store: h.s, Notifier: h.rec, Now: h.clock.Now})
	w := appliance.NewWorkspace(appliance.WorkspaceConfig{Engine: e, Router: r, Store: h.s, Assistant: a, CSATs: h.s})
	relay.Observe(r.Observe)
	relay.Observe(w.Observe)
	agent := h.user(t, "a", appliance.RoleAgent, false)
	out, err := e.Receive(ctx, web("v", "1", "转人工"))
	if err != nil {
		t.Fatal(err)
	}
	w.Wait()
	if c, _ := h.s.Conversation(ctx, out.Conversation.ID); c.Summary != a.summary {
		t.Errorf("summary after the hand-off: %q, want the assistant's", c.Summary)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(rctx, e); close(done) }()
	deadline := time.Now().Add(2 * time.Second)
	for h.conv(t, out.Conversation.ID).AssigneeID != agent.ID {
		if time.Now().After(deadline) {
			t.Fatal("the running router did not route the hand-off")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// TestFactText: entities the task did not keep are written as the customer
// said them, with the day a relative date meant and a budget as its range.
func TestFactText(t *testing.T) {
	for _, tc := range []struct {
		e    nlu.Entity
		want string
	}{
		{nlu.Entity{Type: "date", Text: "下周五", Value: "2026-12-04"}, "下周五（12月4日）"},
		{nlu.Entity{Type: "date", Text: "12月4日", Value: "2026-12-04"}, "12月4日"},
		{nlu.Entity{Type: "money_range", Text: "预算500以内", Value: "0-500"}, "500元以内"},
		{nlu.Entity{Type: "money_range", Text: "三百到五百", Value: "300-500"}, "300-500元"},
		{nlu.Entity{Type: "place", Text: "杭州", Value: "杭州"}, "杭州"},
	} {
		if got := appliance.FactText(tc.e); got != tc.want {
			t.Errorf("FactText(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
	s := appliance.HandoffSummary{Entities: []nlu.Entity{{Type: "money_range", Text: "预算500以内", Value: "0-500"}}}
	if got, want := s.Render(), "已知信息：预算 500元以内。"; got != want {
		t.Errorf("Render: got %q, want %q", got, want)
	}
}
