package appliance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

func (h *handoffEnv) router() *appliance.Router {
	return appliance.NewRouter(appliance.RouterConfig{Policy: h.policy, Store: h.s, Notifier: h.rec, Now: h.clock.Now})
}

func (h *handoffEnv) dispatch(t *testing.T, r *appliance.Router) int {
	t.Helper()
	n, err := r.Dispatch(context.Background(), h.e)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (h *handoffEnv) vip(t *testing.T, visitor string) {
	t.Helper()
	ctx := context.Background()
	out := h.say(t, visitor, "你好")
	cust, _ := h.s.Customer(ctx, out.Conversation.CustomerID)
	cust.Attributes["yearly_spend"] = "¥12,800.00"
	if err := h.s.UpdateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
}

func TestRoutingVIPToSeniorOrdinaryToOthers(t *testing.T) {
	h := newHandoffEnv(t, nil)
	junior := h.user(t, "junior", appliance.RoleAgent, false, "售后")
	senior := h.user(t, "senior", appliance.RoleAgent, true, "售后", "金融业务")
	h.user(t, "boss", appliance.RoleSupervisor, true, "售后", "金融业务") // supervisors are never routed to
	r := h.router()

	h.vip(t, "vip")
	ordinary := h.say(t, "ord", "商品破损怎么赔") // 售后
	vip := h.say(t, "vip", "商品破损怎么赔")
	if vip.Conversation.Priority != 10 || ordinary.Conversation.Priority != 0 {
		t.Fatalf("priorities: vip %d ordinary %d, want 10 and 0 (yearly spend ¥12,800 ≥ 10,000)", vip.Conversation.Priority, ordinary.Conversation.Priority)
	}
	if n := h.dispatch(t, r); n != 2 {
		t.Fatalf("routed %d, want 2", n)
	}
	if c := h.conv(t, vip.Conversation.ID); c.AssigneeID != senior.ID || c.Status != appliance.StatusQueued {
		t.Errorf("VIP: assignee %d status %s, want offered to the senior agent %d", c.AssigneeID, c.Status, senior.ID)
	}
	if c := h.conv(t, ordinary.Conversation.ID); c.AssigneeID != junior.ID {
		t.Errorf("ordinary: assignee %d, want the non-senior agent %d", c.AssigneeID, junior.ID)
	}
	// Routing is audited as the system's decision.
	audit, _ := h.s.Audit(context.Background(), appliance.AuditFilter{Action: "conversation.route"})
	if len(audit) != 2 || audit[0].ActorType != "system" {
		t.Errorf("route audit: %+v", audit)
	}
	// The offered agent takes it; the bot stays silent throughout.
	if _, err := h.e.Take(context.Background(), vip.Conversation.ID, senior); err != nil {
		t.Fatal(err)
	}
}

func TestRoutingFallsBackWhenThePreferredKindIsFull(t *testing.T) {
	h := newHandoffEnv(t, nil)
	junior := h.user(t, "junior", appliance.RoleAgent, false)
	senior := h.user(t, "senior", appliance.RoleAgent, true)
	r := h.router()
	// Senior away: a VIP goes to whoever has capacity rather than wait.
	senior.Status = appliance.AgentAway
	h.s.UpdateUser(context.Background(), senior)
	h.vip(t, "vip")
	vip := h.say(t, "vip", "转人工")
	h.dispatch(t, r)
	if c := h.conv(t, vip.Conversation.ID); c.AssigneeID != junior.ID {
		t.Errorf("VIP with no senior online: assignee %d, want %d", c.AssigneeID, junior.ID)
	}
	// Junior full (2 of 2 after one more): ordinary customers go to the senior.
	senior.Status = appliance.AgentOnline
	h.s.UpdateUser(context.Background(), senior)
	o1 := h.say(t, "o1", "转人工")
	h.dispatch(t, r)
	o2 := h.say(t, "o2", "转人工")
	h.dispatch(t, r)
	if a, b := h.conv(t, o1.Conversation.ID).AssigneeID, h.conv(t, o2.Conversation.ID).AssigneeID; a != junior.ID || b != senior.ID {
		t.Errorf("ordinary: got %d then %d, want junior %d then (junior full) senior %d", a, b, junior.ID, senior.ID)
	}
}

func TestRoutingCapacityStatusAndSkills(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	finance := h.user(t, "finance", appliance.RoleAgent, false, "金融业务")
	sales := h.user(t, "sales", appliance.RoleAgent, false, "售后")
	r := h.router()

	// A 售后 claim never goes to the finance agent, even when sales is busy.
	sales.Status = appliance.AgentBusy
	h.s.UpdateUser(ctx, sales)
	claim := h.say(t, "c1", "商品破损怎么赔")
	if n := h.dispatch(t, r); n != 0 {
		t.Fatalf("routed %d while the only 售后 agent is busy, want 0", n)
	}
	if c := h.conv(t, claim.Conversation.ID); c.AssigneeID != 0 {
		t.Fatalf("claim offered to %d", c.AssigneeID)
	}
	// Online again: routed within capacity (2), then the rest waits.
	sales.Status = appliance.AgentOnline
	h.s.UpdateUser(ctx, sales)
	claim2 := h.say(t, "c2", "商品破损怎么赔")
	claim3 := h.say(t, "c3", "商品破损怎么赔")
	if n := h.dispatch(t, r); n != 2 {
		t.Fatalf("routed %d, want 2 (sales' capacity)", n)
	}
	if a := h.conv(t, claim3.Conversation.ID).AssigneeID; a != 0 {
		t.Errorf("third claim offered to %d beyond capacity", a)
	}
	if a, b := h.conv(t, claim.Conversation.ID).AssigneeID, h.conv(t, claim2.Conversation.ID).AssigneeID; a != sales.ID || b != sales.ID {
		t.Errorf("first two: %d, %d; want both with sales (oldest first)", a, b)
	}
	// A group nobody has is served by anyone rather than never.
	loan := h.say(t, "c4", "转人工")
	h.e.Transfer(ctx, loan.Conversation.ID, finance, appliance.TransferTarget{Group: "不存在的组"})
	h.dispatch(t, r)
	if a := h.conv(t, loan.Conversation.ID).AssigneeID; a != finance.ID {
		t.Errorf("unknown group: offered to %d, want anyone with capacity (%d)", a, finance.ID)
	}
	// Closing frees capacity: the waiting claim goes to sales.
	h.e.Take(ctx, claim.Conversation.ID, sales)
	h.e.Close(ctx, claim.Conversation.ID, sales)
	h.dispatch(t, r)
	if a := h.conv(t, claim3.Conversation.ID).AssigneeID; a != sales.ID {
		t.Errorf("after a close: third claim offered to %d, want sales %d", a, sales.ID)
	}
	// An agent who goes offline loses the offers they have not taken.
	sales.Status = appliance.AgentOffline
	h.s.UpdateUser(ctx, sales)
	h.dispatch(t, r)
	if a := h.conv(t, claim2.Conversation.ID).AssigneeID; a != 0 {
		t.Errorf("offline agent still holds an offer: %d", a)
	}
}

func TestQueueOrderPriorityThenWaitingTime(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "only", appliance.RoleAgent, false)
	agent.MaxConcurrent = 1
	h.s.UpdateUser(ctx, agent)
	r := h.router()
	first := h.say(t, "early", "转人工")
	h.say(t, "late", "转人工")
	angry := h.say(t, "angry", "我要投诉") // later, but a complaint
	h.dispatch(t, r)
	if a := h.conv(t, angry.Conversation.ID).AssigneeID; a != agent.ID {
		t.Fatalf("complaint (priority 5) not first: offered to %d", a)
	}
	h.e.Take(ctx, angry.Conversation.ID, agent)
	h.e.Close(ctx, angry.Conversation.ID, agent)
	h.dispatch(t, r)
	if a := h.conv(t, first.Conversation.ID).AssigneeID; a != agent.ID {
		t.Errorf("then the longest wait: first offered to %d", a)
	}
}

