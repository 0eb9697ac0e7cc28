package knowledge_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"kefu/knowledge"
	"kefu/knowledge/embedded"
	"kefu/nlu/ollamatest"
)

type fixture struct {
	repo  *knowledge.MemoryRepository
	index knowledge.Index
	svc   *knowledge.Service
	resp  *knowledge.Responder
	clock time.Time
}

func newFixture(t *testing.T, emb knowledge.Embedder, idx knowledge.Index) *fixture {
	t.Helper()
	f := &fixture{repo: knowledge.NewMemoryRepository(), index: idx, clock: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	if f.index == nil {
		f.index = embedded.New()
	}
	n := 0
	svc, err := knowledge.NewService(knowledge.ServiceConfig{Repository: f.repo, Index: f.index, Embedder: emb,
		Now:   func() time.Time { f.clock = f.clock.Add(time.Second); return f.clock },
		NewID: func() string { n++; return "doc-" + string(rune('a'+n-1)) }})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	ret, err := knowledge.NewRetriever(knowledge.RetrieverConfig{Index: f.index, Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	f.resp, err = knowledge.NewResponder(knowledge.ResponderConfig{Retriever: ret})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) upload(t *testing.T, file string) *knowledge.UploadResult {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Upload(context.Background(), knowledge.UploadRequest{Name: file, Data: data, Actor: "editor"})
	if err != nil {
		t.Fatalf("Upload %s: %v", file, err)
	}
	return res
}

func (f *fixture) publish(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.Transition(ctx, id, knowledge.ActionSubmit, "editor", "请审核"); err != nil {
		t.Fatalf("submit %s: %v", id, err)
	}
	if _, err := f.svc.Transition(ctx, id, knowledge.ActionPublish, "reviewer", "通过"); err != nil {
		t.Fatalf("publish %s: %v", id, err)
	}
}

func (f *fixture) ask(t *testing.T, q string) knowledge.Answer {
	t.Helper()
	a, err := f.resp.Answer(context.Background(), knowledge.Query{Text: q})
	if err != nil {
		t.Fatalf("Answer(%q): %v", q, err)
	}
	return a
}

func TestOnlyPublishedContentAnswers(t *testing.T) {
	f := newFixture(t, nil, nil)
	res := f.upload(t, "returns.md")
	id := res.Items[0].ID
	if res.Items[0].Status != knowledge.StatusDraft || res.Chunks == 0 {
		t.Fatalf("upload: got %+v, want a chunked draft", res)
	}
	q := "退款一般几个工作日到账"
	if a := f.ask(t, q); a.Kind != knowledge.AnswerNone {
		t.Fatalf("a draft answered customers: %+v", a)
	}
	f.publish(t, id)
	a := f.ask(t, q)
	if a.Kind != knowledge.AnswerExtractive {
		t.Fatalf("after publish: got %s %q, want an extractive answer", a.Kind, a.Text)
	}
	if !strings.Contains(a.Text, "1-3 个工作日内发起退款") || strings.Contains(a.Text, "母婴用品") {
		t.Errorf("extract: got %q, want the refund sentences only", a.Text)
	}
	if len(a.Citations) != 1 || a.Citations[0].DocumentID != id || len(a.Passages) == 0 {
		t.Fatalf("citations %+v, passages %d", a.Citations, len(a.Passages))
	}
	p := a.Passages[0]
	if p.Scores["lexical"] <= 0 || p.Scores["match"] <= 0 || p.Scores["fused"] <= 0 || strings.Join(p.HeadingPath, ">") != "退换货政策>退款时效" {
		t.Errorf("passage evidence: got %+v", p)
	}

	if _, err := f.svc.Transition(context.Background(), id, knowledge.ActionUnpublish, "admin", "政策下线"); err != nil {
		t.Fatal(err)
	}
	if a := f.ask(t, q); a.Kind != knowledge.AnswerNone {
		t.Errorf("unpublished content still answers: %+v", a)
	}
	if n, _ := f.index.Count(context.Background()); n != 0 {
		t.Errorf("index holds %d records after unpublish, want 0", n)
	}
	h, _ := f.repo.History(context.Background(), id)
	var actions []string
	for _, e := range h {
		actions = append(actions, string(e.Action)+":"+e.Actor)
	}
	if got := strings.Join(actions, " "); got != "create:editor submit:editor publish:reviewer unpublish:admin" {
		t.Errorf("history: got %s", got)
	}
}

func TestWorkflowRejectsInvalidSteps(t *testing.T) {
	f := newFixture(t, nil, nil)
	id := f.upload(t, "returns.md").Items[0].ID
	ctx := context.Background()
	for _, a := range []knowledge.Action{knowledge.ActionPublish, knowledge.ActionReject, knowledge.ActionUnpublish} {
		_, err := f.svc.Transition(ctx, id, a, "editor", "")
		if got := knowledge.ErrorCode(err); got != knowledge.CodeInvalidTransition {
			t.Errorf("%s a draft: got %v, want invalid_transition", a, err)
		}
	}
	if _, err := f.svc.Transition(ctx, "missing", knowledge.ActionSubmit, "editor", ""); knowledge.ErrorCode(err) != knowledge.CodeNotFound {
		t.Errorf("unknown item: got %v, want not_found", err)
	}
}

func TestRevisionKeepsPublishedVersionUntilPublished(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	res, err := f.svc.Upload(ctx, knowledge.UploadRequest{Name: "hotel.md", Data: []byte("# 入住\n\n酒店入住时间为 14:00 以后，退房时间为次日 12:00 前。"), Actor: "a"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Items[0].ID
	f.publish(t, id)
	it, err := f.svc.ReviseDocument(ctx, id, 1, knowledge.UploadRequest{Name: "hotel.md", Data: []byte("# 入住\n\n酒店入住时间调整为 15:00 以后，退房时间为次日 13:00 前。"), Actor: "b", Note: "新入住时间"})
	if err != nil {
		t.Fatal(err)
	}
	if it.Version != 2 || it.Status != knowledge.StatusDraft || it.PublishedVersion != 1 {
		t.Fatalf("after revision: got %+v", it)
	}
	if a := f.ask(t, "几点可以入住酒店"); !strings.Contains(a.Text, "14:00") {
		t.Errorf("while v2 is a draft: got %q, want the published 14:00", a.Text)
	}
	_, err = f.svc.ReviseDocument(ctx, id, 1, knowledge.UploadRequest{Name: "hotel.md", Data: []byte("# x\n\n别的内容。"), Actor: "c"})
	if knowledge.ErrorCode(err) != knowledge.CodeVersionConflict {
		t.Errorf("stale revision: got %v, want version_conflict", err)
	}
	f.publish(t, id)
	if a := f.ask(t, "几点可以入住酒店"); !strings.Contains(a.Text, "15:00") || a.Passages[0].Version != 2 {
		t.Errorf("after publishing v2: got %q (%+v)", a.Text, a)
	}
	if n, _ := f.index.Count(ctx); n != 1 {
		t.Errorf("index holds %d records, want only v2's 1", n)
	}
}

func TestUploadIsAllOrNothing(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	bad := []byte("问题,答案\n运费怎么算？,满99包邮\n退款多久到账？,\n")
	_, err := f.svc.Upload(ctx, knowledge.UploadRequest{Name: "faq.csv", Data: bad, Actor: "e"})
	if knowledge.ErrorCode(err) != knowledge.CodeInvalidSheet || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("got %v, want invalid_faq_sheet naming row 3", err)
	}
	pdf, _ := os.ReadFile("testdata/returns.pdf")
	_, err = f.svc.Upload(ctx, knowledge.UploadRequest{Name: "policy.pdf", Data: pdf[:len(pdf)/2], Actor: "e"})
	if knowledge.ErrorCode(err) != knowledge.CodeCorruptFile || !strings.Contains(err.Error(), "policy.pdf") {
		t.Fatalf("got %v, want corrupt_file naming policy.pdf", err)
	}
	if _, total, _ := f.repo.Items(ctx, knowledge.ItemFilter{}); total != 0 {
		t.Errorf("failed uploads left %d items", total)
	}
	res := f.upload(t, "faq.xlsx")
	if len(res.Items) != 3 {
		t.Fatalf("sheet: got %d items, want 3", len(res.Items))
	}
	// The same sheet again: its entries exist already.
	data, _ := os.ReadFile("testdata/faq.csv")
	_, err = f.svc.Upload(ctx, knowledge.UploadRequest{Name: "faq.csv", Data: data, Actor: "e"})
	if knowledge.ErrorCode(err) != knowledge.CodeItemExists || !strings.Contains(err.Error(), "faq.csv") {
		t.Errorf("re-upload: got %v, want item_exists naming faq.csv", err)
	}
	if _, total, _ := f.repo.Items(ctx, knowledge.ItemFilter{}); total != 3 {
		t.Errorf("items after refused re-upload: %d, want 3", total)
	}
}

func TestDuplicateDocuments(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	f.upload(t, "returns.md")
	html, _ := os.ReadFile("testdata/returns.html")
	// The HTML page says the same as the Markdown file: the same text.
	_, err := f.svc.Upload(ctx, knowledge.UploadRequest{Name: "returns.html", Data: html, Actor: "e"})
	if knowledge.ErrorCode(err) != knowledge.CodeDuplicate {
		t.Fatalf("got %v, want duplicate_content", err)
	}
	res, err := f.svc.Upload(ctx, knowledge.UploadRequest{Name: "returns.html", Data: html, Actor: "e", AllowDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Duplicates) != 1 || !res.Duplicates[0].Exact {
		t.Errorf("duplicates: got %+v, want one exact", res.Duplicates)
	}
	md, _ := os.ReadFile("testdata/returns.md")
	near := strings.Replace(string(md), "1-5 个工作日", "1-7 个工作日", 1)
	res, err = f.svc.Upload(ctx, knowledge.UploadRequest{Name: "returns-v2.md", Data: []byte(near), Actor: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Duplicates) == 0 || res.Duplicates[0].Exact {
		t.Errorf("near duplicate: got %+v, want a near (not exact) duplicate", res.Duplicates)
	}
}

func TestSyncRebuildsIndex(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	a := f.upload(t, "returns.md").Items[0].ID
	faqs := f.upload(t, "faq.csv").Items
	f.publish(t, a)
	f.publish(t, faqs[0].ID)
	// A new, empty index (a lost data directory), plus a stale record.
	fresh := embedded.New()
	stale := knowledge.Record{ID: "gone", DocumentID: "gone", Published: true, Sparse: knowledge.DocumentVector("旧内容")}
	if err := fresh.Upsert(ctx, []knowledge.Record{stale}); err != nil {
		t.Fatal(err)
	}
	svc, _ := knowledge.NewService(knowledge.ServiceConfig{Repository: f.repo, Index: fresh})
	rep, err := svc.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indexed != 2 || rep.Removed != 1 {
		t.Errorf("Sync: got %+v, want 2 indexed, 1 removed", rep)
	}
	docs, _ := fresh.Documents(ctx)
	if len(docs) != 2 || docs[a] != 1 || docs[faqs[0].ID] != 1 {
		t.Errorf("index documents: got %v", docs)
	}
	if rep, _ := svc.Sync(ctx); rep.Indexed != 0 || rep.Removed != 0 {
		t.Errorf("second Sync: got %+v, want nothing to do", rep)
	}
}

type failingIndex struct{ knowledge.Index }

func (failingIndex) Upsert(context.Context, []knowledge.Record) error {
	return errors.New("disk full")
}

func TestPublishFailsCleanlyWhenIndexFails(t *testing.T) {
	f := newFixture(t, nil, failingIndex{embedded.New()})
	ctx := context.Background()
	id := f.upload(t, "returns.md").Items[0].ID
	if _, err := f.svc.Transition(ctx, id, knowledge.ActionSubmit, "e", ""); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Transition(ctx, id, knowledge.ActionPublish, "r", "")
	if knowledge.ErrorCode(err) != knowledge.CodeIndexUnavailable {
		t.Fatalf("got %v, want index_unavailable", err)
	}
	it, _ := f.repo.Item(ctx, id)
	if it.Status != knowledge.StatusReview || it.PublishedVersion != 0 {
		t.Errorf("after a failed publish: got %s/%d, want review/0", it.Status, it.PublishedVersion)
	}
}

func TestDenseVectorsFromOllama(t *testing.T) {
	srv := ollamatest.NewServer(ollamatest.Model{Name: "bge-m3", Embed: true, Dims: 64})
	defer srv.Close()
	emb := knowledge.NewOllamaEmbedder(srv.Client(), "bge-m3", 2)
	f := newFixture(t, emb, nil)
	res := f.upload(t, "returns.md")
	id := res.Items[0].ID
	f.publish(t, id)
	if want := (res.Chunks + 1) / 2; srv.EmbedCalls() != want {
		t.Errorf("embed calls for %d chunks in batches of 2: got %d, want %d", res.Chunks, srv.EmbedCalls(), want)
	}
	a := f.ask(t, "退货运费谁出")
	if len(a.Passages) == 0 || a.Passages[0].Scores["dense"] == 0 {
		t.Fatalf("no dense score on the passages: %+v", a.Passages)
	}

	// A missing model fails the upload's publication with a clear code...
	bad := knowledge.NewOllamaEmbedder(srv.Client(), "no-such-model", 0)
	g := newFixture(t, bad, nil)
	id = g.upload(t, "returns.md").Items[0].ID
	g.svc.Transition(context.Background(), id, knowledge.ActionSubmit, "e", "")
	if _, err := g.svc.Transition(context.Background(), id, knowledge.ActionPublish, "r", ""); knowledge.ErrorCode(err) != knowledge.CodeEmbedUnavailable {
		t.Errorf("publish with a missing embedding model: got %v, want embed_unavailable", err)
	}
	// ...while a query degrades to lexical with a note.
	ret, _ := knowledge.NewRetriever(knowledge.RetrieverConfig{Index: f.index, Embedder: bad})
	r, err := ret.Retrieve(context.Background(), knowledge.Query{Text: "退货运费谁出"})
	if err != nil || len(r.Passages) == 0 || len(r.Notes) != 1 || r.Notes[0] != knowledge.CodeEmbedUnavailable {
		t.Errorf("degraded retrieval: got %+v, %v", r, err)
	}
}

func TestSheetMetaAndChannelTargeting(t *testing.T) {
	f := newFixture(t, nil, nil)
	ctx := context.Background()
	sheet := []byte("问题,答案,标签,渠道\n企业微信怎么开票？,在企业微信工作台申请开票。,发票,wecom\n发票怎么开？,订单完成后申请。,发票,\n")
	res, err := f.svc.Upload(ctx, knowledge.UploadRequest{Name: "sheet.csv", Data: sheet, Actor: "e",
		Meta: knowledge.Meta{Tags: []string{"财务"}, Lang: "zh"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if len(it.Tags) != 2 || it.Tags[1] != "财务" || it.Lang != "zh" {
			t.Errorf("%s: tags %v lang %q, want the sheet's tag plus 财务, zh", it.ID, it.Tags, it.Lang)
		}
		f.publish(t, it.ID)
	}
	ask := func(channel string) knowledge.Answer {
		a, err := f.resp.Answer(ctx, knowledge.Query{Text: "企业微信里怎么开票", Channel: channel})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := ask("wecom"); a.Text != "在企业微信工作台申请开票。" {
		t.Errorf("on wecom: got %s %q", a.Kind, a.Text)
	}
	if a := ask("app"); a.Text == "在企业微信工作台申请开票。" {
		t.Errorf("an entry for wecom answered on the app")
	}
}
