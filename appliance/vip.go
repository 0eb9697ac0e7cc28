package appliance

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// VIPRule decides whether a customer is a VIP: a VIP level set by an agent,
// a yearly spend kept as a customer attribute, or — when a business system
// is connected — the orders and purchases of the past year.
type VIPRule struct {
	// MinLevel: customers at or above this VIP level are VIPs (0 disables).
	MinLevel int
	// SpendAttribute names the customer attribute holding the yearly spend
	// in 元 (e.g. "yearly_spend"); MinSpend is the VIP bar (0 disables).
	SpendAttribute string
	MinSpend       float64
	// Business, when set, sums the customer's orders and purchases of the
	// past year.
	Business BusinessProfile
	Logger   *slog.Logger
	Now      func() time.Time

	mu    sync.Mutex
	cache map[int64]cachedSpend
}

type cachedSpend struct {
	spend float64
	at    time.Time
}

// VIPStatus is the outcome of the rule for one customer.
type VIPStatus struct {
	VIP    bool    `json:"vip"`
	Reason string  `json:"reason,omitempty"` // vip_level, yearly_spend, business_spend
	Spend  float64 `json:"spend,omitempty"`  // yearly spend in 元, when known
}

// spendCacheTTL bounds how often the business system is asked about one
// customer: the rule runs at every hand-off.
const spendCacheTTL = 10 * time.Minute

// Check applies the rule. A business system that fails is logged and
// ignored: routing never waits on it.
func (r *VIPRule) Check(ctx context.Context, c *Customer) VIPStatus {
	if r == nil || c == nil {
		return VIPStatus{}
	}
	if r.MinLevel > 0 && c.VIPLevel >= r.MinLevel {
		return VIPStatus{VIP: true, Reason: "vip_level"}
	}
	var st VIPStatus
	if r.SpendAttribute != "" {
		if v, ok := ParseAmount(c.Attributes[r.SpendAttribute]); ok {
			st.Spend = v
			if r.MinSpend > 0 && v >= r.MinSpend {
				return VIPStatus{VIP: true, Reason: "yearly_spend", Spend: v}
			}
		}
	}
	if r.Business == nil || r.MinSpend <= 0 {
		return st
	}
	spend, ok := r.businessSpend(ctx, c)
	if !ok {
		return st
	}
	if spend >= r.MinSpend {
		return VIPStatus{VIP: true, Reason: "business_spend", Spend: spend}
	}
	return VIPStatus{Spend: max(st.Spend, spend)}
}

func (r *VIPRule) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *VIPRule) businessSpend(ctx context.Context, c *Customer) (float64, bool) {
	now := r.now()
	r.mu.Lock()
	if e, ok := r.cache[c.ID]; ok && now.Sub(e.at) < spendCacheTTL {
		r.mu.Unlock()
		return e.spend, true
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	records, err := r.Business.BusinessRecords(ctx, c)
	if err != nil {
		if r.Logger != nil {
			r.Logger.Warn("vip rule: business records unavailable", slog.Int64("customer_id", c.ID), slog.Any("error", err))
		}
		return 0, false
	}
	spend := YearlySpend(records, now)
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[int64]cachedSpend{}
	}
	r.cache[c.ID] = cachedSpend{spend: spend, at: now}
	r.mu.Unlock()
	return spend, true
}

// YearlySpend sums the amounts of orders and purchases dated within the year
// before now (undated records count: the business system chose to show them).
func YearlySpend(records []BusinessRecord, now time.Time) float64 {
	var sum float64
	for _, rec := range records {
		if rec.Kind != "order" && rec.Kind != "purchase" {
			continue
		}
		if !rec.Date.IsZero() && rec.Date.Before(now.AddDate(-1, 0, 0)) {
			continue
		}
		if v, ok := ParseAmount(rec.Amount); ok {
			sum += v
		}
	}
	return sum
}

// ParseAmount reads an amount as business systems write it: "¥12,800.00",
// "12800", "CNY 129", "129元".
func ParseAmount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	for _, p := range []string{"¥", "￥", "CNY", "RMB"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), "元")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}
