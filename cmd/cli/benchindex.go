package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"kefu/knowledge"
	"kefu/knowledge/embedded"
	"kefu/knowledge/eval"
	"kefu/knowledge/qdrant"
)

// IndexBenchResult is one line of `kefu bench index`.
type IndexBenchResult struct {
	Backend string `json:"backend"` // embedded or qdrant
	eval.BenchResult
}

func runBenchIndex(env *Env, args []string) error {
	fs := flags(env, "bench index")
	chunks := fs.String("chunks", "10000,100000,300000", "comma-separated index sizes")
	dims := fs.Int("dims", 0, "dense vector size (random vectors); 0 benchmarks the lexical leg only")
	queries := fs.Int("queries", 1000, "queries timed per size")
	qaddr := fs.String("qdrant", env.Getenv("KEFU_TEST_QDRANT"), "also benchmark Qdrant at host:port (default $KEFU_TEST_QDRANT)")
	asJSON := fs.Bool("json", false, "print one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(*chunks, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return usageError{fmt.Sprintf("bench index: --chunks wants positive numbers, got %q", s)}
		}
		sizes = append(sizes, n)
	}
	if *dims < 0 || *queries <= 0 {
		return usageError{"bench index: --dims must be ≥ 0 and --queries > 0"}
	}
	// One core, as the target says: the index must be fast on its own.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	ctx := context.Background()
	var out []IndexBenchResult
	report := func(r IndexBenchResult) {
		out = append(out, r)
		if !*asJSON {
			fmt.Fprintf(env.Stdout, "%-8s %s\n", r.Backend, r.BenchResult)
		}
	}
	for _, n := range sizes {
		res, err := benchEmbedded(ctx, eval.BenchOptions{Chunks: n, Dims: *dims, Queries: *queries, Seed: 1})
		if err != nil {
			return err
		}
		report(IndexBenchResult{Backend: "embedded", BenchResult: res})
	}
	if *qaddr != "" {
		qdims := *dims
		if qdims == 0 {
			qdims = 256 // a Qdrant deployment runs with embeddings
		}
		for _, n := range sizes {
			x, err := qdrant.Open(ctx, qdrant.Config{Addr: *qaddr, Collection: fmt.Sprintf("kefu_bench_%d", n), DenseDims: qdims, BatchSize: 256})
			if err != nil {
				return fmt.Errorf("bench index: qdrant at %s: %w", *qaddr, err)
			}
			res, err := eval.BenchIndex(ctx, x, eval.BenchOptions{Chunks: n, Dims: qdims, Queries: *queries, Seed: 1})
			_ = x.DropCollection(ctx)
			x.Close()
			if err != nil {
				return err
			}
			report(IndexBenchResult{Backend: "qdrant", BenchResult: res})
		}
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	return nil
}

// benchEmbedded measures a fresh in-memory embedded index and lets it go
// before the next size, so each size's memory is its own.
func benchEmbedded(ctx context.Context, o eval.BenchOptions) (eval.BenchResult, error) {
	var x knowledge.Index = embedded.New()
	res, err := eval.BenchIndex(ctx, x, o)
	x.Close()
	x = nil
	runtime.GC()
	debug.FreeOSMemory()
	return res, err
}
