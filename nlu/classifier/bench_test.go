package classifier

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func readJSONL(tb testing.TB, path string) []Example {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("dataset not available: %v", err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ex Example
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			tb.Fatal(err)
		}
		out = append(out, ex)
	}
	return out
}

// datasetPath finds ../shared/datasets beside the repository root.
func datasetPath(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			tb.Skip("repository root not found")
		}
		dir = filepath.Dir(dir)
	}
	p := filepath.Join(append([]string{dir, "..", "shared", "datasets"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("dataset not available: %v", err)
	}
	return p
}

func BenchmarkTrainBanking77(b *testing.B) {
	train := readJSONL(b, datasetPath(b, "banking77", "train.jsonl"))
	for b.Loop() {
		if _, err := Train(context.Background(), train, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrainBanking77NoCalibration(b *testing.B) {
	train := readJSONL(b, datasetPath(b, "banking77", "train.jsonl"))
	for b.Loop() {
		if _, err := Train(context.Background(), train, Options{Folds: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassifyBanking77(b *testing.B) {
	train := readJSONL(b, datasetPath(b, "banking77", "train.jsonl"))
	test := readJSONL(b, datasetPath(b, "banking77", "test.jsonl"))
	m, err := Train(context.Background(), train, Options{Folds: 1})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m.Classify(test[i%len(test)].Text)
		i++
	}
}

func BenchmarkClassifySMP2017(b *testing.B) {
	train := readJSONL(b, datasetPath(b, "smp2017_ecdt_task1", "train.jsonl"))
	test := readJSONL(b, datasetPath(b, "smp2017_ecdt_task1", "test.jsonl"))
	m, err := Train(context.Background(), train, Options{Folds: 1})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m.Classify(test[i%len(test)].Text)
		i++
	}
}
