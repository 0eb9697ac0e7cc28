package appliance_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
)

func TestHandoffTriggers(t *testing.T) {
	cases := []struct {
		name       string
		vipLevel   int
		say        []string // the last message triggers the hand-off
		reason     string
		group      string
		priority   int
		notice     string
		vipDirect  bool
		noteSubstr string
	}{
		{name: "explicit request", say: []string{"转人工"}, reason: "customer_request", notice: "正在为您转接人工客服"},
		{name: "English request", say: []string{"talk to a human please"}, reason: "customer_request", notice: "Connecting you"},
		{name: "intent policy", say: []string{"商品破损怎么赔"}, reason: "intent_policy", group: "售后", notice: "正在为您转接"},
		{name: "group follows the dialogue", say: []string{"我的快递到哪了", "转人工"}, reason: "customer_request", group: "售后"},
		{name: "complaint words", say: []string{"我要投诉你们"}, reason: "complaint", priority: 5, notice: "非常抱歉"},
		{name: "negative sentiment", say: []string{"你们真是太差劲了，垃圾，骗子"}, reason: "negative_sentiment", priority: 5, notice: "非常抱歉"},
		{name: "unsure twice", say: []string{"火星上能收快递吗", "量子纠缠怎么退"}, reason: "low_confidence", notice: "可能回答不好"},
		{name: "VIP priority", vipLevel: 2, say: []string{"转人工"}, reason: "customer_request", priority: 10, noteSubstr: "vip:vip_level"},
		{name: "VIP direct", vipLevel: 1, vipDirect: true, say: []string{"在吗", "运费怎么算"}, reason: "vip", priority: 10, notice: "专属人工客服"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHandoffEnv(t, func(ec *appliance.EngineConfig) { ec.Handoff.VIPDirect = c.vipDirect })
			ctx := context.Background()
			if c.vipLevel > 0 {
				first := h.say(t, "v", "你好")
				cust, _ := h.s.Customer(ctx, first.Conversation.CustomerID)
				cust.VIPLevel = c.vipLevel
				if err := h.s.UpdateCustomer(ctx, cust); err != nil {
					t.Fatal(err)
				}
			}
			var out *appliance.Outcome
			for i, text := range c.say {
				out = h.say(t, "v", text)
				if i < len(c.say)-1 && out.Conversation.Status != appliance.StatusBot {
					t.Fatalf("%q handed off early: %s", text, out.Conversation.HandoffReason)
				}
			}
			conv := out.Conversation
			if conv.Status != appliance.StatusQueued || conv.HandoffReason != c.reason {
				t.Fatalf("got status %s reason %q, want queued/%s", conv.Status, conv.HandoffReason, c.reason)
			}
			if conv.SkillGroup != c.group || conv.Priority != c.priority {
				t.Errorf("got group %q priority %d, want %q/%d", conv.SkillGroup, conv.Priority, c.group, c.priority)
			}
			stored := h.conv(t, conv.ID)
			if stored.Status != appliance.StatusQueued || stored.HandoffAt == nil {
				t.Errorf("stored conversation: %+v, want queued with a hand-off time", stored)
			}
			if len(out.Replies) != 1 || out.Replies[0].Sender != appliance.SenderSystem || !strings.Contains(out.Replies[0].Text, c.notice) {
				t.Errorf("replies: got %s, want one system notice containing %q", texts(out.Replies), c.notice)
			}
			d := h.decision(t, out)
			if d.Policy != appliance.PolicyHandoff || d.Handoff != c.reason {
				t.Errorf("decision: policy %q handoff %q, want handoff/%s", d.Policy, d.Handoff, c.reason)
			}
			if c.noteSubstr != "" && !strings.Contains(strings.Join(d.Notes, ","), c.noteSubstr) {
				t.Errorf("decision notes %v, want %q", d.Notes, c.noteSubstr)
			}
		})
	}
}