func TestTransferKeepsHistory(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	a := h.user(t, "a", appliance.RoleAgent, false, "售后")
	b := h.user(t, "b", appliance.RoleAgent, true, "金融业务")
	other := h.user(t, "c", appliance.RoleAgent, false)
	boss := h.user(t, "boss", appliance.RoleSupervisor, true)
	out := h.say(t, "v", "我的快递到哪了")
	h.say(t, "v", "转人工")
	id := out.Conversation.ID
	h.e.Take(ctx, id, a)
	h.e.AgentSend(ctx, id, a, "请稍等，我帮您查一下", false)

	if _, err := h.e.Transfer(ctx, id, other, appliance.TransferTarget{Agent: b}); appliance.ErrorCode(err) != "not_assignee" {
		t.Errorf("transfer by an agent who does not own it: got %v, want not_assignee", err)
	}
	c, err := h.e.Transfer(ctx, id, a, appliance.TransferTarget{Agent: b, Note: "客户问理财赎回"})
	if err != nil || c.Status != appliance.StatusAssigned || c.AssigneeID != b.ID {
		t.Fatalf("transfer to agent: %+v, %v", c, err)
	}
	msgs, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: id})
	all := texts(msgs)
	for _, want := range []string{"我的快递到哪了", "转人工", "请稍等，我帮您查一下", "a 转接给 b：客户问理财赎回", "正在为您转接其他客服"} {
		if !strings.Contains(all, want) {
			t.Errorf("history after transfer lacks %q: %s", want, all)
		}
	}
	visible, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: id, CustomerOnly: true})
	if strings.Contains(texts(visible), "客户问理财赎回") {
		t.Errorf("the customer sees the transfer note")
	}
	if _, err := h.e.AgentSend(ctx, id, a, "还在吗", false); appliance.ErrorCode(err) != "not_assignee" {
		t.Errorf("the previous agent replies after the transfer: got %v, want not_assignee", err)
	}
	// A supervisor moves it to a group's queue; the router offers it there.
	c, err = h.e.Transfer(ctx, id, boss, appliance.TransferTarget{Group: "售后"})
	if err != nil || c.Status != appliance.StatusQueued || c.AssigneeID != 0 || c.SkillGroup != "售后" || c.HandoffAt == nil {
		t.Fatalf("transfer to group: %+v, %v", c, err)
	}
	if out := h.say(t, "v", "运费怎么算"); len(out.Replies) != 0 {
		t.Errorf("the bot answered in the group's queue: %s", texts(out.Replies))
	}
	h.dispatch(t, h.router())
	if got := h.conv(t, id).AssigneeID; got != a.ID {
		t.Errorf("offered to %d, want the only 售后 agent %d", got, a.ID)
	}
	audit, _ := h.s.Audit(ctx, appliance.AuditFilter{Action: "conversation.transfer"})
	if len(audit) != 2 {
		t.Errorf("got %d transfer audit entries, want 2", len(audit))
	}
	// Bad transfers.
	bot := h.say(t, "x", "在吗")
	if _, err := h.e.Transfer(ctx, bot.Conversation.ID, boss, appliance.TransferTarget{Agent: a}); appliance.ErrorCode(err) != "not_human_owned" {
		t.Errorf("transfer of a bot conversation: got %v, want not_human_owned", err)
	}
	if _, err := h.e.Transfer(ctx, id, boss, appliance.TransferTarget{}); appliance.ErrorCode(err) != "bad_transfer_target" {
		t.Errorf("transfer nowhere: got %v, want bad_transfer_target", err)
	}
}

