package eval

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText prints a result the way `kefu eval retrieval` shows it
// without --json.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "knowledge base: %d documents (%d chunks), %d FAQ entries\n", r.Documents, r.Chunks, r.FAQs)
	for _, rep := range []*Report{&r.Lexical, r.Hybrid} {
		if rep == nil {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", rep.Mode)
		line := func(name string, s Scores) {
			fmt.Fprintf(&b, "  %-8s queries %4d  hit@1 %.3f  hit@5 %.3f  MRR %.3f  p50 %.2f ms  p99 %.2f ms  answered %.3f (wrong %.3f)",
				name, s.Queries, s.Hit1, s.Hit5, s.MRR, s.P50ms, s.P99ms, s.Answered, s.AnsweredWrong)
			if s.OutOfScope > 0 {
				fmt.Fprintf(&b, "  out of scope %d refused %.3f", s.OutOfScope, s.Refused)
			}
			b.WriteByte('\n')
		}
		line("all", rep.Scores)
		var splits []string
		for s := range rep.Splits {
			splits = append(splits, s)
		}
		sort.Strings(splits)
		for _, s := range splits {
			line(s, rep.Splits[s])
		}
		for _, m := range rep.Misses {
			switch {
			case m.Answered != "" && len(m.Expected) == 0:
				fmt.Fprintf(&b, "  answered out of scope: %s  from %s\n", m.Text, m.Answered)
			case m.Answered != "":
				fmt.Fprintf(&b, "  wrong answer: %s  want %s  from %s\n", m.Text, strings.Join(m.Expected, ","), m.Answered)
			default:
				fmt.Fprintf(&b, "  miss: %s  want %s  got %s\n", m.Text, strings.Join(m.Expected, ","), strings.Join(m.Got, ","))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String formats a benchmark result on one line.
func (r BenchResult) String() string {
	return fmt.Sprintf("chunks %d dims %d: indexed in %.1fs (%.0f chunks/s), query p50 %.2f ms p99 %.2f ms mean %.2f ms, heap %.0f MB, GOMAXPROCS %d",
		r.Chunks, r.Dims, r.IndexSeconds, r.ChunksPerSecond, r.P50ms, r.P99ms, r.MeanMs, r.HeapInUseMB, r.GOMAXPROCS)
}