func TestUnsureStreakResetsOnAnAnswer(t *testing.T) {
	h := newHandoffEnv(t, nil)
	first := h.say(t, "v", "火星上能收快递吗")
	if first.Conversation.Status != appliance.StatusBot || !strings.Contains(first.Replies[0].Text, "暂时无法回答") {
		t.Fatalf("first unsure turn: got %s %s, want the bot's don't-know", first.Conversation.Status, texts(first.Replies))
	}
	if ans := h.say(t, "v", "运费怎么算"); ans.Replies[0].Text != demoFAQ[0].Answer {
		t.Fatalf("answer: got %s", texts(ans.Replies))
	}
	again := h.say(t, "v", "量子纠缠怎么退")
	if again.Conversation.Status != appliance.StatusBot {
		t.Fatalf("an answer in between must reset the streak; got %s after one more unsure turn", again.Conversation.Status)
	}
	// Small talk neither resets nor extends it.
	if g := h.say(t, "v", "谢谢"); g.Conversation.Status != appliance.StatusBot {
		t.Fatalf("thanks handed off")
	}
	last := h.say(t, "v", "黑洞能发货吗")
	if last.Conversation.Status != appliance.StatusQueued || last.Conversation.HandoffReason != appliance.ReasonLowConfidence {
		t.Fatalf("second unsure turn in a row: got %s/%s, want queued/low_confidence", last.Conversation.Status, last.Conversation.HandoffReason)
	}
	if strings.Contains(texts(last.Replies), "暂时无法回答") {
		t.Errorf("the bot said it does not know and handed off at once: %s", texts(last.Replies))
	}
	// The streak is stored with the conversation: reset after the hand-off.
	f, err := h.s.HandoffFlags(context.Background(), last.Conversation.ID)
	if err != nil || f.UnsureTurns != 0 {
		t.Errorf("flags after hand-off: %+v, %v; want the streak reset", f, err)
	}
}

// The states where helpdesks have bugs: a bot replying after the hand-off,
// and a closed conversation that never returns to the bot.
func TestBotSilentWhileHumanOwnedAndBackAfterClose(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "a1", appliance.RoleAgent, false)
	out := h.say(t, "v", "转人工")
	id := out.Conversation.ID

	check := func(stage string) {
		t.Helper()
		for _, text := range []string{"运费怎么算", "在吗", "我要投诉", "火星上能收快递吗", "转人工", "5"} {
			o := h.say(t, "v", text)
			if len(o.Replies) != 0 || o.Conversation.ID != id {
				t.Fatalf("%s: %q got replies %s in conversation %d, want silence in %d", stage, text, texts(o.Replies), o.Conversation.ID, id)
			}
			if d := h.decision(t, o); d.Policy != appliance.PolicyHumanOwned {
				t.Errorf("%s: %q decision %q, want human_owned", stage, text, d.Policy)
			}
		}
	}
	check("queued")
	if _, err := h.e.Route(ctx, id, agent); err != nil {
		t.Fatal(err)
	}
	check("routed")
	if _, err := h.e.Take(ctx, id, agent); err != nil {
		t.Fatal(err)
	}
	check("assigned")
	if _, err := h.e.AgentSend(ctx, id, agent, "您好", false); err != nil {
		t.Fatal(err)
	}
	check("assigned after a reply")
	if _, err := h.e.Close(ctx, id, agent); err != nil {
		t.Fatal(err)
	}
	back := h.say(t, "v", "运费怎么算")
	if back.Conversation.ID == id || back.Conversation.Status != appliance.StatusBot || len(back.Replies) != 1 || back.Replies[0].Text != demoFAQ[0].Answer {
		t.Fatalf("after close: conversation %d (%s) replies %s; want a new bot conversation answering", back.Conversation.ID, back.Conversation.Status, texts(back.Replies))
	}
	// And the next hand-off of the returning customer works again.
	again := h.say(t, "v", "转人工")
	if again.Conversation.ID != back.Conversation.ID || again.Conversation.Status != appliance.StatusQueued {
		t.Fatalf("second hand-off: got %d/%s", again.Conversation.ID, again.Conversation.Status)
	}
}

