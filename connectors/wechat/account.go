package wechat

import (
	"context"
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

// account is what official accounts and mini programs share: verification,
// decryption, the in-flight table that keeps retries from answering twice,
// and sending through the customer-service API.
type account struct {
	cfg     Config
	cipher  *wxcrypt.Cipher
	guard   *connectors.ReplayGuard
	client  *Client
	log     *slog.Logger
	flights flights
	work    sync.WaitGroup
	// selfDeliver is set for official accounts, which answer their own
	// pushes; mini-program answers are delivered by the appliance.
	selfDeliver bool

	unionMu sync.Mutex
	unions  map[string]string // openid → unionid
}

func newAccount(cfg Config, name string) (*account, error) {
	if err := cfg.defaults(name); err != nil {
		return nil, err
	}
	a := &account{cfg: cfg, client: cfg.Client, log: cfg.Logger.With(slog.String("channel", cfg.Name), slog.String("appid", cfg.AppID)),
		guard: connectors.NewReplayGuard(cfg.ReplayWindow, cfg.Now), unions: map[string]string{}}
	a.flights.m = map[string]*flight{}
	if cfg.EncodingAESKey != "" {
		c, err := wxcrypt.NewCipher(cfg.EncodingAESKey, cfg.AppID)
		if err != nil {
			return nil, err
		}
		a.cipher = c
	}
	return a, nil
}

// request is a verified, decrypted push.
type request struct {
	push      *Push
	encrypted bool
	nonce     string
}

// verifyURL answers WeChat's server-URL handshake: echo echostr when the
// signature over token, timestamp and nonce is right.
func (a *account) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := wxcrypt.VerifySignature(q.Get("signature"), a.cfg.Token, q.Get("timestamp"), q.Get("nonce")); err != nil {
		connectors.WriteError(w, a.log, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "signature does not match"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(q.Get("echostr")))
}

// accept answers the handshake (GET) and opens a push (POST): it returns
// the push and the message to handle, or ok false when the response has been
// written (handshake, refused push, an event that is not a message).
func (a *account) accept(w http.ResponseWriter, r *http.Request) (req *request, in appliance.Inbound, ok bool) {
	switch r.Method {
	case http.MethodGet:
		a.verifyURL(w, r)
		return nil, in, false
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method_not_allowed", http.StatusMethodNotAllowed)
		return nil, in, false
	}
	req, err := a.open(r)
	if err != nil {
		connectors.WriteError(w, a.log, err)
		return nil, in, false
	}
	if in, ok = a.inbound(req.push); !ok {
		writeSuccess(w)
	}
	return req, in, ok
}

// handle starts handling in unless a retry of the same message already did
// (WeChat retries a push it had no answer to), and returns its flight.
func (a *account) handle(in appliance.Inbound) *flight {
	key := in.Identity.Value + "\x00" + in.MessageID
	fl, first := a.flights.start(key, a.cfg.Now())
	if first {
		a.work.Add(1)
		go a.run(key, fl, in)
	}
	return fl
}

// open verifies a push's signatures and freshness and decrypts it. Nothing is
// recorded for a push that fails.
func (a *account) open(r *http.Request) (*request, error) {
	body, err := connectors.ReadBody(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if err := wxcrypt.VerifySignature(q.Get("signature"), a.cfg.Token, ts, nonce); err != nil {
		return nil, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "signature does not match")
	}
	req := &request{nonce: nonce}
	plain := body
	if q.Get("encrypt_type") == "aes" {
		if a.cipher == nil {
			return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "encrypted push but no EncodingAESKey is configured")
		}
		env, err := wxcrypt.ParseEnvelope(body)
		if err != nil {
			return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the push is not a WeChat envelope")
		}
		if err := wxcrypt.VerifySignature(q.Get("msg_signature"), a.cfg.Token, ts, nonce, env.Encrypt); err != nil {
			return nil, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "msg_signature does not match")
		}
		if err := a.guard.Check(ts, nonce, body); err != nil {
			return nil, err
		}
		plain, err = a.cipher.Decrypt(env.Encrypt)
		if errors.Is(err, wxcrypt.ErrReceiverID) {
			return nil, connectors.Reject(appliance.EFORBIDDEN, connectors.CodeWrongAccount, "the push is for another appid")
		}
		if err != nil {
			return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the ciphertext does not decrypt")
		}
		req.encrypted = true
	} else {
		if a.cfg.Mode == ModeSafe {
			return nil, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "the account is in safe mode: plaintext pushes are refused")
		}
		if err := a.guard.Check(ts, nonce, body); err != nil {
			return nil, err
		}
	}
	p, err := ParsePush(plain)
	if err == nil {
		err = p.Validate()
	}
	if err != nil {
		return nil, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the push is not a well-formed WeChat message")
	}
	req.push = p
	return req, nil
}

