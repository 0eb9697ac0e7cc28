package appliance_test

import (
	"context"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/knowledge"
	"kefu/nlu"
	"kefu/nlu/cascade"
	"kefu/nlu/catalogs"
)

// dialogueEngine is an engine with the real NLU cascade over the e-commerce
// and travel catalogs, and no business actions.
func dialogueEngine(t *testing.T, faq []knowledge.FAQ) (*appliance.Engine, *store.Store) {
	t.Helper()
	shop, err := catalogs.Load("ecommerce")
	if err != nil {
		t.Fatal(err)
	}
	travel, err := nlu.LoadCatalog(catalogs.Files(), "travel.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := nlu.Merge(shop, travel)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cascade.New(context.Background(), cascade.Config{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, store.SQLite)
	return appliance.NewEngine(appliance.EngineConfig{Store: s, NLU: c, Knowledge: knowledge.NewFAQMatcher(faq)}), s
}

func decisionOf(t *testing.T, s *store.Store, out *appliance.Outcome) *appliance.Decision {
	t.Helper()
	m, err := s.Message(context.Background(), out.Message.ID)
	if err != nil || m.Decision == nil {
		t.Fatalf("decision of %q: %v %v", out.Message.Text, m, err)
	}
	return m.Decision
}

func TestUnservedIntents(t *testing.T) {
	faq := []knowledge.FAQ{
		{ID: "faq-track-order", Question: "怎么查询物流信息？", Answer: "您可以在“我的订单”中查看物流轨迹。"},
		{ID: "faq-deposit", Question: "酒店押金多少？", Similar: []string{"押金300-500元"}, Answer: "押金一般为 300-500 元。"},
	}
	e, s := dialogueEngine(t, faq)
	say := func(user, id, text string) (*appliance.Outcome, *appliance.Decision) {
		out := mustReceive(t, e, web(user, id, text))
		return out, decisionOf(t, s, out)
	}

	// An action intent without actions answers from its catalog query first.
	out, d := say("v1", "m1", "我昨天买的鞋子啥时候到?")
	if d.Policy != appliance.PolicyAnswer || len(out.Replies) != 1 || out.Replies[0].Text != faq[0].Answer {
		t.Errorf("order status: got %s %v, want the tracking FAQ", d.Policy, out.Replies)
	}
	// The same order, urged: understood, nothing asked again, and said plainly
	// that the bot cannot do it itself.
	out, d = say("v1", "m2", "能催吗?")
	if d.Policy != appliance.PolicyUnavailable || d.Dialogue == nil || d.Dialogue.Intent != "urge_delivery" ||
		d.Dialogue.Filled["purchase_date"] == "" || len(d.Dialogue.Missing) != 0 {
		t.Errorf("urge: got %s %+v, want unavailable for urge_delivery on the order in context", d.Policy, d.Dialogue)
	}
	if len(out.Replies) != 1 || out.Replies[0].Text == "" {
		t.Errorf("urge: got replies %v, want one", out.Replies)
	}

	// An answer to the bot's question is neither small talk nor a question for
	// the knowledge base ("300-500元" would match the deposit FAQ).
	say("v2", "m1", "有没有靠近地铁站的双床房?")
	say("v2", "m2", "下周五入住")
	out, d = say("v2", "m3", "预算300-500元")
	if d.Policy != appliance.PolicyUnavailable || d.Dialogue == nil || d.Dialogue.Filled["budget"] != "300-500" {
		t.Errorf("budget: got %s %+v, want the hotel search complete and unavailable", d.Policy, d.Dialogue)
	}
	if d.Knowledge != nil {
		t.Errorf("budget: the knowledge base was asked with %+v, want it left alone", d.Knowledge)
	}
}
