package connectors

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHTTPClientRefusesUnconfiguredHosts(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://198.51.100.7/elsewhere", http.StatusFound)
	}))
	defer ok.Close()
	c, err := NewHTTPClient(time.Second, ok.URL+"/gateway/prefix")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get("http://127.0.0.2:1/x"); !errors.Is(err, ErrHostNotAllowed) {
		t.Fatalf("other host: got %v, want ErrHostNotAllowed", err)
	}
	// A redirect to another host is refused too, without connecting.
	if _, err := c.Get(ok.URL + "/x"); !errors.Is(err, ErrHostNotAllowed) {
		t.Fatalf("redirect: got %v, want ErrHostNotAllowed", err)
	}
	if _, err := NewHTTPClient(time.Second, "api.weixin.qq.com"); err == nil {
		t.Fatal("a base URL without scheme was accepted")
	}
}

func TestTokenCacheSingleFlightAndInvalidate(t *testing.T) {
	var fetches atomic.Int32
	var forced atomic.Int32
	c := NewTokenCache(func(ctx context.Context, force bool) (string, time.Duration, error) {
		n := fetches.Add(1)
		if force {
			forced.Add(1)
		}
		time.Sleep(20 * time.Millisecond)
		if n == 2 && !force {
			return "t1", time.Hour, nil // the platform hands back the refused token
		}
		return "t" + string(rune('0'+n)), time.Hour, nil
	}, 0, nil)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); c.Token(context.Background()) }()
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("fetches: got %d, want 1", n)
	}
	c.Invalidate("stale-other") // not the cached token: ignored
	if tok, _ := c.Token(context.Background()); tok != "t1" {
		t.Fatalf("got %s, want t1", tok)
	}
	c.Invalidate("t1")
	tok, err := c.Token(context.Background())
	if err != nil || tok == "t1" || forced.Load() != 1 {
		t.Fatalf("after invalidation: got %s %v (forced %d), want a new token fetched with force", tok, err, forced.Load())
	}
}

func TestReplayGuard(t *testing.T) {
	now := time.Unix(1764000000, 0)
	g := NewReplayGuard(5*time.Minute, func() time.Time { return now })
	if err := g.Check("1764000000", "n1", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := g.Check("1764000000", "n1", []byte("a")); err != nil {
		t.Fatalf("identical retry: %v", err)
	}
	for _, tc := range []struct{ ts, nonce, body, code string }{
		{"1764000000", "n1", "b", CodeReplayed},
		{"1763999000", "n2", "a", CodeStale},
		{"1764001000", "n3", "a", CodeStale},
		{"abc", "n4", "a", CodeStale},
		{"1764000000", "", "a", CodeReplayed},
	} {
		err := g.Check(tc.ts, tc.nonce, []byte(tc.body))
		var code string
		if err != nil {
			code = errorCode(err)
		}
		if code != tc.code {
			t.Fatalf("%+v: got %v, want %s", tc, err, tc.code)
		}
	}
}
