package ollamatest

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
)

func TestChatAndEmbed(t *testing.T) {
	s := NewServer(Model{Name: "qwen2.5:7b"}, Model{Name: "bge-m3", Embed: true, Dims: 64})
	defer s.Close()
	s.OnChat(func(req *api.ChatRequest) (string, error) { return `{"intent":"order_status"}`, nil })
	c := s.Client()
	ctx := context.Background()

	for _, stream := range []bool{false, true} {
		var got strings.Builder
		err := c.Chat(ctx, &api.ChatRequest{Model: "qwen2.5:7b", Stream: &stream,
			Messages: []api.Message{{Role: "user", Content: "我的订单到哪了"}}},
			func(r api.ChatResponse) error { got.WriteString(r.Message.Content); return nil })
		if err != nil {
			t.Fatalf("stream=%v: %v", stream, err)
		}
		if got.String() != `{"intent":"order_status"}` {
			t.Errorf("stream=%v: got %q", stream, got.String())
		}
	}

	err := c.Chat(ctx, &api.ChatRequest{Model: "missing"}, func(api.ChatResponse) error { return nil })
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 {
		t.Fatalf("unknown model: got %v, want a 404 StatusError", err)
	}

	res, err := c.Embed(ctx, &api.EmbedRequest{Model: "bge-m3", Input: []string{"退货运费", "退货运费谁出", "理财保本吗"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Embeddings) != 3 || len(res.Embeddings[0]) != 64 {
		t.Fatalf("got %d embeddings of %d dims, want 3 of 64", len(res.Embeddings), len(res.Embeddings[0]))
	}
	var norm float64
	for _, x := range res.Embeddings[0] {
		norm += float64(x * x)
	}
	if math.Abs(norm-1) > 1e-4 {
		t.Errorf("embedding norm² = %v, want 1", norm)
	}
	if cos(res.Embeddings[0], res.Embeddings[1]) <= cos(res.Embeddings[0], res.Embeddings[2]) {
		t.Errorf("paraphrase not closer than an unrelated question")
	}
	if _, err := c.Embed(ctx, &api.EmbedRequest{Model: "qwen2.5:7b", Input: "x"}); err == nil {
		t.Errorf("embedding with a chat model: got nil error")
	}
}

func cos(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i] * b[i])
	}
	return s
}
