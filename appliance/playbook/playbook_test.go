package playbook

import (
	"context"
	"strings"
	"testing"

	"kefu/appliance"
	"kefu/nlu"
)

func TestValidIDNumber(t *testing.T) {
	for id, want := range map[string]bool{
		"11010519491231002X": true,
		"11010519491231002x": true,
		"110105194912310021": false, // wrong check character
		"11010519491331002X": false, // month 13
		"1101051949123100":   false,
		"A1010519491231002X": false,
	} {
		if got := ValidIDNumber(id); got != want {
			t.Errorf("ValidIDNumber(%s) = %v, want %v", id, got, want)
		}
	}
}

func TestShippedPlaybooksParse(t *testing.T) {
	var docs [][]byte
	for _, n := range Names() {
		b, err := Default(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(b); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		docs = append(docs, b)
	}
	if _, err := New(Options{}, docs); err != nil {
		t.Errorf("all together: %v", err)
	}
	if _, err := New(Options{}, [][]byte{docs[0], docs[0]}); err == nil {
		t.Error("the same playbook twice: got no error")
	}
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no name":          "bindings: []",
		"idle binding":     "name: x\nbindings: [{intent: a}]",
		"bad context":      "name: x\nbindings: [{intent: a, context: {slot: s, from: somewhere}}]",
		"descending tiers": "name: x\nbindings: [{intent: a, ticket: {type: refund}, refund: {action: b, tiers: [{max_ratio: 0.5, percent: 50}, {max_ratio: 0.1, percent: 80}]}}]",
		"photos no ticket": "name: x\nbindings: [{intent: a, action: b, photos: {max: 3}}]",
		"bad template":     "name: x\nbindings: [{intent: a, action: b, done: {zh: '{{.x'}}]",
		"unknown key":      "name: x\nbinding: []",
		"verification":     "name: x\nverification: {valid_for: 1m, max_attempts: 1}",
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

// actions is a fake business system answering course progress.
type fakeActions struct{ attended, total, fee int64 }

func (f fakeActions) Call(_ context.Context, name string, in appliance.ActionInput) (*appliance.ActionResult, error) {
	return &appliance.ActionResult{Fields: map[string]any{"course": "少儿英语", "attended": f.attended, "total": f.total, "fee": f.fee},
		Detail: map[string]any{"action": name}}, nil
}

func TestRefundTiers(t *testing.T) {
	edu, _ := Default("education")
	cases := []struct {
		attended          int64
		percent, amount   string
		confirmationAsked bool
	}{
		{0, "100", "3000.00", true},
		{1, "80", "2400.00", true},
		{3, "80", "2400.00", true},
		{4, "50", "1500.00", true},
		{5, "50", "1500.00", true},
		{6, "", "", false},
	}
	for _, c := range cases {
		p, err := New(Options{Actions: fakeActions{c.attended, 10, 3000}}, [][]byte{edu})
		if err != nil {
			t.Fatal(err)
		}
		in := &nlu.Intent{Name: "course_refund", Slots: []nlu.Slot{{Name: "course", Entity: "course", Required: true}}}
		tr := &appliance.Turn{Message: &appliance.Message{ID: 1}, Lang: "zh", Decision: &appliance.Decision{}, State: &nlu.State{},
			Dialogue: nlu.Turn{Intent: in, Complete: true, Filled: map[string]string{"course": "少儿英语"}}}
		done, err := p.Step(context.Background(), appliance.StageServe, tr)
		if err != nil || !done {
			t.Fatalf("attended %d: done %v err %v", c.attended, done, err)
		}
		got := tr.Replies[0].Text
		asked := getFlow(&tr.Dialogue.State) != nil
		if asked != c.confirmationAsked {
			t.Errorf("attended %d: confirmation asked %v, want %v (%q)", c.attended, asked, c.confirmationAsked, got)
		}
		if c.percent != "" && !strings.Contains(got, "¥3000.00 × "+c.percent+"% = ¥"+c.amount) {
			t.Errorf("attended %d: got %q, want ¥3000.00 × %s%% = ¥%s", c.attended, got, c.percent, c.amount)
		}
		if c.percent == "" && !strings.Contains(got, "不能退费") {
			t.Errorf("attended %d: got %q, want no refund", c.attended, got)
		}
	}
}

type memDocs struct{ saved []*appliance.PlaybookDocument }

func (m *memDocs) PlaybookDocuments(context.Context) ([]*appliance.PlaybookDocument, error) {
	return m.saved, nil
}
func (m *memDocs) SavePlaybookDocument(_ context.Context, d *appliance.PlaybookDocument) error {
	m.saved = append(m.saved, d)
	return nil
}

func TestDocumentsApplyWithoutRestart(t *testing.T) {
	travel, _ := Default("travel")
	p, err := New(Options{}, [][]byte{travel})
	if err != nil {
		t.Fatal(err)
	}
	docs := NewDocuments(&memDocs{})
	docs.Group("playbooks", p.Load)
	docs.Add("playbooks", "playbook:travel", travel)
	if _, err := docs.Save(context.Background(), "playbook:travel", "name: travel\nbindings: [{intent: x}]", 0, "admin"); appliance.ErrorCode(err) != "invalid_document" {
		t.Fatalf("invalid edit: got %v, want invalid_document", err)
	}
	if _, b := p.bindingFor("hotel_search"); b == nil {
		t.Fatal("a refused edit changed the running playbook")
	}
	edited := strings.Replace(string(travel), "的酒店目前有", "的酒店还剩", 1)
	d, err := docs.Save(context.Background(), "playbook:travel", edited, 0, "admin")
	if err != nil || d.Version != 1 {
		t.Fatalf("edit: %v %v", d, err)
	}
	if _, b := p.bindingFor("hotel_search"); b == nil || !strings.Contains(b.Flow.Narrow.Zh, "还剩") {
		t.Errorf("the edit is not running: %+v", b)
	}
	if _, err := docs.Save(context.Background(), "playbook:travel", edited, 0, "admin"); appliance.ErrorCode(err) != "document_changed" {
		t.Errorf("stale version: got %v, want document_changed", err)
	}
}

// A Latin keyword starts a word: "fund" is no disclosure trigger in
// "refund", "allerg" still finds "allergic"; Chinese keywords match anywhere.
func TestContainsAnyWords(t *testing.T) {
	for _, tc := range []struct {
		text, want string
		words      []string
	}{
		{"how long does the refund take?", "", []string{"fund", "invest"}},
		{"which fund is safest", "fund", []string{"fund"}},
		{"Funds: what yields 3%?", "fund", []string{"fund"}},
		{"I'm allergic to it", "allerg", []string{"allerg"}},
		{"the app crashed", "", []string{"rash"}},
		{"a rash on my arm", "rash", []string{"rash"}},
		{"我想买点理财产品", "理财", []string{"理财"}},
		{"refund, then a fund", "fund", []string{"fund"}},
	} {
		if got := containsAny(tc.text, tc.words); got != tc.want {
			t.Errorf("containsAny(%q, %v) = %q, want %q", tc.text, tc.words, got, tc.want)
		}
	}
}

// The risk disclosure comes once per conversation (QA's required-phrase
// rules count the first), again in a new conversation, and before every
// answer when the playbook says every_answer.
func TestDisclosureOncePerConversation(t *testing.T) {
	fin, _ := Default("finance")
	turn := func(p *Policy, conv int64, st *nlu.State) *appliance.Turn {
		tr := &appliance.Turn{Conversation: &appliance.Conversation{ID: conv}, Message: &appliance.Message{ID: 1, Text: "有哪些理财产品"},
			Lang: "zh", Decision: &appliance.Decision{}, State: st,
			NLU: nlu.Result{Intent: "investment_products", Confidence: 0.99}}
		if st != nil {
			tr.Dialogue.State = cloneState(st)
		}
		if _, err := p.Step(context.Background(), appliance.StageDisclosure, tr); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	disclosed := func(tr *appliance.Turn) bool {
		return len(tr.Replies) == 1 && strings.Contains(tr.Replies[0].Text, "【风险提示】")
	}
	p, err := New(Options{}, [][]byte{fin})
	if err != nil {
		t.Fatal(err)
	}
	first := turn(p, 7, nil)
	if !disclosed(first) {
		t.Fatalf("first investment question: replies %+v, want the disclosure", first.Replies)
	}
	again := turn(p, 7, &first.Dialogue.State)
	if disclosed(again) || len(again.Replies) != 0 {
		t.Errorf("second question in the same conversation: replies %+v, want none", again.Replies)
	}
	if third := turn(p, 7, &again.Dialogue.State); len(third.Replies) != 0 {
		t.Errorf("third question: replies %+v, want none (the state must keep the mark)", third.Replies)
	}
	if next := turn(p, 8, &again.Dialogue.State); !disclosed(next) {
		t.Errorf("a new conversation: replies %+v, want the disclosure again", next.Replies)
	}
	every, err := New(Options{}, [][]byte{[]byte(strings.Replace(string(fin), "disclosure:\n", "disclosure:\n  every_answer: true\n", 1))})
	if err != nil {
		t.Fatal(err)
	}
	if tr := turn(every, 7, &first.Dialogue.State); !disclosed(tr) {
		t.Errorf("every_answer: replies %+v, want the disclosure again", tr.Replies)
	}
}
