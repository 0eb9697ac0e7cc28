package knowledgetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu/knowledge"
)

// T0 is the clock of the repository suite: whole seconds, so stores that
// keep seconds or microseconds compare equal.
var T0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func docDraft(id string, at time.Time) knowledge.Draft {
	v := knowledge.Version{Title: "退换货政策 " + id, Format: knowledge.FormatMarkdown, Source: id + ".md", Size: 321,
		Text: "商品签收后 7 天内可以申请无理由退货。", Tags: []string{"售后", "电商"}, Channels: []string{"wechat"},
		Segments: []string{"vip"}, Lang: "zh", Hash: knowledge.ContentHash(id), Sketch: knowledge.Sketch(id),
		Author: "editor-a", Note: "首次上传", CreatedAt: at,
		Chunks: []knowledge.Chunk{
			{ID: id + "/v1/0", DocumentID: id, Version: 1, Ordinal: 0, HeadingPath: []string{"退换货政策", "七天无理由"}, Text: "商品签收后 7 天内可以申请无理由退货。", Hash: "h0"},
			{ID: id + "/v1/1", DocumentID: id, Version: 1, Ordinal: 1, Text: "运费由买家承担。", Hash: "h1"},
		}}
	it := knowledge.Item{ID: id, Kind: knowledge.KindDocument, Title: v.Title, Format: v.Format, Source: v.Source,
		Tags: v.Tags, Channels: v.Channels, Segments: v.Segments, Lang: "zh",
		CreatedBy: "editor-a", UpdatedBy: "editor-a", CreatedAt: at, UpdatedAt: at}
	return knowledge.Draft{Item: it, Version: v}
}

