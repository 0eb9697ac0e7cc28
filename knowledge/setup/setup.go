package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"kefu/knowledge"
	"kefu/knowledge/embedded"
	"kefu/knowledge/qdrant"
)

// Config chooses the backends. Repository is required; everything else
// has a working default (embedded index in memory, lexical retrieval,
// extractive answers).
type Config struct {
	Repository knowledge.Repository
	// IndexDir persists the embedded index (the appliance passes
	// data_dir/index); empty keeps it in memory and rebuilds it from the
	// repository at every start.
	IndexDir string
	// Qdrant, when set, replaces the embedded index.
	Qdrant *qdrant.Config

	// Embed and EmbedModel enable the dense leg (an Ollama embedding
	// model); EmbedDims is its vector size, probed from the model when 0.
	Embed      knowledge.EmbedClient
	EmbedModel string
	EmbedDims  int

	// Chat and ChatModel enable grounded generation.
	Chat        knowledge.ChatClient
	ChatModel   string
	Tone        string
	ChatTimeout time.Duration

	// SynonymsFile is a synonyms list (see knowledge.ParseSynonyms);
	// Synonyms, when set, is used instead.
	SynonymsFile string
	Synonyms     *knowledge.Synonyms

	Limits   knowledge.Limits
	Chunking knowledge.ChunkOptions
	Logger   *slog.Logger
}

// KB is an assembled knowledge base.
type KB struct {
	Service   *knowledge.Service
	Retriever *knowledge.Retriever
	Responder *knowledge.Responder // a knowledge.Answerer
	Index     knowledge.Index
	// Synced says what start-up re-indexing did.
	Synced knowledge.SyncReport
}

// Open builds the knowledge base and syncs the index with what the
// repository says is published.
func Open(ctx context.Context, cfg Config) (*KB, error) {
	if cfg.Repository == nil {
		return nil, errors.New("setup: a repository is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var emb knowledge.Embedder
	if cfg.Embed != nil && cfg.EmbedModel != "" {
		emb = knowledge.NewOllamaEmbedder(cfg.Embed, cfg.EmbedModel, 0)
		if cfg.EmbedDims == 0 {
			vs, err := emb.Embed(ctx, []string{"维度探测 dimension probe"})
			if err != nil {
				return nil, fmt.Errorf("setup: unable to probe the embedding model %s: %w", cfg.EmbedModel, err)
			}
			cfg.EmbedDims = len(vs[0])
		}
	}
	syn := cfg.Synonyms
	if syn == nil && cfg.SynonymsFile != "" {
		f, err := os.Open(cfg.SynonymsFile)
		if err != nil {
			return nil, fmt.Errorf("setup: unable to open synonyms: %w", err)
		}
		syn, err = knowledge.ParseSynonyms(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	var idx knowledge.Index
	var err error
	switch {
	case cfg.Qdrant != nil:
		qcfg := *cfg.Qdrant
		qcfg.DenseDims = 0
		if emb != nil {
			qcfg.DenseDims = cfg.EmbedDims
		}
		idx, err = qdrant.Open(ctx, qcfg)
	case cfg.IndexDir != "":
		meta := indexMeta{}
		if emb != nil {
			meta = indexMeta{EmbedModel: cfg.EmbedModel, Dims: cfg.EmbedDims}
		}
		var reset bool
		if reset, err = prepareIndexDir(cfg.IndexDir, meta); err != nil {
			return nil, err
		}
		if reset {
			log.Info("knowledge index emptied: the embedding model changed; rebuilding", slog.String("dir", cfg.IndexDir))
		}
		idx, err = embedded.Open(cfg.IndexDir)
	default:
		idx = embedded.New()
	}
	if err != nil {
		return nil, err
	}
	kb := &KB{Index: idx}
	fail := func(err error) (*KB, error) {
		idx.Close()
		return nil, err
	}
	if kb.Service, err = knowledge.NewService(knowledge.ServiceConfig{Repository: cfg.Repository, Index: idx, Embedder: emb,
		Limits: cfg.Limits, Chunking: cfg.Chunking, Logger: log}); err != nil {
		return fail(err)
	}
	if kb.Retriever, err = knowledge.NewRetriever(knowledge.RetrieverConfig{Index: idx, Embedder: emb, Synonyms: syn}); err != nil {
		return fail(err)
	}
	rc := knowledge.ResponderConfig{Retriever: kb.Retriever, Tone: cfg.Tone, Timeout: cfg.ChatTimeout}
	if cfg.Chat != nil && cfg.ChatModel != "" {
		rc.Chat, rc.Model = cfg.Chat, cfg.ChatModel
	}
	if kb.Responder, err = knowledge.NewResponder(rc); err != nil {
		return fail(err)
	}
	if kb.Synced, err = kb.Service.Sync(ctx); err != nil {
		return fail(err)
	}
	log.Info("knowledge base ready", slog.Int("indexed", kb.Synced.Indexed), slog.Int("removed", kb.Synced.Removed),
		slog.Bool("dense", emb != nil), slog.Bool("generation", rc.Chat != nil), slog.Bool("qdrant", cfg.Qdrant != nil))
	return kb, nil
}

// Close closes the index (an embedded index writes its snapshot).
func (kb *KB) Close() error { return kb.Index.Close() }