// A customer writing while an agent takes or closes the conversation never
// gets a bot reply inside a human-owned conversation, whatever the interleaving.
func TestNoBotReplyRacingTheHandoff(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "a1", appliance.RoleAgent, false)
	for round := range 5 {
		visitor := "race" + string(rune('a'+round))
		first := h.say(t, visitor, "在吗")
		id := first.Conversation.ID
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := h.e.Take(ctx, id, agent); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 5 {
				if _, err := h.e.Receive(ctx, web(visitor, "r"+string(rune('0'+i)), "运费怎么算")); err != nil {
					t.Error(err)
				}
			}
		}()
		wg.Wait()
		msgs, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: id})
		owned := false
		for _, m := range msgs {
			if m.Sender == appliance.SenderCustomer && m.Decision != nil && m.Decision.Policy == appliance.PolicyHumanOwned {
				owned = true
			}
			if owned && m.Sender == appliance.SenderBot {
				t.Fatalf("round %d: the bot replied after the agent took over: %s", round, texts(msgs))
			}
		}
		if !owned {
			// The take landed after every message: fine, but then nothing
			// was silent; check the conversation is the agent's.
			if c := h.conv(t, id); c.Status != appliance.StatusAssigned {
				t.Fatalf("round %d: status %s", round, c.Status)
			}
		}
		if _, err := h.e.Close(ctx, id, agent); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAfterHoursLeavesATicket(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	h.clock.Advance(12 * time.Hour) // 22:00 in Shanghai
	out := h.say(t, "night", "转人工")
	if out.Conversation.Status != appliance.StatusBot {
		t.Fatalf("after hours: status %s, want the conversation to stay with the bot", out.Conversation.Status)
	}
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "非工作时间") || !strings.Contains(out.Replies[0].Text, "每天 09:00-21:00") {
		t.Fatalf("after-hours notice: got %s", texts(out.Replies))
	}
	if d := h.decision(t, out); d.Policy != appliance.PolicyAfterHours {
		t.Errorf("decision %q, want after_hours", d.Policy)
	}
	left := h.say(t, "night", "我的订单 2026112400123 一直没发货，请明天联系我")
	if len(h.tickets.list) != 1 {
		t.Fatalf("got %d tickets, want the left message as one ticket", len(h.tickets.list))
	}
	tk := h.tickets.list[0]
	if tk.Type != "message" || tk.Body != "我的订单 2026112400123 一直没发货，请明天联系我" || tk.CustomerID != left.Conversation.CustomerID ||
		tk.ConversationID != left.Conversation.ID || tk.Channel != "web" {
		t.Errorf("ticket: got %+v", tk)
	}
	if len(left.Replies) != 1 || !strings.Contains(left.Replies[0].Text, "#1") {
		t.Errorf("confirmation: got %s, want the ticket number", texts(left.Replies))
	}
	// One message, one ticket: the next message goes to the bot.
	next := h.say(t, "night", "运费怎么算")
	if len(h.tickets.list) != 1 || next.Replies[0].Text != demoFAQ[0].Answer {
		t.Errorf("after the message: %d tickets, replies %s", len(h.tickets.list), texts(next.Replies))
	}
	if f, _ := h.s.HandoffFlags(ctx, left.Conversation.ID); f.Awaiting != "" {
		t.Errorf("flags after the message: %+v", f)
	}

	// In the morning a hand-off queues again.
	h.clock.Advance(12 * time.Hour)
	if m := h.say(t, "night", "转人工"); m.Conversation.Status != appliance.StatusQueued {
		t.Errorf("morning hand-off: status %s, want queued", m.Conversation.Status)
	}
}

func TestAfterHoursInvitationExpiresWhenAgentsAreBack(t *testing.T) {
	h := newHandoffEnv(t, nil)
	h.clock.Advance(12 * time.Hour)
	h.say(t, "late", "人工客服")
	h.clock.Advance(11 * time.Hour) // 09:00 next day
	out := h.say(t, "late", "运费怎么算")
	if len(h.tickets.list) != 0 || out.Replies[0].Text != demoFAQ[0].Answer {
		t.Errorf("during working hours the message goes to the bot: %d tickets, replies %s", len(h.tickets.list), texts(out.Replies))
	}
}

func TestAfterHoursWithoutTicketsQueuesForTheMorning(t *testing.T) {
	h := newHandoffEnv(t, func(ec *appliance.EngineConfig) { ec.Tickets = nil })
	h.clock.Advance(12 * time.Hour)
	out := h.say(t, "night", "转人工")
	if out.Conversation.Status != appliance.StatusQueued || !strings.Contains(texts(out.Replies), "上班后会第一时间回复您") {
		t.Errorf("got %s %s, want queued with the after-hours notice", out.Conversation.Status, texts(out.Replies))
	}
}

