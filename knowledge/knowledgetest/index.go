package knowledgetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"kefu/knowledge"
	"kefu/nlu/ollamatest"
)

// IndexOptions describe the backend under test.
type IndexOptions struct {
	// Dims is the dense vector size the index was created for; 0 runs the
	// lexical cases only.
	Dims int
}

// Rec builds a published record the way the service does, with a sparse
// vector from its text and, when dims > 0, the fake embedding model's
// dense vector.
func Rec(id, doc, text string, dims int) knowledge.Record {
	r := knowledge.Record{ID: id, DocumentID: doc, Kind: knowledge.KindDocument, Version: 1, Title: doc,
		Text: text, Published: true, Sparse: knowledge.DocumentVector(text)}
	if dims > 0 {
		r.Dense = ollamatest.Embedding(text, dims)
	}
	return r
}

// Query builds a search request for text.
func Query(text string, dims int, f knowledge.Filter) knowledge.SearchRequest {
	q := knowledge.SearchRequest{Sparse: knowledge.QueryVector(text, nil, 0), Filter: f, Limit: 10}
	if dims > 0 {
		q.Dense = ollamatest.Embedding(text, dims)
	}
	return q
}

func ids(hits []knowledge.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Record.ID
	}
	return out
}

func corpus(dims int) []knowledge.Record {
	recs := []knowledge.Record{
		Rec("ship#0", "ship", "下单后 24 小时内发货，每天 16:00 前付款的订单当天发出。", dims),
		Rec("ship#1", "ship", "默认发顺丰速运和中通快递，可在备注中指定顺丰。", dims),
		Rec("fee#0", "fee", "单笔订单满 99 元全国包邮，不满 99 元收取 8 元运费。", dims),
		Rec("refund#0", "refund", "仓库确认收货后 1-3 个工作日内退款，原路退回。", dims),
		Rec("hotel#0", "hotel", "酒店入住时间为 14:00 以后，退房时间为次日 12:00 前。", dims),
		Rec("course#0", "course", "每门课程都提供一节免费试听课，在课程页点击预约试听。", dims),
	}
	recs[4].Tags = []string{"酒店"}
	recs[4].Channels = []string{"wechat"}
	recs[5].Segments = []string{"vip"}
	recs[5].Lang = "zh"
	return recs
}

