package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/ollama/ollama/api"

	"kefu/appliance/config"
	"kefu/connectors/demobiz"
	"kefu/knowledge"
	"kefu/knowledge/demo"
	"kefu/knowledge/qdrant"
	"kefu/knowledge/setup"
	"kefu/nlu"
	"kefu/nlu/cascade"
	"kefu/nlu/catalogs"
	"kefu/nlu/entity"
	"kefu/nlu/ollama"
)

// ollamaClient returns the shared Ollama client, nil when none is configured.
func ollamaClient(cfg *config.Config) (*api.Client, error) {
	if cfg.Ollama.URL == "" {
		return nil, nil
	}
	u, err := url.Parse(cfg.Ollama.URL)
	if err != nil {
		return nil, fmt.Errorf("ollama.url: %w", err)
	}
	// The client's own deadline is generous; each caller sets a tighter one.
	return api.NewClient(u, &http.Client{Timeout: 5 * cfg.Ollama.Timeout}), nil
}

// loadCatalog merges the configured catalogs (shipped names or YAML files)
// with the built-in intents.
func loadCatalog(names []string) (*nlu.Catalog, error) {
	cat, err := nlu.LoadCatalog(catalogs.Files(), catalogs.Builtin)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		var more *nlu.Catalog
		if slices.Contains(catalogs.Names(), n) {
			more, err = nlu.LoadCatalog(catalogs.Files(), n+".yaml")
		} else {
			var data []byte
			if data, err = os.ReadFile(n); err != nil {
				return nil, fmt.Errorf("nlu.catalogs: %q is neither a shipped catalog (%v) nor a readable file: %w", n, catalogs.Names(), err)
			}
			more, err = nlu.ParseCatalog(data, n)
		}
		if err != nil {
			return nil, err
		}
		if cat, err = nlu.Merge(more, cat); err != nil {
			return nil, fmt.Errorf("nlu.catalogs: %w", err)
		}
	}
	return cat, nil
}

// openNLU trains the local engine on the catalog and puts the LLM behind it.
// The demo adds its shop's order numbers, E and 12 digits (E202611240017),
// to the extractor's formats.
func openNLU(ctx context.Context, cfg *config.Config, cat *nlu.Catalog, client *api.Client, withDemo bool, log *slog.Logger) (*cascade.Engine, error) {
	cc := cascade.Config{Catalog: cat, Threshold: cfg.NLU.Threshold, IdleTimeout: cfg.NLU.IdleTimeout, FocusTimeout: cfg.NLU.FocusTimeout, Logger: log}
	orders := cfg.NLU.OrderPatterns
	if withDemo {
		orders = append(slices.Clone(orders), demobiz.OrderPattern)
	}
	if len(orders) > 0 {
		cc.OrderPatterns = append(entity.DefaultOrderPatterns(), orders...)
	}
	if len(cfg.NLU.TrackingPatterns) > 0 {
		cc.TrackingPatterns = append(entity.DefaultTrackingPatterns(), cfg.NLU.TrackingPatterns...)
	}
	if client != nil {
		llm, err := ollama.New(ollama.Config{Client: client, Model: cfg.Ollama.ChatModel, Timeout: cfg.Ollama.Timeout, Logger: log})
		if err != nil {
			return nil, err
		}
		cc.LLM = llm
	}
	return cascade.New(ctx, cc)
}

// openKnowledge assembles the knowledge base on the configured index.
func openKnowledge(ctx context.Context, cfg *config.Config, repo knowledge.Repository, client *api.Client, withDemo bool, log *slog.Logger) (*setup.KB, error) {
	sc := setup.Config{Repository: repo, IndexDir: filepath.Join(cfg.DataDir, "index"), Tone: cfg.Knowledge.Tone, ChatTimeout: cfg.Ollama.Timeout,
		SynonymsFile: cfg.Knowledge.SynonymsFile, Limits: knowledge.Limits{MaxBytes: cfg.Knowledge.MaxUploadBytes}, Logger: log}
	if withDemo && sc.SynonymsFile == "" {
		syn, err := demo.Synonyms()
		if err != nil {
			return nil, err
		}
		sc.Synonyms = syn
	}
	if cfg.Qdrant.Addr != "" {
		host, port, err := net.SplitHostPort(cfg.Qdrant.Addr)
		if err != nil {
			return nil, fmt.Errorf("qdrant.addr: %w", err)
		}
		if _, err := strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("qdrant.addr: bad port %q", port)
		}
		sc.Qdrant = &qdrant.Config{Addr: net.JoinHostPort(host, port), APIKey: cfg.Qdrant.APIKey, UseTLS: cfg.Qdrant.TLS,
			Collection: cfg.Knowledge.Collection}
	}
	if client != nil {
		sc.Embed, sc.EmbedModel = client, cfg.Ollama.EmbedModel
		sc.Chat, sc.ChatModel = client, cfg.Ollama.ChatModel
	}
	kb, err := setup.Open(ctx, sc)
	if err != nil {
		return nil, err
	}
	if withDemo {
		n, err := demo.Import(ctx, kb.Service, "demo")
		if err != nil {
			kb.Close()
			return nil, err
		}
		if n > 0 {
			log.Info("demo knowledge base imported", slog.Int("items", n))
		}
	}
	return kb, nil
}
