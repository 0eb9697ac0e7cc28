package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"kefu/appliance/config"
	"kefu/console"
)

var benchQuestions = []string{"在吗", "运费怎么算", "退货运费谁承担", "退款多久到账", "你们用什么快递", "可以开发票吗",
	"提现多久到账", "课程可以退费吗", "酒店几点可以入住", "理财产品保本吗", "优惠券怎么用", "怎么申请退货"}

// BenchResult is what `kefu bench app` measured.
type BenchResult struct {
	Database    string  `json:"database"`
	Requests    int     `json:"requests"`
	Concurrency int     `json:"concurrency"`
	Errors      int64   `json:"errors"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"messages_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
}

func runBench(env *Env, args []string) error {
	if len(args) > 0 && args[0] == "index" {
		return runBenchIndex(env, args[1:])
	}
	switch {
	case len(args) > 0 && args[0] == "wechat":
		return runBenchWeChat(env, args[1:])
	case len(args) > 0 && args[0] == "handoff":
		return runBenchHandoff(env, args[1:])
	case len(args) > 0 && args[0] == "audit":
		return runBenchAudit(env, args[1:])
	}
	if len(args) == 0 || args[0] != "app" {
		return usageError{"bench: want app, index, wechat, handoff or audit"}
	}
	fs := flags(env, "bench app")
	n := fs.Int("requests", 2000, "number of messages to send")
	conc := fs.Int("concurrency", 16, "concurrent clients")
	users := fs.Int("users", 200, "distinct app users the messages come from")
	db := fs.String("db", "sqlite", "sqlite or mysql (a throw-away database on --mysql-server)")
	server := fs.String("mysql-server", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server for --db mysql")
	sync := fs.String("sqlite-sync", "full", "database.sqlite_sync for --db sqlite: full or normal")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	res, err := BenchApp(context.Background(), BenchOptions{Requests: *n, Concurrency: *conc, Users: *users, DB: *db, MySQLServer: *server,
		SQLiteSync: *sync})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "POST /api/v1/app/messages on %s: %d messages, %d clients, %d errors\n", res.Database, res.Requests, res.Concurrency, res.Errors)
	fmt.Fprintf(env.Stdout, "  %.0f messages/s   p50 %.2f ms   p90 %.2f ms   p99 %.2f ms\n", res.PerSecond, res.P50ms, res.P90ms, res.P99ms)
	return nil
}

// BenchOptions configure BenchApp.
type BenchOptions struct {
	Requests, Concurrency, Users int
	DB                           string // sqlite or mysql
	MySQLServer                  string
	SQLiteSync                   string // database.sqlite_sync; empty is the default
}

// BenchApp starts a whole appliance on a temporary database and drives the
// app API over real HTTP with signed requests.
func BenchApp(ctx context.Context, o BenchOptions) (*BenchResult, error) {
	var env map[string]string
	if o.SQLiteSync != "" {
		env = map[string]string{"KEFU_DATABASE_SQLITE_SYNC": o.SQLiteSync}
	}
	p, stop, err := startBenchAppliance(ctx, o.DB, o.MySQLServer, "warn", env)
	if err != nil {
		return nil, err
	}
	defer stop()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 30 * time.Second}
	url := p.URL() + "/api/v1/app/messages"
	lat := make([]time.Duration, o.Requests)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	run := make([]byte, 4)
	rand.Read(run)
	prefix := hex.EncodeToString(run)
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
				body, _ := json.Marshal(map[string]string{"user_id": fmt.Sprintf("bench-%s-%d", prefix, i%o.Users),
					"message_id": fmt.Sprintf("%s-%d", prefix, i), "text": benchQuestions[i%len(benchQuestions)]})
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Kefu-Key", p.DemoInfo.AppKey)
				req.Header.Set("X-Kefu-Timestamp", ts)
				req.Header.Set("X-Kefu-Signature", console.Sign(p.DemoInfo.AppSecret, ts, body))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	l := latenciesMs(lat)
	return &BenchResult{Database: p.Store.Dialect(), Requests: o.Requests, Concurrency: o.Concurrency, Errors: errs.Load(),
		Seconds: elapsed.Seconds(), PerSecond: float64(o.Requests) / elapsed.Seconds(), P50ms: pct(l, 50), P90ms: pct(l, 90), P99ms: pct(l, 99)}, nil
}

// startBenchAppliance starts a whole appliance with the demo data on a
// throw-away database (SQLite in a temporary directory, or a fresh database
// on mysqlServer) listening on a free port; stop undoes all of it.
func startBenchAppliance(ctx context.Context, db, mysqlServer, logLevel string, env map[string]string) (*Program, func(), error) {
	dir, err := os.MkdirTemp("", "kefu-bench-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := []func(){func() { os.RemoveAll(dir) }}
	undo := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	cfg, err := config.Load("", func(k string) string {
		switch k {
		case "KEFU_DATA_DIR":
			return dir
		case "KEFU_HTTP_ADDR":
			return "127.0.0.1:0"
		case "KEFU_LOG_LEVEL":
			return logLevel
		}
		return env[k]
	})
	if err != nil {
		undo()
		return nil, nil, err
	}
	switch db {
	case "mysql":
		dsn, drop, err := throwawayMySQL(mysqlServer)
		if err != nil {
			undo()
			return nil, nil, err
		}
		cleanup = append(cleanup, drop)
		cfg.Database.DSN = dsn
	case "sqlite":
	default:
		undo()
		return nil, nil, usageError{"bench: --db must be sqlite or mysql"}
	}
	p := &Program{Config: cfg, Demo: true}
	if err := p.Open(ctx); err != nil {
		p.Close()
		undo()
		return nil, nil, err
	}
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	cleanup = append(cleanup, func() { stopRun(); <-done; p.Close() })
	return p, undo, nil
}

// latenciesMs converts durations to milliseconds for pct.
func latenciesMs(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return out
}

// throwawayMySQL creates an empty database on server and returns its DSN and
// a function that drops it.
func throwawayMySQL(server string) (string, func(), error) {
	admin, err := sql.Open("mysql", server)
	if err != nil {
		return "", nil, err
	}
	if err := admin.Ping(); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("mysql at %s: %w", server, err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "kefu_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		return "", nil, err
	}
	i := strings.Index(server, "/")
	if i < 0 {
		admin.Close()
		return "", nil, fmt.Errorf("--mysql-server must end with /, e.g. root@tcp(127.0.0.1:3306)/")
	}
	dsn := server[:i+1] + name + server[i+1:]
	return dsn, func() { admin.Exec("DROP DATABASE " + name); admin.Close() }, nil
}
