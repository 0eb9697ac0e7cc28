package appliance

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"kefu/nlu"
)

// HandoffSummary is what an agent reads first when a conversation reaches
// them: why it was handed off and what the bot already knows, so the
// customer never has to repeat themselves. It is extracted from the decision
// paths stored with the customer's messages (intent, slots, entities,
// sentiment); with an LLM, Text is a written summary.
type HandoffSummary struct {
	ConversationID int64             `json:"conversation_id"`
	Reason         string            `json:"reason,omitempty"`
	Intent         string            `json:"intent,omitempty"`
	IntentTitle    string            `json:"intent_title,omitempty"`
	Slots          map[string]string `json:"slots,omitempty"`
	Entities       []nlu.Entity      `json:"entities,omitempty"`
	Sentiment      nlu.Sentiment     `json:"sentiment,omitzero"`
	// Questions are the customer's last questions, oldest first.
	Questions []string `json:"questions"`
	Channels  []string `json:"channels"`
	// Text is the summary to read: the LLM's when one was written, else the
	// extractive fields rendered as one paragraph. Source says which.
	Text   string `json:"text"`
	Source string `json:"source"` // "llm" or "extractive"
}

// maxSummaryQuestions is how many recent questions a summary keeps.
const maxSummaryQuestions = 3

// notQuestions are policies whose messages are not the customer's question.
var notQuestions = []string{PolicyGreeting, PolicySmallTalk, PolicyIgnored, PolicyCSAT}

// Summarize extracts a hand-off summary from a conversation's messages
// (oldest first). intentTitle names intents for people; it may be nil.
func Summarize(conv *Conversation, msgs []*Message, intentTitle func(string) string) HandoffSummary {
	s := HandoffSummary{ConversationID: conv.ID, Reason: conv.HandoffReason, Slots: map[string]string{},
		Questions: []string{}, Channels: []string{}}
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.Channel != "" && !slices.Contains(s.Channels, m.Channel) {
			s.Channels = append(s.Channels, m.Channel)
		}
		if m.Sender != SenderCustomer {
			continue
		}
		d := m.Decision
		question := m.Kind == KindText && strings.TrimSpace(m.Text) != ""
		if d != nil {
			if d.Dialogue != nil && d.Dialogue.Intent != "" {
				// A turn's filled slots are the whole task as it stands (what
				// was carried included): the latest replaces the earlier, so
				// the shoes' purchase date does not describe the cream.
				s.Intent = d.Dialogue.Intent
				s.Slots = maps.Clone(d.Dialogue.Filled)
				if s.Slots == nil {
					s.Slots = map[string]string{}
				}
			}
			if n := d.NLU; n != nil {
				if n.Intent == nlu.IntentHandoff {
					question = false // "转人工" is the request, not the question
				} else if n.Intent != "" && !builtinIntent(n.Intent) && (d.Dialogue == nil || d.Dialogue.Intent == "") {
					s.Intent = n.Intent
					maps.Copy(s.Slots, n.Slots)
				}
				for _, en := range n.Entities {
					if k := en.Type + "\x00" + en.Value; !seen[k] {
						seen[k] = true
						s.Entities = append(s.Entities, en)
					}
				}
				if n.Sentiment.Negative > s.Sentiment.Negative || (n.Sentiment.Complaint && !s.Sentiment.Complaint) {
					cues := append(slices.Clone(s.Sentiment.Cues), n.Sentiment.Cues...)
					s.Sentiment = nlu.Sentiment{Negative: max(s.Sentiment.Negative, n.Sentiment.Negative),
						Complaint: s.Sentiment.Complaint || n.Sentiment.Complaint, Cues: slices.Compact(cues)}
				}
			}
			if slices.Contains(notQuestions, d.Policy) {
				question = false
			}
		}
		if question {
			s.Questions = append(s.Questions, m.Text)
		}
	}
	if len(s.Questions) > maxSummaryQuestions {
		s.Questions = s.Questions[len(s.Questions)-maxSummaryQuestions:]
	}
	if s.Intent != "" && intentTitle != nil {
		s.IntentTitle = intentTitle(s.Intent)
	}
	s.Text, s.Source = s.Render(), "extractive"
	return s
}

