package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kefu/appliance"
	"kefu/appliance/cluster"
	"kefu/appliance/config"
	"kefu/appliance/secret"
	"kefu/appliance/store"
	"kefu/connectors/accounts"
	"kefu/console"
	"kefu/console/web"
	"kefu/knowledge/setup"
	"kefu/nlu/cascade"
)

// Program is the whole appliance, assembled from configuration.
type Program struct {
	Config *config.Config
	Demo   bool      // load demo data before serving
	Out    io.Writer // banner
	LogOut io.Writer // logs

	Log      *slog.Logger
	Store    *store.Store
	Box      *secret.Box
	Engine   *appliance.Engine
	Server   *console.Server
	Hub      *console.Hub
	NLU      *cascade.Engine
	KB       *setup.KB
	Business *Business
	Metrics  *console.Metrics
	DemoInfo *DemoInfo
	Channels *accounts.Manager
	// Router routes hand-offs to agents; Workspace serves the agents'
	// workspace (handoff.go).
	Router    *appliance.Router
	Workspace *appliance.Workspace
	QA        *QAParts // QA rules, nightly audit, reports, scheduled jobs (qa.go)
	// Node is this appliance's membership of a cluster (cluster.go); nil
	// on a single node.
	Node *cluster.Node

	stopNode func() // ends Node.Run after the last events are published
	reloads  sync.WaitGroup
	reloadMu sync.Mutex  // one reload at a time
	routing  atomic.Bool // this node holds the router lock

	listener net.Listener
	http     *http.Server
	closers  []func() error // run in reverse order by Close
}

// loadBox returns the appliance's master key Box (secret_key, or the one
// generated into data_dir), which also opens what secret_key_previous
// sealed.
func loadBox(cfg *config.Config) (*secret.Box, error) {
	box, err := secret.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if cfg.SecretKeyPrevious == "" {
		return box, nil
	}
	prev, err := secret.New([]byte(cfg.SecretKeyPrevious))
	if err != nil {
		return nil, fmt.Errorf("secret_key_previous: %w", err)
	}
	return box.WithPrevious(prev), nil
}

// openStore opens the configured database. What was said is encrypted at
// rest under a key derived from the master key (secret_key, or the one
// generated into data_dir) when database.encrypt is on, and what was
// encrypted stays readable when it is turned off.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	box, err := loadBox(cfg)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, store.Options{DSN: cfg.Database.DSN, SQLitePath: cfg.SQLitePath(), SQLiteSync: cfg.Database.SQLiteSync,
		MaxOpenConns: cfg.Database.MaxOpenConns, Logger: log, Sealer: box.Purpose("messages at rest"), Encrypt: cfg.Database.Encrypt})
}

