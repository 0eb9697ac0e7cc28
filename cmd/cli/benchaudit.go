package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"kefu/appliance"
	"kefu/appliance/qa"
	"kefu/appliance/secret"
	"kefu/appliance/store"
	"kefu/knowledge"
	"kefu/nlu"
)

// AuditBenchResult is what `kefu bench audit` measured.
type AuditBenchResult struct {
	Conversations int64   `json:"conversations"`
	Messages      int64   `json:"messages"`
	SeedSeconds   float64 `json:"seed_seconds"`
	AuditSeconds  float64 `json:"audit_seconds"`
	PerSecond     float64 `json:"conversations_per_second"`
	PeakHeapMB    float64 `json:"peak_heap_mb"` // sampled every 50 ms during the audit
	PeakSysMB     float64 `json:"peak_sys_mb"`  // memory obtained from the OS by the end of the audit
	Flagged       int     `json:"flagged"`
	Hits          int     `json:"hits"`
	Database      string  `json:"database"`
}

func runBenchAudit(env *Env, args []string) error {
	fs := flags(env, "bench audit")
	n := fs.Int("conversations", 10000, "conversations to seed on the audited day")
	server := fs.String("mysql-server", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server; a throw-away database is created on it")
	keep := fs.Bool("keep", false, "keep the seeded database (its name is printed)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 5_000_000 {
		return usageError{"bench audit: --conversations must be between 1 and 5000000"}
	}
	res, err := BenchAudit(context.Background(), *server, *n, *keep, func(msg string) { fmt.Fprintln(env.Stderr, msg) })
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "nightly QA audit (rules only) on MariaDB, database %s\n", res.Database)
	fmt.Fprintf(env.Stdout, "  seeded   %d conversations, %d messages in %.1f s\n", res.Conversations, res.Messages, res.SeedSeconds)
	fmt.Fprintf(env.Stdout, "  audited  %d conversations in %.1f s (%.0f conversations/s); %d flagged, %d hits\n",
		res.Conversations, res.AuditSeconds, res.PerSecond, res.Flagged, res.Hits)
	fmt.Fprintf(env.Stdout, "  memory   peak Go heap %.1f MB, from the OS %.1f MB\n", res.PeakHeapMB, res.PeakSysMB)
	return nil
}

// BenchAudit seeds n conversations on one day in a new database on the
// MySQL server, audits that day by rules only, and measures time and memory.
func BenchAudit(ctx context.Context, server string, n int, keep bool, progress func(string)) (*AuditBenchResult, error) {
	admin, err := sql.Open("mysql", server)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	b := make([]byte, 4)
	rand.Read(b)
	name := "kefu_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, fmt.Errorf("bench: unable to create a database on %s: %w", server, err)
	}
	if !keep {
		defer admin.Exec("DROP DATABASE " + name)
	}
	dsn := server
	if i := strings.Index(dsn, "/"); i >= 0 {
		dsn = dsn[:i+1] + name + dsn[i+1:]
	}
	// Encrypted at rest, as the appliance stores messages by default.
	master := make([]byte, 32)
	rand.Read(master)
	box, err := secret.New(master)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{DSN: dsn, MaxOpenConns: 8, Sealer: box.Purpose("messages at rest"), Encrypt: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	res := &AuditBenchResult{Conversations: int64(n), Database: name}

	start := time.Now()
	msgs, err := seedAuditBench(ctx, st, day, n, progress)
	if err != nil {
		return nil, err
	}
	res.Messages = msgs
	res.SeedSeconds = time.Since(start).Seconds()
	progress(fmt.Sprintf("seeded %d conversations and %d messages in %.1fs; auditing", n, msgs, res.SeedSeconds))

	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	aud := qa.NewAuditor(qa.AuditorOptions{Store: st, Location: loc})
	start = time.Now()
	last := time.Now()
	var done atomic.Int64
	rep, err := aud.Audit(ctx, day, 0, func(k string, v int64) {
		if k == "conversations" {
			done.Add(v)
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				progress(fmt.Sprintf("  %d conversations audited", done.Load()))
			}
		}
	})
	res.AuditSeconds = time.Since(start).Seconds()
	close(stop)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.PeakHeapMB = float64(max(peak.Load(), ms.HeapAlloc)) / (1 << 20)
	res.PeakSysMB = float64(ms.Sys) / (1 << 20)
	res.PerSecond = float64(rep.Conversations) / res.AuditSeconds
	res.Flagged, res.Hits = rep.Flagged, rep.Hits
	if int64(rep.Conversations) != res.Conversations {
		return res, fmt.Errorf("bench: audited %d conversations, seeded %d", rep.Conversations, n)
	}
	return res, nil
}

// Agent replies of the seeded day: most are clean, some break a rule.
var benchAgentTexts = []string{
	"您好，我是客服小李，很高兴为您服务。", "好的，我马上为您查询，请稍等。", "已为您登记，预计24小时内处理完毕。",
	"抱歉让您久等了，问题已经解决。", "请问还有其他可以帮您的吗？", "收到，我这边帮您申请退款。", "这是公司规定，我也没办法",
	"我都说过了，自己去看订单详情", "您的手机号是13812345678对吧", "我也不清楚，应该是吧",
	"理财非存款，产品有风险，投资需谨慎。这款产品年化约3%。", "您好，物流显示明天送达。",
}

var benchQuestionsByIntent = []struct{ text, intent, policy string }{
	{"运费怎么算", "shipping_fee", appliance.PolicyAnswer}, {"退货运费谁承担", "return_shipping", appliance.PolicyAnswer},
	{"退款多久到账", "refund_time", appliance.PolicyAnswer}, {"可以开发票吗", "invoice", appliance.PolicyAnswer},
	{"稳盈30天收益多少", "investment_products", appliance.PolicyAnswer}, {"积分怎么兑换", "", appliance.PolicyDontKnow},
	{"课程可以退费吗", "course_refund", appliance.PolicyAnswer}, {"酒店几点可以入住", "hotel_checkin", appliance.PolicyAnswer},
}

