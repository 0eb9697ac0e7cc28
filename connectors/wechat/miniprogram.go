package wechat

import (
	"context"
	"net/http"
	"sync"
	"time"

	"kefu/appliance"
	"kefu/connectors"
)

// MiniProgram serves one mini program's customer-service message push URL
// and delivers through customerServiceMessage.send. Mini programs accept no
// passive text reply: every answer goes through the API, delivered by the
// appliance through this channel (Inbound.SyncReply is false).
type MiniProgram struct {
	*account

	mu       sync.Mutex
	sessions map[string]session // openid → what the last session-from said
}

type session struct {
	ctx map[string]string
	at  time.Time
}

// sessionTTL is how long a session-from context applies to a customer's
// later messages: WeChat's 48-hour customer-service window.
const sessionTTL = 48 * time.Hour

// NewMiniProgram returns the adapter of one mini program.
func NewMiniProgram(cfg Config) (*MiniProgram, error) {
	a, err := newAccount(cfg, "wechat_mp")
	if err != nil {
		return nil, err
	}
	return &MiniProgram{account: a, sessions: map[string]session{}}, nil
}

// ServeHTTP handles the push URL handshake and pushes, JSON or XML.
func (a *MiniProgram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	_, in, ok := a.accept(w, r)
	if !ok {
		return
	}
	a.withSession(&in)
	fl := a.handle(in)
	timer := time.NewTimer(a.cfg.ReplyWindow - time.Since(start))
	defer timer.Stop()
	select {
	case <-fl.done:
		if _, err := a.flights.decide(fl); err != nil && !clientError(err) {
			connectors.WriteError(w, a.log, err)
			return
		}
	case <-timer.C:
		// Still being handled: acknowledged now; the appliance delivers the
		// answer through this channel when it is ready.
	case <-r.Context().Done():
		return
	}
	writeSuccess(w)
}

// withSession remembers the context a user_enter_tempsession event carries
// and attaches it to the customer's later messages, which carry none.
func (a *MiniProgram) withSession(in *appliance.Inbound) {
	now := a.cfg.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if in.Context["event"] == "user_enter_tempsession" {
		if len(a.sessions) > 100_000 {
			for k, s := range a.sessions {
				if now.Sub(s.at) > sessionTTL {
					delete(a.sessions, k)
				}
			}
		}
		ctx := map[string]string{}
		for k, v := range in.Context {
			if k != "event" {
				ctx[k] = v
			}
		}
		a.sessions[in.Identity.Value] = session{ctx: ctx, at: now}
		return
	}
	s, ok := a.sessions[in.Identity.Value]
	if !ok || now.Sub(s.at) > sessionTTL {
		return
	}
	if in.Context == nil {
		in.Context = map[string]string{}
	}
	for k, v := range s.ctx {
		if _, set := in.Context[k]; !set {
			in.Context[k] = v
		}
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
