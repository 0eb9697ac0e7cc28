package wechat

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"time"

	"kefu/appliance"
	"kefu/connectors"
	"kefu/connectors/wxcrypt"
)

// OfficialAccount serves one official account's server URL (GET handshake,
// POST pushes) and delivers to its followers.
type OfficialAccount struct{ *account }

// NewOfficialAccount returns the adapter of one official account.
func NewOfficialAccount(cfg Config) (*OfficialAccount, error) {
	a, err := newAccount(cfg, "wechat_oa")
	if err != nil {
		return nil, err
	}
	a.selfDeliver = true
	return &OfficialAccount{a}, nil
}

// ServeHTTP handles the server-URL handshake and message pushes.
func (a *OfficialAccount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, in, ok := a.accept(w, r)
	if !ok {
		return
	}
	// A passive reply is delivered once WeChat reads the response; the engine
	// must not deliver these replies again through the channel.
	in.SyncReply = true
	fl := a.handle(in)
	timer := time.NewTimer(a.cfg.ReplyWindow - time.Since(start))
	select {
	case <-fl.done:
	case <-timer.C:
	case <-r.Context().Done():
	}
	timer.Stop()
	replies, err := a.flights.decide(fl)
	switch {
	case err != nil && clientError(err):
		a.log.Warn("message refused by the appliance", slog.String("code", appliance.ErrorCode(err)))
		writeSuccess(w)
		return
	case err != nil:
		connectors.WriteError(w, a.log, err)
		return
	case len(replies) == 0:
		writeSuccess(w)
		return
	}
	if err := a.writePassive(w, req, replies[0]); err != nil {
		a.log.Error("passive reply failed", slog.Any("error", err))
		a.record(r.Context(), replies[0], err)
		return
	}
	a.record(r.Context(), replies[0], nil)
	if len(replies) > 1 {
		// Only one passive reply fits in a response; the rest follow through
		// the API, after it.
		a.work.Add(1)
		go func() {
			defer a.work.Done()
			ctx, cancel := contextWithTimeout(a.cfg.ProcessTimeout)
			defer cancel()
			a.sendAll(ctx, in.Identity.Value, replies[1:])
		}()
	}
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("success"))
}

type cdata struct {
	Text string `xml:",cdata"`
}

type textReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
}

// PassiveText builds the XML of a passive text reply.
func PassiveText(to, from, text string, at time.Time) []byte {
	b, _ := xml.Marshal(textReply{ToUserName: cdata{to}, FromUserName: cdata{from}, CreateTime: at.Unix(),
		MsgType: cdata{"text"}, Content: cdata{text}})
	return b
}

// writePassive answers the push with a reply, encrypted when the push was.
func (a *OfficialAccount) writePassive(w http.ResponseWriter, req *request, m *appliance.Message) error {
	now := a.cfg.Now()
	body := PassiveText(req.push.FromUserName, req.push.ToUserName, m.Text, now)
	if req.encrypted {
		var err error
		if body, err = wxcrypt.Seal(a.cipher, a.cfg.Token, now.Unix(), req.nonce, body); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, err := w.Write(body)
	return err
}