// Flight states: who answers the customer for one message.
const (
	undecided = iota
	passive   // a push response carries the first reply
	async     // every reply goes through the customer-service API
)

// flight is the handling of one message, shared by WeChat's retries of it.
type flight struct {
	done     chan struct{}
	out      *appliance.Outcome
	err      error
	finished bool
	mode     int
	at       time.Time
}

type flights struct {
	mu    sync.Mutex
	m     map[string]*flight
	swept time.Time
}

// start returns the flight for key, creating it when there is none; first
// reports whether the caller created it and must run it.
func (f *flights) start(key string, now time.Time) (fl *flight, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.swept) > time.Second {
		for k, v := range f.m {
			// WeChat retries within ~15 s; a minute covers them.
			if v.finished && now.Sub(v.at) > time.Minute {
				delete(f.m, k)
			}
		}
		f.swept = now
	}
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	fl = &flight{done: make(chan struct{}), at: now}
	f.m[key] = fl
	return fl, true
}

func (f *flights) forget(key string, fl *flight) {
	f.mu.Lock()
	if f.m[key] == fl {
		delete(f.m, key)
	}
	f.mu.Unlock()
}

// decide is called by a push handler once it stops waiting: if the outcome
// is there and nobody has answered yet, the handler answers it in its
// response; otherwise the answer (if any) goes through the API. It returns
// the replies the caller must put in its response (at most all of them),
// and the error of a finished flight.
func (f *flights) decide(fl *flight) (replies []*appliance.Message, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case fl.finished && fl.mode == undecided:
		fl.mode = passive
		if fl.err != nil {
			return nil, fl.err
		}
		return deliverable(fl.out), nil
	case !fl.finished && fl.mode == undecided:
		fl.mode = async
	}
	return nil, nil
}

// deliverable returns the replies nobody has delivered yet. A duplicate
// outcome (the message was accepted before this process saw it) carries
// replies already answered; only those still pending are ours to deliver.
func deliverable(out *appliance.Outcome) []*appliance.Message {
	if out == nil {
		return nil
	}
	var list []*appliance.Message
	for _, r := range out.Replies {
		if r.Kind == appliance.KindNote || r.Text == "" {
			continue
		}
		if out.Duplicate && r.Delivery != appliance.DeliveryPending {
			continue
		}
		list = append(list, r)
	}
	return list
}

// run carries one message through the Receiver. It retries internal errors
// (Receive is idempotent) because a push acknowledged after the window will
// not be retried by WeChat. When the push handler gave up waiting, run sends
// the replies itself.
func (a *account) run(key string, fl *flight, in appliance.Inbound) {
	defer a.work.Done()
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ProcessTimeout)
	defer cancel()
	if a.cfg.ResolveUnionID {
		a.addUnionID(ctx, &in)
	}
	var out *appliance.Outcome
	var err error
	backoff := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		out, err = a.cfg.Receiver.Receive(ctx, in)
		if err == nil || (appliance.ErrorKind(err) != appliance.EINTERNAL && appliance.ErrorKind(err) != appliance.EUNAVAILABLE) || attempt == 3 {
			break
		}
		a.log.Warn("receive failed, retrying", slog.String("message_id", in.MessageID), slog.Any("error", err))
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-ctx.Done():
		}
	}
	a.flights.mu.Lock()
	fl.out, fl.err, fl.finished, fl.at = out, err, true, a.cfg.Now()
	mode := fl.mode
	a.flights.mu.Unlock()
	close(fl.done)
	if err != nil {
		a.log.Error("message not accepted", slog.String("message_id", in.MessageID), slog.Any("error", err))
		// Let a WeChat retry start over instead of finding this failure.
		a.flights.forget(key, fl)
		return
	}
	if mode == async && a.selfDeliver {
		a.sendAll(ctx, in.Identity.Value, deliverable(out))
	}
}