func alertsOf(rec *recorder) []appliance.Alert {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []appliance.Alert
	for _, e := range rec.events {
		if e.Type == appliance.EventAlert {
			out = append(out, *e.Alert)
		}
	}
	return out
}

func TestWaitingAlerts(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	agent := h.user(t, "a", appliance.RoleAgent, false)
	r := h.router()
	out := h.say(t, "v", "转人工")
	id := out.Conversation.ID
	h.dispatch(t, r)

	h.clock.Advance(119 * time.Second)
	if n, _ := r.CheckWaits(ctx); n != 0 {
		t.Fatalf("alerted after 119 s, want the 120 s threshold")
	}
	h.clock.Advance(time.Second)
	if n, err := r.CheckWaits(ctx); n != 1 || err != nil {
		t.Fatalf("at 120 s: %d alerts, %v; want 1", n, err)
	}
	al := alertsOf(h.rec)
	if len(al) != 2 || al[0].UserID != 0 || al[1].UserID != agent.ID || al[0].ConversationID != id ||
		al[0].Text != "该用户已等待 120 秒，请尽快处理" {
		t.Fatalf("alerts: %+v; want one for supervisors (user 0) and one for the offered agent", al)
	}
	h.clock.Advance(30 * time.Second)
	if n, _ := r.CheckWaits(ctx); n != 0 {
		t.Errorf("the same wait alerted twice")
	}
	// An agent reply ends the wait; a new question starts a new one.
	h.e.AgentSend(ctx, id, agent, "您好", false)
	h.clock.Advance(10 * time.Minute)
	if n, _ := r.CheckWaits(ctx); n != 0 {
		t.Errorf("alerted while nothing was unanswered")
	}
	h.say(t, "v", "还在吗")
	h.clock.Advance(60 * time.Second)
	if n, _ := r.CheckWaits(ctx); n != 0 {
		t.Errorf("alerted 60 s into the second wait")
	}
	h.clock.Advance(60 * time.Second)
	if n, _ := r.CheckWaits(ctx); n != 1 {
		t.Errorf("second wait: %d alerts, want 1", n)
	}
}