// TestIndex runs the contract every knowledge.Index must honour. open
// returns a fresh, empty index for each case.
func TestIndex(t *testing.T, open func(t *testing.T) knowledge.Index, o IndexOptions) {
	ctx := context.Background()
	seed := func(t *testing.T) knowledge.Index {
		t.Helper()
		x := open(t)
		if err := x.Upsert(ctx, corpus(o.Dims)); err != nil {
			t.Fatalf("Upsert: %v", err)
		}
		return x
	}
	search := func(t *testing.T, x knowledge.Index, q knowledge.SearchRequest) []knowledge.Hit {
		t.Helper()
		hits, err := x.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Fatalf("hits out of order: %v before %v", hits[i-1].Score, hits[i].Score)
			}
		}
		return hits
	}

	t.Run("CountAndDocuments", func(t *testing.T) {
		x := seed(t)
		n, err := x.Count(ctx)
		if err != nil || n != 6 {
			t.Fatalf("Count: got %d, %v; want 6", n, err)
		}
		docs, err := x.Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 5 || docs["ship"] != 1 {
			t.Errorf("Documents: got %v, want 5 documents at version 1", docs)
		}
	})

	t.Run("LexicalRanking", func(t *testing.T) {
		x := seed(t)
		for q, want := range map[string]string{
			"运费多少钱，满多少包邮": "fee#0",
			"退款几天能到账":     "refund#0",
			"能发顺丰吗":       "ship#1",
			"有没有免费试听课":    "course#0",
		} {
			req := Query(q, 0, knowledge.Filter{})
			hits := search(t, x, req)
			if len(hits) == 0 || hits[0].Record.ID != want {
				t.Errorf("%q: got %v, want %s first", q, ids(hits), want)
				continue
			}
			if hits[0].Lexical <= 0 {
				t.Errorf("%q: lexical score %v, want > 0", q, hits[0].Lexical)
			}
			if hits[0].Record.Text == "" || hits[0].Record.DocumentID == "" {
				t.Errorf("%q: hit lacks its payload: %+v", q, hits[0].Record)
			}
		}
	})

	t.Run("NoMatch", func(t *testing.T) {
		x := seed(t)
		hits := search(t, x, Query("zzqx", 0, knowledge.Filter{}))
		if len(hits) != 0 {
			t.Errorf("got %v, want nothing", ids(hits))
		}
	})

	t.Run("Limit", func(t *testing.T) {
		x := seed(t)
		q := Query("订单 退款 酒店 课程 快递 运费", 0, knowledge.Filter{})
		q.Limit = 2
		if hits := search(t, x, q); len(hits) != 2 {
			t.Errorf("got %d hits, want 2", len(hits))
		}
	})

	t.Run("Filters", func(t *testing.T) {
		x := seed(t)
		cases := []struct {
			name string
			q    string
			f    knowledge.Filter
			want bool // whether the target is found
			id   string
		}{
			{"channel open to all", "入住时间", knowledge.Filter{Channel: "wechat"}, true, "hotel#0"},
			{"channel excluded", "入住时间", knowledge.Filter{Channel: "app"}, false, "hotel#0"},
			{"no channel asked", "入住时间", knowledge.Filter{}, true, "hotel#0"},
			{"tag matches", "入住时间", knowledge.Filter{Tags: []string{"酒店", "旅行"}}, true, "hotel#0"},
			{"tag excludes", "退款", knowledge.Filter{Tags: []string{"酒店"}}, false, "refund#0"},
			{"segment matches", "试听课", knowledge.Filter{Segment: "vip"}, true, "course#0"},
			{"segment excludes", "试听课", knowledge.Filter{Segment: "new"}, false, "course#0"},
			{"untargeted content serves every segment", "退款", knowledge.Filter{Segment: "new"}, true, "refund#0"},
			{"lang matches", "试听课", knowledge.Filter{Lang: "zh"}, true, "course#0"},
			{"lang excludes", "试听课", knowledge.Filter{Lang: "en"}, false, "course#0"},
		}
		for _, c := range cases {
			got := slices.Contains(ids(search(t, x, Query(c.q, o.Dims, c.f))), c.id)
			if got != c.want {
				t.Errorf("%s: %s found = %v, want %v", c.name, c.id, got, c.want)
			}
		}
	})

	t.Run("PublishedOnly", func(t *testing.T) {
		x := seed(t)
		draft := Rec("draft#0", "draft", "新政策草稿：退货运费险赔付标准调整。", o.Dims)
		draft.Published = false
		if err := x.Upsert(ctx, []knowledge.Record{draft}); err != nil {
			t.Fatal(err)
		}
		if got := ids(search(t, x, Query("运费险赔付标准", o.Dims, knowledge.Filter{}))); slices.Contains(got, "draft#0") {
			t.Errorf("an unpublished record answered customers: %v", got)
		}
		if got := ids(search(t, x, Query("运费险赔付标准", o.Dims, knowledge.Filter{IncludeUnpublished: true}))); !slices.Contains(got, "draft#0") {
			t.Errorf("IncludeUnpublished: got %v, want draft#0", got)
		}
	})

	t.Run("UpsertReplaces", func(t *testing.T) {
		x := seed(t)
		r := Rec("fee#0", "fee", "全场商品一律包邮，不再收取运费。", o.Dims)
		r.Version = 2
		if err := x.Upsert(ctx, []knowledge.Record{r}); err != nil {
			t.Fatal(err)
		}
		if n, _ := x.Count(ctx); n != 6 {
			t.Errorf("Count after replace: got %d, want 6", n)
		}
		hits := search(t, x, Query("99 元", 0, knowledge.Filter{}))
		if slices.Contains(ids(hits), "fee#0") {
			t.Errorf("the replaced text still matches: %v", ids(hits))
		}
		hits = search(t, x, Query("一律包邮", 0, knowledge.Filter{}))
		if len(hits) == 0 || hits[0].Record.ID != "fee#0" || hits[0].Record.Version != 2 {
			t.Errorf("got %v, want fee#0 at version 2", hits)
		}
		if docs, _ := x.Documents(ctx); docs["fee"] != 2 {
			t.Errorf("Documents: fee at version %d, want 2", docs["fee"])
		}
	})

	t.Run("ReplacedRecordsLeaveNoTrace", func(t *testing.T) {
		// Deleted and replaced records must not count in IDF: a lone record
		// republished several times is still found.
		x := open(t)
		for v := 1; v <= 3; v++ {
			if err := x.DeleteDocument(ctx, "hotel"); err != nil {
				t.Fatal(err)
			}
			r := Rec("hotel#0", "hotel", fmt.Sprintf("酒店入住时间为 1%d:00 以后。", v+3), o.Dims)
			r.Version = v
			if err := x.Upsert(ctx, []knowledge.Record{r}); err != nil {
				t.Fatal(err)
			}
		}
		hits := search(t, x, Query("入住时间", 0, knowledge.Filter{}))
		if len(hits) != 1 || hits[0].Record.Version != 3 || hits[0].Lexical <= 0 {
			t.Errorf("got %+v, want version 3 with a positive lexical score", hits)
		}
	})

	t.Run("DeleteDocument", func(t *testing.T) {
		x := seed(t)
		if err := x.DeleteDocument(ctx, "ship"); err != nil {
			t.Fatal(err)
		}
		if n, _ := x.Count(ctx); n != 4 {
			t.Errorf("Count: got %d, want 4", n)
		}
		for _, q := range []string{"顺丰", "发货"} {
			for _, h := range search(t, x, Query(q, o.Dims, knowledge.Filter{})) {
				if h.Record.DocumentID == "ship" {
					t.Errorf("%q: deleted record %s still found", q, h.Record.ID)
				}
			}
		}
		if err := x.DeleteDocument(ctx, "never-indexed"); err != nil {
			t.Errorf("deleting an unknown document: got %v, want nil", err)
		}
	})

	t.Run("ManyRecordsInBatches", func(t *testing.T) {
		x := open(t)
		var recs []knowledge.Record
		for i := 0; i < 250; i++ {
			recs = append(recs, Rec(fmt.Sprintf("bulk#%d", i), fmt.Sprintf("bulk-%d", i%25),
				fmt.Sprintf("第%d号商品的说明，编号 sku%d，适合%d岁宝宝。", i, i, i%6), o.Dims))
		}
		if err := x.Upsert(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if n, _ := x.Count(ctx); n != 250 {
			t.Fatalf("Count: got %d, want 250", n)
		}
		hits := search(t, x, Query("sku137", 0, knowledge.Filter{}))
		if len(hits) == 0 || hits[0].Record.ID != "bulk#137" {
			t.Errorf("got %v, want bulk#137 first", ids(hits))
		}
	})

	if o.Dims == 0 {
		return
	}
	t.Run("DenseLeg", func(t *testing.T) {
		x := seed(t)
		// A dense-only query: no sparse terms at all.
		q := knowledge.SearchRequest{Dense: ollamatest.Embedding("酒店入住时间为 14:00 以后", o.Dims), Limit: 3}
		hits := search(t, x, q)
		if len(hits) == 0 || hits[0].Record.ID != "hotel#0" {
			t.Fatalf("got %v, want hotel#0 first", ids(hits))
		}
		if hits[0].Dense <= 0.5 && hits[0].Dense != 0 {
			t.Errorf("dense score %v, want a cosine close to 1", hits[0].Dense)
		}
	})

	t.Run("HybridFindsBothLegs", func(t *testing.T) {
		x := seed(t)
		// The sparse vector asks about refunds, the dense one about
		// check-in: a hybrid search must return both.
		q := knowledge.SearchRequest{Sparse: knowledge.QueryVector("退款到账", nil, 0),
			Dense: ollamatest.Embedding("酒店入住时间为 14:00 以后，退房时间为次日 12:00 前。", o.Dims), Limit: 5}
		got := ids(search(t, x, q))
		if !slices.Contains(got, "refund#0") || !slices.Contains(got, "hotel#0") {
			t.Errorf("got %v, want refund#0 and hotel#0", got)
		}
	})

	t.Run("DenseFilters", func(t *testing.T) {
		x := seed(t)
		q := knowledge.SearchRequest{Dense: ollamatest.Embedding("酒店入住时间", o.Dims), Limit: 10,
			Filter: knowledge.Filter{Channel: "app"}}
		if got := ids(search(t, x, q)); slices.Contains(got, "hotel#0") {
			t.Errorf("the channel filter did not apply to the dense leg: %v", got)
		}
	})

	t.Run("WrongDimensions", func(t *testing.T) {
		x := seed(t)
		_, err := x.Search(ctx, knowledge.SearchRequest{Dense: make([]float32, o.Dims+1), Limit: 3})
		if err == nil {
			t.Errorf("a query vector of the wrong size was accepted")
		}
		bad := Rec("bad#0", "bad", "尺寸不对", 0)
		bad.Dense = make([]float32, o.Dims+3)
		bad.Dense[0] = 1
		if err := x.Upsert(ctx, []knowledge.Record{bad}); err == nil {
			t.Errorf("a record vector of the wrong size was accepted")
		}
		if err != nil && !strings.Contains(err.Error(), "dim") {
			t.Logf("error: %v", err)
		}
	})
}
