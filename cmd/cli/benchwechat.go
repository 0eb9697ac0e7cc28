package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"kefu/appliance"
	"kefu/connectors/wechattest"
)

// WeChatBenchResult is what `kefu bench wechat` measured.
type WeChatBenchResult struct {
	Database    string  `json:"database"`
	Mode        string  `json:"mode"`
	Requests    int     `json:"requests"`
	Concurrency int     `json:"concurrency"`
	Errors      int64   `json:"errors"`
	Passive     int64   `json:"passive_replies"`  // answered in the push response
	Deferred    int64   `json:"deferred_replies"` // acknowledged, answered through the API
	Stored      int64   `json:"stored"`           // inbound messages in the database afterwards
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"messages_per_second"`
	P50ms       float64 `json:"ack_p50_ms"`
	P90ms       float64 `json:"ack_p90_ms"`
	P99ms       float64 `json:"ack_p99_ms"`
	MaxMs       float64 `json:"ack_max_ms"`
}

// WeChatBenchOptions configure BenchWeChat.
type WeChatBenchOptions struct {
	Requests, Concurrency, Users int
	DB                           string // sqlite or mysql
	MySQLServer                  string
	Mode                         string // safe, compatible or plaintext
}

func runBenchWeChat(env *Env, args []string) error {
	fs := flags(env, "bench wechat")
	n := fs.Int("requests", 2000, "number of pushes to send")
	conc := fs.Int("concurrency", 16, "concurrent pushes (WeChat's servers push in parallel)")
	users := fs.Int("users", 200, "distinct followers the messages come from")
	mode := fs.String("mode", "safe", "safe (AES), compatible or plaintext")
	db := fs.String("db", "sqlite", "sqlite or mysql (a throw-away database on --mysql-server)")
	server := fs.String("mysql-server", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server for --db mysql")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	res, err := BenchWeChat(context.Background(), WeChatBenchOptions{Requests: *n, Concurrency: *conc, Users: *users, DB: *db,
		MySQLServer: *server, Mode: *mode})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "WeChat pushes (%s mode) to /channels/wechat/oa/{appid} on %s: %d messages, %d concurrent, %d errors, %d stored\n",
		res.Mode, res.Database, res.Requests, res.Concurrency, res.Errors, res.Stored)
	fmt.Fprintf(env.Stdout, "  %.0f messages/s (verify, decrypt, NLU, store, answer)\n", res.PerSecond)
	fmt.Fprintf(env.Stdout, "  time to acknowledge: p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms (WeChat gives up after 5000 ms)\n",
		res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
	fmt.Fprintf(env.Stdout, "  %d answered in the response, %d acknowledged and answered through message/custom/send\n", res.Passive, res.Deferred)
	return nil
}

// BenchWeChat starts a whole appliance on a temporary database with one
// official account set up (its API pointed at an in-process fake of
// WeChat's), and sends signed (and in safe mode encrypted) text pushes to
// its real HTTP endpoint, as WeChat's servers do: each one is verified,
// decrypted, understood, stored and answered.
func BenchWeChat(ctx context.Context, o WeChatBenchOptions) (*WeChatBenchResult, error) {
	if o.Requests <= 0 || o.Concurrency <= 0 || o.Users <= 0 {
		return nil, usageError{"bench wechat: --requests, --concurrency and --users must be positive"}
	}
	const appID, appSecret, token = "wxbe0c4a1d2e3f5a6b", "bench-app-secret", "benchtoken"
	aesKey := ""
	switch o.Mode {
	case "safe", "compatible":
		aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	case "plaintext":
	default:
		return nil, usageError{"bench wechat: --mode must be safe, compatible or plaintext"}
	}
	wx := wechattest.NewServer()
	defer wx.Close()
	wx.AddApp(appID, appSecret)
	for u := range o.Users {
		wx.AddFollower(appID, fmt.Sprintf("o-bench-%d", u), "")
	}

	p, stop, err := startBenchAppliance(ctx, o.DB, o.MySQLServer, "error", map[string]string{"KEFU_CHANNELS_ACCOUNTS_API_BASES": wx.URL})
	if err != nil {
		return nil, err
	}
	defer stop()

	secrets := map[string]string{"app_secret": appSecret, "token": token}
	if aesKey != "" {
		secrets["encoding_aes_key"] = aesKey
	}
	if _, err := p.Channels.Save(ctx, appliance.ChannelAccountInput{Kind: "wechat_oa", Key: appID, Enabled: true,
		Settings: map[string]string{"mode": o.Mode, "api_base": wx.URL}, Secrets: secrets}); err != nil {
		return nil, fmt.Errorf("bench wechat: setting up the account: %w", err)
	}
	pusher, err := wechattest.NewPusher(token, aesKey, appID)
	if err != nil {
		return nil, err
	}
	pusher.Compatible = o.Mode == "compatible"

	target := p.URL() + "/channels/wechat/oa/" + appID
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 30 * time.Second}
	lat := make([]time.Duration, o.Requests)
	var next, errs, passive, deferred atomic.Int64
	var wg sync.WaitGroup
	base := time.Now().UnixNano() / 1000
	start := time.Now()
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= o.Requests {
					return
				}
				openID := fmt.Sprintf("o-bench-%d", i%o.Users)
				msgID := fmt.Sprint(base + int64(i)) // WeChat's MsgId is a 64-bit number
				body := wechattest.TextXML("gh_bench", openID, msgID, benchQuestions[i%len(benchQuestions)], time.Now())
				req := pusher.Request(target, body, time.Now(), wechattest.Nonce())
				req.RequestURI = ""
				t0 := time.Now()
				resp, err := client.Do(req)
				var reply *wechattest.Reply
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					} else {
						reply, err = pusher.ReadReply(b)
					}
				}
				lat[i] = time.Since(t0)
				switch {
				case err != nil:
					errs.Add(1)
				case reply != nil:
					passive.Add(1)
				default:
					deferred.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	p.Engine.Wait()
	var stored int64
	if err := p.Store.DB().Table("messages").Where("channel = ? AND sender = ?", "wechat_oa", "customer").Count(&stored).Error; err != nil {
		return nil, err
	}
	l := latenciesMs(lat)
	return &WeChatBenchResult{Database: p.Store.Dialect(), Mode: o.Mode, Requests: o.Requests, Concurrency: o.Concurrency,
		Errors: errs.Load(), Passive: passive.Load(), Deferred: deferred.Load(), Stored: stored, Seconds: elapsed.Seconds(),
		PerSecond: float64(o.Requests) / elapsed.Seconds(), P50ms: pct(l, 50), P90ms: pct(l, 90), P99ms: pct(l, 99),
		MaxMs: pct(l, 100)}, nil
}
