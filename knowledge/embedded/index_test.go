package embedded

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"kefu/knowledge"
	"kefu/knowledge/knowledgetest"
)

func TestContractInMemory(t *testing.T) {
	knowledgetest.TestIndex(t, func(t *testing.T) knowledge.Index { return New() }, knowledgetest.IndexOptions{})
}

func TestContractPersistedDense(t *testing.T) {
	knowledgetest.TestIndex(t, func(t *testing.T) knowledge.Index {
		x, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	}, knowledgetest.IndexOptions{Dims: 64})
}

func TestReloadFromLogAndSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	recs := []knowledge.Record{
		knowledgetest.Rec("a#0", "a", "下单后 24 小时内发货。", 16),
		knowledgetest.Rec("b#0", "b", "满 99 元全国包邮。", 16),
		knowledgetest.Rec("c#0", "c", "酒店入住时间为 14:00 以后。", 16),
	}
	if err := x.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteDocument(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	// Reopen without Close: a crash. Only the log is there.
	x.store.wal.Close()
	y, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	check := func(ix *Index, stage string) {
		t.Helper()
		if n, _ := ix.Count(ctx); n != 2 {
			t.Fatalf("%s: Count got %d, want 2", stage, n)
		}
		hits, err := ix.Search(ctx, knowledgetest.Query("入住时间", 16, knowledge.Filter{}))
		if err != nil || len(hits) == 0 || hits[0].Record.ID != "c#0" || hits[0].Dense == 0 {
			t.Fatalf("%s: got %+v, %v; want c#0 with a dense score", stage, hits, err)
		}
	}
	check(y, "after replaying the log")
	if err := y.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, walFile)); err != nil || fi.Size() != 0 {
		t.Fatalf("log after Close: %v, %v; want empty", fi, err)
	}
	z, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	check(z, "after loading the snapshot")
	z.Close()
}

func TestTornLogTailIsDropped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Upsert(ctx, []knowledge.Record{knowledgetest.Rec("a#0", "a", "下单后 24 小时内发货。", 0)}); err != nil {
		t.Fatal(err)
	}
	if err := x.Upsert(ctx, []knowledge.Record{knowledgetest.Rec("b#0", "b", "满 99 元全国包邮。", 0)}); err != nil {
		t.Fatal(err)
	}
	x.store.wal.Close()
	path := filepath.Join(dir, walFile)
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()-5); err != nil { // the second write was cut short
		t.Fatal(err)
	}
	y, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if n, _ := y.Count(ctx); n != 1 {
		t.Errorf("Count: got %d, want 1 (the torn write dropped)", n)
	}
	// The index keeps working and logging after the repair.
	if err := y.Upsert(ctx, []knowledge.Record{knowledgetest.Rec("c#0", "c", "酒店", 0)}); err != nil {
		t.Fatal(err)
	}
}

func TestCompactionKeepsResults(t *testing.T) {
	ctx := context.Background()
	x := New()
	var recs []knowledge.Record
	for i := 0; i < 3000; i++ {
		recs = append(recs, knowledgetest.Rec(string(rune('a'+i%26))+string(rune('0'+i%10))+"#"+itoa(i), "doc"+itoa(i%100), "商品说明 编号"+itoa(i), 8))
	}
	if err := x.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ {
		if err := x.DeleteDocument(ctx, "doc"+itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(x.recs) >= 3000 {
		t.Errorf("slots %d with %d dead: want compacted once past 1000 dead", len(x.recs), x.dead)
	}
	if n, _ := x.Count(ctx); n != 1200 {
		t.Errorf("Count: got %d, want 1200", n)
	}
	hits, _ := x.Search(ctx, knowledgetest.Query("编号2999", 8, knowledge.Filter{}))
	if len(hits) == 0 || hits[0].Record.DocumentID != "doc99" {
		t.Errorf("got %+v, want a doc99 record first", hits)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// DocFreqs counts live records per term: a deleted document no longer
// counts, and a term nobody uses counts zero.
func TestDocFreqs(t *testing.T) {
	ctx := context.Background()
	x := New()
	recs := []knowledge.Record{
		knowledgetest.Rec("a#0", "a", "下单后 24 小时内发货。", 0),
		knowledgetest.Rec("b#0", "b", "发货后凭单号查询物流。", 0),
		knowledgetest.Rec("c#0", "c", "酒店入住时间为 14:00 以后。", 0),
	}
	if err := x.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	ids := func(text string) []uint32 { return knowledge.QueryVector(text, nil, 0).Indices }
	fa := ids("发货")
	df, n := x.DocFreqs(append(fa, ids("比特币")...), "")
	if n != 3 || len(df) != len(fa)+len(ids("比特币")) {
		t.Fatalf("got %v of %d records, want one count per id of 3 records", df, n)
	}
	// 发货 gives three ids (发, 货, 发货), each in two records.
	for i := range fa {
		if df[i] != 2 {
			t.Errorf("发货 term %d: df %d, want 2", i, df[i])
		}
	}
	for _, d := range df[len(fa):] {
		if d != 0 {
			t.Errorf("比特币: df %d, want 0", d)
		}
	}
	if err := x.DeleteDocument(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if df, n := x.DocFreqs(fa[:1], ""); n != 2 || df[0] != 1 {
		t.Errorf("after deleting a: got df %v of %d, want 1 of 2", df, n)
	}
	// Records in a language count only for questions in it: an English
	// entry leaves the rarity of Chinese words among Chinese ones as it was.
	en := knowledgetest.Rec("d#0", "d", "We ship within 24 hours.", 0)
	en.Lang = "en"
	if err := x.Upsert(ctx, []knowledge.Record{en}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]int{"zh": 2, "en": 3, "": 3} {
		if _, n := x.DocFreqs(fa[:1], lang); n != want {
			t.Errorf("records for a question in %q: got %d, want %d", lang, n, want)
		}
	}
	if err := x.DeleteDocument(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	if _, n := x.DocFreqs(fa[:1], "en"); n != 2 {
		t.Errorf("after deleting the English record: got %d records for English, want 2", n)
	}
}
