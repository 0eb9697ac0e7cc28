package eval

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"kefu/knowledge"
)

// BenchOptions size an index benchmark.
type BenchOptions struct {
	Chunks  int    // records to index
	Dims    int    // dense vector size; 0 benchmarks the lexical leg only
	Queries int    // queries to time; default 500
	Batch   int    // records per Upsert; default 1000
	Seed    uint64 // same seed, same data
}

// BenchResult is what `kefu bench index` prints.
type BenchResult struct {
	Chunks          int     `json:"chunks"`
	Dims            int     `json:"dims"`
	IndexSeconds    float64 `json:"index_seconds"`
	ChunksPerSecond float64 `json:"chunks_per_second"`
	Queries         int     `json:"queries"`
	P50ms           float64 `json:"p50_ms"`
	P99ms           float64 `json:"p99_ms"`
	MeanMs          float64 `json:"mean_ms"`
	// HeapInUseMB is the Go heap in use after indexing (after a GC), minus
	// what was in use before: the index's own footprint when the index
	// lives in this process. For an out-of-process index (Qdrant) it is
	// only the client's.
	HeapInUseMB float64 `json:"heap_in_use_mb"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
}

// BenchIndex fills an empty index with synthetic chunks in batches, then
// times single queries one after another (half of them with a channel
// filter). Generating the chunks (tokenizing, BM25 vectors) counts in the
// indexing throughput, as it does when the service publishes documents;
// embedding does not (dense vectors are random).
func BenchIndex(ctx context.Context, idx knowledge.Index, o BenchOptions) (BenchResult, error) {
	if o.Chunks <= 0 {
		return BenchResult{}, fmt.Errorf("eval: a benchmark needs chunks")
	}
	if o.Queries <= 0 {
		o.Queries = 500
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	res := BenchResult{Chunks: o.Chunks, Dims: o.Dims, Queries: o.Queries, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	before := heapInUse()
	start := time.Now()
	for done := 0; done < o.Chunks; done += o.Batch {
		recs := SyntheticRecords(min(o.Batch, o.Chunks-done), o.Dims, o.Seed, done)
		if err := idx.Upsert(ctx, recs); err != nil {
			return res, err
		}
	}
	res.IndexSeconds = time.Since(start).Seconds()
	res.ChunksPerSecond = float64(o.Chunks) / res.IndexSeconds
	res.HeapInUseMB = float64(heapInUse()-before) / (1 << 20)
	qs := SyntheticQueries(o.Queries, o.Dims, o.Seed)
	lats := make([]float64, 0, len(qs))
	var total time.Duration
	for _, q := range qs {
		t := time.Now()
		if _, err := idx.Search(ctx, q); err != nil {
			return res, err
		}
		d := time.Since(t)
		total += d
		lats = append(lats, float64(d)/float64(time.Millisecond))
	}
	res.P50ms, res.P99ms = round(Percentile(lats, 50)), round(Percentile(lats, 99))
	res.MeanMs = round(float64(total) / float64(len(qs)) / float64(time.Millisecond))
	return res, nil
}

func heapInUse() uint64 {
	// Two cycles: objects reachable only from sync.Pools survive the first.
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
