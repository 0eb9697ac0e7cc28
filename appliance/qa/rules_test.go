package qa

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/nlu"
)

// defaultRules mirrors the rules migration 0400 installs.
func defaultRules() []*appliance.QARule {
	return []*appliance.QARule{
		{ID: 1, Name: "推诿用语", Kind: appliance.QAPhrase, Severity: "high", Enabled: true,
			Phrases: []string{"公司*规定*没*办法", "不归我管", "这个我管不了", "不是我负责的", "你找别人去"}},
		{ID: 2, Name: "不建议用语", Kind: appliance.QAPhrase, Severity: "low", Enabled: true,
			Phrases: []string{"我不知道", "我也不知道", "我也不清楚", "应该是吧", "可能吧", "大概吧"}},
		{ID: 3, Name: "理财风险提示", Kind: appliance.QARequired, Severity: "high", Enabled: true,
			Phrases: []string{"理财非存款", "产品有风险", "投资需谨慎", "不保本"}, Intents: []string{"investment_products"}},
		{ID: 4, Name: "明文个人信息", Kind: appliance.QAPII, Severity: "high", Enabled: true},
		{ID: 5, Name: "首次响应超时", Kind: appliance.QAFirstResponse, Severity: "medium", LimitSeconds: 60, Enabled: true},
		{ID: 6, Name: "回复间隔过长", Kind: appliance.QAReplyGap, Severity: "medium", LimitSeconds: 180, Enabled: true},
		{ID: 7, Name: "不文明用语", Kind: appliance.QARude, Severity: "high", Enabled: true},
	}
}

// Real-looking agent messages: which text rules each must hit (by rule
// name), and the ones that must not hit anything.
func TestTextRulesOnAgentMessages(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"这是公司规定，我也没办法", []string{"推诿用语"}},
		{"这是我们公司的规定 我这边也没有办法哦", []string{"推诿用语"}},
		{"亲，这个不归我管，您问问物流吧", []string{"推诿用语"}},
		{"这种情况你找别人去吧", []string{"推诿用语"}},
		{"这个我也不清楚，应该是吧", []string{"不建议用语"}},
		{"我不知道啊", []string{"不建议用语"}},
		{"您的手机号是13812345678对吧？", []string{"明文个人信息"}},
		{"已为您登记身份证 110105199003071234", []string{"明文个人信息"}},
		{"退款会原路退回到卡号 6228 4800 1234 5678 903", []string{"明文个人信息"}},
		{"我都说过了，自己去看订单详情", []string{"不文明用语"}},
		{"你是不是傻，页面上写着呢", []string{"不文明用语"}},
		{"爱买不买", []string{"不文明用语"}},
		{"烦不烦啊，一直催", []string{"不文明用语"}},
		{"SHUT UP please", []string{"不文明用语"}},
		{"你要投诉随便你，我也没办法", []string{"不文明用语"}},
		{"这是公司规定我也没办法，你爱买不买", []string{"推诿用语", "不文明用语"}},

		// Must not hit: polite, precise, or only close in wording.
		{"您好，很高兴为您服务，请问有什么可以帮您？", nil},
		{"不知道您是否方便提供一下订单号呢？", nil},
		{"根据公司规定，退货需在签收后7天内申请，我马上为您提交", nil},
		{"您的手机号已更新为 138****5678", nil},
		{"订单号 E202611230001 已经发货，请留意", nil},
		{"抱歉让您久等了，我来帮您查一下", nil},
		{"这款滚筒洗衣机支持以旧换新", nil},
		{"请您放心，办法总比困难多，我们一起解决", nil},
		{"我们的规定是七天无理由退货", nil},
		{"", nil},
	}
	ch := NewChecker(defaultRules())
	conv := &appliance.Conversation{ID: 1}
	for _, c := range cases {
		m := &appliance.Message{ID: 10, Sender: appliance.SenderAgent, SenderID: 7, Kind: appliance.KindText, Text: c.text, CreatedAt: time.Now()}
		var got []string
		for _, h := range ch.CheckMessage(conv, nil, m) {
			got = append(got, h.RuleName)
			if h.MessageID != 10 || h.AgentID != 7 {
				t.Errorf("%q: hit on message %d by %d, want message 10 by agent 7", c.text, h.MessageID, h.AgentID)
			}
			if h.Kind == appliance.QAPII && (strings.Contains(h.MessageText, "13812345678") || strings.Contains(h.Excerpt, "1381")) {
				t.Errorf("%q: a PII hit carries the number in clear: %q / %q", c.text, h.MessageText, h.Excerpt)
			}
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got hits %v, want %v", c.text, got, want)
		}
	}
}

func TestPIIExcerptNamesTheKind(t *testing.T) {
	cases := map[string]string{
		"手机 13912345678":                    "手机号 phone number",
		"身份证 11010519900307123X":            "身份证号 ID number",
		"卡号 6222020200000000006":            "银行卡号 card number",
		"13912345678 和 6222020200000000006": "银行卡号 card number, 手机号 phone number",
	}
	for text, want := range cases {
		if got := piiKinds(text); got != want {
			t.Errorf("piiKinds(%q) = %q, want %q", text, got, want)
		}
	}
}

func msg(id int64, sender appliance.Sender, at time.Time, text string) *appliance.Message {
	return &appliance.Message{ID: id, Sender: sender, SenderID: map[bool]int64{true: 7}[sender == appliance.SenderAgent],
		Kind: appliance.KindText, Text: text, CreatedAt: at}
}

