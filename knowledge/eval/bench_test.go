package eval

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"kefu/knowledge"
	"kefu/knowledge/embedded"
	"kefu/knowledge/qdrant"
)

func TestBenchIndexSmall(t *testing.T) {
	x := embedded.New()
	res, err := BenchIndex(context.Background(), x, BenchOptions{Chunks: 2000, Dims: 32, Queries: 50, Batch: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := x.Count(context.Background()); n != 2000 {
		t.Errorf("Count: got %d, want 2000", n)
	}
	if res.ChunksPerSecond <= 0 || res.P50ms <= 0 || res.P99ms < res.P50ms || res.HeapInUseMB <= 0 || res.Queries != 50 {
		t.Errorf("implausible result: %+v", res)
	}
	hits, _ := x.Search(context.Background(), SyntheticQueries(1, 32, 1)[0])
	if len(hits) == 0 {
		t.Errorf("synthetic queries find nothing in synthetic chunks")
	}
}

func TestSyntheticRecordsAreRealistic(t *testing.T) {
	a := SyntheticRecords(50, 8, 7, 0)
	b := SyntheticRecords(50, 8, 7, 0)
	for i := range a {
		if a[i].Text != b[i].Text {
			t.Fatalf("same seed, different text at %d", i)
		}
		if n := knowledge.RuneLen(a[i].Text); n < 60 || n > 500 {
			t.Errorf("record %d has %d characters", i, n)
		}
	}
}

// Benchmarks: go test -run ^$ -bench Embedded -benchtime 200x ./knowledge/eval
// (300k chunks take about a minute to build; use -cpu 1 for one core).
func BenchmarkEmbeddedQuery(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 300_000} {
		for _, dims := range []int{0, 256} {
			b.Run(fmt.Sprintf("chunks=%d/dims=%d", n, dims), func(b *testing.B) {
				x := embedded.New()
				for done := 0; done < n; done += 5000 {
					if err := x.Upsert(context.Background(), SyntheticRecords(min(5000, n-done), dims, 1, done)); err != nil {
						b.Fatal(err)
					}
				}
				qs := SyntheticQueries(1000, dims, 1)
				runtime.GC()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := x.Search(context.Background(), qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkEmbeddedIndexing(b *testing.B) {
	recs := SyntheticRecords(10_000, 0, 1, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := embedded.New()
		if err := x.Upsert(context.Background(), recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "chunks/s")
}

// BenchmarkQdrant runs the same measurements against a real Qdrant when
// KEFU_TEST_QDRANT=host:port is set.
func BenchmarkQdrant(b *testing.B) {
	addr := os.Getenv("KEFU_TEST_QDRANT")
	if addr == "" {
		b.Skip("set KEFU_TEST_QDRANT=host:port")
	}
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ctx := context.Background()
			x, err := qdrant.Open(ctx, qdrant.Config{Addr: addr, Collection: fmt.Sprintf("kefu_bench_%d", n), DenseDims: 256, BatchSize: 256})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = x.DropCollection(ctx); x.Close() }()
			res, err := BenchIndex(ctx, x, BenchOptions{Chunks: n, Dims: 256, Queries: max(b.N, 200), Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.ChunksPerSecond, "chunks/s")
			b.ReportMetric(res.P50ms, "p50_ms")
			b.ReportMetric(res.P99ms, "p99_ms")
		})
	}
}
