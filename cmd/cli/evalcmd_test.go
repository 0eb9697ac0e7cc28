package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestEvalRetrievalDemoJSON(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "eval", "retrieval", "--demo", "--queries", "../../knowledge/testdata/demo-eval.jsonl", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"queries", "hit1", "hit5", "mrr", "p50_ms", "p99_ms"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if q := res["queries"].(float64); q < 300 {
		t.Errorf("queries: got %v, want the ≥ 300 answerable demo questions", q)
	}
	if h := res["hit1"].(float64); h < 0.85 {
		t.Errorf("hit1: got %v, want ≥ 0.85", h)
	}
	// Chinese questions in dev and test, English ones in en-dev and en-test.
	splits, _ := res["lexical"].(map[string]any)["splits"].(map[string]any)
	for split, floor := range map[string]float64{"dev": 0.85, "test": 0.84, "en-dev": 0.7, "en-test": 0.7} {
		s, ok := splits[split].(map[string]any)
		if !ok {
			t.Errorf("split %s: missing from %v", split, splits)
			continue
		}
		if h := s["hit1"].(float64); h < floor {
			t.Errorf("split %s: hit1 %v, want ≥ %v", split, h, floor)
		}
	}
	if _, ok := res["hybrid"]; ok {
		t.Errorf("a hybrid run without an embedding model configured")
	}
}

func TestEvalRetrievalDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "faq.csv"), []byte("id,question,similar,answer\nfee,运费怎么算？,包邮吗,满 99 元包邮。\nhotel,酒店几点入住？,入住时间,14:00 以后入住。\n"), 0o600)
	qs := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(qs, []byte(`{"text":"包邮不","expected":["fee"]}`+"\n"+`{"text":"几点能入住","expected":["hotel"]}`+"\n"), 0o600)
	code, out, errOut := runCLI(t, nil, "eval", "retrieval", "--kb", dir, "--queries", qs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "2 FAQ entries") || !strings.Contains(out, "hit@1 1.000") {
		t.Errorf("text output:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval", "retrieval", "--queries", qs}, 2, "--kb DIR or --demo"},
		{[]string{"eval", "retrieval", "--kb", dir}, 2, "--queries"},
		{[]string{"eval", "retrieval", "--kb", filepath.Join(dir, "missing"), "--queries", qs}, 1, "not a directory"},
		{[]string{"eval", "retrieval", "--kb", dir, "--queries", dir + "/faq.csv"}, 1, "not JSON"},
		{[]string{"eval", "nonsense"}, 2, "want retrieval"},
	} {
		code, _, errOut := runCLI(t, nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: got exit %d %q, want %d mentioning %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

func TestBenchIndexSmall(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "index", "--chunks", "500,1000", "--queries", "20", "--dims", "16", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res []IndexBenchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	if len(res) != 2 || res[0].Chunks != 500 || res[1].Chunks != 1000 || res[0].Backend != "embedded" || res[1].GOMAXPROCS != 1 {
		t.Fatalf("got %+v, want two embedded runs on one core", res)
	}
	for _, r := range res {
		if r.ChunksPerSecond <= 0 || r.P50ms <= 0 || r.P99ms < r.P50ms || r.HeapInUseMB <= 0 {
			t.Errorf("implausible: %+v", r)
		}
	}
	if code, _, errOut := runCLI(t, nil, "bench", "index", "--chunks", "10k"); code != 2 || !strings.Contains(errOut, "--chunks") {
		t.Errorf("bad --chunks: exit %d %q", code, errOut)
	}
}
