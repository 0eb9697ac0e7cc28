package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"kefu/appliance"
	"kefu/connectors"
)

// Store is what the Manager keeps in the database; appliance/store
// implements it.
type Store interface {
	ChannelAccounts(ctx context.Context) ([]*appliance.ChannelAccount, error)
	ChannelAccount(ctx context.Context, id int64) (*appliance.ChannelAccount, error)
	SaveChannelAccount(ctx context.Context, a *appliance.ChannelAccount) error
	DeleteChannelAccount(ctx context.Context, id int64) error
	ChannelState(ctx context.Context, kind, key, name string) (string, error)
	SaveChannelState(ctx context.Context, kind, key, name, value string) error
	DeleteChannelState(ctx context.Context, kind, key, name string) error
	// Identity and User resolve whom a conversation event concerns (WeCom
	// service states); SetDelivery records replies adapters send themselves.
	Identity(ctx context.Context, id int64) (*appliance.Identity, error)
	User(ctx context.Context, id int64) (*appliance.User, error)
	connectors.DeliveryRecorder
}

// Sealer seals credentials at rest; *secret.Box implements it.
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// Config configures a Manager.
type Config struct {
	Store  Store
	Sealer Sealer
	// Receiver gets the messages; usually the engine, set with Open.
	Receiver connectors.Receiver
	// APIBases are the only API base URLs an account may use
	// (channels.accounts.api_bases).
	APIBases []string
	// PublicURL returns the appliance's public base URL, shown with each
	// account's push path; nil shows the path alone.
	PublicURL func() string
	// PollInterval is how often WeCom 客服 accounts are synced without a
	// callback (a lost callback only delays messages); 0 disables polling.
	PollInterval time.Duration
	// ReplyWindow is how long a push waits for the answer before it is
	// acknowledged (WeChat and Douyin wait 5 s).
	ReplyWindow time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
}

// Manager runs the configured platform accounts.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu      sync.RWMutex
	byID    map[int64]*running
	byPath  map[string]*running
	errs    map[int64]string // accounts that could not be started, and why
	opened  bool
	closed  bool
	routers map[string]*router

	retired sync.WaitGroup // adapters replaced or removed, finishing their work
	states  chan appliance.Event
	workers sync.WaitGroup
	stop    context.CancelFunc
	runCtx  context.Context
}

// New returns a Manager with no account running; Open starts them.
func New(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReplyWindow <= 0 {
		cfg.ReplyWindow = 4 * time.Second
	}
	m := &Manager{cfg: cfg, log: cfg.Logger.With(slog.String("component", "channels")), byID: map[int64]*running{},
		byPath: map[string]*running{}, errs: map[int64]string{}, routers: map[string]*router{},
		states: make(chan appliance.Event, 256)}
	for _, name := range ChannelNames {
		m.routers[name] = &router{name: name, m: m}
	}
	m.runCtx, m.stop = context.WithCancel(context.Background())
	return m
}

// Channels returns the push channels to register with the engine: one per
// channel name, each routing a message to the account of its recipient.
// They exist before any account is set up, so accounts can come and go
// without the engine noticing.
func (m *Manager) Channels() []appliance.Channel {
	out := make([]appliance.Channel, 0, len(ChannelNames))
	for _, name := range ChannelNames {
		out = append(out, m.routers[name])
	}
	return out
}

