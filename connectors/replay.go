package connectors

import (
	"crypto/sha256"
	"strconv"
	"sync"
	"time"

	"kefu/appliance"
)

// ReplayGuard rejects signed pushes whose timestamp is outside a window
// around now, and nonces seen before with a different body. A signature
// over token+timestamp+nonce alone (WeChat plaintext mode) does not cover the
// body, so a captured signature could otherwise carry any body while the
// timestamp is fresh. The very same request arriving again is a platform
// retry and is let through: the Receiver deduplicates it by message id.
type ReplayGuard struct {
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	nonces map[string]seenNonce
	swept  time.Time
}

type seenNonce struct {
	body [32]byte
	at   time.Time
}

// NewReplayGuard returns a guard accepting timestamps within window of now
// (5 minutes when zero).
func NewReplayGuard(window time.Duration, now func() time.Time) *ReplayGuard {
	if window <= 0 {
		window = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &ReplayGuard{window: window, now: now, nonces: map[string]seenNonce{}}
}

// Check validates timestamp (Unix seconds) and records nonce for body. Call
// it only after the signature has been verified, so forged requests cannot
// fill the nonce table.
func (g *ReplayGuard) Check(timestamp, nonce string, body []byte) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return Reject(appliance.EINVALID, CodeStale, "timestamp %q is not a Unix time", timestamp)
	}
	now := g.now()
	if d := now.Sub(time.Unix(ts, 0)); d > g.window || d < -g.window {
		return Reject(appliance.EUNAUTHORIZED, CodeStale, "timestamp is %s away from now, outside the %s window", d.Round(time.Second), g.window)
	}
	if nonce == "" {
		return Reject(appliance.EINVALID, CodeReplayed, "nonce is required")
	}
	sum := sha256.Sum256(body)
	key := timestamp + "\x00" + nonce
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.swept) > g.window {
		for k, v := range g.nonces {
			if now.Sub(v.at) > 2*g.window {
				delete(g.nonces, k)
			}
		}
		g.swept = now
	}
	if prev, ok := g.nonces[key]; ok {
		if prev.body != sum {
			return Reject(appliance.EUNAUTHORIZED, CodeReplayed, "nonce %q was already used with another body", nonce)
		}
		return nil
	}
	g.nonces[key] = seenNonce{body: sum, at: now}
	return nil
}
