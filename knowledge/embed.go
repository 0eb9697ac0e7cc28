package knowledge

import (
	"context"
	"errors"
	"fmt"

	"github.com/ollama/ollama/api"
)

// Embedder turns texts into dense vectors, one per text, all of one size.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedClient is the part of the Ollama client the embedder uses;
// *api.Client satisfies it.
type EmbedClient interface {
	Embed(ctx context.Context, req *api.EmbedRequest) (*api.EmbedResponse, error)
}

// OllamaEmbedder embeds with an Ollama embedding model (/api/embed), in
// batches.
type OllamaEmbedder struct {
	client EmbedClient
	model  string
	batch  int
}

// NewOllamaEmbedder returns an embedder for model; batch ≤ 0 means 32.
func NewOllamaEmbedder(client EmbedClient, model string, batch int) *OllamaEmbedder {
	if batch <= 0 {
		batch = 32
	}
	return &OllamaEmbedder{client: client, model: model, batch: batch}
}

// Embed implements Embedder.
func (e *OllamaEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	truncate := true
	for start := 0; start < len(texts); start += e.batch {
		part := texts[start:min(start+e.batch, len(texts))]
		resp, err := e.client.Embed(ctx, &api.EmbedRequest{Model: e.model, Input: part, Truncate: &truncate})
		if err != nil {
			code := CodeEmbedUnavailable
			if errors.Is(err, context.Canceled) {
				return nil, err
			}
			return nil, &Error{Code: code, Message: fmt.Sprintf("embedding with %s failed", e.model), Err: err}
		}
		if len(resp.Embeddings) != len(part) {
			return nil, &Error{Code: CodeEmbedUnavailable, Message: fmt.Sprintf("%s returned %d embeddings for %d texts", e.model, len(resp.Embeddings), len(part))}
		}
		for _, v := range resp.Embeddings {
			if len(out) > 0 && len(v) != len(out[0]) {
				return nil, &Error{Code: CodeEmbedUnavailable, Message: fmt.Sprintf("%s returned vectors of %d and %d dimensions", e.model, len(out[0]), len(v))}
			}
			out = append(out, v)
		}
	}
	return out, nil
}
