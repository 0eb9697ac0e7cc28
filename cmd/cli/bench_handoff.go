package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// `kefu bench handoff` measures hand-off routing and the console under load
// against a real appliance started as a child process (so its CPU and memory
// are its own, not the load generator's):
//
//  1. N customers ask for a person at the same moment through the app API;
//     the time from each hand-off to the conversation appearing in an
//     agent's queue (the routing event on that agent's console socket).
//  2. With O conversations open across the agents, customers and agents
//     keep writing for a while; the appliance's CPU and memory (from its own
//     /metrics), the time from a customer's message to the agent's console,
//     and the console's list call.

// HandoffBenchOptions configure BenchHandoff.
type HandoffBenchOptions struct {
	Binary      string // the kefu binary to start; default this executable
	Customers   int    // concurrent hand-offs (phase 1)
	Agents      int
	Open        int           // open conversations (phase 2)
	Duration    time.Duration // activity window of phase 2
	Interval    time.Duration // each open conversation gets a customer message this often
	DB          string        // sqlite or mysql
	MySQLServer string
	// Nodes is 1, or 2 for a cluster on one MySQL database: the agents'
	// consoles on the first node, the customers on the second, so every
	// event crosses nodes through the database.
	Nodes int

	dsn, secretKey, nodeID string // the cluster's shared database and key, this node
}

// HandoffBenchResult is what BenchHandoff measured.
type HandoffBenchResult struct {
	Database  string `json:"database"`
	Nodes     int    `json:"nodes"`
	Customers int    `json:"customers"`
	Agents    int    `json:"agents"`
	// Hand-off → in an agent's queue, measured from the hand-off time the
	// server stored to the routing event on the agent's console socket.
	RoutedP50ms float64 `json:"routed_p50_ms"`
	RoutedP99ms float64 `json:"routed_p99_ms"`
	RoutedMaxms float64 `json:"routed_max_ms"`
	// The same from the customer's request (NLU and bot turn included).
	RequestToQueueP50ms float64 `json:"request_to_queue_p50_ms"`
	RequestToQueueP99ms float64 `json:"request_to_queue_p99_ms"`
	Unrouted            int     `json:"unrouted"`

	Open            int     `json:"open_conversations"`
	Seconds         float64 `json:"seconds"`
	CustomerMsgs    int     `json:"customer_messages"`
	AgentMsgs       int     `json:"agent_messages"`
	MsgToConsoleP50 float64 `json:"message_to_console_p50_ms"`
	MsgToConsoleP99 float64 `json:"message_to_console_p99_ms"`
	ListP50ms       float64 `json:"list_p50_ms"`
	// The appliance process: CPU used per second of wall time during the
	// window (1.0 = one core), resident memory and Go heap at the end.
	CPUCores       float64 `json:"cpu_cores"`
	RSSMB          float64 `json:"rss_mb"`
	HeapMB         float64 `json:"heap_inuse_mb"`
	IdleRSSMB      float64 `json:"idle_rss_mb"`
	Goroutines     float64 `json:"goroutines"`
	ConsoleSockets float64 `json:"console_sockets"`
}