// Open connects and assembles everything and starts listening; it does not
// serve until Run.
func (p *Program) Open(ctx context.Context) error {
	cfg := p.Config
	if p.LogOut == nil {
		p.LogOut = io.Discard
	}
	if p.Out == nil {
		p.Out = io.Discard
	}
	if p.Log == nil {
		p.Log = NewLogger(p.LogOut, cfg.Log.Level, cfg.Log.Format)
	}
	var err error
	if p.Store, err = openStore(ctx, cfg, p.Log); err != nil {
		return err
	}
	p.closers = append(p.closers, p.Store.Close)
	ran, err := p.Store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(ran) > 0 {
		p.Log.Info("database migrated", slog.Any("applied", ran), slog.String("dialect", p.Store.Dialect()))
	}
	// A node given another master key than the one the messages were
	// written with would show agents ciphertext: refuse to start instead.
	if sm, err := p.Store.SampleMessages(ctx, 50); err == nil && sm.Unreadable > 0 {
		return fmt.Errorf("%d of the newest %d encrypted messages do not decrypt with this master key: start with the secret_key they were written with (after a rotation, the old one as secret_key_previous)",
			sm.Unreadable, sm.Encrypted)
	}
	if p.Box, err = loadBox(cfg); err != nil {
		return err
	}

	if p.Demo {
		if p.DemoInfo, err = LoadDemo(ctx, p.Store, p.Box, cfg); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	client, err := ollamaClient(cfg)
	if err != nil {
		return err
	}
	cat, err := catalogAtStart(ctx, cfg, p.Store, p.Log)
	if err != nil {
		return fmt.Errorf("nlu: %w", err)
	}
	if p.NLU, err = openNLU(ctx, cfg, cat, client, p.Demo, p.Log); err != nil {
		return fmt.Errorf("nlu: %w", err)
	}
	if p.KB, err = openKnowledge(ctx, cfg, p.Store.Knowledge(), client, p.Demo, p.Log); err != nil {
		return fmt.Errorf("knowledge: %w", err)
	}
	p.closers = append(p.closers, p.KB.Close)

	if p.Business, err = openBusiness(ctx, p, p.NLU.Catalog); err != nil {
		return fmt.Errorf("playbooks: %w", err)
	}

	p.Hub = console.NewHub()
	p.Metrics = console.NewMetrics()
	p.Metrics.Registry().MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "kefu_store_undecryptable_total",
		Help: "Values encrypted at rest this process could not decrypt (another secret_key than the one they were written with)."},
		func() float64 { return float64(p.Store.Unreadable()) }))
	if err := p.openCluster(); err != nil {
		return err
	}
	p.Channels = p.newChannels()
	p.closers = append(p.closers, p.Channels.Close)
	handoff, err := p.openHandoff(cfg, client)
	if err != nil {
		return err
	}
	// Channel adapters hear the engine too (WeCom's service states).
	handoff.relay.Observe(p.Channels.Publish)
	// QA checks agent messages as they are stored, off the send path (qa.go).
	if p.QA, err = buildQA(cfg, p.Store, client, p.Hub, p.Store, p.Log); err != nil {
		return fmt.Errorf("qa: %w", err)
	}
	handoff.relay.Observe(p.QA.Observe)
	p.Engine = appliance.NewEngine(appliance.EngineConfig{
		Store: p.Store, NLU: p.NLU, Knowledge: p.KB.Responder,
		Notifier: handoff.relay, Metrics: p.Metrics, Logger: p.Log,
		MaxTextRunes: cfg.Conversation.MaxTextRunes, NLUTimeout: cfg.NLU.Timeout,
		Actions: p.Business.Actions, Playbooks: p.Business.Policy, Tickets: p.Business.Tickets, Handoff: handoff.config,
		Channels: p.Channels.Channels(), SharedLock: p.sharedLock(),
	})
	if err := p.Channels.Open(ctx, p.Engine); err != nil {
		return err
	}
	p.openWorkspace(handoff)
	p.Server = console.New(console.Options{
		Engine: p.Engine, Store: p.Store, Hub: p.Hub, Metrics: p.Metrics, Logger: p.Log, Box: p.Box,
		Workspace: p.Workspace, Canned: p.Store,
		AppKeys: &appKeys{cfg: cfg, store: p.Store, box: p.Box}, UI: web.Dist(),
		Ready: p.Store.Ping, MaxBodyBytes: cfg.HTTP.MaxBodyBytes, SecureCookies: cfg.HTTP.SecureCookies,
		SessionTTL: cfg.Session.TTL, PresenceTimeout: cfg.Session.PresenceTimeout, Elsewhere: p.elsewhere(), Changed: p.changed(), Cluster: p.members(), AppMaxSkew: cfg.Channels.App.MaxSkew, AllowedOrigins: cfg.Channels.Web.AllowedOrigins,
		TrustedProxies: cfg.HTTP.TrustedProxies, PublicURL: cfg.PublicURL(), Version: Version,
		MaxTextRunes: cfg.Conversation.MaxTextRunes, OneAdminErases: !cfg.Privacy.ErasureApproval,
		Catalogs: appliance.NewCatalogs(p.Store, p.NLU, p.Log), NLU: p.NLU,
		Knowledge: p.KB.Service, KnowledgeAnswerer: p.KB.Responder, MaxUploadBytes: cfg.Knowledge.MaxUploadBytes,
		Tickets: p.Business.Tickets, Documents: p.Business.Documents,
		Channels: p.Channels, Merges: merges{p.Store, p.Engine},
		QA: p.QA.ConsoleOptions(),
	})

	// Finish what a previous run accepted but did not answer or deliver. In
	// a cluster, younger messages are other nodes' work in hand.
	var before time.Time
	if p.Node != nil {
		if err := p.Node.Join(ctx); err != nil {
			return err
		}
		before = time.Now().Add(-cfg.Cluster.Recover)
	}
	if n, err := p.Engine.RecoverBefore(ctx, before); err != nil {
		return fmt.Errorf("recovering unanswered messages: %w", err)
	} else if n > 0 {
		p.Log.Info("answered messages accepted before the last stop", slog.Int("count", n))
	}
	if _, err := p.Engine.RedeliverBefore(ctx, before); err != nil {
		return fmt.Errorf("redelivering pending messages: %w", err)
	}

	if p.listener, err = net.Listen("tcp", cfg.HTTP.Addr); err != nil {
		return fmt.Errorf("unable to listen on %s (http.addr): %w", cfg.HTTP.Addr, err)
	}
	p.http = &http.Server{Handler: p.Server.Handler(), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(p.Log.Handler(), slog.LevelWarn)}
	return nil
}

