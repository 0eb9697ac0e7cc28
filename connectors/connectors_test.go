package connectors

import (
	"context"
	"errors"
	"net"
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

// scriptedTokens hands out t1, t2, ... and records invalidations; fetchErr,
// while set, fails the fetch.
type scriptedTokens struct {
	n           int
	fetchErr    []error
	invalidated []string
}

func (s *scriptedTokens) Token(context.Context) (string, error) {
	if len(s.fetchErr) > 0 {
		err := s.fetchErr[0]
		s.fetchErr = s.fetchErr[1:]
		return "", err
	}
	if s.n == 0 || len(s.invalidated) >= s.n {
		s.n++
	}
	return "t" + string(rune('0'+s.n)), nil
}

func (s *scriptedTokens) Invalidate(tok string) { s.invalidated = append(s.invalidated, tok) }

func TestCallWithToken(t *testing.T) {
	r := Retry{TokenCodes: []int{42001}, BusyCodes: []int{-1}}
	ctx := context.Background()
	run := func(tokens *scriptedTokens, answers ...error) (err error, used []string) {
		err = CallWithToken(ctx, tokens, r, func(tok string) error {
			used = append(used, tok)
			if len(answers) == 0 {
				return nil
			}
			a := answers[0]
			answers = answers[1:]
			return a
		})
		return err, used
	}
	refused := &APIError{Code: 42001, Message: "access_token expired"}
	busy := &APIError{Code: -1, Message: "system busy"}
	bad := &APIError{Code: 40003, Message: "invalid openid"}
	dial := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Err: errors.New("connection reset")}

	// A refused token is dropped and the call made again with a new one.
	tk := &scriptedTokens{}
	if err, used := run(tk, refused); err != nil || len(used) != 2 || used[0] != "t1" || used[1] != "t2" || len(tk.invalidated) != 1 {
		t.Errorf("refused token: err %v, used %v, invalidated %v; want t1 then t2", err, used, tk.invalidated)
	}
	// Busy and never-sent calls are retried; a call the platform may have
	// acted on (a read error) or refused for good is not.
	if err, used := run(&scriptedTokens{}, busy, dial); err != nil || len(used) != 3 {
		t.Errorf("busy then dial error: err %v after %d calls, want success on the third", err, len(used))
	}
	for _, e := range []error{bad, read} {
		if err, used := run(&scriptedTokens{}, e); !errors.Is(err, e) || len(used) != 1 {
			t.Errorf("%v: err %v after %d calls, want it returned after one", e, err, len(used))
		}
	}
	// Four attempts at most.
	if err, used := run(&scriptedTokens{}, busy, busy, busy, busy, busy); !errors.Is(err, busy) || len(used) != 4 {
		t.Errorf("always busy: err %v after %d calls, want busy after 4", err, len(used))
	}
	// A token fetch failing on the network is retried; one the platform
	// refuses (a bad secret) or a host not allowed is final.
	if err, used := run(&scriptedTokens{fetchErr: []error{dial}}); err != nil || len(used) != 1 {
		t.Errorf("fetch dial error: err %v, %d calls; want success after a second fetch", err, len(used))
	}
	for _, e := range []error{&APIError{Code: 40013, Message: "invalid appid"}, ErrHostNotAllowed} {
		if err, used := run(&scriptedTokens{fetchErr: []error{e}}); !errors.Is(err, e) || len(used) != 0 {
			t.Errorf("fetch %v: err %v, %d calls; want it returned at once", e, err, len(used))
		}
	}
}