func TestWorkingHoursAndGroups(t *testing.T) {
	w, err := appliance.ParseWorkingHours("09:00-18:00", "1-5", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 24, 9, 0, 0, 0, zone), true},   // Tuesday 09:00
		{time.Date(2026, 11, 24, 17, 59, 0, 0, zone), true}, // Tuesday 17:59
		{time.Date(2026, 11, 24, 18, 0, 0, 0, zone), false},
		{time.Date(2026, 11, 28, 10, 0, 0, 0, zone), false},   // Saturday
		{time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), true}, // 10:00 in Shanghai
	} {
		if got := w.Open(c.at); got != c.open {
			t.Errorf("Open(%v) = %v, want %v", c.at, got, c.open)
		}
	}
	if s := w.String(); s != "周一至周五 09:00-18:00" {
		t.Errorf("String() = %q", s)
	}
	for _, bad := range [][3]string{{"18:00-09:00", "1-5", "Asia/Shanghai"}, {"9-18", "1-5", "Asia/Shanghai"},
		{"09:00-18:00", "0-5", "Asia/Shanghai"}, {"09:00-18:00", "1-5", "Mars/Base"}, {"09:00-25:00", "1", "UTC"}} {
		if _, err := appliance.ParseWorkingHours(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("ParseWorkingHours(%q) accepted", bad)
		}
	}
	if (appliance.WorkingHours{}).Open(time.Now()) != true {
		t.Error("zero working hours must mean always open")
	}

	groups, err := appliance.ParseSkillGroups([]string{"售后=30s/10s", "金融业务=1m", "课程顾问"})
	if err != nil {
		t.Fatal(err)
	}
	pol := &appliance.RoutingPolicy{Groups: groups, Target: 45 * time.Second, VIPTarget: 15 * time.Second}
	for name, want := range map[string][2]time.Duration{"售后": {30 * time.Second, 10 * time.Second},
		"金融业务": {time.Minute, 15 * time.Second}, "课程顾问": {45 * time.Second, 15 * time.Second}} {
		g := pol.Group(name)
		if g.Target != want[0] || g.VIPTarget != want[1] {
			t.Errorf("group %s: targets %v/%v, want %v/%v", name, g.Target, g.VIPTarget, want[0], want[1])
		}
	}
	for _, bad := range [][]string{{"=30s"}, {"a", "a"}, {"a=fast"}, {"a=30s/-1s"}} {
		if _, err := appliance.ParseSkillGroups(bad); err == nil {
			t.Errorf("ParseSkillGroups(%q) accepted", bad)
		}
	}
}

func TestVIPRule(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	biz := businessFunc(func(c *appliance.Customer) ([]appliance.BusinessRecord, error) {
		return []appliance.BusinessRecord{
			{Kind: "order", Amount: "¥6,000.00", Date: now.AddDate(0, -2, 0)},
			{Kind: "purchase", Amount: "4200元", Date: now.AddDate(0, -11, 0)},
			{Kind: "order", Amount: "¥50,000", Date: now.AddDate(-2, 0, 0)}, // more than a year ago
			{Kind: "course", Amount: "¥9,999"},                              // not spend
		}, nil
	})
	rule := &appliance.VIPRule{MinLevel: 1, SpendAttribute: "yearly_spend", MinSpend: 10000, Business: biz, Now: func() time.Time { return now }}
	cases := []struct {
		c    appliance.Customer
		want appliance.VIPStatus
	}{
		{appliance.Customer{ID: 1, VIPLevel: 2}, appliance.VIPStatus{VIP: true, Reason: "vip_level"}},
		{appliance.Customer{ID: 2, Attributes: map[string]string{"yearly_spend": "12800"}}, appliance.VIPStatus{VIP: true, Reason: "yearly_spend", Spend: 12800}},
		{appliance.Customer{ID: 3, Attributes: map[string]string{}}, appliance.VIPStatus{VIP: true, Reason: "business_spend", Spend: 10200}},
	}
	for _, c := range cases {
		if got := rule.Check(context.Background(), &c.c); got != c.want {
			t.Errorf("customer %d: got %+v, want %+v", c.c.ID, got, c.want)
		}
	}
	rule.MinSpend = 20000
	if got := rule.Check(context.Background(), &appliance.Customer{ID: 4}); got.VIP || got.Spend != 10200 {
		t.Errorf("below the bar: got %+v", got)
	}
	failing := &appliance.VIPRule{MinSpend: 1, Business: businessFunc(func(*appliance.Customer) ([]appliance.BusinessRecord, error) {
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "down", "down")
	})}
	if got := failing.Check(context.Background(), &appliance.Customer{ID: 5}); got.VIP {
		t.Errorf("a failing business system made a VIP: %+v", got)
	}
}

