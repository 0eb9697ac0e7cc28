package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// events collects what one console socket received.
type events struct {
	mu   sync.Mutex
	list []consoleEvent
}

func (e *events) add(ev consoleEvent) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

// wait returns the first event matching f, failing after timeout.
func (e *events) wait(t *testing.T, what string, timeout time.Duration, f func(consoleEvent) bool) consoleEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		e.mu.Lock()
		for _, ev := range e.list {
			if f(ev) {
				e.mu.Unlock()
				return ev
			}
		}
		e.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustLogin(t *testing.T, ctx context.Context, url, user string) (*consoleSession, *events) {
	t.Helper()
	s, err := consoleLogin(ctx, url, user, DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{}
	if err := s.watch(ctx, ev.add); err != nil {
		t.Fatal(err)
	}
	return s, ev
}

func code(err error) string {
	var e *apiError
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s", e.Status, e.Code)
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func routedTo(conv, agent int64) func(consoleEvent) bool {
	return func(e consoleEvent) bool {
		return e.Conversation != nil && e.Conversation.ID == conv && e.Conversation.Status == "queued" && e.Conversation.AssigneeID == agent
	}
}

// The hand-off end to end over HTTP and WebSocket: routing by VIP and
// seniority, the waiting alert, a silent bot, a transfer that keeps the
// history, the survey on the app API, the profile and its permissions.
func TestHandoffEndToEnd(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_ROUTING_WAIT_ALERT": "2s"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := p.URL()
	app := &appServer{base: url, key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret, http: http.DefaultClient}
	agent1, ev1 := mustLogin(t, ctx, url, "agent1")
	agent2, ev2 := mustLogin(t, ctx, url, "agent2") // senior
	boss, evBoss := mustLogin(t, ctx, url, "supervisor")

	if _, err := app.say(ctx, "demo-1001", "o-1", "退货运费谁承担"); err != nil {
		t.Fatal(err)
	}
	ord, err := app.say(ctx, "demo-1001", "o-2", "转人工")
	if err != nil {
		t.Fatal(err)
	}
	vip, err := app.say(ctx, DemoVIPUser, "v-1", "转人工")
	if err != nil {
		t.Fatal(err)
	}
	ev2.wait(t, "the VIP routed to the senior agent", 3*time.Second, routedTo(vip.ConversationID, agent2.ID))
	ev1.wait(t, "the ordinary customer routed to the other agent", 3*time.Second, routedTo(ord.ConversationID, agent1.ID))

	// Nobody answers the VIP: the agent and the supervisor are alerted.
	alert := func(user int64) func(consoleEvent) bool {
		return func(e consoleEvent) bool {
			return e.Type == "alert" && e.Alert.ConversationID == vip.ConversationID && e.Alert.UserID == user
		}
	}
	a := ev2.wait(t, "the agent's waiting alert", 5*time.Second, alert(agent2.ID))
	if a.Alert.Text != "该用户已等待 2 秒，请尽快处理" {
		t.Errorf("alert text %q", a.Alert.Text)
	}
	evBoss.wait(t, "the supervisor's waiting alert", time.Second, alert(0))
	time.Sleep(200 * time.Millisecond)
	ev1.mu.Lock()
	for _, e := range ev1.list {
		if e.Type == "alert" && e.Alert.ConversationID == vip.ConversationID {
			t.Errorf("agent1 got an alert about agent2's customer: %+v", e.Alert)
		}
	}
	ev1.mu.Unlock()

	// The senior agent takes and replies; the bot stays silent.
	conv := fmt.Sprintf("/api/v1/conversations/%d", vip.ConversationID)
	if err := agent2.call(ctx, "POST", conv+"/take", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := agent2.call(ctx, "POST", conv+"/messages", map[string]any{"text": "王先生您好，我是资深客服老李。"}, nil); err != nil {
		t.Fatal(err)
	}
	if out, err := app.say(ctx, DemoVIPUser, "v-2", "运费怎么算"); err != nil || len(out.Replies) != 0 {
		t.Fatalf("the bot answered during the hand-off: %+v, %v", out, err)
	}
	if err := agent2.call(ctx, "POST", conv+"/typing", nil, nil); err != nil {
		t.Errorf("typing: %v", err)
	}

	// Summary and suggestions.
	var sum struct {
		Summary struct {
			Reason    string   `json:"reason"`
			Questions []string `json:"questions"`
			Text      string   `json:"text"`
		} `json:"summary"`
	}
	if err := agent1.call(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%d/summary", ord.ConversationID), nil, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Summary.Reason != "customer_request" || len(sum.Summary.Questions) != 1 || sum.Summary.Questions[0] != "退货运费谁承担" {
		t.Errorf("summary: %+v", sum.Summary)
	}
	var sug struct {
		Suggestions []struct{ Kind, Text string } `json:"suggestions"`
	}
	if err := agent1.call(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%d/suggestions", ord.ConversationID), nil, &sug); err != nil {
		t.Fatal(err)
	}
	if len(sug.Suggestions) == 0 || sug.Suggestions[0].Kind != "knowledge" || !strings.Contains(sug.Suggestions[0].Text, "运费") {
		t.Errorf("suggestions: %+v", sug.Suggestions)
	}

	// Transfer to agent1: same conversation, history and a note kept.
	if err := agent1.call(ctx, "POST", conv+"/transfer", map[string]any{"agent_id": agent1.ID}, nil); code(err) != "403 not_assignee" {
		t.Errorf("transfer by a non-owner: %s, want 403 not_assignee", code(err))
	}
	if err := agent2.call(ctx, "POST", conv+"/transfer", map[string]any{"agent_id": agent1.ID, "note": "客户咨询理财，已核实身份"}, nil); err != nil {
		t.Fatal(err)
	}
	var hist struct {
		Messages []struct{ Text, Sender, Kind string } `json:"messages"`
	}
	if err := agent1.call(ctx, "GET", conv+"/messages", nil, &hist); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, m := range hist.Messages {
		all = append(all, m.Text)
	}
	joined := strings.Join(all, "|")
	for _, want := range []string{"转人工", "王先生您好，我是资深客服老李。", "运费怎么算", "客户咨询理财，已核实身份", "正在为您转接其他客服"} {
		if !strings.Contains(joined, want) {
			t.Errorf("agent1's history lacks %q: %s", want, joined)
		}
	}

	// Close: the app gets the survey, rates once, and the bot is back.
	if err := agent1.call(ctx, "POST", conv+"/close", nil, nil); err != nil {
		t.Fatal(err)
	}
	var msgs struct {
		Messages []struct {
			Text    string          `json:"text"`
			Payload json.RawMessage `json:"payload"`
		} `json:"messages"`
	}
	if err := app.call(ctx, "GET", "/api/v1/app/messages?user_id="+DemoVIPUser, nil, &msgs); err != nil {
		t.Fatal(err)
	}
	last := msgs.Messages[len(msgs.Messages)-1]
	if !strings.Contains(string(last.Payload), fmt.Sprintf(`"conversation_id":%d`, vip.ConversationID)) || !strings.Contains(last.Text, "1-5") {
		t.Fatalf("the app's last message: %s %s, want the survey", last.Text, last.Payload)
	}
	rate := map[string]any{"user_id": DemoVIPUser, "conversation_id": vip.ConversationID, "score": 5, "comment": "老李很专业"}
	if err := app.call(ctx, "POST", "/api/v1/app/csat", rate, nil); err != nil {
		t.Fatal(err)
	}
	if err := app.call(ctx, "POST", "/api/v1/app/csat", rate, nil); code(err) != "409 already_rated" {
		t.Errorf("second rating: %s", code(err))
	}
	rate["user_id"] = "demo-1001"
	if err := app.call(ctx, "POST", "/api/v1/app/csat", rate, nil); code(err) != "404 conversation_not_found" {
		t.Errorf("rating someone else's conversation: %s", code(err))
	}
	back, err := app.say(ctx, DemoVIPUser, "v-3", "运费怎么算")
	if err != nil || back.ConversationID == vip.ConversationID || len(back.Replies) == 0 || back.Replies[0].From != "bot" {
		t.Fatalf("after close: %+v, %v; want the bot in a new conversation", back, err)
	}

	// The profile: VIP by yearly spend, the score, what each role may edit.
	var prof struct {
		Profile struct {
			Customer struct {
				ID       int64    `json:"id"`
				Tags     []string `json:"tags"`
				VIPLevel int      `json:"vip_level"`
			} `json:"customer"`
			VIP struct {
				VIP    bool   `json:"vip"`
				Reason string `json:"reason"`
			} `json:"vip"`
			CSAT          []struct{ Score int } `json:"csat"`
			Conversations []struct{ ID int64 }  `json:"conversations"`
			RecordsStatus string                `json:"records_status"`
			Editable      struct{ Profile, VIP bool }
		} `json:"profile"`
	}
	var cv struct {
		Conversation struct {
			CustomerID int64 `json:"customer_id"`
		} `json:"conversation"`
	}
	agent1.call(ctx, "GET", conv, nil, &cv)
	cust := fmt.Sprintf("/api/v1/customers/%d", cv.Conversation.CustomerID)
	if err := agent1.call(ctx, "GET", cust+"/profile", nil, &prof); err != nil {
		t.Fatal(err)
	}
	pr := prof.Profile
	if !pr.VIP.VIP || pr.VIP.Reason != "yearly_spend" || len(pr.CSAT) != 1 || pr.CSAT[0].Score != 5 || len(pr.Conversations) != 2 ||
		pr.RecordsStatus != "ok" || !pr.Editable.Profile || pr.Editable.VIP {
		t.Errorf("profile: %+v", pr)
	}
	// The ordinary customer's orders come from the demo shop.
	var ordConv struct {
		Conversation struct {
			CustomerID int64 `json:"customer_id"`
		} `json:"conversation"`
	}
	agent1.call(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%d", ord.ConversationID), nil, &ordConv)
	var ordProf struct {
		Profile struct {
			Records []struct{ Kind, ID, Title string } `json:"records"`
		} `json:"profile"`
	}
	if err := agent1.call(ctx, "GET", fmt.Sprintf("/api/v1/customers/%d/profile", ordConv.Conversation.CustomerID), nil, &ordProf); err != nil {
		t.Fatal(err)
	}
	if len(ordProf.Profile.Records) == 0 || ordProf.Profile.Records[0].Kind != "order" {
		t.Errorf("demo-1001's business records: %+v, want the demo shop's orders", ordProf.Profile.Records)
	}
	if err := agent1.call(ctx, "PATCH", cust, map[string]any{"tags": []string{"老客户", "理财意向"}}, nil); err != nil {
		t.Errorf("agent edits tags: %v", err)
	}
	if err := agent1.call(ctx, "PATCH", cust, map[string]any{"vip_level": 3}, nil); code(err) != "403 forbidden" {
		t.Errorf("agent sets a VIP level: %s, want 403", code(err))
	}
	if err := boss.call(ctx, "PATCH", cust, map[string]any{"vip_level": 3}, nil); err != nil {
		t.Errorf("supervisor sets a VIP level: %v", err)
	}
	admin, _ := consoleLogin(ctx, url, "admin", DemoPassword)
	var audit struct {
		Entries []struct {
			ActorName string         `json:"actor_name"`
			Detail    map[string]any `json:"detail"`
		} `json:"entries"`
	}
	if err := admin.call(ctx, "GET", "/api/v1/audit?action=customer.update", nil, &audit); err != nil {
		t.Fatal(err)
	}
	if len(audit.Entries) != 2 || audit.Entries[0].ActorName != "supervisor" || audit.Entries[0].Detail["vip_level"] == nil {
		t.Errorf("profile audit: %+v", audit.Entries)
	}

	// Canned replies: agents read, supervisors manage.
	var canned struct {
		Replies []struct{ Shortcut string } `json:"replies"`
	}
	if err := agent1.call(ctx, "GET", "/api/v1/canned-replies", nil, &canned); err != nil || len(canned.Replies) < 5 {
		t.Errorf("canned replies: %+v, %v", canned, err)
	}
	newReply := map[string]any{"shortcut": "理财", "title": "理财风险", "text": "理财非存款，产品有风险，投资须谨慎。"}
	if err := agent1.call(ctx, "POST", "/api/v1/canned-replies", newReply, nil); code(err) != "403 forbidden" {
		t.Errorf("agent creates a canned reply: %s", code(err))
	}
	if err := boss.call(ctx, "POST", "/api/v1/canned-replies", newReply, nil); err != nil {
		t.Errorf("supervisor creates a canned reply: %v", err)
	}
	if err := boss.call(ctx, "POST", "/api/v1/canned-replies", newReply, nil); code(err) != "409 shortcut_taken" {
		t.Errorf("duplicate shortcut: %s", code(err))
	}
	// Bad input gets a 4xx with a stable code.
	for _, c := range []struct {
		do   func() error
		want string
	}{
		{func() error {
			return agent1.call(ctx, "POST", fmt.Sprintf("/api/v1/conversations/%d/transfer", ord.ConversationID), map[string]any{"agent_id": agent2.ID, "group": "售后"}, nil)
		}, "400 bad_transfer_target"},
		{func() error {
			return agent1.call(ctx, "POST", fmt.Sprintf("/api/v1/conversations/%d/transfer", ord.ConversationID), map[string]any{"agent_id": 9999}, nil)
		}, "400 unknown_agent"},
		{func() error {
			return agent1.call(ctx, "POST", fmt.Sprintf("/api/v1/conversations/%d/transfer", ord.ConversationID), map[string]any{"group": "没有的组"}, nil)
		}, "400 unknown_group"},
		{func() error {
			return agent1.call(ctx, "PATCH", cust, map[string]any{"tags": []string{strings.Repeat("长", 40)}}, nil)
		}, "400 tag_too_long"},
		{func() error { return agent1.call(ctx, "PATCH", cust, map[string]any{}, nil) }, "400 empty_update"},
		{func() error { return agent1.call(ctx, "PATCH", cust, map[string]any{"tags": "vip"}, nil) }, "400 invalid_field"},
		{func() error { return agent1.call(ctx, "GET", "/api/v1/customers/0/profile", nil, nil) }, "400 invalid_id"},
		{func() error { return agent1.call(ctx, "GET", "/api/v1/customers/99999/profile", nil, nil) }, "404 customer_not_found"},
		{func() error { return agent1.call(ctx, "GET", "/api/v1/conversations?limit=9999", nil, nil) }, "400 invalid_query"},
		{func() error {
			return app.call(ctx, "POST", "/api/v1/app/csat", map[string]any{"user_id": DemoVIPUser, "conversation_id": vip.ConversationID, "score": 9}, nil)
		}, "400 invalid_score"},
	} {
		if got := code(c.do()); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}

	var agents struct {
		Agents []struct {
			Username string
			Load     int
		} `json:"agents"`
	}
	if err := boss.call(ctx, "GET", "/api/v1/routing/agents", nil, &agents); err != nil || len(agents.Agents) < 3 {
		t.Errorf("routing board: %+v, %v", agents, err)
	}
}
