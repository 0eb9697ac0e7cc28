package eval

import (
	"context"
	"testing"

	"kefu/knowledge"
	"kefu/knowledge/demo"
)

// demoResponder publishes the demo knowledge base on the embedded index
// and answers with the default thresholds, as the appliance does.
func demoResponder(t *testing.T) (*knowledge.Responder, *KB) {
	t.Helper()
	kb, err := LoadKB(context.Background(), demo.FS, newIndex(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ret, err := knowledge.NewRetriever(knowledge.RetrieverConfig{Index: kb.Index, Synonyms: kb.Synonyms})
	if err != nil {
		t.Fatal(err)
	}
	r, err := knowledge.NewResponder(knowledge.ResponderConfig{Retriever: ret})
	if err != nil {
		t.Fatal(err)
	}
	return r, kb
}

// Questions the demo knowledge base does not cover get Kind none, so the
// bot says it does not know and offers a human, instead of an unrelated
// passage (the first one once answered with the fund purchase cut-off).
func TestGateRefusesWhatTheKnowledgeBaseDoesNotCover(t *testing.T) {
	r, _ := demoResponder(t)
	for _, q := range []string{
		"我昨天买的鞋子啥时候到?",
		"鞋子什么时候到",
		"车险理赔要什么材料",
		"黄金现在多少钱一克",
		"明天北京天气怎么样",
		"你们公司有多少员工",
		"宝宝湿疹擦什么药膏好",
		"孩子不爱吃饭怎么办",
		"酒店有健身房吗",
		"帮我写一首关于春天的诗",
	} {
		a, err := r.Answer(context.Background(), knowledge.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != knowledge.AnswerNone {
			cited := ""
			if len(a.Citations) > 0 {
				cited = a.Citations[0].DocumentID
			}
			t.Errorf("%q: got %s from %s (%q), want none", q, a.Kind, cited, a.Text)
		}
	}
}

// Close matches of curated FAQ entries still come back verbatim.
func TestGateKeepsCloseFAQMatchesVerbatim(t *testing.T) {
	r, kb := demoResponder(t)
	ctx := context.Background()
	for q, id := range map[string]string{
		"包邮吗":       "faq-shipping-fee",
		"退款多久到账":    "faq-refund-time",
		"我的快递到哪了":   "faq-track-order",
		"怎么转人工客服":   "faq-human-agent",
		"酒店几点可以入住":  "faq-hotel-checkin",
		"雨鞋怎么洗":     "faq-rainboots-care",
		"提现有手续费吗":   "faq-withdraw-fee",
		"有试听课吗":     "faq-course-trial",
		"奶粉开封后能退吗":  "faq-milk-powder",
		"忘记交易密码怎么办": "faq-reset-password",
	} {
		v, err := kb.Service.Repository().Version(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.Answer(ctx, knowledge.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != knowledge.AnswerFAQ || a.Text != v.FAQ.Answer || len(a.Citations) != 1 || a.Citations[0].DocumentID != id {
			t.Errorf("%q: got %s %q citing %v, want %s's answer verbatim", q, a.Kind, a.Text, a.Citations, id)
		}
	}
}