type businessFunc func(*appliance.Customer) ([]appliance.BusinessRecord, error)

func (f businessFunc) BusinessRecords(_ context.Context, c *appliance.Customer) ([]appliance.BusinessRecord, error) {
	return f(c)
}

func TestRouteAndUnrouteGuards(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	a := h.user(t, "a", appliance.RoleAgent, false)
	b := h.user(t, "b", appliance.RoleAgent, false)
	bot := h.say(t, "x", "在吗")
	if _, err := h.e.Route(ctx, bot.Conversation.ID, a); appliance.ErrorCode(err) != "not_queued" {
		t.Errorf("routing a bot conversation: got %v, want not_queued", err)
	}
	q := h.say(t, "y", "转人工")
	if _, err := h.e.Unroute(ctx, q.Conversation.ID, appliance.UnrouteAgentAway); appliance.ErrorCode(err) != "not_routed" {
		t.Errorf("unrouting an unrouted conversation: got %v, want not_routed", err)
	}
	if _, err := h.e.Route(ctx, q.Conversation.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.Route(ctx, q.Conversation.ID, b); appliance.ErrorCode(err) != "already_routed" {
		t.Errorf("routing twice: got %v, want already_routed", err)
	}
	// Anyone may still take an offered conversation; it is then no longer queued.
	if c, err := h.e.Take(ctx, q.Conversation.ID, b); err != nil || c.AssigneeID != b.ID || c.Status != appliance.StatusAssigned {
		t.Fatalf("take of a conversation offered to another agent: %+v, %v", c, err)
	}
	if _, err := h.e.Unroute(ctx, q.Conversation.ID, appliance.UnrouteAgentAway); appliance.ErrorCode(err) != "not_routed" {
		t.Errorf("unrouting an assigned conversation: got %v, want not_routed", err)
	}
	disabled := &appliance.User{Username: "gone", Role: appliance.RoleAgent, Disabled: true}
	if _, err := h.e.Transfer(ctx, q.Conversation.ID, b, appliance.TransferTarget{Agent: disabled}); appliance.ErrorCode(err) != "not_an_agent" {
		t.Errorf("transfer to a disabled user: got %v, want not_an_agent", err)
	}
	editor := &appliance.User{ID: 99, Username: "ed", Role: appliance.RoleEditor}
	if _, err := h.e.Transfer(ctx, q.Conversation.ID, b, appliance.TransferTarget{Agent: editor}); appliance.ErrorCode(err) != "not_an_agent" {
		t.Errorf("transfer to an editor: got %v, want not_an_agent", err)
	}
	if _, err := h.e.Transfer(ctx, q.Conversation.ID, b, appliance.TransferTarget{Agent: b}); appliance.ErrorCode(err) != "same_agent" {
		t.Errorf("transfer to oneself: got %v, want same_agent", err)
	}
}

// TestOfferLapses: an offer nobody takes within the offer timeout goes to
// another agent; the agent who let it lapse and the supervisors are told,
// and the audit log says why. With no one else, it comes back to them.
func TestOfferLapses(t *testing.T) {
	h := newHandoffEnv(t, nil)
	h.policy.OfferTimeout = 60 * time.Second
	ctx := context.Background()
	a := h.user(t, "a", appliance.RoleAgent, false)
	b := h.user(t, "b", appliance.RoleAgent, false)
	r := h.router()
	id := h.say(t, "v", "转人工").Conversation.ID
	h.dispatch(t, r)
	first := h.conv(t, id).AssigneeID
	if first != a.ID && first != b.ID {
		t.Fatalf("offered to %d, want a or b", first)
	}
	other := map[int64]int64{a.ID: b.ID, b.ID: a.ID}[first]

	h.clock.Advance(59 * time.Second)
	h.dispatch(t, r)
	if got := h.conv(t, id).AssigneeID; got != first {
		t.Fatalf("after 59 s offered to %d, want still %d", got, first)
	}
	h.clock.Advance(time.Second)
	h.dispatch(t, r)
	if c := h.conv(t, id); c.AssigneeID != other || c.Status != appliance.StatusQueued {
		t.Fatalf("after 60 s: assignee %d status %s, want offered to the other agent %d", c.AssigneeID, c.Status, other)
	}
	var lapsed []appliance.Alert
	for _, al := range alertsOf(h.rec) {
		if al.Kind == "offer_lapsed" {
			lapsed = append(lapsed, al)
		}
	}
	if len(lapsed) != 2 || lapsed[0].UserID != 0 || lapsed[1].UserID != first || lapsed[0].ConversationID != id ||
		lapsed[0].Text != "会话 60 秒内未被接入，已重新分配" {
		t.Errorf("lapse alerts: %+v; want one for supervisors and one for agent %d", lapsed, first)
	}
	audit, _ := h.s.Audit(ctx, appliance.AuditFilter{Action: "conversation.unroute"})
	if len(audit) != 1 || audit[0].Detail["reason"] != appliance.UnrouteLapsed || audit[0].Detail["agent_id"] != float64(first) {
		t.Errorf("unroute audit: %+v", audit)
	}

	// The second agent lets it lapse too: with nobody else, the first gets
	// it again rather than the customer waiting unrouted.
	h.clock.Advance(60 * time.Second)
	h.dispatch(t, r)
	if got := h.conv(t, id).AssigneeID; got != first {
		t.Fatalf("after both lapsed: offered to %d, want back to %d", got, first)
	}
	// Taking it ends the offer: no more lapses however long it takes.
	taker := map[int64]*appliance.User{a.ID: a, b.ID: b}[first]
	if _, err := h.e.Take(ctx, id, taker); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10 * time.Minute)
	h.dispatch(t, r)
	if c := h.conv(t, id); c.Status != appliance.StatusAssigned || c.AssigneeID != taker.ID {
		t.Errorf("after the take: status %s assignee %d, want assigned to %d", c.Status, c.AssigneeID, taker.ID)
	}
}