func faqDraft(id, question string, at time.Time) knowledge.Draft {
	f := &knowledge.FAQ{ID: id, Question: question, Similar: []string{"包邮吗", "邮费多少"}, Answer: "满 99 元包邮。", Tags: []string{"物流"}}
	v := knowledge.Version{Title: question, Text: f.Answer, FAQ: f, Tags: f.Tags, Hash: knowledge.ContentHash(question),
		Sketch: knowledge.Sketch(question), Author: "editor-b", CreatedAt: at}
	it := knowledge.Item{ID: id, Kind: knowledge.KindFAQ, Title: question, Tags: f.Tags,
		CreatedBy: "editor-b", UpdatedBy: "editor-b", CreatedAt: at, UpdatedAt: at}
	return knowledge.Draft{Item: it, Version: v}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := knowledge.ErrorCode(err); got != code {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// TestRepository runs the contract every knowledge.Repository must
// honour. open returns a fresh, empty repository for each case.
func TestRepository(t *testing.T, open func(t *testing.T) knowledge.Repository) {
	ctx := context.Background()

	t.Run("CreateAndRead", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0), faqDraft("faq-1", "运费怎么算？", T0)}); err != nil {
			t.Fatal(err)
		}
		it, err := r.Item(ctx, "doc-1")
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind != knowledge.KindDocument || it.Status != knowledge.StatusDraft || it.Version != 1 || it.PublishedVersion != 0 {
			t.Errorf("item: got %+v, want a draft document at version 1", it)
		}
		if it.Title != "退换货政策 doc-1" || it.Format != knowledge.FormatMarkdown || it.Source != "doc-1.md" ||
			!slices.Equal(it.Tags, []string{"售后", "电商"}) || !slices.Equal(it.Channels, []string{"wechat"}) ||
			!slices.Equal(it.Segments, []string{"vip"}) || it.Lang != "zh" || it.CreatedBy != "editor-a" || !it.CreatedAt.Equal(T0) {
			t.Errorf("item fields: got %+v", it)
		}
		v, err := r.Version(ctx, "doc-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.ItemID != "doc-1" || v.Number != 1 || v.Size != 321 || v.Note != "首次上传" || v.Author != "editor-a" ||
			v.Hash != knowledge.ContentHash("doc-1") || !slices.Equal(v.Sketch, knowledge.Sketch("doc-1")) || !v.CreatedAt.Equal(T0) {
			t.Errorf("version fields: got %+v", v)
		}
		if len(v.Chunks) != 2 {
			t.Fatalf("chunks: got %d, want 2", len(v.Chunks))
		}
		c := v.Chunks[0]
		if c.ID != "doc-1/v1/0" || c.Ordinal != 0 || !slices.Equal(c.HeadingPath, []string{"退换货政策", "七天无理由"}) ||
			c.Text != "商品签收后 7 天内可以申请无理由退货。" || c.Hash != "h0" || c.DocumentID != "doc-1" || c.Version != 1 {
			t.Errorf("chunk: got %+v", c)
		}
		if v.Chunks[1].Ordinal != 1 || len(v.Chunks[1].HeadingPath) != 0 {
			t.Errorf("second chunk: got %+v", v.Chunks[1])
		}
		fv, err := r.Version(ctx, "faq-1", 1)
		if err != nil {
			t.Fatal(err)
		}
		if fv.FAQ == nil || fv.FAQ.Question != "运费怎么算？" || !slices.Equal(fv.FAQ.Similar, []string{"包邮吗", "邮费多少"}) || fv.FAQ.Answer != "满 99 元包邮。" {
			t.Errorf("FAQ version: got %+v", fv.FAQ)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		r := open(t)
		_, err := r.Item(ctx, "nope")
		wantCode(t, "Item", err, knowledge.CodeNotFound)
		_, err = r.Version(ctx, "nope", 1)
		wantCode(t, "Version", err, knowledge.CodeNotFound)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0)}); err != nil {
			t.Fatal(err)
		}
		_, err = r.Version(ctx, "doc-1", 2)
		wantCode(t, "Version 2", err, knowledge.CodeNotFound)
		_, err = r.History(ctx, "nope")
		wantCode(t, "History", err, knowledge.CodeNotFound)
		_, err = r.AddVersion(ctx, "nope", 1, knowledge.Version{})
		wantCode(t, "AddVersion", err, knowledge.CodeNotFound)
	})

	t.Run("CreateIsAllOrNothing", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0)}); err != nil {
			t.Fatal(err)
		}
		err := r.CreateItems(ctx, []knowledge.Draft{faqDraft("faq-new", "新问题？", T0), docDraft("doc-1", T0)})
		wantCode(t, "CreateItems with an existing id", err, knowledge.CodeItemExists)
		if _, err := r.Item(ctx, "faq-new"); knowledge.ErrorCode(err) != knowledge.CodeNotFound {
			t.Errorf("a failed batch left faq-new behind: %v", err)
		}
		err = r.CreateItems(ctx, []knowledge.Draft{faqDraft("faq-x", "a？", T0), faqDraft("faq-x", "b？", T0)})
		wantCode(t, "CreateItems with a repeated id", err, knowledge.CodeItemExists)
	})

	t.Run("VersionsAndConflicts", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0)}); err != nil {
			t.Fatal(err)
		}
		v2 := docDraft("doc-1", T0.Add(time.Hour)).Version
		v2.Title, v2.Text, v2.Author, v2.Note = "退换货政策（修订）", "签收后 15 天内可以退货。", "editor-c", "延长退货期"
		v2.Tags = []string{"售后"}
		v2.Chunks = v2.Chunks[:1]
		v2.Chunks[0].ID, v2.Chunks[0].Version = "doc-1/v2/0", 2
		it, err := r.AddVersion(ctx, "doc-1", 1, v2)
		if err != nil {
			t.Fatal(err)
		}
		if it.Version != 2 || it.Status != knowledge.StatusDraft || it.Title != "退换货政策（修订）" || it.UpdatedBy != "editor-c" ||
			!it.UpdatedAt.Equal(T0.Add(time.Hour)) || !slices.Equal(it.Tags, []string{"售后"}) || it.CreatedBy != "editor-a" {
			t.Errorf("after AddVersion: got %+v", it)
		}
		_, err = r.AddVersion(ctx, "doc-1", 1, v2)
		wantCode(t, "AddVersion on a stale version", err, knowledge.CodeVersionConflict)
		vs, err := r.Versions(ctx, "doc-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 || vs[1].Note != "延长退货期" || vs[1].Author != "editor-c" {
			t.Errorf("Versions: got %+v", vs)
		}
		old, err := r.Version(ctx, "doc-1", 1)
		if err != nil || old.Text != "商品签收后 7 天内可以申请无理由退货。" || len(old.Chunks) != 2 {
			t.Errorf("version 1 changed: %+v, %v", old, err)
		}
		cur, _ := r.Version(ctx, "doc-1", 2)
		if len(cur.Chunks) != 1 || cur.Chunks[0].ID != "doc-1/v2/0" {
			t.Errorf("version 2 chunks: got %+v", cur.Chunks)
		}
	})

	t.Run("ConcurrentEditsOneWins", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := docDraft("doc-1", T0).Version
				v.Author = fmt.Sprintf("editor-%d", i)
				v.Chunks = nil
				_, errs[i] = r.AddVersion(ctx, "doc-1", 1, v)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				wantCode(t, "losing AddVersion", err, knowledge.CodeVersionConflict)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent edits of version 1 succeeded, want 1", won)
		}
	})

	t.Run("StatusAndHistory", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{faqDraft("faq-1", "运费怎么算？", T0)}); err != nil {
			t.Fatal(err)
		}
		step := func(from, to knowledge.Status, fromPub, pub int, a knowledge.Action, actor string, at time.Time) (*knowledge.Item, error) {
			return r.ApplyStatus(ctx, knowledge.StatusChange{ItemID: "faq-1", FromStatus: from, FromVersion: 1,
				FromPublishedVersion: fromPub, To: to, PublishedVersion: pub,
				Event: knowledge.Event{Action: a, Actor: actor, Note: string(a) + " by " + actor, At: at}})
		}
		if _, err := step(knowledge.StatusDraft, knowledge.StatusReview, 0, 0, knowledge.ActionSubmit, "editor-b", T0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		_, err := step(knowledge.StatusDraft, knowledge.StatusReview, 0, 0, knowledge.ActionSubmit, "editor-b", T0)
		wantCode(t, "ApplyStatus from a stale status", err, knowledge.CodeVersionConflict)
		it, err := step(knowledge.StatusReview, knowledge.StatusPublished, 0, 1, knowledge.ActionPublish, "reviewer", T0.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != knowledge.StatusPublished || it.PublishedVersion != 1 || it.UpdatedBy != "reviewer" || !it.UpdatedAt.Equal(T0.Add(2*time.Minute)) {
			t.Errorf("after publish: got %+v", it)
		}
		_, err = step(knowledge.StatusPublished, knowledge.StatusUnpublished, 0, 0, knowledge.ActionUnpublish, "reviewer", T0)
		wantCode(t, "ApplyStatus with a stale published version", err, knowledge.CodeVersionConflict)
		if _, err := step(knowledge.StatusPublished, knowledge.StatusUnpublished, 1, 0, knowledge.ActionUnpublish, "admin", T0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		h, err := r.History(ctx, "faq-1")
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			a        knowledge.Action
			from, to knowledge.Status
			actor    string
		}
		want := []row{{knowledge.ActionCreate, "", knowledge.StatusDraft, "editor-b"},
			{knowledge.ActionSubmit, knowledge.StatusDraft, knowledge.StatusReview, "editor-b"},
			{knowledge.ActionPublish, knowledge.StatusReview, knowledge.StatusPublished, "reviewer"},
			{knowledge.ActionUnpublish, knowledge.StatusPublished, knowledge.StatusUnpublished, "admin"}}
		if len(h) != len(want) {
			t.Fatalf("history: got %d events %+v, want %d", len(h), h, len(want))
		}
		for i, w := range want {
			got := row{h[i].Action, h[i].From, h[i].To, h[i].Actor}
			if got != w || h[i].Version != 1 || h[i].ItemID != "faq-1" {
				t.Errorf("event %d: got %+v, want %+v at version 1", i, h[i], w)
			}
			if i > 0 && h[i].ID <= h[i-1].ID {
				t.Errorf("event ids not increasing: %d then %d", h[i-1].ID, h[i].ID)
			}
		}
		if h[3].Note != "unpublish by admin" || !h[3].At.Equal(T0.Add(3*time.Minute)) {
			t.Errorf("event note/time: got %+v", h[3])
		}
	})

	t.Run("ListAndFilter", func(t *testing.T) {
		r := open(t)
		var drafts []knowledge.Draft
		for i := 0; i < 5; i++ {
			drafts = append(drafts, docDraft(fmt.Sprintf("doc-%d", i), T0.Add(time.Duration(i)*time.Minute)))
		}
		f := faqDraft("faq-1", "运费怎么算？", T0.Add(10*time.Minute))
		drafts = append(drafts, f, faqDraft("faq-2", "Hotel check-in time?", T0.Add(11*time.Minute)))
		if err := r.CreateItems(ctx, drafts); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ApplyStatus(ctx, knowledge.StatusChange{ItemID: "doc-2", FromStatus: knowledge.StatusDraft, FromVersion: 1,
			To: knowledge.StatusPublished, PublishedVersion: 1, Event: knowledge.Event{Action: knowledge.ActionPublish, Actor: "r", At: T0.Add(time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		list := func(f knowledge.ItemFilter) ([]string, int) {
			t.Helper()
			items, total, err := r.Items(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			return ids, total
		}
		if ids, total := list(knowledge.ItemFilter{}); total != 7 || len(ids) != 7 || ids[0] != "doc-2" || ids[1] != "faq-2" || ids[6] != "doc-0" {
			t.Errorf("all: got %v (total %d), want 7, most recently updated first", ids, total)
		}
		if ids, total := list(knowledge.ItemFilter{Kind: knowledge.KindFAQ}); total != 2 || !slices.Equal(ids, []string{"faq-2", "faq-1"}) {
			t.Errorf("kind: got %v (%d)", ids, total)
		}
		if ids, _ := list(knowledge.ItemFilter{Status: knowledge.StatusPublished}); !slices.Equal(ids, []string{"doc-2"}) {
			t.Errorf("status: got %v", ids)
		}
		if ids, _ := list(knowledge.ItemFilter{PublishedOnly: true}); !slices.Equal(ids, []string{"doc-2"}) {
			t.Errorf("published only: got %v", ids)
		}
		if ids, _ := list(knowledge.ItemFilter{Query: "运费"}); !slices.Equal(ids, []string{"faq-1"}) {
			t.Errorf("query: got %v", ids)
		}
		if ids, _ := list(knowledge.ItemFilter{Query: "check-IN"}); !slices.Equal(ids, []string{"faq-2"}) {
			t.Errorf("case-insensitive query: got %v", ids)
		}
		if ids, _ := list(knowledge.ItemFilter{Tag: "物流"}); !slices.Equal(ids, []string{"faq-2", "faq-1"}) {
			t.Errorf("tag: got %v", ids)
		}
		if ids, total := list(knowledge.ItemFilter{Kind: knowledge.KindDocument, Limit: 2, Offset: 1}); total != 5 || !slices.Equal(ids, []string{"doc-4", "doc-3"}) {
			t.Errorf("page: got %v (total %d), want [doc-4 doc-3] of 5", ids, total)
		}
	})

	t.Run("SearchIsLiteralAndTagsFollowTheLatestVersion", func(t *testing.T) {
		r := open(t)
		a, b := faqDraft("faq-a", "满 100% 返现吗？", T0), faqDraft("faq-b", "会员_积分怎么用？", T0.Add(time.Minute))
		if err := r.CreateItems(ctx, []knowledge.Draft{a, b, faqDraft("faq-c", "积分能换什么？", T0)}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{"100%": {"faq-a"}, "%": {"faq-a"}, "_": {"faq-b"}, "员_积": {"faq-b"}} {
			items, total, err := r.Items(ctx, knowledge.ItemFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			if total != len(want) || !slices.Equal(ids, want) {
				t.Errorf("query %q: got %v (total %d), want %v: LIKE wildcards must match literally", q, ids, total, want)
			}
		}
		v2 := a.Version
		v2.Tags, v2.CreatedAt = []string{"返现"}, T0.Add(time.Hour)
		if _, err := r.AddVersion(ctx, "faq-a", 1, v2); err != nil {
			t.Fatal(err)
		}
		if items, _, _ := r.Items(ctx, knowledge.ItemFilter{Tag: "物流"}); len(items) != 2 {
			t.Errorf("tag 物流 after faq-a dropped it: got %d items, want 2", len(items))
		}
		if items, _, _ := r.Items(ctx, knowledge.ItemFilter{Tag: "返现"}); len(items) != 1 || items[0].ID != "faq-a" {
			t.Errorf("tag 返现: got %+v, want faq-a", items)
		}
	})

	t.Run("LargeBatchesAndDocuments", func(t *testing.T) {
		r := open(t)
		var drafts []knowledge.Draft
		for i := 0; i < 700; i++ {
			drafts = append(drafts, faqDraft(fmt.Sprintf("faq-%04d", i), fmt.Sprintf("第 %d 个问题？", i), T0))
		}
		doc := docDraft("doc-big", T0)
		var chunks []knowledge.Chunk
		var text []byte
		for i := 0; i < 400; i++ {
			c := fmt.Sprintf("第 %d 段：商品签收后七天内可以申请无理由退货，运费由买家承担。", i)
			text = append(text, c...)
			chunks = append(chunks, knowledge.Chunk{ID: fmt.Sprintf("doc-big/v1/%d", i), DocumentID: "doc-big", Version: 1, Ordinal: i,
				HeadingPath: []string{"政策", fmt.Sprintf("第 %d 节", i)}, Text: c, Hash: fmt.Sprint(i)})
		}
		doc.Version.Text, doc.Version.Chunks = string(text), chunks
		drafts = append(drafts, doc)
		if err := r.CreateItems(ctx, drafts); err != nil {
			t.Fatal(err)
		}
		err := r.CreateItems(ctx, []knowledge.Draft{faqDraft("faq-new", "新？", T0), faqDraft("faq-0650", "重复？", T0)})
		wantCode(t, "CreateItems repeating an id deep in a large batch", err, knowledge.CodeItemExists)
		if _, total, _ := r.Items(ctx, knowledge.ItemFilter{Kind: knowledge.KindFAQ}); total != 700 {
			t.Errorf("FAQ entries: got %d, want 700", total)
		}
		v, err := r.Version(ctx, "doc-big", 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Text != string(text) || len(v.Chunks) != 400 || v.Chunks[399].Ordinal != 399 || v.Chunks[399].HeadingPath[1] != "第 399 节" {
			t.Errorf("large document: got %d bytes of text and %d chunks, want %d and 400 in order", len(v.Text), len(v.Chunks), len(text))
		}
	})

	t.Run("Fingerprints", func(t *testing.T) {
		r := open(t)
		if err := r.CreateItems(ctx, []knowledge.Draft{docDraft("doc-1", T0), faqDraft("faq-1", "运费怎么算？", T0)}); err != nil {
			t.Fatal(err)
		}
		v2 := docDraft("doc-1", T0).Version
		v2.Hash, v2.Sketch, v2.Chunks = knowledge.ContentHash("v2"), knowledge.Sketch("v2"), nil
		if _, err := r.AddVersion(ctx, "doc-1", 1, v2); err != nil {
			t.Fatal(err)
		}
		fps, err := r.Fingerprints(ctx, knowledge.KindDocument)
		if err != nil {
			t.Fatal(err)
		}
		if len(fps) != 1 || fps[0].ItemID != "doc-1" || fps[0].Version != 2 || fps[0].Hash != knowledge.ContentHash("v2") ||
			!slices.Equal(fps[0].Sketch, knowledge.Sketch("v2")) {
			t.Errorf("document fingerprints: got %+v, want doc-1 at version 2", fps)
		}
		fps, _ = r.Fingerprints(ctx, knowledge.KindFAQ)
		if len(fps) != 1 || fps[0].Hash != knowledge.ContentHash("运费怎么算？") {
			t.Errorf("FAQ fingerprints: got %+v", fps)
		}
	})
}
