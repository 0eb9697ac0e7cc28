package knowledge_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"kefu/knowledge"
	"kefu/nlu/ollamatest"
)

// llmFixture publishes the returns policy and an FAQ entry, and answers
// with a scripted chat model.
func llmFixture(t *testing.T, reply ollamatest.ChatFunc, timeout time.Duration) (*fixture, *ollamatest.Server, *knowledge.Responder) {
	t.Helper()
	f := newFixture(t, nil, nil)
	f.publish(t, f.upload(t, "returns.md").Items[0].ID)
	for _, it := range f.upload(t, "faq.csv").Items {
		f.publish(t, it.ID)
	}
	srv := ollamatest.NewServer(ollamatest.Model{Name: "qwen2.5:7b"})
	t.Cleanup(srv.Close)
	srv.OnChat(reply)
	ret, _ := knowledge.NewRetriever(knowledge.RetrieverConfig{Index: f.index})
	r, err := knowledge.NewResponder(knowledge.ResponderConfig{Retriever: ret, Chat: srv.Client(), Model: "qwen2.5:7b",
		Tone: "亲切、简洁", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return f, srv, r
}

func answer(t *testing.T, r *knowledge.Responder, q string) knowledge.Answer {
	t.Helper()
	a, err := r.Answer(context.Background(), knowledge.Query{Text: q})
	if err != nil {
		t.Fatalf("Answer(%q): %v", q, err)
	}
	return a
}

func TestCloseFAQMatchIsVerbatim(t *testing.T) {
	called := false
	_, _, r := llmFixture(t, func(*api.ChatRequest) (string, error) { called = true; return "", nil }, time.Second)
	a := answer(t, r, "请问包邮吗")
	if a.Kind != knowledge.AnswerFAQ || a.Text != "单笔订单满 99 元包邮，不满 99 元收取 8 元运费。" {
		t.Fatalf("got %s %q, want the curated answer verbatim", a.Kind, a.Text)
	}
	if len(a.Citations) != 1 || a.Citations[0].Title != "运费怎么算？" || a.Confidence < 0.6 {
		t.Errorf("citations %+v, confidence %v", a.Citations, a.Confidence)
	}
	if called {
		t.Errorf("the model was asked although a curated answer matched")
	}
}

func TestNothingRelevantSaysSo(t *testing.T) {
	_, srv, r := llmFixture(t, func(*api.ChatRequest) (string, error) { return "我们支持分期付款 [1]。", nil }, time.Second)
	for _, q := range []string{"你们公司股票代码是多少", "明天天气怎么样", ""} {
		a := answer(t, r, q)
		if a.Kind != knowledge.AnswerNone || a.Text != "" {
			t.Errorf("%q: got %s %q, want none", q, a.Kind, a.Text)
		}
	}
	if n := len(srv.ChatRequests()); n != 0 {
		t.Errorf("the model was asked %d times about irrelevant questions", n)
	}
}

func TestGroundedGeneration(t *testing.T) {
	_, srv, r := llmFixture(t, func(req *api.ChatRequest) (string, error) {
		return "您好，无理由退货的寄回运费由买家承担 [1]；如果是质量问题或发错货，运费由商家承担 [1]。", nil
	}, 5*time.Second)
	a := answer(t, r, "无理由退货的话寄回运费要我自己出吗")
	if a.Kind != knowledge.AnswerGenerated {
		t.Fatalf("got %s %q (notes %v), want generated", a.Kind, a.Text, a.Notes)
	}
	if len(a.Citations) != 1 || !strings.Contains(a.Text, "[1]") || len(a.Passages) == 0 {
		t.Errorf("citations %+v", a.Citations)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("chat requests: got %d, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Stream == nil || *req.Stream || len(req.Messages) != 2 || req.Messages[0].Role != "system" {
		t.Fatalf("request shape: %+v", req)
	}
	sys, user := req.Messages[0].Content, req.Messages[1].Content
	for _, want := range []string{"只能根据", "NO_ANSWER", "亲切、简洁", "简体中文"} {
		if !strings.Contains(sys, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys)
		}
	}
	if !strings.Contains(user, "[1] 退换货政策 > 退换货政策 > 退货运费") || !strings.Contains(user, "买家承担") ||
		!strings.Contains(user, "无理由退货的话寄回运费要我自己出吗") {
		t.Errorf("user message lacks the numbered passages or the question:\n%s", user)
	}
}

func TestUngroundedGenerationIsRefused(t *testing.T) {
	for name, reply := range map[string]string{
		"invented number":       "无理由退货的运费由买家承担，我们补贴 20 元 [1]。",
		"citation out of range": "无理由退货的运费由买家承担 [7]。",
		"no citation":           "无理由退货的运费由买家承担。",
		"unsupported claim":     "运费由买家承担 [1]。另外会员每月赠送三张免邮券可以抵扣所有寄回运费 [1]。",
		"model declines":        "NO_ANSWER",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, r := llmFixture(t, func(*api.ChatRequest) (string, error) { return reply, nil }, 5*time.Second)
			a := answer(t, r, "无理由退货的话寄回运费要我自己出吗")
			if a.Kind != knowledge.AnswerNone || a.Text != "" {
				t.Errorf("got %s %q, want none", a.Kind, a.Text)
			}
			if len(a.Notes) == 0 || len(a.Passages) == 0 {
				t.Errorf("notes %v, passages %d: want the reason and the evidence kept", a.Notes, len(a.Passages))
			}
		})
	}
}