// Open starts every enabled account with receiver taking their messages.
// An account that cannot start (its secrets no longer open, say) is logged
// and shown with its error; it does not stop the appliance.
func (m *Manager) Open(ctx context.Context, receiver connectors.Receiver) error {
	m.cfg.Receiver = receiver
	list, err := m.cfg.Store.ChannelAccounts(ctx)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	for _, a := range list {
		if !a.Enabled {
			continue
		}
		if err := m.start(a); err != nil {
			m.log.Error("channel account not started", slog.String("kind", a.Kind), slog.String("key", a.Key), slog.Any("error", err))
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.opened = true
	m.workers.Add(1)
	go m.syncStates()
	return nil
}

// start builds an account's adapter and puts it in place of the previous one.
func (m *Manager) start(a *appliance.ChannelAccount) error {
	secrets, err := m.secrets(a)
	if err == nil {
		var r *running
		if r, err = m.build(a, secrets); err == nil {
			m.swap(a.ID, r)
			return nil
		}
	}
	m.mu.Lock()
	m.errs[a.ID] = err.Error()
	m.mu.Unlock()
	m.swap(a.ID, nil)
	return err
}

// swap replaces (or, with nil, removes) the running adapter of an account.
// The old one finishes what it is doing in the background.
func (m *Manager) swap(id int64, r *running) {
	m.mu.Lock()
	old := m.byID[id]
	if old != nil {
		delete(m.byPath, old.path)
		delete(m.byID, id)
	}
	if r != nil {
		m.byID[id], m.byPath[r.path] = r, r
		delete(m.errs, id)
	}
	m.mu.Unlock()
	if old != nil {
		m.retired.Add(1)
		go func() {
			defer m.retired.Done()
			old.wait()
		}()
	}
}

func (m *Manager) secrets(a *appliance.ChannelAccount) (map[string]string, error) {
	out := map[string]string{}
	if a.SecretsSealed == "" {
		return out, nil
	}
	plain, err := m.cfg.Sealer.Open(a.SecretsSealed)
	if err != nil {
		return nil, fmt.Errorf("accounts: the stored credentials cannot be opened (was secret_key changed?): %w", err)
	}
	if err := json.Unmarshal([]byte(plain), &out); err != nil {
		return nil, fmt.Errorf("accounts: the stored credentials are unreadable: %w", err)
	}
	return out, nil
}

// ServeHTTP hands a platform push to the account its path names.
func (m *Manager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.RLock()
	run := m.byPath[strings.TrimRight(r.URL.Path, "/")]
	m.mu.RUnlock()
	if run == nil {
		connectors.WriteError(w, m.log, appliance.Errorf(appliance.ENOTFOUND, "unknown_account", "no account is set up at %s", r.URL.Path))
		return
	}
	run.handler.ServeHTTP(w, r)
}

// Kinds returns the set-up form of each platform.
func (m *Manager) Kinds() []appliance.ChannelKind { return Kinds() }

// List returns every account as the console shows it.
func (m *Manager) List(ctx context.Context) ([]appliance.ChannelAccountView, error) {
	list, err := m.cfg.Store.ChannelAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]appliance.ChannelAccountView, 0, len(list))
	for _, a := range list {
		out = append(out, m.view(a))
	}
	return out, nil
}

func (m *Manager) view(a *appliance.ChannelAccount) appliance.ChannelAccountView {
	v := appliance.ChannelAccountView{ChannelAccount: *a, Secrets: map[string]string{}, URL: pathOf(a.Kind, a.Key)}
	if m.cfg.PublicURL != nil {
		v.URL = strings.TrimRight(m.cfg.PublicURL(), "/") + v.URL
	}
	if secrets, err := m.secrets(a); err == nil {
		for k, s := range secrets {
			if s != "" {
				v.Secrets[k] = mask(s)
			}
		}
	}
	m.mu.RLock()
	_, v.Running = m.byID[a.ID]
	v.Error = m.errs[a.ID]
	m.mu.RUnlock()
	return v
}