func TestCSATAfterClose(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "a1", appliance.RoleAgent, false)
	out := h.say(t, "v", "转人工")
	id, cust := out.Conversation.ID, out.Conversation.CustomerID
	if _, err := h.e.RateConversation(ctx, id, cust, 5, ""); appliance.ErrorCode(err) != "conversation_open" {
		t.Errorf("rating an open conversation: got %v, want conversation_open", err)
	}
	h.e.Take(ctx, id, agent)
	h.e.AgentSend(ctx, id, agent, "已为您处理", false)
	if _, err := h.e.Close(ctx, id, agent); err != nil {
		t.Fatal(err)
	}
	msgs, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: id})
	last := msgs[len(msgs)-1]
	if last.Sender != appliance.SenderSystem || !strings.Contains(last.Text, "1-5") || !strings.Contains(string(last.Payload), `"csat"`) {
		t.Fatalf("the survey: last message %+v (payload %s)", last, last.Payload)
	}
	for _, c := range []struct {
		score    int
		customer int64
		code     string
	}{{0, cust, "invalid_score"}, {6, cust, "invalid_score"}, {5, cust + 100, "conversation_not_found"}} {
		if _, err := h.e.RateConversation(ctx, id, c.customer, c.score, ""); appliance.ErrorCode(err) != c.code {
			t.Errorf("score %d by customer %d: got %v, want %s", c.score, c.customer, err, c.code)
		}
	}
	r, err := h.e.RateConversation(ctx, id, cust, 4, "挺快的")
	if err != nil || r.AgentID != agent.ID || r.Channel != "web" {
		t.Fatalf("rate: %+v, %v", r, err)
	}
	if _, err := h.e.RateConversation(ctx, id, cust, 1, ""); appliance.ErrorCode(err) != "already_rated" {
		t.Errorf("second rating: got %v, want already_rated", err)
	}
	got, _ := h.s.CSAT(ctx, id)
	if got == nil || got.Score != 4 || got.Comment != "挺快的" {
		t.Errorf("stored score: %+v", got)
	}
	// A typed "5" after the rating is just a message to the bot.
	if o := h.say(t, "v", "5"); h.decision(t, o).Policy == appliance.PolicyCSAT {
		t.Errorf("a second score was taken")
	}
}

func TestCSATTypedOnChannelsWithoutButtons(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "a1", appliance.RoleAgent, false)
	out := h.say(t, "v", "转人工")
	h.e.Take(ctx, out.Conversation.ID, agent)
	h.e.AgentSend(ctx, out.Conversation.ID, agent, "已为您处理", false)
	h.e.Close(ctx, out.Conversation.ID, agent)
	reply := h.say(t, "v", "5分")
	if len(reply.Replies) != 1 || !strings.Contains(reply.Replies[0].Text, "感谢您的评价") {
		t.Fatalf("typed score: got %s", texts(reply.Replies))
	}
	got, err := h.s.CSAT(ctx, out.Conversation.ID)
	if err != nil || got.Score != 5 || got.AgentID != agent.ID {
		t.Errorf("stored: %+v, %v", got, err)
	}
	// Outside the window, "3" is an ordinary message.
	out2 := h.say(t, "w", "转人工")
	h.e.AgentSend(ctx, out2.Conversation.ID, agent, "您好", false)
	h.e.Close(ctx, out2.Conversation.ID, agent)
	// Taken and closed without a word from the agent: no survey.
	silent := h.say(t, "x", "转人工")
	h.e.Take(ctx, silent.Conversation.ID, agent)
	h.e.Close(ctx, silent.Conversation.ID, agent)
	if msgs, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: silent.Conversation.ID}); strings.Contains(texts(msgs), "1-5") {
		t.Errorf("a conversation no agent answered was surveyed: %s", texts(msgs))
	}
	if o := h.say(t, "x", "4"); h.decision(t, o).Policy == appliance.PolicyCSAT {
		t.Errorf("a score was taken for a conversation without a survey")
	}
	h.clock.Advance(25 * time.Hour)
	if o := h.say(t, "w", "3"); h.decision(t, o).Policy == appliance.PolicyCSAT {
		t.Errorf("a score was taken after the survey window")
	}
}

func TestParseScore(t *testing.T) {
	for in, want := range map[string]int{"5": 5, " 4分 ": 4, "３": 3, "1星": 1, "非常满意": 5, "不满意": 2, "满意！": 4} {
		if got, ok := appliance.ParseScore(in); !ok || got != want {
			t.Errorf("ParseScore(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"0", "6", "12", "满意度很低", "5 个", ""} {
		if got, ok := appliance.ParseScore(in); ok {
			t.Errorf("ParseScore(%q) = %d; want no score", in, got)
		}
	}
}