// TestOfferTimeoutSurvivesRestart: a router that starts while an offer
// stands (the appliance restarted) times it from when it was made, not from
// when the new router first saw it.
func TestOfferTimeoutSurvivesRestart(t *testing.T) {
	h := newHandoffEnv(t, nil)
	h.policy.OfferTimeout = 60 * time.Second
	h.user(t, "a", appliance.RoleAgent, false)
	h.user(t, "b", appliance.RoleAgent, false)
	id := h.say(t, "v", "转人工").Conversation.ID
	h.dispatch(t, h.router())
	c := h.conv(t, id)
	first := c.AssigneeID
	if first == 0 || c.AssignedAt == nil || !c.AssignedAt.Equal(h.clock.Now()) {
		t.Fatalf("offer: assignee %d offered at %v, want an agent and %v", first, c.AssignedAt, h.clock.Now())
	}

	h.clock.Advance(50 * time.Second)
	restarted := h.router()
	h.dispatch(t, restarted)
	if got := h.conv(t, id).AssigneeID; got != first {
		t.Fatalf("50 s into the offer, after a restart: offered to %d, want still %d", got, first)
	}
	h.clock.Advance(10 * time.Second)
	h.dispatch(t, restarted)
	c = h.conv(t, id)
	if c.AssigneeID == first || c.AssigneeID == 0 {
		t.Fatalf("60 s into the offer, after a restart: offered to %d, want the other agent", c.AssigneeID)
	}
	if c.AssignedAt == nil || !c.AssignedAt.Equal(h.clock.Now()) {
		t.Errorf("the new offer was made at %v, want %v", c.AssignedAt, h.clock.Now())
	}
}

func TestOffersStandWithoutTimeout(t *testing.T) {
	h := newHandoffEnv(t, nil) // OfferTimeout 0
	h.user(t, "a", appliance.RoleAgent, false)
	h.user(t, "b", appliance.RoleAgent, false)
	r := h.router()
	id := h.say(t, "v", "转人工").Conversation.ID
	h.dispatch(t, r)
	first := h.conv(t, id).AssigneeID
	h.clock.Advance(time.Hour)
	h.dispatch(t, r)
	if got := h.conv(t, id).AssigneeID; got != first || first == 0 {
		t.Errorf("without a timeout the offer moved from %d to %d", first, got)
	}
}
