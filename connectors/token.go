package connectors

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// FetchFunc fetches a new access token from a platform. force asks the
// platform for a fresh token even if the one it holds is still valid (WeChat's
// stable_token force_refresh), used after the cached token was refused.
type FetchFunc func(ctx context.Context, force bool) (token string, ttl time.Duration, err error)

// TokenCache caches a platform access token and refreshes it before it
// expires. Concurrent callers share one fetch (single flight), so all senders
// of one account use the same token and the platform's daily fetch quota is
// not burnt. A token the platform refuses is dropped with Invalidate.
type TokenCache struct {
	fetch  FetchFunc
	margin time.Duration
	now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	refused string // the last token the platform refused
	group   singleflight.Group
}

// NewTokenCache returns a cache that refreshes margin before expiry (5 minutes
// when zero; WeChat overlaps old and new tokens for 5 minutes).
func NewTokenCache(fetch FetchFunc, margin time.Duration, now func() time.Time) *TokenCache {
	if margin <= 0 {
		margin = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &TokenCache{fetch: fetch, margin: margin, now: now}
}

// Token returns a valid access token, fetching one when none is cached or
// the cached one is about to expire.
func (c *TokenCache) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	if c.token != "" && c.now().Add(c.margin).Before(c.expires) {
		t := c.token
		c.mu.Unlock()
		return t, nil
	}
	force := c.refused != ""
	c.mu.Unlock()

	// The fetch runs detached from the first caller's context so that one
	// caller giving up does not fail the others waiting on the same flight.
	ch := c.group.DoChan("token", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		tok, ttl, err := c.fetch(fctx, false)
		if err == nil && force && tok == c.refusedToken() {
			// The platform handed back the very token it refused: ask for a new one.
			tok, ttl, err = c.fetch(fctx, true)
		}
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		c.token, c.expires, c.refused = tok, c.now().Add(ttl), ""
		c.mu.Unlock()
		return tok, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (c *TokenCache) refusedToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refused
}

// Invalidate drops token if it is still the cached one, so the next Token
// call fetches a new one. Callers pass the token they used, so a sender that
// failed with an old token does not throw away a newer one.
func (c *TokenCache) Invalidate(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token, c.expires, c.refused = "", time.Time{}, token
	}
}
