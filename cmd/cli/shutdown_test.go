package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"kefu/console"
)

// A graceful stop in the middle of traffic loses no accepted message: every
// request answered 200 has its message and replies stored, and a retry of
// any message after the restart gets the same answer without storing more.
func TestGracefulStopLosesNothing(t *testing.T) {
	dir := t.TempDir()
	p, stop := startApp(t, dir, nil)
	url := p.URL() + "/api/v1/app/messages"
	key, secret := p.DemoInfo.AppKey, p.DemoInfo.AppSecret
	send := func(base string, i int) (int, []byte) {
		body, _ := json.Marshal(map[string]string{"user_id": fmt.Sprintf("u%d", i%7), "message_id": fmt.Sprint("s-", i), "text": "运费怎么算"})
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", base, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Kefu-Key", key)
		req.Header.Set("X-Kefu-Timestamp", ts)
		req.Header.Set("X-Kefu-Signature", console.Sign(secret, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	const n = 60
	var mu sync.Mutex
	ok := map[int][]byte{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 2 * time.Millisecond)
			if code, b := send(url, i); code == 200 {
				mu.Lock()
				ok[i] = b
				mu.Unlock()
			}
		}()
	}
	time.Sleep(40 * time.Millisecond)
	stop() // graceful: in-flight requests finish
	wg.Wait()
	if len(ok) == 0 {
		t.Skip("the stop came before any request was served; nothing to check")
	}

	p2, _ := startApp(t, dir, nil)
	url = p2.URL() + "/api/v1/app/messages"
	for i, first := range ok {
		code, again := send(url, i)
		var a, b map[string]any
		json.Unmarshal(first, &a)
		json.Unmarshal(again, &b)
		if code != 200 || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("message %d: answered %s before the stop, %d %s after", i, first, code, again)
		}
	}
	var inbound int64
	p2.Store.DB().Table("messages").Where("sender = ?", "customer").Count(&inbound)
	if int(inbound) < len(ok) {
		t.Errorf("stored %d inbound messages, but %d were answered", inbound, len(ok))
	}
	t.Logf("%d of %d requests answered before the stop; all retried identically after the restart", len(ok), n)
}
