package assist_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"kefu/appliance"
	"kefu/appliance/assist"
	"kefu/knowledge"
	"kefu/nlu/ollamatest"
)

const model = "qwen2.5:7b-instruct"

func input() appliance.AssistInput {
	return appliance.AssistInput{
		Customer: &appliance.Customer{ID: 7, DisplayName: "张女士", VIPLevel: 2, Tags: []string{"老客户"}},
		Summary:  appliance.HandoffSummary{Reason: "customer_request", Intent: "product_advice", Questions: []string{"有没有适合乳糖不耐受的奶粉"}},
		Transcript: []*appliance.Message{
			{Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: "有没有适合乳糖不耐受的奶粉"},
			{Sender: appliance.SenderBot, Kind: appliance.KindText, Text: "抱歉，这个问题我暂时无法回答。"},
			{Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: "我手机 13812345678，转人工"},
			{Sender: appliance.SenderAgent, Kind: appliance.KindNote, Text: "内部：VIP 客户"},
		},
		Records:  []appliance.BusinessRecord{{Kind: "order", ID: "2026110100088", Title: "XX 乳糖酶 60 粒", Amount: "¥129.00"}},
		Passages: []knowledge.Passage{{ID: "p1", Title: "XX 无乳糖奶粉", Text: "XX 无乳糖奶粉适合乳糖不耐受人群。"}},
	}
}

func newAssistant(t *testing.T, srv *ollamatest.Server, timeout time.Duration) *assist.Assistant {
	t.Helper()
	a, err := assist.New(assist.Config{Client: srv.Client(), Model: model, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDraftIsGroundedInRecordsAndKnowledge(t *testing.T) {
	srv := ollamatest.NewServer(ollamatest.Model{Name: model})
	defer srv.Close()
	const draft = "张女士您好，您之前买过 XX 乳糖酶，推荐您试试 XX 无乳糖奶粉。"
	srv.OnChat(func(req *api.ChatRequest) (string, error) { return "  " + draft + "\n", nil })
	got, err := newAssistant(t, srv, 5*time.Second).Draft(context.Background(), input())
	if err != nil || got != draft {
		t.Fatalf("draft: got %q, %v; want %q", got, err, draft)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("got %d chat requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Model != model || req.Stream == nil || *req.Stream || len(req.Messages) != 2 || req.Messages[0].Role != "system" {
		t.Fatalf("request: %+v", req)
	}
	user := req.Messages[1].Content
	for _, want := range []string{"XX 乳糖酶 60 粒", "2026110100088", "XX 无乳糖奶粉适合乳糖不耐受人群", "有没有适合乳糖不耐受的奶粉", "VIP2"} {
		if !strings.Contains(user, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "13812345678") || strings.Contains(user, "内部：VIP 客户") {
		t.Errorf("the prompt carries a phone number or an internal note:\n%s", user)
	}
}

func TestSummarize(t *testing.T) {
	srv := ollamatest.NewServer(ollamatest.Model{Name: model})
	defer srv.Close()
	srv.OnChat(func(req *api.ChatRequest) (string, error) {
		if strings.Contains(req.Messages[1].Content, "知识库资料") {
			t.Error("the summary prompt carries knowledge passages")
		}
		return "<think>先看诉求</think>客户咨询无乳糖奶粉，已要求人工，建议推荐合适产品。", nil
	})
	got, err := newAssistant(t, srv, 5*time.Second).Summarize(context.Background(), input())
	if err != nil || got != "客户咨询无乳糖奶粉，已要求人工，建议推荐合适产品。" {
		t.Fatalf("summary: %q, %v", got, err)
	}
}

func TestFailures(t *testing.T) {
	srv := ollamatest.NewServer(ollamatest.Model{Name: "other-model"})
	defer srv.Close()
	if _, err := newAssistant(t, srv, 5*time.Second).Draft(context.Background(), input()); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing model: got %v, want the server's not-found error", err)
	}

	ok := ollamatest.NewServer(ollamatest.Model{Name: model})
	defer ok.Close()
	ok.OnChat(func(*api.ChatRequest) (string, error) { return "   ", nil })
	if _, err := newAssistant(t, ok, 5*time.Second).Summarize(context.Background(), input()); err == nil {
		t.Error("an empty reply was accepted")
	}
	ok.SetDelay(300 * time.Millisecond)
	start := time.Now()
	if _, err := newAssistant(t, ok, 50*time.Millisecond).Summarize(context.Background(), input()); err == nil {
		t.Error("a slow model did not time out")
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("the timeout took %v", d)
	}
	if _, err := assist.New(assist.Config{Model: model}); err == nil {
		t.Error("New without a client succeeded")
	}
}
