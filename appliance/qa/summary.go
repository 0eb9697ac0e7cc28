package qa

import (
	"sort"

	"kefu/appliance"
)

// Histogram keeps durations in one-second buckets up to a day (longer ones
// count in the last bucket), so averages and percentiles of a night's
// response times cost the same memory whatever the number of conversations.
type Histogram struct {
	counts []int64
	n      int64
	sumMS  int64
	maxMS  int64
}

const histBuckets = 24 * 3600

// Observe adds one duration in milliseconds (negative values are ignored).
func (h *Histogram) Observe(msec int64) {
	if msec < 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]int64, histBuckets+1)
	}
	b := min(msec/1000, histBuckets)
	h.counts[b]++
	h.n++
	h.sumMS += msec
	h.maxMS = max(h.maxMS, msec)
}

// Count is the number of observations.
func (h *Histogram) Count() int64 { return h.n }

// MeanSeconds is the exact mean.
func (h *Histogram) MeanSeconds() float64 {
	if h.n == 0 {
		return 0
	}
	return float64(h.sumMS) / float64(h.n) / 1000
}

// Quantile returns the q-quantile (nearest rank) in whole seconds: the
// lower bound of the bucket holding the rank.
func (h *Histogram) Quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := int64(q*float64(h.n) + 0.999999999)
	rank = max(1, min(rank, h.n))
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return float64(i)
		}
	}
	return float64(histBuckets)
}

// Stats summarizes the histogram for a report.
func (h *Histogram) Stats() map[string]any {
	return map[string]any{"count": h.n, "avg_seconds": round2(h.MeanSeconds()), "p50_seconds": h.Quantile(0.5),
		"p90_seconds": h.Quantile(0.9), "max_seconds": round2(float64(h.maxMS) / 1000)}
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// summary accumulates an audit's totals.
type summary struct {
	Conversations int
	Flagged       int
	Hits          int
	resolution    map[appliance.Resolution]int
	channels      map[string]int
	byRule        map[string]int
	bySeverity    map[string]int
	firstResponse Histogram
	replyGap      Histogram
	csat          [6]int
	judge         struct {
		n                                int
		correctness, compliance, empathy int
		failed                           int
	}
}

func newSummary() *summary {
	return &summary{resolution: map[appliance.Resolution]int{}, channels: map[string]int{}, byRule: map[string]int{},
		bySeverity: map[string]int{}}
}

func (s *summary) add(it *appliance.QAReportItem) {
	s.Conversations++
	s.resolution[it.Resolution]++
	s.channels[it.Channel]++
	if len(it.HitList) > 0 {
		s.Flagged++
	}
	for _, h := range it.HitList {
		s.Hits++
		s.byRule[h.RuleName]++
		s.bySeverity[h.Severity]++
	}
	s.firstResponse.Observe(it.FirstResponseMS)
	s.replyGap.Observe(it.MaxReplyGapMS)
	if it.CSAT >= 1 && it.CSAT <= 5 {
		s.csat[it.CSAT]++
	}
	if j := it.Judge; j != nil {
		if j.Error != "" {
			s.judge.failed++
		} else {
			s.judge.n++
			s.judge.correctness += j.Correctness
			s.judge.compliance += j.Compliance
			s.judge.empathy += j.Empathy
		}
	}
}

func (s *summary) export() map[string]any {
	res := map[string]int{}
	for k, v := range s.resolution {
		res[string(k)] = v
	}
	rules := make([]map[string]any, 0, len(s.byRule))
	for name, n := range s.byRule {
		rules = append(rules, map[string]any{"rule": name, "hits": n})
	}
	sort.Slice(rules, func(i, j int) bool {
		if rules[i]["hits"].(int) != rules[j]["hits"].(int) {
			return rules[i]["hits"].(int) > rules[j]["hits"].(int)
		}
		return rules[i]["rule"].(string) < rules[j]["rule"].(string)
	})
	csat := map[string]int{}
	given := 0
	for score := 1; score <= 5; score++ {
		csat[string(rune('0'+score))] = s.csat[score]
		given += s.csat[score]
	}
	out := map[string]any{
		"conversations":    s.Conversations,
		"flagged":          s.Flagged,
		"hits":             s.Hits,
		"resolution":       res,
		"channels":         s.channels,
		"hits_by_rule":     rules,
		"hits_by_severity": s.bySeverity,
		"first_response":   s.firstResponse.Stats(),
		"max_reply_gap":    s.replyGap.Stats(),
		"csat":             csat,
		"csat_given":       given,
	}
	if s.judge.n > 0 || s.judge.failed > 0 {
		j := map[string]any{"judged": s.judge.n, "failed": s.judge.failed}
		if s.judge.n > 0 {
			n := float64(s.judge.n)
			j["correctness"] = round2(float64(s.judge.correctness) / n)
			j["compliance"] = round2(float64(s.judge.compliance) / n)
			j["empathy"] = round2(float64(s.judge.empathy) / n)
		}
		out["judge"] = j
	}
	return out
}
