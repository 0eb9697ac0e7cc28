package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"kefu/nlu"
	"kefu/nlu/catalogs"
	"kefu/nlu/ollamatest"
)

const model = "qwen2.5:7b-instruct"

func setup(t *testing.T) (*ollamatest.Server, *Engine, *Task) {
	t.Helper()
	srv := ollamatest.NewServer(ollamatest.Model{Name: model})
	t.Cleanup(srv.Close)
	eng, err := New(Config{Client: srv.Client(), Model: model, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalogs.Load("ecommerce")
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewTask(cat)
	if err != nil {
		t.Fatal(err)
	}
	return srv, eng, task
}

func TestValidReply(t *testing.T) {
	srv, eng, task := setup(t)
	srv.OnChat(func(req *api.ChatRequest) (string, error) {
		return `{"intent":"order_status","confidence":0.82,"slots":{"product":"鞋子","purchase_date":"昨天"}}`, nil
	})
	v, err := eng.Understand(context.Background(), task, Request{Text: "我昨天买的鞋子啥时候到?", Lang: "zh",
		Candidates: []nlu.Candidate{{Intent: "order_status", Score: 0.41}},
		Examples:   []nlu.Example{{Text: "我的快递到哪了", Intent: "order_status"}}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Intent != "order_status" || v.Confidence != 0.82 || v.Slots["product"] != "鞋子" || v.Slots["purchase_date"] != "昨天" {
		t.Errorf("got %+v, want order_status 0.82 with product 鞋子 and purchase_date 昨天", v)
	}
	// What a real server would have received: a non-streaming request whose
	// Format is a schema with the catalog's intents as an enum.
	reqs := srv.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("got %d chat requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Stream == nil || *req.Stream {
		t.Errorf("stream: got %v, want false", req.Stream)
	}
	var schema struct {
		Properties struct {
			Intent struct {
				Enum []string `json:"enum"`
			} `json:"intent"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(req.Format, &schema); err != nil {
		t.Fatalf("format is not a JSON schema: %v", err)
	}
	want := append(task.Catalog().IntentNames(), OutOfScope)
	if !slices.Equal(schema.Properties.Intent.Enum, want) {
		t.Errorf("intent enum: got %v, want %v", schema.Properties.Intent.Enum, want)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		t.Fatalf("messages: got %+v, want system then user", req.Messages)
	}
	for _, want := range []string{"我昨天买的鞋子啥时候到?", "order_status (0.41)", "我的快递到哪了"} {
		if !strings.Contains(req.Messages[1].Content, want) {
			t.Errorf("user prompt lacks %q:\n%s", want, req.Messages[1].Content)
		}
	}
}

func TestRejectedReplies(t *testing.T) {
	cases := []struct {
		name, reply, code string
	}{
		{"garbage", `the customer wants their order`, CodeInvalidJSON},
		{"truncated", `{"intent":"order_status","conf`, CodeInvalidJSON},
		{"empty", ``, CodeInvalidJSON},
		{"unknown intent", `{"intent":"buy_lottery","confidence":0.9,"slots":{}}`, CodeUnknownIntent},
		{"confidence as string", `{"intent":"order_status","confidence":"high","slots":{}}`, CodeSchema},
		{"confidence above one", `{"intent":"order_status","confidence":7,"slots":{}}`, CodeSchema},
		{"slot not a string", `{"intent":"order_status","confidence":0.9,"slots":{"product":42}}`, CodeSchema},
		{"unknown slot name", `{"intent":"order_status","confidence":0.9,"slots":{"colour":"red"}}`, CodeSchema},
		{"missing slots", `{"intent":"order_status","confidence":0.9}`, CodeSchema},
		{"extra field", `{"intent":"order_status","confidence":0.9,"slots":{},"action":"refund_all"}`, CodeSchema},
		{"array", `[{"intent":"order_status"}]`, CodeSchema},
		{"intent not a string", `{"intent":3,"confidence":0.9,"slots":{}}`, CodeSchema},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, eng, task := setup(t)
			srv.OnChat(func(*api.ChatRequest) (string, error) { return tc.reply, nil })
			v, err := eng.Understand(context.Background(), task, Request{Text: "我的快递到哪了"})
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("got code %q (err %v, verdict %+v), want %q", got, err, v, tc.code)
			}
			if v.Intent != "" || v.Slots != nil {
				t.Errorf("a rejected reply still produced %+v", v)
			}
		})
	}
}

func TestSlotOfAnotherIntentDropped(t *testing.T) {
	srv, eng, task := setup(t)
	// size is a slot of size_stock, not of order_status: valid schema-wise,
	// but never acted upon for this intent.
	srv.OnChat(func(*api.ChatRequest) (string, error) {
		return `{"intent":"order_status","confidence":0.9,"slots":{"size":"35","product":"雨靴"}}`, nil
	})
	v, err := eng.Understand(context.Background(), task, Request{Text: "雨靴到哪了"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Slots["size"]; ok || v.Slots["product"] != "雨靴" || !slices.Equal(v.Dropped, []string{"size"}) {
		t.Errorf("got slots %v dropped %v, want product only and size dropped", v.Slots, v.Dropped)
	}
}

func TestOutOfScope(t *testing.T) {
	srv, eng, task := setup(t)
	srv.OnChat(func(*api.ChatRequest) (string, error) {
		return `{"intent":"out_of_scope","confidence":0.95,"slots":{}}`, nil
	})
	v, err := eng.Understand(context.Background(), task, Request{Text: "今天天气怎么样"})
	if err != nil || !v.OutOfScope || v.Intent != nlu.IntentNone {
		t.Errorf("got %+v, %v; want out of scope with no intent", v, err)
	}
}

func TestFailures(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		srv, eng, task := setup(t)
		srv.SetDelay(time.Second)
		start := time.Now()
		_, err := eng.Understand(context.Background(), task, Request{Text: "x"})
		if ErrorCode(err) != CodeTimeout {
			t.Fatalf("got %v, want %s", err, CodeTimeout)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("gave up after %v, want about the 300ms timeout", d)
		}
	})
	t.Run("model missing", func(t *testing.T) {
		srv, _, task := setup(t)
		eng, _ := New(Config{Client: srv.Client(), Model: "llama-nonexistent"})
		_, err := eng.Understand(context.Background(), task, Request{Text: "x"})
		if ErrorCode(err) != CodeModelMissing {
			t.Errorf("got %v, want %s", err, CodeModelMissing)
		}
	})
	t.Run("server error", func(t *testing.T) {
		srv, eng, task := setup(t)
		srv.OnChat(func(*api.ChatRequest) (string, error) { return "", errors.New("out of memory") })
		if _, err := eng.Understand(context.Background(), task, Request{Text: "x"}); ErrorCode(err) != CodeUnavailable {
			t.Errorf("got %v, want %s", err, CodeUnavailable)
		}
	})
	t.Run("down", func(t *testing.T) {
		srv, _, task := setup(t)
		base := srv.BaseURL()
		srv.Close()
		eng, _ := New(Config{Client: api.NewClient(base, srv.Server.Client())})
		if _, err := eng.Understand(context.Background(), task, Request{Text: "x"}); ErrorCode(err) != CodeUnavailable {
			t.Errorf("got %v, want %s", err, CodeUnavailable)
		}
	})
	if _, err := New(Config{}); err == nil {
		t.Errorf("New without a client: got nil error")
	}
}

// TestRealServer runs against a real Ollama when KEFU_TEST_OLLAMA names one
// (http://host:port); the model is KEFU_TEST_OLLAMA_CHAT_MODEL or qwen2.5:7b-instruct.
func TestRealServer(t *testing.T) {
	addr := os.Getenv("KEFU_TEST_OLLAMA")
	if addr == "" {
		t.Skip("KEFU_TEST_OLLAMA not set")
	}
	base, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	m := os.Getenv("KEFU_TEST_OLLAMA_CHAT_MODEL")
	if m == "" {
		m = DefaultModel
	}
	eng, err := New(Config{Client: api.NewClient(base, nil), Model: m, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := catalogs.Load("ecommerce")
	task, err := NewTask(cat)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want []string // acceptable intents ("" = out of scope)
	}{
		{"我昨天买的鞋子啥时候到?", []string{"order_status"}},
		{"东西到了发现杯子碎了，你们怎么赔", []string{"damaged_compensation"}},
		{"有没有儿童雨靴", []string{"product_search", "size_stock"}},
		{"今天天气怎么样", []string{""}},
	}
	for _, c := range cases {
		v, err := eng.Understand(context.Background(), task, Request{Text: c.text, Lang: "zh"})
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if !slices.Contains(c.want, v.Intent) {
			t.Errorf("%q: got %q, want one of %v", c.text, v.Intent, c.want)
		}
	}
}
