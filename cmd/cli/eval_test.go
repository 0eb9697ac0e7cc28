package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEvalIntents(t *testing.T) {
	const train, test = "testdata/eval/train.jsonl", "testdata/eval/test.jsonl"
	code, out := runKefu(t, nil, "eval", "intents", "--train", train, "--test", test, "--json")
	if code != 0 {
		t.Fatalf("eval intents --json: exit %d\n%s", code, out)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	for _, k := range []string{"accuracy", "macro_f1", "p50_us", "p99_us", "train_ms"} {
		if _, ok := r[k].(float64); !ok {
			t.Errorf("JSON lacks the number %q: %s", k, out)
		}
	}
	if acc, _ := r["accuracy"].(float64); acc < 0.8 {
		t.Errorf("accuracy on the toy set: got %.3f, want at least 0.8", acc)
	}
	if n, _ := r["test_examples"].(float64); n != 6 {
		t.Errorf("test_examples: got %v, want 6", r["test_examples"])
	}

	code, out = runKefu(t, nil, "eval", "intents", "--train", train, "--test", test)
	if code != 0 {
		t.Fatalf("eval intents: exit %d\n%s", code, out)
	}
	for _, want := range []string{"accuracy", "macro-F1", "latency p50", "latency p99", "train time", "weakest intents"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval", "intents", "--train", train}, 2, "--train and --test are required"},
		{[]string{"eval", "intents", "--train", train, "--test", "testdata/eval/missing.jsonl"}, 1, "no such file"},
		{[]string{"eval", "intents", "--train", "testdata/eval/bad.jsonl", "--test", test}, 1, "line 2"},
		{[]string{"eval", "frobnicate"}, 2, "unknown subcommand"},
		{[]string{"eval"}, 2, "want retrieval, intents or oos"},
	} {
		code, out := runKefu(t, nil, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("kefu %s: got exit %d %q, want exit %d mentioning %q", strings.Join(c.args, " "), code, out, c.code, c.want)
		}
	}
}

func TestEvalOutOfScope(t *testing.T) {
	code, out := runKefu(t, nil, "eval", "oos", "--catalog", "ecommerce", "--foreign", "testdata/eval/foreign.jsonl",
		"--skip-intents", "chat", "--folds", "3", "--json")
	if code != 0 {
		t.Fatalf("eval oos: exit %d\n%s", code, out)
	}
	var r struct {
		InScope    int     `json:"in_scope"`
		OutOfScope int     `json:"out_of_scope"`
		Recall     float64 `json:"recall"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	// Four foreign questions once chat is skipped; the ecommerce catalog's
	// own examples form the in-scope side.
	if r.OutOfScope != 4 || r.InScope < 100 {
		t.Errorf("got %d foreign and %d in-scope questions, want 4 and the catalog's examples", r.OutOfScope, r.InScope)
	}
	if r.Recall < 0.5 {
		t.Errorf("recall on weather, music, flights and stocks: got %.2f, want at least 0.5", r.Recall)
	}
	if code, out := runKefu(t, nil, "eval", "oos", "--catalog", "nonsense", "--foreign", "testdata/eval/foreign.jsonl"); code != 1 || !strings.Contains(out, "nonsense") {
		t.Errorf("unknown catalog: got exit %d %q, want 1 naming it", code, out)
	}
}