func TestGenerationTimeoutDegradesToExtractive(t *testing.T) {
	_, srv, r := llmFixture(t, func(*api.ChatRequest) (string, error) { return "运费由买家承担 [1]。", nil }, 50*time.Millisecond)
	srv.SetDelay(300 * time.Millisecond)
	a := answer(t, r, "无理由退货的话寄回运费要我自己出吗")
	if a.Kind != knowledge.AnswerExtractive || !strings.Contains(a.Text, "买家承担") {
		t.Fatalf("got %s %q, want an extractive answer", a.Kind, a.Text)
	}
	if len(a.Notes) != 1 || a.Notes[0] != "llm_timeout" {
		t.Errorf("notes: got %v, want [llm_timeout]", a.Notes)
	}
}

func TestGenerationErrorDegradesToExtractive(t *testing.T) {
	_, _, r := llmFixture(t, func(*api.ChatRequest) (string, error) { return "", errors.New("model crashed") }, time.Second)
	a := answer(t, r, "无理由退货的话寄回运费要我自己出吗")
	if a.Kind != knowledge.AnswerExtractive || len(a.Notes) != 1 || a.Notes[0] != "llm_error" {
		t.Errorf("got %s %v, want extractive with llm_error", a.Kind, a.Notes)
	}
}

func TestEnglishQuestionGetsEnglishPrompt(t *testing.T) {
	_, srv, r := llmFixture(t, func(*api.ChatRequest) (string, error) {
		return "Return shipping for no-reason returns is paid by the buyer [1].", nil
	}, 5*time.Second)
	a, err := r.Answer(context.Background(), knowledge.Query{Text: "who pays 运费 for 无理由退货", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != knowledge.AnswerGenerated || a.Lang != "en" {
		t.Fatalf("got %s/%s %q, want a generated English answer", a.Kind, a.Lang, a.Text)
	}
	sys := srv.ChatRequests()[0].Messages[0].Content
	if !strings.Contains(sys, "Answer in English") {
		t.Errorf("system prompt: %s", sys)
	}
}

func TestVerify(t *testing.T) {
	ps := []knowledge.Passage{{Title: "运费", Text: "单笔订单满 99 元包邮，不满 99 元收取 8 元运费。"}, {Title: "退款", Text: "退款 1-3 个工作日到账。"}}
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"满 99 元包邮 [1]，退款 1-3 个工作日到账 [2]。", true},
		{"满99元包邮【1】。", true},
		{"满 199 元包邮 [1]。", false},
		{"满 99 元包邮 [3]。", false},
		{"满 99 元包邮 [1]。退款会在当天到账并赠送优惠券补偿 [2]。", false},
	} {
		_, ok := knowledge.Verify(c.text, "zh", ps, 0.5)
		if ok != c.ok {
			t.Errorf("Verify(%q): got %v, want %v", c.text, ok, c.ok)
		}
	}
}

func TestFAQMatcher(t *testing.T) {
	m := knowledge.NewFAQMatcher([]knowledge.FAQ{{ID: "fee", Question: "运费怎么算？", Similar: []string{"包邮吗"}, Answer: "满 99 元包邮。"}})
	a, _ := m.Answer(context.Background(), knowledge.Query{Text: "你们包邮吗"})
	if a.Kind != knowledge.AnswerFAQ || a.Text != "满 99 元包邮。" {
		t.Errorf("got %s %q", a.Kind, a.Text)
	}
	a, _ = m.Answer(context.Background(), knowledge.Query{Text: "酒店几点入住"})
	if a.Kind != knowledge.AnswerNone {
		t.Errorf("got %s, want none", a.Kind)
	}
	if a, _ := knowledge.NewFAQMatcher(nil).Answer(context.Background(), knowledge.Query{Text: "包邮吗"}); a.Kind != knowledge.AnswerNone {
		t.Errorf("empty matcher: got %s", a.Kind)
	}
}
