package cli

import (
	"context"
	"testing"
)

// The WeChat benchmark drives the real endpoint: every push is stored once
// and answered, none is refused, all within WeChat's window.
func TestBenchWeChatStoresAndAnswersEveryPush(t *testing.T) {
	res, err := BenchWeChat(context.Background(), WeChatBenchOptions{Requests: 60, Concurrency: 8, Users: 10, DB: "sqlite", Mode: "safe"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Stored != 60 || res.Passive+res.Deferred != 60 {
		t.Fatalf("got %d errors, %d stored, %d+%d answered; want 0, 60, 60", res.Errors, res.Stored, res.Passive, res.Deferred)
	}
	if res.MaxMs >= 5000 {
		t.Errorf("slowest acknowledgement %.0f ms, want under WeChat's 5000 ms", res.MaxMs)
	}
	if _, err := BenchWeChat(context.Background(), WeChatBenchOptions{Requests: 1, Concurrency: 1, Users: 1, DB: "sqlite", Mode: "open"}); err == nil {
		t.Error("an unknown mode was accepted")
	}
}