// Addr is the address the appliance listens on (useful with port 0).
func (p *Program) Addr() string { return p.listener.Addr().String() }

// URL is the base URL of the running appliance.
func (p *Program) URL() string {
	if p.Config.HTTP.PublicURL != "" {
		return p.Config.PublicURL()
	}
	return "http://" + p.Addr()
}

// Run serves until ctx is cancelled, then stops gracefully: readiness fails
// first, requests in flight finish (each accepted message is stored and
// answered before its request returns), and pending deliveries complete.
func (p *Program) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- p.http.Serve(p.listener) }()
	go p.sweepIdle(ctx)
	if p.Node == nil {
		go p.Channels.Run(ctx) // in a cluster, the routing node polls (cluster.go)
	}
	if p.Node != nil {
		nctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); p.Node.Run(nctx) }()
		p.stopNode = func() { cancel(); <-done; p.reloads.Wait() }
		defer p.stopNode()
	}
	go p.route(ctx)
	go p.Server.RunPresence(ctx)
	if err := p.QA.Start(!p.Config.Jobs.Disabled); err != nil {
		return err
	}
	p.Log.Info("kefu is serving", slog.String("addr", p.Addr()), slog.String("version", Version))
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	p.Log.Info("stopping")
	p.Server.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), p.Config.HTTP.ShutdownTimeout)
	defer cancel()
	err := p.http.Shutdown(sctx)
	p.Engine.Wait()
	p.Workspace.Wait()
	if qerr := p.QA.Stop(sctx); qerr != nil {
		p.Log.Warn("jobs did not finish before the shutdown timeout; cancelled", slog.Any("error", qerr))
	}
	p.Log.Info("stopped")
	return err
}

// sweepIdle closes idle bot conversations every minute.
func (p *Program) sweepIdle(ctx context.Context) {
	every(ctx, time.Minute, func() {
		n, err := p.Engine.CloseIdle(ctx, time.Now().Add(-p.Config.Conversation.IdleClose))
		p.logCount(ctx, n, err, "closing idle conversations", "closed idle conversations")
	})
}

// every runs fn every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// logCount logs what a periodic task did: a warning when it failed (not
// when it was stopped), the count when it did something.
func (p *Program) logCount(ctx context.Context, n int, err error, failed, done string) {
	switch {
	case err != nil && ctx.Err() == nil:
		p.Log.Warn(failed, slog.Any("error", err))
	case err == nil && n > 0:
		p.Log.Info(done, slog.Int("count", n))
	}
}

// Close releases everything Open acquired, in reverse order.
func (p *Program) Close() error {
	var errs []error
	if p.listener != nil && p.http == nil {
		p.listener.Close()
	}
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	p.closers = nil
	return errors.Join(errs...)
}

// PrintBanner tells the operator where everything is.
func (p *Program) PrintBanner() {
	u := p.URL()
	fmt.Fprintf(p.Out, "\nKefu %s is running (database: %s)\n", Version, p.Store.Dialect())
	fmt.Fprintf(p.Out, "  控制台 Console:        %s/\n", u)
	fmt.Fprintf(p.Out, "  网页客服演示 Widget demo: %s/widget/demo\n", u)
	fmt.Fprintf(p.Out, "  API 文档 OpenAPI:       %s/api/v1/openapi.yaml\n", u)
	if d := p.DemoInfo; d != nil {
		fmt.Fprintf(p.Out, "\n演示账号 Demo logins (password %q for all):\n", DemoPassword)
		for _, u := range d.Users {
			fmt.Fprintf(p.Out, "  %-12s %-11s %s\n", u.Username, u.Role, u.DisplayName)
		}
		fmt.Fprintf(p.Out, "\n应用接口 App API: key %s  secret %s\n", d.AppKey, d.AppSecret)
		fmt.Fprintf(p.Out, "演示客户 Demo customers (app user_id): demo-1001 (已发货订单、课程、账户 order, course, account),\n"+
			"  demo-2001 (孕 28 周 pregnant, 28 weeks), demo-2002 (湿疹霜 eczema cream), demo-vip-8888 (VIP)\n")
	}
	fmt.Fprintln(p.Out)
}
