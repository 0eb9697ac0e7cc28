package wecom

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"kefu/appliance"
	"kefu/connectors"
	"kefu/connectors/wxcrypt"
)

// Adapter serves a corp's 微信客服 callback URL, pulls messages, and delivers
// replies. It implements appliance.Channel.
type Adapter struct {
	cfg    Config
	cipher *wxcrypt.Cipher
	guard  *connectors.ReplayGuard
	api    *client
	log    *slog.Logger

	mu      sync.Mutex
	syncing map[string]*kfSync
	work    sync.WaitGroup
	closed  bool
}

// kfSync serializes the syncs of one 客服 account: one runs at a time, and a
// callback arriving meanwhile makes it run once more.
type kfSync struct {
	mu      sync.Mutex // held while a sync runs
	pending bool
	token   string
}

// New returns the adapter.
func New(cfg Config) (*Adapter, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	c, err := wxcrypt.NewCipher(cfg.EncodingAESKey, cfg.CorpID)
	if err != nil {
		return nil, err
	}
	return &Adapter{cfg: cfg, cipher: c, guard: connectors.NewReplayGuard(cfg.ReplayWindow, cfg.Now), api: newClient(&cfg),
		log: cfg.Logger.With(slog.String("channel", cfg.Name)), syncing: map[string]*kfSync{}}, nil
}

// Name returns the channel name.
func (a *Adapter) Name() string { return a.cfg.Name }

type callbackEvent struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	CreateTime int64    `xml:"CreateTime"`
	MsgType    string   `xml:"MsgType"`
	Event      string   `xml:"Event"`
	Token      string   `xml:"Token"`
	OpenKfID   string   `xml:"OpenKfId"`
}

// ServeHTTP handles the callback URL: the GET verification (echostr is
// decrypted and echoed) and POSTed events.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature")
	switch r.Method {
	case http.MethodGet:
		echo := q.Get("echostr")
		if err := wxcrypt.VerifySignature(sig, a.cfg.Token, ts, nonce, echo); err != nil {
			connectors.WriteError(w, a.log, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "msg_signature does not match"))
			return
		}
		plain, err := a.cipher.Decrypt(echo)
		if err != nil {
			connectors.WriteError(w, a.log, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "echostr does not decrypt for this corp"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(plain)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method_not_allowed", http.StatusMethodNotAllowed)
		return
	}
	ev, err := a.open(r, ts, nonce, sig)
	if err != nil {
		connectors.WriteError(w, a.log, err)
		return
	}
	if ev.MsgType == "event" && ev.Event == "kf_msg_or_event" {
		a.Trigger(ev.OpenKfID, ev.Token)
	}
	w.Write([]byte("success"))
}

func (a *Adapter) open(r *http.Request, ts, nonce, sig string) (*callbackEvent, error) {
	body, err := connectors.ReadBody(r)
	if err != nil {
		return nil, err
	}
	env, err := wxcrypt.ParseEnvelope(body)
	if err != nil {
		return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the callback is not a WeCom envelope")
	}
	if err := wxcrypt.VerifySignature(sig, a.cfg.Token, ts, nonce, env.Encrypt); err != nil {
		return nil, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "msg_signature does not match")
	}
	if err := a.guard.Check(ts, nonce, body); err != nil {
		return nil, err
	}
	plain, err := a.cipher.Decrypt(env.Encrypt)
	if errors.Is(err, wxcrypt.ErrReceiverID) {
		return nil, connectors.Reject(appliance.EFORBIDDEN, connectors.CodeWrongAccount, "the callback is for another corp")
	}
	if err != nil {
		return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the ciphertext does not decrypt")
	}
	ev, err := ParseCallback(plain)
	if err != nil {
		return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the callback is not a well-formed WeCom event")
	}
	if ev.Event == "kf_msg_or_event" && len(a.cfg.OpenKfIDs) > 0 && !slices.Contains(a.cfg.OpenKfIDs, ev.OpenKfID) {
		return nil, connectors.Reject(appliance.EFORBIDDEN, connectors.CodeWrongAccount, "客服 account %s is not configured", ev.OpenKfID)
	}
	return ev, nil
}

// ParseCallback reads a decrypted callback event.
func ParseCallback(plain []byte) (*callbackEvent, error) {
	var ev callbackEvent
	if err := xml.Unmarshal(plain, &ev); err != nil {
		return nil, err
	}
	if ev.MsgType == "" || ev.CreateTime <= 0 || (ev.Event == "kf_msg_or_event" && ev.OpenKfID == "") {
		return nil, errors.New("wecom: callback misses required fields")
	}
	return &ev, nil
}

// Trigger schedules a sync of one 客服 account in the background; callbacks
// that arrive while one runs make it run once more, with the newest token.
func (a *Adapter) Trigger(openKfID, token string) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	s := a.syncing[openKfID]
	if s == nil {
		s = &kfSync{}
		a.syncing[openKfID] = s
	}
	s.pending = true
	if token != "" {
		s.token = token
	}
	a.work.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.work.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		for attempt := 0; ; attempt++ {
			a.mu.Lock()
			if !s.pending {
				a.mu.Unlock()
				return
			}
			s.pending = false
			token := s.token
			a.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			err := a.Sync(ctx, openKfID, token)
			cancel()
			if err == nil {
				continue
			}
			a.log.Error("sync failed", slog.String("open_kfid", openKfID), slog.Any("error", err))
			a.mu.Lock()
			closed := a.closed
			if attempt < 3 && !closed {
				// The messages are still there: the cursor was not moved.
				s.pending = true
			}
			a.mu.Unlock()
			if attempt < 3 && !closed {
				time.Sleep(a.cfg.RetryDelay)
			}
		}
	}()
}

// Wait blocks until background syncs and deliveries are done.
func (a *Adapter) Wait() { a.work.Wait() }

// Close stops scheduling new syncs and waits for running ones.
func (a *Adapter) Close() error {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.work.Wait()
	return nil
}
