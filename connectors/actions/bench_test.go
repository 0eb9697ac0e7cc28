package actions

import (
	"context"
	"slices"
	"testing"
	"time"

	"kefu/appliance"
)

// BenchmarkCallOverhead measures what the appliance adds to a business
// action — templates, the allowlist, auth, JSON decoding, response mapping
// and reply rendering — excluding the backend's own time (request sent to
// response read), and reports its p50 and p99.
func BenchmarkCallOverhead(b *testing.B) {
	r := newRunner(b, backend(b))
	in := appliance.ActionInput{Customer: demoCustomer, Lang: "zh", Slots: map[string]string{"order_no": "E1001"}}
	overheads := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		res, tm, err := r.call(context.Background(), "order.track", in)
		if err != nil || res.Failure != "" {
			b.Fatalf("call: %v %v", err, res)
		}
		overheads = append(overheads, tm.total-tm.backend)
	}
	b.StopTimer()
	slices.Sort(overheads)
	q := func(p float64) float64 { return float64(overheads[int(p*float64(len(overheads)-1))].Microseconds()) }
	b.ReportMetric(q(0.50), "overhead_p50_µs")
	b.ReportMetric(q(0.99), "overhead_p99_µs")
}