func runBenchHandoff(env *Env, args []string) error {
	fs := flags(env, "bench handoff")
	o := HandoffBenchOptions{}
	fs.IntVar(&o.Customers, "customers", 50, "customers handing off at the same moment")
	fs.IntVar(&o.Agents, "agents", 10, "agents online, each with a console socket")
	fs.IntVar(&o.Open, "open", 200, "open conversations during the activity window")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "activity window")
	fs.DurationVar(&o.Interval, "interval", 10*time.Second, "each open conversation gets a customer message this often")
	fs.StringVar(&o.DB, "db", "sqlite", "sqlite or mysql (a throw-away database on --mysql-server)")
	fs.StringVar(&o.MySQLServer, "mysql-server", "root@tcp(127.0.0.1:3306)/", "MySQL/MariaDB server for --db mysql")
	fs.StringVar(&o.Binary, "binary", "", "kefu binary to start (default: this one)")
	fs.IntVar(&o.Nodes, "nodes", 1, "1, or 2 for a cluster (needs --db mysql): agents on one node, customers on the other")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	res, err := BenchHandoff(context.Background(), o)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	w := env.Stdout
	where := res.Database
	if res.Nodes > 1 {
		where = fmt.Sprintf("%d nodes on one %s database (customers on one, agents on the other; figures of the agents' node)", res.Nodes, res.Database)
	}
	fmt.Fprintf(w, "hand-off routing on %s: %d customers at once, %d agents online\n", where, res.Customers, res.Agents)
	fmt.Fprintf(w, "  hand-off → agent's queue   p50 %.1f ms   p99 %.1f ms   max %.1f ms   (unrouted %d)\n", res.RoutedP50ms, res.RoutedP99ms, res.RoutedMaxms, res.Unrouted)
	fmt.Fprintf(w, "  request → agent's queue    p50 %.1f ms   p99 %.1f ms\n", res.RequestToQueueP50ms, res.RequestToQueueP99ms)
	fmt.Fprintf(w, "console with %d open conversations, %.0f s of activity (%d customer and %d agent messages):\n", res.Open, res.Seconds, res.CustomerMsgs, res.AgentMsgs)
	fmt.Fprintf(w, "  appliance CPU %.3f cores   RSS %.1f MB (idle %.1f MB)   Go heap %.1f MB   %.0f goroutines   %.0f console sockets\n",
		res.CPUCores, res.RSSMB, res.IdleRSSMB, res.HeapMB, res.Goroutines, res.ConsoleSockets)
	fmt.Fprintf(w, "  customer message → agent's console   p50 %.1f ms   p99 %.1f ms;   conversation list p50 %.1f ms\n", res.MsgToConsoleP50, res.MsgToConsoleP99, res.ListP50ms)
	return nil
}