// Save validates an account's set-up, stores it with its secrets sealed,
// and (re)starts it at once. Secrets left empty keep their stored values.
func (m *Manager) Save(ctx context.Context, in appliance.ChannelAccountInput) (appliance.ChannelAccountView, error) {
	a := &appliance.ChannelAccount{Kind: in.Kind, Key: strings.TrimSpace(in.Key), Name: strings.TrimSpace(in.Name),
		Enabled: in.Enabled, Settings: map[string]string{}}
	maps.Copy(a.Settings, in.Settings)
	secrets := map[string]string{}
	var prev *appliance.ChannelAccount
	if in.ID != 0 {
		var err error
		if prev, err = m.cfg.Store.ChannelAccount(ctx, in.ID); err != nil {
			return appliance.ChannelAccountView{}, err
		}
		if prev.Kind != a.Kind {
			return appliance.ChannelAccountView{}, invalid("kind_changed", "an account's kind cannot change; set up a new account")
		}
		if secrets, err = m.secrets(prev); err != nil {
			// The old credentials are lost (secret key changed): the admin
			// must enter them all again.
			secrets = map[string]string{}
		}
		a.ID, a.CreatedAt = prev.ID, prev.CreatedAt
	}
	refreshed := false
	for k, v := range in.Secrets {
		if v = strings.TrimSpace(v); v != "" {
			refreshed = refreshed || secrets[k] != v
			secrets[k] = v
		}
	}
	if err := validate(a, secrets, m.cfg.APIBases); err != nil {
		return appliance.ChannelAccountView{}, err
	}
	var run *running
	if a.Enabled {
		var err error
		if run, err = m.build(a, secrets); err != nil {
			return appliance.ChannelAccountView{}, invalid("invalid_setup", "%v", err)
		}
	}
	b, _ := json.Marshal(secrets)
	a.SecretsSealed = m.cfg.Sealer.Seal(string(b))
	if err := m.cfg.Store.SaveChannelAccount(ctx, a); err != nil {
		return appliance.ChannelAccountView{}, err
	}
	if a.Kind == KindDouyin && refreshed {
		// A new authorization replaces the tokens refreshed so far.
		if err := m.cfg.Store.DeleteChannelState(ctx, KindDouyin, a.Key, tokenState); err != nil {
			return appliance.ChannelAccountView{}, err
		}
	}
	if prev != nil && prev.Key != a.Key {
		m.log.Info("channel account key changed; its push URL moved", slog.String("from", pathOf(prev.Kind, prev.Key)), slog.String("to", pathOf(a.Kind, a.Key)))
	}
	if run != nil {
		run.account = a
		m.swap(a.ID, run)
	} else {
		m.swap(a.ID, nil)
		m.mu.Lock()
		delete(m.errs, a.ID)
		m.mu.Unlock()
	}
	m.log.Info("channel account saved", slog.String("kind", a.Kind), slog.String("key", a.Key), slog.Bool("enabled", a.Enabled))
	return m.view(a), nil
}

// Delete stops an account and removes it with the state its adapter kept.
func (m *Manager) Delete(ctx context.Context, id int64) (*appliance.ChannelAccount, error) {
	a, err := m.cfg.Store.ChannelAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := m.cfg.Store.DeleteChannelAccount(ctx, id); err != nil {
		return nil, err
	}
	m.swap(id, nil)
	m.mu.Lock()
	delete(m.errs, id)
	m.mu.Unlock()
	return a, nil
}

// Reload rebuilds the adapters from the accounts stored, after another node
// of a cluster saved or deleted one: enabled accounts are (re)started,
// the others stopped.
func (m *Manager) Reload(ctx context.Context) error {
	list, err := m.cfg.Store.ChannelAccounts(ctx)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	keep := map[int64]bool{}
	for _, a := range list {
		if !a.Enabled {
			continue
		}
		keep[a.ID] = true
		if err := m.start(a); err != nil {
			m.log.Error("channel account not started", slog.String("kind", a.Kind), slog.String("key", a.Key), slog.Any("error", err))
		}
	}
	m.mu.Lock()
	var gone []int64
	for id := range m.byID {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	for id := range m.errs {
		if !keep[id] {
			delete(m.errs, id)
		}
	}
	m.mu.Unlock()
	for _, id := range gone {
		m.swap(id, nil)
	}
	return nil
}

// Run polls the WeCom 客服 accounts until ctx is done: once at start (to
// catch up on what arrived while the appliance was stopped) and then every
// PollInterval.
func (m *Manager) Run(ctx context.Context) {
	if m.cfg.PollInterval <= 0 {
		return
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.workers.Add(1) // under the lock: Close cannot be waiting yet
	m.mu.Unlock()
	defer m.workers.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-m.runCtx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		m.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll syncs every running WeCom 客服 account once.
func (m *Manager) Poll(ctx context.Context) {
	m.mu.RLock()
	var list []*running
	for _, r := range m.byID {
		if r.wecom != nil && len(r.openKfIDs) > 0 {
			list = append(list, r)
		}
	}
	m.mu.RUnlock()
	for _, r := range list {
		if err := r.wecom.Poll(ctx); err != nil && !errors.Is(err, context.Canceled) {
			m.log.Warn("wecom poll failed", slog.String("corpid", r.account.Key), slog.Any("error", err))
		}
	}
}

// Close stops polling and waits for every adapter's work in flight.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	list := make([]*running, 0, len(m.byID))
	for _, r := range m.byID {
		list = append(list, r)
	}
	opened := m.opened
	m.mu.Unlock()
	m.stop()
	if opened {
		close(m.states)
	}
	m.workers.Wait()
	for _, r := range list {
		r.wait()
	}
	m.retired.Wait()
	return nil
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
