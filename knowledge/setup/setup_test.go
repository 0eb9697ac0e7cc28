package setup

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"kefu/knowledge"
	"kefu/knowledge/qdrant"
	"kefu/knowledge/qdrant/qdranttest"
	"kefu/nlu/ollamatest"
)

func publishFAQ(t *testing.T, kb *KB) {
	t.Helper()
	ctx := context.Background()
	it, err := kb.Service.SaveFAQ(ctx, knowledge.FAQ{ID: "fee", Question: "运费怎么算？", Similar: []string{"包邮吗"}, Answer: "满 99 元包邮。"}, 0, "editor", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []knowledge.Action{knowledge.ActionSubmit, knowledge.ActionPublish} {
		if _, err := kb.Service.Transition(ctx, it.ID, a, "editor", ""); err != nil {
			t.Fatal(err)
		}
	}
}

// A persisted embedded index survives a restart; a lost index directory is
// rebuilt from the repository at the next start.
func TestEmbeddedRestart(t *testing.T) {
	ctx := context.Background()
	repo := knowledge.NewMemoryRepository()
	dir := filepath.Join(t.TempDir(), "index")
	syn := filepath.Join(t.TempDir(), "synonyms.txt")
	os.WriteFile(syn, []byte("运费, 邮费\n"), 0o600)
	kb, err := Open(ctx, Config{Repository: repo, IndexDir: dir, SynonymsFile: syn})
	if err != nil {
		t.Fatal(err)
	}
	publishFAQ(t, kb)
	if err := kb.Close(); err != nil {
		t.Fatal(err)
	}
	kb, err = Open(ctx, Config{Repository: repo, IndexDir: dir, SynonymsFile: syn})
	if err != nil {
		t.Fatal(err)
	}
	if kb.Synced.Indexed != 0 {
		t.Errorf("reopening re-indexed %d items, want 0 (the snapshot holds them)", kb.Synced.Indexed)
	}
	a, err := kb.Responder.Answer(ctx, knowledge.Query{Text: "邮费怎么收"})
	if err != nil || a.Kind == knowledge.AnswerNone {
		t.Fatalf("after restart: %+v, %v", a, err)
	}
	kb.Close()
	os.RemoveAll(dir)
	kb, err = Open(ctx, Config{Repository: repo, IndexDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	if kb.Synced.Indexed != 1 {
		t.Errorf("a lost index: re-indexed %d items, want 1", kb.Synced.Indexed)
	}
}

// Qdrant with an Ollama embedding model: the collection gets the model's
// vector size, probed at start-up.
func TestQdrantWithEmbeddings(t *testing.T) {
	ctx := context.Background()
	srv := qdranttest.Start(t)
	ol := ollamatest.NewServer(ollamatest.Model{Name: "bge-m3", Embed: true, Dims: 48}, ollamatest.Model{Name: "qwen2.5"})
	defer ol.Close()
	kb, err := Open(ctx, Config{Repository: knowledge.NewMemoryRepository(), Qdrant: &qdrant.Config{Addr: srv.Addr, Collection: "kb_demo"},
		Embed: ol.Client(), EmbedModel: "bge-m3", Chat: ol.Client(), ChatModel: "qwen2.5"})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	publishFAQ(t, kb)
	a, err := kb.Responder.Answer(ctx, knowledge.Query{Text: "包邮吗"})
	if err != nil || a.Kind != knowledge.AnswerFAQ {
		t.Fatalf("got %+v, %v; want the FAQ answer", a, err)
	}
	if n := len(srv.Requests("Create")); n != 1 {
		t.Fatalf("collections created: %d", n)
	}
	if _, err := Open(ctx, Config{Repository: knowledge.NewMemoryRepository(), Embed: ol.Client(), EmbedModel: "missing"}); err == nil {
		t.Errorf("a missing embedding model was accepted at start-up")
	}
}

// Switching the embedding model on (or to another model) empties the
// persisted index, whose vectors no longer fit, and rebuilds it.
func TestEmbeddingModelChangeRebuildsIndex(t *testing.T) {
	ctx := context.Background()
	repo := knowledge.NewMemoryRepository()
	dir := filepath.Join(t.TempDir(), "index")
	ol := ollamatest.NewServer(ollamatest.Model{Name: "bge-m3", Embed: true, Dims: 48}, ollamatest.Model{Name: "small", Embed: true, Dims: 16})
	defer ol.Close()
	open := func(model string) *KB {
		t.Helper()
		c := Config{Repository: repo, IndexDir: dir}
		if model != "" {
			c.Embed, c.EmbedModel = ol.Client(), model
		}
		kb, err := Open(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return kb
	}
	kb := open("")
	publishFAQ(t, kb)
	kb.Close()
	for _, step := range []struct {
		model   string
		indexed int
	}{{"", 0}, {"bge-m3", 1}, {"bge-m3", 0}, {"small", 1}, {"", 1}} {
		kb := open(step.model)
		if kb.Synced.Indexed != step.indexed {
			t.Errorf("model %q: re-indexed %d items, want %d", step.model, kb.Synced.Indexed, step.indexed)
		}
		a, err := kb.Responder.Answer(ctx, knowledge.Query{Text: "包邮吗"})
		if err != nil || a.Kind != knowledge.AnswerFAQ {
			t.Errorf("model %q: got %+v, %v; want the FAQ answer", step.model, a.Kind, err)
		}
		kb.Close()
	}
}