func builtinIntent(name string) bool {
	return name == nlu.IntentHandoff || name == nlu.IntentGreeting || name == nlu.IntentThanks || name == nlu.IntentGoodbye
}

// reasonTexts names hand-off reasons for agents.
var reasonTexts = map[string]string{
	"customer_request": "客户要求人工", "intent_policy": "该问题需人工处理", ReasonComplaint: "客户投诉",
	ReasonNegativeSentiment: "客户情绪不满", ReasonLowConfidence: "机器人连续无法回答", ReasonVIP: "VIP 客户",
	"action_failed": "业务查询失败", "agent_request": "客服发起转人工", "agent_takeover": "客服主动接入", "transfer": "转接",
}

// ReasonText names a hand-off reason in Chinese.
func ReasonText(reason string) string {
	if t, ok := reasonTexts[reason]; ok {
		return t
	}
	return reason
}

// factLabels name slots and entity types for people (the console's
// handoff.entity texts say the same).
var factLabels = map[string]string{
	"order_no": "订单号", "tracking_no": "运单号", "phone": "手机号", "product": "商品", "date": "日期", "money": "金额",
	"course": "课程", "purchase_date": "购买日期", "bank_card": "银行卡", "id_card": "身份证", "money_range": "预算",
	"date_range": "日期范围", "place": "地点", "amount": "金额", "budget": "预算", "booking_no": "预订单号", "card": "银行卡",
	"checkin_date": "入住日期", "city": "城市", "class_date": "上课日期", "feature": "设施", "fund": "基金",
	"new_phone": "新手机号", "payee_card": "收款卡号", "room_type": "房型", "size": "尺码", "quantity": "数量",
}

// FactLabel names a slot or an entity type in Chinese, or returns it as it
// is when it has no name (a deployment's own slot).
func FactLabel(name string) string {
	if l, ok := factLabels[name]; ok {
		return l
	}
	return name
}

// FactText writes an entity as an agent reads it: the customer's words, with
// the date they meant when they said it relatively ("下周五（12月4日）"), and a
// budget as its range ("500元以内", not "预算500以内" after the label 预算).
func FactText(e nlu.Entity) string {
	switch e.Type {
	case "date":
		if t, err := time.Parse("2006-01-02", e.Value); err == nil && !strings.ContainsAny(e.Text, "0123456789") {
			return fmt.Sprintf("%s（%d月%d日）", e.Text, t.Month(), t.Day())
		}
	case "money_range":
		if hi, ok := strings.CutPrefix(e.Value, "0-"); ok {
			return hi + "元以内"
		}
		if strings.Contains(e.Value, "-") {
			return e.Value + "元"
		}
	}
	return e.Text
}

// Render writes the extractive summary as one paragraph.
func (s HandoffSummary) Render() string {
	var parts []string
	if s.Reason != "" {
		parts = append(parts, "转人工原因："+ReasonText(s.Reason))
	}
	if s.Intent != "" {
		intent := s.Intent
		if s.IntentTitle != "" {
			intent = s.IntentTitle
		}
		parts = append(parts, "客户诉求："+intent)
	}
	var known, values []string
	for _, k := range slices.Sorted(maps.Keys(s.Slots)) {
		known, values = append(known, FactLabel(k)+" "+s.Slots[k]), append(values, s.Slots[k])
	}
	for _, en := range s.Entities {
		if !slices.Contains(values, en.Value) {
			known, values = append(known, FactLabel(en.Type)+" "+FactText(en)), append(values, en.Value)
		}
	}
	if len(known) > 0 {
		parts = append(parts, "已知信息："+strings.Join(known, "，"))
	}
	switch {
	case s.Sentiment.Complaint:
		parts = append(parts, "客户情绪：投诉（"+strings.Join(s.Sentiment.Cues, "、")+"）")
	case s.Sentiment.Negative >= 0.5:
		parts = append(parts, fmt.Sprintf("客户情绪：不满（%.0f%%）", s.Sentiment.Negative*100))
	}
	if len(s.Questions) > 0 {
		parts = append(parts, "最近的问题："+strings.Join(quoted(s.Questions), " "))
	}
	if len(parts) == 0 {
		return "暂无可摘要的信息。"
	}
	return strings.Join(parts, "；") + "。"
}

func quoted(qs []string) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = "“" + q + "”"
	}
	return out
}
