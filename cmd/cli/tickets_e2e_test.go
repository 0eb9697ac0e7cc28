package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// An agent moves the return the bot opened; the customer is told on the
// channel they used (the app pulls it), and every step is in the history.
func TestAgentMovesReturnTicketAndCustomerIsTold(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	for i, s := range []struct {
		text   string
		photos int
	}{{"这个面霜用了过敏 想退", 0}, {"", 1}, {"提交", 0}} {
		if st, body := app.sendWith("demo-1001", fmt.Sprint("r", i), s.text, s.photos); st != 200 {
			t.Fatalf("step %d: %d %v", i, st, body)
		}
	}
	agent := login(t, p.URL(), "agent1")
	st, body := agent.do("GET", "/api/v1/tickets?type=return", nil, false)
	list, _ := body["tickets"].([]any)
	if st != 200 || len(list) != 1 {
		t.Fatalf("tickets: %d %v, want the one return", st, body)
	}
	tk := list[0].(map[string]any)
	id := int64(tk["id"].(float64))
	data := tk["data"].(map[string]any)
	if tk["status"] != "待审核" || tk["created_by"] != "bot" || len(data["photos"].([]any)) != 1 || data["reason"] != "过敏" {
		t.Fatalf("ticket: got %v, want a pending bot return with the photo and the reason", tk)
	}
	if next := tk["next"].([]any); len(next) != 2 || next[0] != "已审核" || next[1] != "已拒绝" {
		t.Errorf("next states: got %v", next)
	}
	// Skipping a state is refused.
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), map[string]any{"to": "已退款"}, true); st != 409 || errCode(b) != "transition_not_allowed" {
		t.Errorf("skip: got %d %v, want 409 transition_not_allowed", st, b)
	}
	// Compliance reads but cannot move.
	comp := login(t, p.URL(), "compliance")
	if st, _ := comp.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), map[string]any{"to": "已审核"}, true); st != 403 {
		t.Errorf("compliance moving a ticket: got %d, want 403", st)
	}
	if st, b := agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/transition", id), map[string]any{"to": "已审核", "note": "照片清晰"}, true); st != 200 {
		t.Fatalf("approve: %d %v", st, b)
	}
	order := data["order_no"].(string)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, msgs := app.do("GET", "/api/v1/app/messages?user_id=demo-1001", nil, time.Now(), nil)
		found := false
		for _, m := range msgs["messages"].([]any) {
			mm := m.(map[string]any)
			if mm["from"] == "system" && strings.Contains(mm["text"].(string), "您的退货申请（订单"+order+"）已审核通过") && mm["channel"] == "app" {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the customer was not told of the approval: %v", msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st, body = agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil, false)
	evs, _ := body["events"].([]any)
	if st != 200 || len(evs) != 2 || evs[1].(map[string]any)["actor_name"] != "agent1" {
		t.Fatalf("history: %d %v, want creation and the approval by agent1", st, body)
	}
}
