package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/console"
)

// crashChild is the appliance running as another process, so it can be killed.
type crashChild struct {
	cmd    *exec.Cmd
	url    string
	key    string
	secret string
}

var appCreds = regexp.MustCompile(`App API: key (\S+)\s+secret (\S+)`)

func startCrashChild(t *testing.T, dir string, env map[string]string) *crashChild {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KEFU_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "KEFU_TEST_CHILD=serve", "KEFU_DATA_DIR="+dir, "KEFU_HTTP_ADDR="+addr, "KEFU_LOG_LEVEL=error")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &crashChild{cmd: cmd, url: "http://" + addr}
	t.Cleanup(func() { c.kill() })
	creds := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := appCreds.FindStringSubmatch(sc.Text()); m != nil {
				creds <- m[1:]
			}
		}
	}()
	select {
	case m := <-creds:
		c.key, c.secret = m[0], m[1]
	case <-time.After(60 * time.Second):
		t.Fatal("the appliance did not start within 60 s")
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(c.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the appliance was not ready within 30 s")
		}
	}
}

func (c *crashChild) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

func (c *crashChild) send(ctx context.Context, i int) (int, []byte, error) {
	body, _ := json.Marshal(map[string]string{"user_id": fmt.Sprintf("crash-%d", i%11), "message_id": fmt.Sprint("k-", i),
		"text": []string{"运费怎么算", "我的快递到哪了", "怎么退货", "你好"}[i%4]})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequestWithContext(ctx, "POST", c.url+"/api/v1/app/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Kefu-Key", c.key)
	req.Header.Set("X-Kefu-Timestamp", ts)
	req.Header.Set("X-Kefu-Signature", console.Sign(c.secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestCrashLosesNothing kills the appliance (SIGKILL: no graceful stop, no
// deferred flush) in the middle of traffic. Every message it answered 200 is
// still there after a restart, and when the clients send everything again,
// as a client that got no answer must, each message is stored exactly once
// and a retry of an answered one gets the very answer it got before.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the appliance as a child process twice")
	}
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			env := map[string]string{}
			if dialect == store.MySQL {
				if os.Getenv("KEFU_TEST_MYSQL") == "off" {
					t.Skip("KEFU_TEST_MYSQL=off")
				}
				env["KEFU_DATABASE_DSN"] = storetest.NewMySQLDatabase(t)
			}
			crashAndRetry(t, env)
		})
	}
}

func crashAndRetry(t *testing.T, env map[string]string) {
	dir := t.TempDir()
	c := startCrashChild(t, dir, env)
	const n, clients = 400, 12
	var mu sync.Mutex
	answered := map[int][]byte{}
	var acked atomic.Int32
	next := atomic.Int32{}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				code, b, err := c.send(ctx, i)
				cancel()
				if err == nil && code == 200 {
					mu.Lock()
					answered[i] = b
					mu.Unlock()
					acked.Add(1)
				}
			}
		}()
	}
	for acked.Load() < n/3 {
		time.Sleep(time.Millisecond)
	}
	c.kill()
	wg.Wait()
	if len(answered) == n {
		t.Fatal("every message was answered before the kill; nothing was in flight")
	}

	c = startCrashChild(t, dir, env)
	for i := range n {
		code, again, err := c.send(context.Background(), i)
		if err != nil || code != 200 {
			t.Fatalf("message %d after the restart: %d %s %v", i, code, again, err)
		}
		if first, ok := answered[i]; ok {
			var a, b map[string]any
			json.Unmarshal(first, &a)
			json.Unmarshal(again, &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("message %d: answered %s before the crash, %s after", i, first, again)
			}
		}
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()

	p, _ := startApp(t, dir, env)
	var stored, distinct int64
	p.Store.DB().Table("messages").Where("sender = ? AND channel_msg_id LIKE ?", "customer", "k-%").Count(&stored)
	p.Store.DB().Table("messages").Where("sender = ? AND channel_msg_id LIKE ?", "customer", "k-%").Distinct("channel_msg_id").Count(&distinct)
	if stored != n || distinct != n {
		t.Errorf("stored %d customer messages (%d distinct), want each of the %d exactly once", stored, distinct, n)
	}
	// The kill left no conversation's message chain broken.
	var convs []int64
	p.Store.DB().Table("conversations").Pluck("id", &convs)
	for _, id := range convs {
		if rep, err := p.Store.VerifyConversation(context.Background(), id); err != nil || !rep.Valid || rep.Sealed != rep.Messages {
			t.Errorf("conversation %d after the crash: %+v %v, want every message sealed and the chain intact", id, rep, err)
		}
	}
	t.Logf("%d of %d messages answered before the kill; after the restart all %d stored exactly once, answered ones replayed identically; %d conversation chains intact",
		len(answered), n, n, len(convs))
}