// BenchHandoff runs the benchmark described above.
func BenchHandoff(ctx context.Context, o HandoffBenchOptions) (*HandoffBenchResult, error) {
	if o.Customers < 1 || o.Agents < 1 || o.Open < o.Customers || o.Duration <= 0 || o.Interval <= 0 {
		return nil, usageError{"bench handoff: need customers ≥ 1, agents ≥ 1, open ≥ customers, positive duration and interval"}
	}
	perAgent := (o.Open + o.Agents - 1) / o.Agents
	if perAgent > 50 {
		return nil, usageError{"bench handoff: at most 50 open conversations per agent (raise --agents)"}
	}
	if o.Nodes == 0 {
		o.Nodes = 1
	}
	if o.Nodes != 1 && (o.Nodes != 2 || o.DB != "mysql") {
		return nil, usageError{"bench handoff: --nodes is 1, or 2 with --db mysql"}
	}
	// front is where the customers write: the same node, or the other one.
	var srv, front *child
	if o.Nodes == 2 {
		dsn, drop, err := throwawayMySQL(o.MySQLServer)
		if err != nil {
			return nil, err
		}
		defer drop()
		key := make([]byte, 32)
		rand.Read(key)
		o.dsn, o.secretKey, o.nodeID = dsn, hex.EncodeToString(key), "bench-agents"
		if srv, err = startChild(ctx, o); err != nil {
			return nil, err
		}
		defer srv.stop()
		o.nodeID = "bench-customers"
		if front, err = startChild(ctx, o); err != nil {
			return nil, err
		}
		defer front.stop()
	} else {
		var err error
		if srv, err = startChild(ctx, o); err != nil {
			return nil, err
		}
		defer srv.stop()
		front = srv
	}
	res := &HandoffBenchResult{Database: o.DB, Nodes: o.Nodes, Customers: o.Customers, Agents: o.Agents, Open: o.Open}

	admin, err := consoleLogin(ctx, srv.url, "admin", DemoPassword)
	if err != nil {
		return nil, err
	}
	var (
		mu       sync.Mutex
		routedAt = map[int64]time.Time{} // conversation → routing event seen
		handoff  = map[int64]time.Time{} // conversation → hand-off time from the server
		msgSeen  = map[string]time.Time{}
		agentOf  = map[int64]*consoleSession{}
	)
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	agents := make([]*consoleSession, o.Agents)
	for i := range agents {
		name := fmt.Sprintf("bench-agent-%02d", i)
		body := map[string]any{"username": name, "display_name": "压测客服 " + strconv.Itoa(i), "role": "agent",
			"password": DemoPassword, "skills": []string{"售后", "金融业务", "课程顾问"}, "max_concurrent": perAgent + 1, "senior": i%5 == 0}
		if err := admin.call(ctx, "POST", "/api/v1/users", body, nil); err != nil {
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
		s, err := consoleLogin(ctx, srv.url, name, DemoPassword)
		if err != nil {
			return nil, err
		}
		agents[i] = s
		err = s.watch(wctx, func(e consoleEvent) {
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if c := e.Conversation; c != nil && c.Status == "queued" && c.AssigneeID == s.ID {
				if _, ok := routedAt[c.ID]; !ok {
					routedAt[c.ID] = now
					agentOf[c.ID] = s
					if c.HandoffAt != nil {
						handoff[c.ID] = *c.HandoffAt
					}
				}
			}
			if m := e.Message; m != nil && m.Sender == "customer" && strings.HasPrefix(m.Text, "bench-") {
				if _, ok := msgSeen[m.Text]; !ok {
					msgSeen[m.Text] = now
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	app := &appServer{base: front.url, key: front.appKey, secret: front.appSecret, http: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}}
	idle, err := scrapeMetrics(ctx, srv.url)
	if err != nil {
		return nil, err
	}
	res.IdleRSSMB = idle["process_resident_memory_bytes"] / (1 << 20)

	// Phase 1: N hand-offs at once.
	start := make(chan struct{})
	sent := make([]time.Time, o.Customers)
	convs := make([]int64, o.Open) // by customer
	errs := make(chan error, o.Customers)
	var wg sync.WaitGroup
	for i := range o.Customers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sent[i] = time.Now()
			out, err := app.say(ctx, fmt.Sprintf("bench-c%04d", i), "h-1", "转人工")
			if err != nil {
				errs <- err
				return
			}
			convs[i] = out.ConversationID
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("hand-off request: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(routedAt)
		mu.Unlock()
		if n >= o.Customers {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var routed, fromReq []float64
	mu.Lock()
	for i, id := range convs[:o.Customers] {
		at, ok := routedAt[id]
		if !ok {
			res.Unrouted++
			continue
		}
		if h, ok := handoff[id]; ok {
			routed = append(routed, ms(at.Sub(h)))
		}
		fromReq = append(fromReq, ms(at.Sub(sent[i])))
	}
	mu.Unlock()
	res.RoutedP50ms, res.RoutedP99ms, res.RoutedMaxms = pct(routed, 50), pct(routed, 99), pct(routed, 100)
	res.RequestToQueueP50ms, res.RequestToQueueP99ms = pct(fromReq, 50), pct(fromReq, 99)

	// Phase 2: open the rest, take them all, then keep writing.
	sem := make(chan struct{}, 16)
	users := make([]string, o.Open)
	for i := range o.Open {
		users[i] = fmt.Sprintf("bench-c%04d", i)
	}
	var firstErr atomic.Value
	for i := o.Customers; i < o.Open; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out, err := app.say(ctx, users[i], "h-1", "转人工")
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			convs[i] = out.ConversationID
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, fmt.Errorf("opening conversations: %w", err)
	}
	deadline = time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(routedAt)
		mu.Unlock()
		if n >= o.Open {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	owned := make(map[int64]*consoleSession, len(agentOf))
	for id, s := range agentOf {
		owned[id] = s
	}
	mu.Unlock()
	for id, s := range owned {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.call(ctx, "POST", fmt.Sprintf("/api/v1/conversations/%d/take", id), nil, nil); err != nil {
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, fmt.Errorf("taking conversations: %w", err)
	}
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range owned {
			if !yield(id) {
				return
			}
		}
	})
	res.Open = len(ids)

	before, err := scrapeMetrics(ctx, srv.url)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	var sentAt sync.Map // text → time
	var customerMsgs, agentMsgs atomic.Int64
	actx, stopActivity := context.WithTimeout(ctx, o.Duration)
	// Spread each conversation's messages over the interval.
	convUser := map[int64]string{}
	for i, id := range convs {
		if id != 0 {
			convUser[id] = users[i]
		}
	}
	for n, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offset := time.Duration(int64(o.Interval) * int64(n) / int64(len(ids)))
			select {
			case <-actx.Done():
				return
			case <-time.After(offset):
			}
			t := time.NewTicker(o.Interval)
			defer t.Stop()
			for k := 0; ; k++ {
				user := convUser[id]
				text := fmt.Sprintf("bench-%d-%d 请问我的订单什么时候发货？", id, k)
				if user != "" {
					sentAt.Store(text, time.Now())
					// In-flight requests finish even when the window closes.
					if _, err := app.say(ctx, user, fmt.Sprintf("m-%d", k), text); err == nil {
						customerMsgs.Add(1)
					}
				}
				if err := owned[id].call(ctx, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id),
					map[string]any{"text": "好的，正在为您查询，请稍候。"}, nil); err == nil {
					agentMsgs.Add(1)
				}
				select {
				case <-actx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	// The console's list call while everything runs.
	var lists []float64
	for actx.Err() == nil {
		a := agents[len(lists)%len(agents)]
		st := time.Now()
		if err := a.call(ctx, "GET", "/api/v1/conversations?status=bot,queued,assigned&limit=500", nil, nil); err == nil {
			lists = append(lists, ms(time.Since(st)))
		}
		select {
		case <-actx.Done():
		case <-time.After(time.Second):
		}
	}
	wg.Wait()
	stopActivity()
	elapsed := time.Since(t0)
	time.Sleep(300 * time.Millisecond) // let the last events arrive
	after, err := scrapeMetrics(ctx, srv.url)
	if err != nil {
		return nil, err
	}
	res.Seconds = elapsed.Seconds()
	res.CustomerMsgs, res.AgentMsgs = int(customerMsgs.Load()), int(agentMsgs.Load())
	res.CPUCores = (after["process_cpu_seconds_total"] - before["process_cpu_seconds_total"]) / elapsed.Seconds()
	res.RSSMB = after["process_resident_memory_bytes"] / (1 << 20)
	res.HeapMB = after["go_memstats_heap_inuse_bytes"] / (1 << 20)
	res.Goroutines = after["go_goroutines"]
	res.ConsoleSockets = after[`kefu_websocket_clients{kind="console"}`]
	var toConsole []float64
	mu.Lock()
	sentAt.Range(func(k, v any) bool {
		if seen, ok := msgSeen[k.(string)]; ok {
			toConsole = append(toConsole, ms(seen.Sub(v.(time.Time))))
		}
		return true
	})
	mu.Unlock()
	res.MsgToConsoleP50, res.MsgToConsoleP99 = pct(toConsole, 50), pct(toConsole, 99)
	res.ListP50ms = pct(lists, 50)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the p-th percentile (nearest rank) of xs; 0 when empty.
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p/100*float64(len(s)) + 0.5)
	return s[min(max(i-1, 0), len(s)-1)]
}

// child is an appliance started for a benchmark.
type child struct {
	url, appKey, appSecret string
	cmd                    *exec.Cmd
	dir                    string
	drop                   func()
}

func (c *child) stop() {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			c.cmd.Process.Kill()
			<-done
		}
	}
	if c.drop != nil {
		c.drop()
	}
	os.RemoveAll(c.dir)
}

func startChild(ctx context.Context, o HandoffBenchOptions) (*child, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "kefu-bench-handoff-")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	b := make([]byte, 24)
	rand.Read(b)
	c := &child{url: "http://" + addr, appKey: "bench-app", appSecret: hex.EncodeToString(b), dir: dir}
	env := append(os.Environ(), "KEFU_DATA_DIR="+dir, "KEFU_HTTP_ADDR="+addr, "KEFU_LOG_LEVEL=warn",
		"KEFU_CHANNELS_APP_KEY="+c.appKey, "KEFU_CHANNELS_APP_SECRET="+c.appSecret)
	switch o.DB {
	case "sqlite":
	case "mysql":
		dsn := o.dsn
		if dsn == "" {
			var drop func()
			if dsn, drop, err = throwawayMySQL(o.MySQLServer); err != nil {
				return nil, err
			}
			c.drop = drop
		}
		env = append(env, "KEFU_DATABASE_DSN="+dsn, "KEFU_DATABASE_MAX_OPEN_CONNS=40")
		if o.nodeID != "" {
			env = append(env, "KEFU_CLUSTER_ENABLED=true", "KEFU_CLUSTER_NODE_ID="+o.nodeID, "KEFU_SECRET_KEY="+o.secretKey)
		}
	default:
		return nil, usageError{"bench: --db must be sqlite or mysql"}
	}
	c.cmd = exec.Command(bin, "serve", "--demo")
	c.cmd.Env = env
	c.cmd.Dir = dir
	c.cmd.Stdout, c.cmd.Stderr = nil, os.Stderr
	if err := c.cmd.Start(); err != nil {
		c.stop()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(c.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.stop()
			return nil, errors.New("bench: the appliance did not become ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// scrapeMetrics reads the appliance's Prometheus text exposition.
func scrapeMetrics(ctx context.Context, base string) (map[string]float64, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}
