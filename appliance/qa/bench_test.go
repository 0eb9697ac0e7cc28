package qa

import (
	"testing"
	"time"

	"kefu/appliance"
)

// BenchmarkCheckConversation is the rules' share of the nightly audit: one
// handed-off conversation of six messages against the default rules.
func BenchmarkCheckConversation(b *testing.B) {
	ch := NewChecker(defaultRules())
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	h := t0.Add(10 * time.Second)
	conv := &appliance.Conversation{ID: 1, HandoffAt: &h}
	msgs := []*appliance.Message{
		withIntent(msg(1, appliance.SenderCustomer, t0, "稳盈30天收益多少"), "investment_products"),
		msg(2, appliance.SenderBot, t0.Add(time.Second), "理财非存款，产品有风险，投资需谨慎。"),
		withIntent(msg(3, appliance.SenderCustomer, t0.Add(5*time.Second), "转人工"), "handoff"),
		msg(4, appliance.SenderAgent, t0.Add(70*time.Second), "您好，我是客服小李，很高兴为您服务，请问还有什么问题？"),
		msg(5, appliance.SenderCustomer, t0.Add(80*time.Second), "那大概什么时候能处理好？我的手机号码是多少来着"),
		msg(6, appliance.SenderAgent, t0.Add(200*time.Second), "已为您登记，预计24小时内处理完毕，请耐心等待。"),
	}
	b.ReportAllocs()
	for b.Loop() {
		ch.Check(conv, msgs, t0.Add(time.Hour))
	}
}
