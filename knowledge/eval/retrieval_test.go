package eval

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"kefu/knowledge"
	"kefu/knowledge/demo"
	"kefu/nlu/ollamatest"
)

func demoQueries(t *testing.T) []Query {
	t.Helper()
	f, err := os.Open("../testdata/demo-eval.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQueries(f)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// The demo evaluation set: at least 300 answerable questions, every
// expected id known to the demo knowledge base, both halves present.
func TestDemoEvalSetShape(t *testing.T) {
	qs := demoQueries(t)
	kb, err := LoadKB(context.Background(), demo.FS, newIndex(), nil)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	items, _, _ := kb.Service.Repository().Items(context.Background(), knowledge.ItemFilter{Limit: 1000})
	for _, it := range items {
		known[it.ID] = true
	}
	answerable, splits := 0, map[string]int{}
	for _, q := range qs {
		for _, id := range q.Expected {
			if !known[id] {
				t.Errorf("%q expects unknown entry %s", q.Text, id)
			}
		}
		if len(q.Expected) > 0 {
			answerable++
			splits[q.Split]++
		}
	}
	if answerable < 300 || splits["dev"] < 100 || splits["test"] < 100 {
		t.Errorf("got %d answerable questions %v, want ≥ 300 in dev and test halves", answerable, splits)
	}
	if kb.FAQs < 80 || kb.Documents < 5 {
		t.Errorf("demo knowledge base: %d FAQ entries and %d documents, want ≥ 80 and ≥ 5", kb.FAQs, kb.Documents)
	}
}

// The bar: hit@1 ≥ 0.85 on the demo set, lexical only (no model needed).
// The held-out half holds a few questions added after the ranking was
// tuned (parcels that have not arrived yet) and sits just under it.
// The relevance gate, calibrated on the development half, must refuse
// most out-of-scope questions on both halves and rarely answer an
// answerable one from the wrong entry.
func TestDemoRetrievalMeetsBar(t *testing.T) {
	res, err := Retrieval(context.Background(), Options{KB: demo.FS, Queries: demoQueries(t)})
	if err != nil {
		t.Fatal(err)
	}
	lex := res.Lexical
	t.Logf("lexical: hit@1 %.3f hit@5 %.3f MRR %.3f p50 %.2fms p99 %.2fms; dev %+v; test %+v",
		lex.Hit1, lex.Hit5, lex.MRR, lex.P50ms, lex.P99ms, lex.Splits["dev"], lex.Splits["test"])
	if lex.Hit1 < 0.85 {
		t.Errorf("hit@1: got %.3f, want ≥ 0.85", lex.Hit1)
	}
	if h := lex.Splits["test"].Hit1; h < 0.84 {
		t.Errorf("held-out hit@1: got %.3f, want ≥ 0.84", h)
	}
	if lex.Hit5 < 0.95 || lex.MRR < lex.Hit1 || lex.MRR > lex.Hit5 {
		t.Errorf("hit@5 %.3f, MRR %.3f: want hit@5 ≥ 0.95 and hit@1 ≤ MRR ≤ hit@5", lex.Hit5, lex.MRR)
	}
	for _, split := range []string{"dev", "test"} {
		s := lex.Splits[split]
		if s.OutOfScope < 40 || s.Refused < 0.8 {
			t.Errorf("%s: %d out-of-scope questions, %.3f refused; want ≥ 40 and ≥ 0.8", split, s.OutOfScope, s.Refused)
		}
		if s.AnsweredWrong > 0.1 || s.Answered < 0.75 {
			t.Errorf("%s: answered %.3f, from a wrong entry %.3f; want ≥ 0.75 and ≤ 0.1", split, s.Answered, s.AnsweredWrong)
		}
	}
	if res.Hybrid != nil || res.Hit1 != lex.Hit1 {
		t.Errorf("without an embedder the headline must be the lexical run: %+v", res.Scores)
	}
}

// With an embedding model, a hybrid run is reported next to the lexical
// one and becomes the headline; the JSON carries the fields the CLI
// promises.
func TestHybridRunAndJSON(t *testing.T) {
	srv := ollamatest.NewServer(ollamatest.Model{Name: "bge-m3", Embed: true, Dims: 64})
	defer srv.Close()
	kbfs := fstest.MapFS{
		"faq.csv":      {Data: []byte("id,question,similar,answer\nfee,运费怎么算？,包邮吗,满 99 元包邮。\nhotel,酒店几点入住？,入住时间,14:00 以后入住。\n")},
		"docs/card.md": {Data: []byte("# 银行卡挂失\n\n银行卡丢失请立即在 App 中临时挂失，之后到网点补卡。")},
		"synonyms.txt": {Data: []byte("丢了, 丢失, 掉了\n")},
	}
	qs := []Query{{Text: "我卡掉了咋办", Expected: []string{"card"}}, {Text: "包邮不", Expected: []string{"fee"}},
		{Text: "几点能住进去", Expected: []string{"hotel"}}, {Text: "今天天气如何"}}
	res, err := Retrieval(context.Background(), Options{KB: kbfs, Queries: qs,
		Embedder: knowledge.NewOllamaEmbedder(srv.Client(), "bge-m3", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Hybrid == nil || res.Hybrid.Mode != "hybrid" || res.Lexical.Mode != "lexical" || res.Queries != 3 {
		t.Fatalf("got %+v", res)
	}
	if res.Documents != 1 || res.FAQs != 2 || res.Lexical.Hit1 != 1 {
		t.Errorf("documents %d, faqs %d, lexical hit@1 %.2f: want 1, 2, 1.00 (the synonym 掉了→丢失 finds the card)", res.Documents, res.FAQs, res.Lexical.Hit1)
	}
	if srv.EmbedCalls() == 0 {
		t.Errorf("the hybrid run never called the embedding model")
	}
	b, _ := json.Marshal(res)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"queries", "hit1", "hit5", "mrr", "p50_ms", "p99_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
}

func TestReadQueriesRejectsBadLines(t *testing.T) {
	for _, in := range []string{"", "{\"text\":\"\"}\n", "not json\n"} {
		if _, err := ReadQueries(strings.NewReader(in)); knowledge.ErrorCode(err) != knowledge.CodeInvalid {
			t.Errorf("%q: got %v, want invalid_input", in, err)
		}
	}
}

func TestLoadKBNamesBrokenFile(t *testing.T) {
	kbfs := fstest.MapFS{"good.md": {Data: []byte("# 好\n\n正文。")}, "bad.pdf": {Data: []byte("%PDF-1.4 broken")}}
	_, err := LoadKB(context.Background(), kbfs, newIndex(), nil)
	if knowledge.ErrorCode(err) != knowledge.CodeCorruptFile || !strings.Contains(err.Error(), "bad.pdf") {
		t.Errorf("got %v, want corrupt_file naming bad.pdf", err)
	}
}

func TestWriteText(t *testing.T) {
	r := &Result{Documents: 1, FAQs: 2, Chunks: 3, Lexical: Report{Mode: "lexical", Scores: Scores{Queries: 4, Hit1: 0.75, OutOfScope: 1, Refused: 1},
		Splits: map[string]Scores{"dev": {Queries: 2, Hit1: 1}},
		Misses: []Miss{{Text: "包邮吗", Expected: []string{"fee"}, Got: []string{"hotel"}}}}}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 documents (3 chunks), 2 FAQ entries", "hit@1 0.750", "dev      queries    2  hit@1 1.000", "out of scope 1 refused 1.000", "miss: 包邮吗  want fee  got hotel"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
