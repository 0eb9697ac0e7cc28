package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// conversationTurn is what the bot did with one customer message, as the app
// and the console see it.
type conversationTurn struct {
	replies  []string
	convID   any
	decision map[string]any
}

func (c conversationTurn) policy() string {
	p, _ := c.decision["policy"].(string)
	return p
}

func (c conversationTurn) intent() string {
	n, _ := c.decision["nlu"].(map[string]any)
	s, _ := n["intent"].(string)
	return s
}

// dialogue returns decision.dialogue: the active intent, filled, missing and
// carried slots.
func (c conversationTurn) dialogue() (intent string, filled map[string]any, missing, carried []any) {
	d, _ := c.decision["dialogue"].(map[string]any)
	intent, _ = d["intent"].(string)
	filled, _ = d["filled"].(map[string]any)
	missing, _ = d["missing"].([]any)
	carried, _ = d["carried"].([]any)
	return
}

func (c conversationTurn) text() string { return strings.Join(c.replies, " | ") }

// TestDialoguesThroughAppAPI drives the demo appliance through the app API
// with the dialogues that went wrong in the field, word for word, and reads
// each decision back from the console.
func TestDialoguesThroughAppAPI(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	admin := login(t, p.URL(), "admin")
	n := 0
	say := func(user, text string) conversationTurn {
		t.Helper()
		n++
		status, body := app.send(user, fmt.Sprintf("nlu-%d", n), text)
		if status != 200 {
			t.Fatalf("%s says %q: status %d %v", user, text, status, body)
		}
		turn := conversationTurn{convID: body["conversation_id"]}
		for _, r := range replies(body) {
			turn.replies = append(turn.replies, r["text"].(string))
		}
		st, msgs := admin.do("GET", fmt.Sprintf("/api/v1/conversations/%v/messages", turn.convID), nil, false)
		if st != 200 {
			t.Fatalf("messages: %d %v", st, msgs)
		}
		list, _ := msgs["messages"].([]any)
		for i := len(list) - 1; i >= 0; i-- {
			m := list[i].(map[string]any)
			if m["sender"] == "customer" && m["text"] == text {
				turn.decision, _ = m["decision"].(map[string]any)
				break
			}
		}
		if turn.decision == nil {
			t.Fatalf("%q: no decision stored", text)
		}
		return turn
	}
	goodbye := "感谢您的咨询，祝您生活愉快！"

	t.Run("an answer to the pending question fills the slot", func(t *testing.T) {
		if got := say("nlu-hotel", "有没有靠近地铁站的双床房?"); !strings.Contains(got.text(), "请问入住日期是哪天？") {
			t.Fatalf("hotel search: got %q, want the check-in question", got.text())
		}
		if got := say("nlu-hotel", "下周五入住"); !strings.Contains(got.text(), "预算") {
			t.Fatalf("check-in date: got %q, want the budget question", got.text())
		}
		got := say("nlu-hotel", "预算300-500元")
		intent, filled, missing, _ := got.dialogue()
		if got.text() == goodbye || got.policy() == "small_talk" {
			t.Errorf("budget: got %s %q, want no goodbye", got.policy(), got.text())
		}
		if intent != "hotel_search" || filled["budget"] != "300-500" || filled["room_type"] != "双床房" ||
			filled["feature"] != "靠近地铁站" || filled["checkin_date"] == nil || len(missing) != 0 {
			t.Errorf("budget: got dialogue %s %v missing %v, want hotel_search complete with budget 300-500", intent, filled, missing)
		}
		if d, _ := got.decision["dialogue"].(map[string]any); d["answered"] != true {
			t.Errorf("budget: dialogue %v, want it recorded as the answer to the question asked", d)
		}
	})

	t.Run("urging resolves to the same order without asking again", func(t *testing.T) {
		// demo-1001 is the demo customer with orders in the demo shop.
		first := say("demo-1001", "我昨天买的鞋子啥时候到?")
		if intent, filled, _, _ := first.dialogue(); intent != "order_status" || filled["product"] != "鞋子" || filled["purchase_date"] == nil {
			t.Fatalf("order status: got %s %v, want order_status for the shoes bought yesterday", intent, filled)
		}
		if strings.Contains(first.text(), "净值") {
			t.Errorf("order status answered with a fund rule: %q", first.text())
		}
		urge := say("demo-1001", "能催吗?")
		intent, filled, missing, carried := urge.dialogue()
		if urge.intent() != "urge_delivery" || intent != "urge_delivery" {
			t.Fatalf("urge: got intent %q dialogue %q, want urge_delivery", urge.intent(), intent)
		}
		_, firstFilled, _, _ := first.dialogue()
		if filled["product"] != firstFilled["product"] || filled["purchase_date"] != firstFilled["purchase_date"] || len(carried) < 2 {
			t.Errorf("urge: got %v carried %v, want the order of the first message (%v)", filled, carried, firstFilled)
		}
		// The order the first answer found is the order urged.
		if order, _ := filled["order_no"].(string); order == "" || !strings.Contains(first.text(), order) || !strings.Contains(urge.text(), order) {
			t.Errorf("urge: order %q, replies %q then %q; want the same order in both", order, first.text(), urge.text())
		}
		if urge.policy() == "ask_slot" || len(missing) != 0 || strings.Contains(urge.text(), "订单号") {
			t.Errorf("urge: got %s %q missing %v, want no question about the order", urge.policy(), urge.text(), missing)
		}
	})

	t.Run("a product stays in focus for the customer", func(t *testing.T) {
		first := say("nlu-boots", "有没有儿童雨靴")
		say("nlu-boots", "运费怎么算")
		// The conversation ends; the customer comes back in a new one.
		if st, b := admin.do("POST", fmt.Sprintf("/api/v1/conversations/%v/close", first.convID), nil, true); st != 200 {
			t.Fatalf("close: %d %v", st, b)
		}
		later := say("nlu-boots", "那雨靴有35码吗?")
		if later.convID == first.convID {
			t.Fatalf("the closed conversation was reused")
		}
		intent, filled, _, _ := later.dialogue()
		if intent != "size_stock" || filled["product"] != "儿童雨靴" || filled["size"] != "35" {
			t.Errorf("size: got %s %v, want size_stock for 儿童雨靴 in 35", intent, filled)
		}
	})

	// Personal numbers in the decision path are masked for roles without
	// pii.view, like the message text.
	t.Run("the decision path masks personal numbers", func(t *testing.T) {
		got := say("nlu-pii", "我的手机号13912345678换了，银行卡6222021234567890128也要解绑")
		for user, visible := range map[string]bool{"admin": true, "agent1": false, "supervisor": false, "compliance": true} {
			_, msgs := login(t, p.URL(), user).do("GET", fmt.Sprintf("/api/v1/conversations/%v/messages", got.convID), nil, false)
			raw, _ := json.Marshal(msgs)
			s := string(raw)
			if !strings.Contains(s, `"decision"`) || !strings.Contains(s, `"entities"`) {
				t.Fatalf("%s: no decision with entities in %s", user, s)
			}
			for _, secret := range []string{"13912345678", "6222021234567890128"} {
				if strings.Contains(s, secret) != visible {
					t.Errorf("%s sees %s: %v, want %v", user, secret, strings.Contains(s, secret), visible)
				}
			}
		}
	})

	t.Run("greetings and thanks do not swallow questions", func(t *testing.T) {
		for text, want := range map[string]string{
			"谢谢，那运费怎么算":       "包邮",
			"你好，退货运费谁承担":      "运费",
			"谢谢你们 我还想问下能开发票吗": "发票",
		} {
			got := say("nlu-polite", text)
			if !strings.Contains(got.text(), want) || got.policy() == "small_talk" || got.policy() == "greeting" {
				t.Errorf("%q: got %s %q, want an answer about %s", text, got.policy(), got.text(), want)
			}
		}
		for text, want := range map[string]string{"你好": "您好", "谢谢": "不客气", "再见": "感谢您的咨询"} {
			if got := say("nlu-polite", text); !strings.Contains(got.text(), want) {
				t.Errorf("%q: got %q, want %q", text, got.text(), want)
			}
		}
	})
}