// sendAll sends replies through the customer-service API, in order, and
// records each one's delivery.
func (a *account) sendAll(ctx context.Context, openID string, replies []*appliance.Message) {
	for _, m := range replies {
		err := a.client.SendText(ctx, openID, m.Text)
		a.record(ctx, m, err)
	}
}

func (a *account) record(ctx context.Context, m *appliance.Message, err error) {
	d := appliance.DeliverySent
	if err != nil {
		d = appliance.DeliveryFailed
		a.log.Error("reply not delivered", slog.Int64("message_id", m.ID), slog.Any("error", err))
	}
	if a.cfg.Recorder != nil && m.ID != 0 {
		if rerr := a.cfg.Recorder.SetDelivery(context.WithoutCancel(ctx), m.ID, d); rerr != nil {
			a.log.Error("delivery not recorded", slog.Int64("message_id", m.ID), slog.Any("error", rerr))
		}
	}
}

// addUnionID adds the customer's unionid, which WeChat vouches for, so the
// appliance can join them across the enterprise's apps. A lookup failure
// only loses the join, never the message.
func (a *account) addUnionID(ctx context.Context, in *appliance.Inbound) {
	openID := in.Identity.Value
	a.unionMu.Lock()
	u, ok := a.unions[openID]
	a.unionMu.Unlock()
	if !ok {
		lctx, cancel := context.WithTimeout(ctx, time.Second)
		var err error
		u, err = a.client.UnionID(lctx, openID)
		cancel()
		if err != nil {
			a.log.Warn("unionid lookup failed", slog.Any("error", err))
			return
		}
		a.unionMu.Lock()
		if len(a.unions) > 100_000 {
			clear(a.unions)
		}
		a.unions[openID] = u
		a.unionMu.Unlock()
	}
	if u != "" {
		in.Also = append(in.Also, appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: u, Verified: true})
	}
}

// Name returns the channel name.
func (a *account) Name() string { return a.cfg.Name }

// Namespace returns the appid: the namespace of the openids it serves.
func (a *account) Namespace() string { return a.cfg.AppID }

// Deliver sends a message to a customer through the customer-service API
// (agent replies, replies to messages recovered after a restart).
func (a *account) Deliver(ctx context.Context, to *appliance.Identity, m *appliance.Message) error {
	if to == nil || to.Kind != appliance.IdentityWeChatOpenID || to.Namespace != a.cfg.AppID {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "%s delivers to openids of appid %s only", a.cfg.Name, a.cfg.AppID)
	}
	if m.Kind == appliance.KindNote || m.Text == "" {
		return appliance.Errorf(appliance.EINVALID, "not_deliverable", "only customer-visible text can be sent")
	}
	return a.client.SendText(ctx, to.Value, m.Text)
}

// Wait blocks until messages being handled in the background are done;
// called at shutdown.
func (a *account) Wait() { a.work.Wait() }

// clientError reports errors a WeChat retry cannot fix: the message is
// acknowledged (and logged) rather than refused, so WeChat does not retry
// and show the customer "该公众号暂时无法提供服务".
func clientError(err error) bool {
	return slices.Contains([]string{appliance.EINVALID, appliance.ETOOLARGE, appliance.EUNSUPPORTED, appliance.ECONFLICT}, appliance.ErrorKind(err))
}