func withIntent(m *appliance.Message, intent string) *appliance.Message {
	m.Decision = &appliance.Decision{NLU: &nlu.Result{Intent: intent, Confidence: 0.9}}
	return m
}

func TestRequiredDisclosureAndTimeLimits(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	handoff := at(10)
	conv := &appliance.Conversation{ID: 5, HandoffAt: &handoff}
	ch := NewChecker(defaultRules())

	msgs := []*appliance.Message{
		withIntent(msg(1, appliance.SenderCustomer, at(0), "稳盈30天收益多少"), "investment_products"),
		withIntent(msg(2, appliance.SenderCustomer, at(5), "转人工"), "handoff"),
		// First reply 100 s after the hand-off (limit 60), answering without the disclosure.
		msg(3, appliance.SenderAgent, at(110), "年化大概3.2%左右，挺稳的"),
		msg(4, appliance.SenderCustomer, at(120), "那买十万可以吗"),
		// 200 s later (limit 180), with the disclosure: no second required hit.
		msg(5, appliance.SenderAgent, at(320), "可以的。理财非存款，产品有风险，投资需谨慎"),
		withIntent(msg(6, appliance.SenderCustomer, at(330), "还有别的理财吗"), "investment_products"),
		// Already disclosed in this conversation: fine.
		msg(7, appliance.SenderAgent, at(340), "还有安心货币基金"),
		{ID: 8, Sender: appliance.SenderAgent, Kind: appliance.KindNote, Text: "客户身份证 110105199003071234", CreatedAt: at(341)},
	}
	out := ch.Check(conv, msgs, at(400))
	type key struct {
		rule string
		msg  int64
	}
	var got []key
	for _, h := range out.Hits {
		got = append(got, key{h.RuleName, h.MessageID})
	}
	want := []key{{"理财风险提示", 3}, {"首次响应超时", 3}, {"回复间隔过长", 5}}
	if !slices.Equal(got, want) {
		t.Errorf("got hits %v, want %v", got, want)
	}
	if out.FirstResponse != 100*time.Second || out.MaxReplyGap != 200*time.Second {
		t.Errorf("got first response %v, max gap %v; want 100s and 200s", out.FirstResponse, out.MaxReplyGap)
	}
	if out.Messages != 7 {
		t.Errorf("got %d visible messages, want 7 (the note is internal)", out.Messages)
	}

	// The bot disclosed first: the agent need not repeat it.
	botFirst := []*appliance.Message{
		withIntent(msg(1, appliance.SenderCustomer, at(0), "理财保本吗"), "investment_products"),
		msg(2, appliance.SenderBot, at(1), "理财非存款，产品有风险，投资需谨慎。稳盈30天为中低风险产品。"),
		msg(3, appliance.SenderAgent, at(20), "您好，我补充一下收益情况"),
	}
	if hits := ch.Check(conv, botFirst, time.Time{}).Hits; len(hits) != 0 {
		t.Errorf("disclosed by the bot: got %v, want no hits", hits)
	}

	// Handed off, nobody answered before the audit: one first-response hit without a message.
	unanswered := ch.Check(conv, msgs[:2], at(500))
	if len(unanswered.Hits) != 1 || unanswered.Hits[0].MessageID != 0 || !unanswered.Hits[0].MessageAt.Equal(handoff) {
		t.Errorf("unanswered: got %+v, want one first-response hit at the hand-off", unanswered.Hits)
	}
	// In real time only the new message's own hits are reported.
	rt := ch.CheckMessage(conv, msgs[:4], msgs[4])
	if len(rt) != 1 || rt[0].RuleName != "回复间隔过长" {
		t.Errorf("real time on message 5: got %v, want the reply-gap hit only", rt)
	}
}

func TestValidateRule(t *testing.T) {
	cases := []struct {
		rule appliance.QARule
		code string
	}{
		{appliance.QARule{Name: "x", Kind: appliance.QAPhrase, Severity: "high", Phrases: []string{"滚开"}}, ""},
		{appliance.QARule{Name: "", Kind: appliance.QAPhrase, Severity: "high", Phrases: []string{"a"}}, "invalid_rule_name"},
		{appliance.QARule{Name: "x", Kind: "regex", Severity: "high"}, "invalid_rule_kind"},
		{appliance.QARule{Name: "x", Kind: appliance.QAPhrase, Severity: "urgent", Phrases: []string{"a"}}, "invalid_severity"},
		{appliance.QARule{Name: "x", Kind: appliance.QAPhrase, Severity: "low", Phrases: []string{" ，", "*"}}, "phrases_required"},
		{appliance.QARule{Name: "x", Kind: appliance.QARequired, Severity: "low", Phrases: []string{"a"}}, "phrases_and_intents_required"},
		{appliance.QARule{Name: "x", Kind: appliance.QAReplyGap, Severity: "low"}, "invalid_limit"},
	}
	for _, c := range cases {
		err := Validate(&c.rule)
		if got := map[bool]string{true: ""}[err == nil]; err != nil {
			got = appliance.ErrorCode(err)
			if got != c.code {
				t.Errorf("%+v: got %s, want %q", c.rule, got, c.code)
			}
		} else if c.code != "" {
			t.Errorf("%+v: got no error, want %s", c.rule, c.code)
		}
	}
}