// seedAuditBench writes n conversations spread over day with two loaders
// in parallel, in pages of multi-row INSERTs; it returns the messages written.
func seedAuditBench(ctx context.Context, st *store.Store, day time.Time, n int, progress func(string)) (int64, error) {
	const page = 2000
	var written, convDone atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	pages := make(chan int)
	g.Go(func() error {
		defer close(pages)
		for from := 0; from < n; from += page {
			select {
			case pages <- from:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	last := time.Now()
	var mu sync.Mutex
	for range 2 {
		g.Go(func() error {
			for from := range pages {
				to := min(from+page, n)
				convs, msgs := benchPage(day, from, to, n)
				if err := st.BulkLoad(gctx, convs, msgs); err != nil {
					return err
				}
				written.Add(int64(len(msgs)))
				convDone.Add(int64(len(convs)))
				mu.Lock()
				if time.Since(last) > 10*time.Second {
					last = time.Now()
					progress(fmt.Sprintf("  %d conversations seeded", convDone.Load()))
				}
				mu.Unlock()
			}
			return nil
		})
	}
	err := g.Wait()
	return written.Load(), err
}

// benchPage builds conversations from..to-1 (ids from+1..to) of n on day.
// Message ids are derived from the conversation id so pages never collide.
func benchPage(day time.Time, from, to, n int) ([]*appliance.Conversation, []*appliance.Message) {
	var convs []*appliance.Conversation
	var msgs []*appliance.Message
	channels := []string{"web", "app", "wechat_oa", "wecom", "web", "app"}
	for i := from; i < to; i++ {
		id := int64(i + 1)
		start := day.Add(time.Duration(float64(i) / float64(n) * float64(24*time.Hour-10*time.Minute)))
		ch := channels[i%len(channels)]
		c := &appliance.Conversation{ID: id, CustomerID: id, Channel: ch, LastChannel: ch, Status: appliance.StatusClosed,
			LastMessageAt: start, CreatedAt: start, UpdatedAt: start}
		q := benchQuestionsByIntent[i%len(benchQuestionsByIntent)]
		seq := int64(0)
		add := func(sender appliance.Sender, at time.Time, text string, d *appliance.Decision) {
			seq++
			m := &appliance.Message{ID: id*8 + seq, ConversationID: id, CustomerID: id, Channel: ch, Sender: sender,
				Kind: appliance.KindText, Text: text, CreatedAt: at, Decision: d}
			if sender == appliance.SenderAgent {
				m.SenderID = int64(2 + i%5)
			}
			msgs = append(msgs, m)
		}
		add(appliance.SenderCustomer, start, q.text, benchDecision(q.intent, q.policy))
		add(appliance.SenderBot, start.Add(time.Second), "根据我们的规定，满99元包邮，详情见帮助中心。", nil)
		switch kind := i % 20; {
		case kind < 14: // the bot resolved it
		case kind < 19: // handed off, answered
			h := start.Add(30 * time.Second)
			first := h.Add(time.Duration(10+i%170) * time.Second)
			c.HandoffAt, c.FirstResponseAt, c.AssigneeID = &h, &first, int64(2+i%5)
			add(appliance.SenderCustomer, start.Add(29*time.Second), "转人工", benchDecision(nlu.IntentHandoff, appliance.PolicyHandoff))
			add(appliance.SenderAgent, first, benchAgentTexts[i%len(benchAgentTexts)], nil)
			add(appliance.SenderCustomer, first.Add(20*time.Second), "好的，那大概什么时候能处理好？", benchDecision("", appliance.PolicyHumanOwned))
			add(appliance.SenderAgent, first.Add(time.Duration(30+i%300)*time.Second), benchAgentTexts[(i/3)%len(benchAgentTexts)], nil)
			closed := first.Add(8 * time.Minute)
			c.ClosedAt = &closed
		default: // handed off, nobody answered
			h := start.Add(30 * time.Second)
			closed := h.Add(5 * time.Minute)
			c.HandoffAt, c.ClosedAt = &h, &closed
			add(appliance.SenderCustomer, start.Add(29*time.Second), "转人工", benchDecision(nlu.IntentHandoff, appliance.PolicyHandoff))
		}
		convs = append(convs, c)
	}
	return convs, msgs
}

// benchDecision is a decision path of the size the engine stores.
func benchDecision(intent, policy string) *appliance.Decision {
	d := &appliance.Decision{Policy: policy, Lang: "zh", NLU: &nlu.Result{Intent: intent, Confidence: 0.87,
		Trace: nlu.Trace{Engine: "local", Candidates: []nlu.Candidate{{Intent: intent, Score: 0.87}, {Intent: "other", Score: 0.06}},
			Latency: 3 * time.Millisecond, Steps: []nlu.Step{{Engine: "rules", Outcome: "rejected"},
				{Engine: "local", Intent: intent, Confidence: 0.87, Outcome: "accepted", Latency: 3 * time.Millisecond}}}}}
	if policy == appliance.PolicyAnswer {
		d.Knowledge = &knowledge.Answer{Kind: knowledge.AnswerFAQ, Confidence: 0.9, Text: "满99元包邮。",
			Passages: []knowledge.Passage{{ID: "faq-12", DocumentID: "faq-12", Title: "运费说明", Text: "订单满99元包邮，不满99元收取运费8元。", Score: 0.91}}}
	}
	return d
}
