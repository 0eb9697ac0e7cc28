package douyin

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"kefu/appliance"
	"kefu/connectors"
)

// Adapter serves the webhook of one enterprise Douyin account and delivers
// private messages; Comments returns the channel of public comment answers.
type Adapter struct {
	cfg  Config
	api  *apiClient
	log  *slog.Logger
	work sync.WaitGroup

	mu       sync.Mutex
	im       map[string]imContext      // customer open_id → last private conversation
	comments map[string]commentContext // customer open_id → last comment
}

type imContext struct {
	conversationID, msgID string
	at                    time.Time
}

type commentContext struct {
	itemID, commentID, text string
	at                      time.Time
}

// imWindow is how long a received private message may be answered.
const imWindow = 24 * time.Hour

// New returns the adapter.
func New(cfg Config) (*Adapter, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Adapter{cfg: cfg, api: &apiClient{base: cfg.APIBase, http: cfg.HTTPClient, tokens: cfg.Tokens},
		log: cfg.Logger.With(slog.String("channel", cfg.Name)), im: map[string]imContext{}, comments: map[string]commentContext{}}, nil
}

// Sign returns the X-Douyin-Signature of a body.
func Sign(clientSecret string, body []byte) string {
	h := sha1.New()
	h.Write([]byte(clientSecret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Event is a webhook event.
type Event struct {
	Event      string          `json:"event"`
	ClientKey  string          `json:"client_key"`
	FromUserID string          `json:"from_user_id"`
	ToUserID   string          `json:"to_user_id"`
	Content    json.RawMessage `json:"content"`
	LogID      string          `json:"log_id"`
}

// IMContent is the content of im_receive_msg.
type IMContent struct {
	ConversationShortID string `json:"conversation_short_id"`
	ServerMessageID     string `json:"server_message_id"`
	ConversationType    int    `json:"conversation_type"`
	MessageType         string `json:"message_type"`
	Text                string `json:"text"`
	CreateTime          int64  `json:"create_time"`
	UserInfos           []struct {
		OpenID   string `json:"open_id"`
		NickName string `json:"nick_name"`
	} `json:"user_infos"`
}

// CommentContent is the content of item_comment_reply.
type CommentContent struct {
	CommentID        string `json:"comment_id"`
	CommentUserID    string `json:"comment_user_id"`
	Content          string `json:"content"`
	CreateTime       int64  `json:"create_time"`
	ReplyToCommentID string `json:"reply_to_comment_id"`
	ReplyToItemID    string `json:"reply_to_item_id"`
	NickName         string `json:"nick_name"`
}

// ErrMalformed is returned for a body that is not a Douyin event.
var ErrMalformed = errors.New("douyin: malformed event")

// ParseEvent reads a webhook body.
func ParseEvent(body []byte) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event == "" {
		return nil, ErrMalformed
	}
	return &ev, nil
}

// DecodeContent reads an event's content, which Douyin sends as a JSON
// object for some events and as a JSON string holding one for others.
func (ev *Event) DecodeContent(v any) error {
	raw := bytes.TrimSpace(ev.Content)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return ErrMalformed
		}
		raw = []byte(s)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return ErrMalformed
	}
	return nil
}

// ServeHTTP handles webhook events.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method_not_allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := connectors.ReadBody(r)
	if err != nil {
		connectors.WriteError(w, a.log, err)
		return
	}
	sig := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Douyin-Signature")))
	if subtle.ConstantTimeCompare([]byte(sig), []byte(Sign(a.cfg.ClientSecret, body))) != 1 {
		connectors.WriteError(w, a.log, connectors.Reject(appliance.EUNAUTHORIZED, connectors.CodeBadSignature, "X-Douyin-Signature does not match"))
		return
	}
	ev, err := ParseEvent(body)
	if err != nil {
		connectors.WriteError(w, a.log, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "the body is not a Douyin event"))
		return
	}
	if ev.Event == "verify_webhook" {
		var c struct {
			Challenge json.Number `json:"challenge"`
		}
		if ev.DecodeContent(&c) != nil || c.Challenge == "" {
			connectors.WriteError(w, a.log, connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "verify_webhook without a challenge"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"challenge": c.Challenge})
		return
	}
	if ev.ClientKey != a.cfg.ClientKey {
		connectors.WriteError(w, a.log, connectors.Reject(appliance.EFORBIDDEN, connectors.CodeWrongAccount, "the event is for another app"))
		return
	}
	in, ok, err := a.inbound(ev)
	if err != nil {
		connectors.WriteError(w, a.log, err)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	done := make(chan error, 1)
	a.work.Add(1)
	go func() {
		defer a.work.Done()
		done <- a.run(in)
	}()
	timer := time.NewTimer(a.cfg.ReplyWindow - time.Since(start))
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil && appliance.ErrorKind(err) != appliance.EINVALID {
			// Douyin retries; the Receiver deduplicates.
			connectors.WriteError(w, a.log, err)
			return
		}
	case <-timer.C:
	}
	w.WriteHeader(http.StatusOK)
}

// inbound converts an event; ok is false for events the appliance has
// nothing to do with (messages the account sent, read receipts, ...).
func (a *Adapter) inbound(ev *Event) (appliance.Inbound, bool, error) {
	bad := connectors.Reject(appliance.EINVALID, connectors.CodeMalformed, "malformed %s content", ev.Event)
	switch ev.Event {
	case "im_receive_msg":
		var c IMContent
		if ev.DecodeContent(&c) != nil || c.ServerMessageID == "" || c.ConversationShortID == "" || ev.FromUserID == "" {
			return appliance.Inbound{}, false, bad
		}
		if ev.ToUserID != a.cfg.AccountOpenID || ev.FromUserID == a.cfg.AccountOpenID {
			return appliance.Inbound{}, false, nil
		}
		in := appliance.Inbound{Channel: a.cfg.Name, MessageID: c.ServerMessageID, Kind: appliance.KindText,
			Identity: appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: a.cfg.ClientKey, Value: ev.FromUserID}}
		for _, u := range c.UserInfos {
			if u.OpenID == ev.FromUserID {
				in.DisplayName = u.NickName
			}
		}
		switch c.MessageType {
		case "text":
			in.Text = c.Text
		case "image", "user_local_image":
			in.Kind = appliance.KindImage
		default:
			in.Kind = appliance.KindEvent
			in.Context = map[string]string{"msg_type": c.MessageType}
		}
		a.mu.Lock()
		a.im[ev.FromUserID] = imContext{conversationID: c.ConversationShortID, msgID: c.ServerMessageID, at: a.cfg.Now()}
		a.mu.Unlock()
		return in, true, nil
	case "item_comment_reply":
		var c CommentContent
		if ev.DecodeContent(&c) != nil || c.CommentID == "" || c.CommentUserID == "" {
			return appliance.Inbound{}, false, bad
		}
		if c.CommentUserID == a.cfg.AccountOpenID {
			return appliance.Inbound{}, false, nil // the account's own replies
		}
		a.mu.Lock()
		a.comments[c.CommentUserID] = commentContext{itemID: c.ReplyToItemID, commentID: c.CommentID, text: c.Content, at: a.cfg.Now()}
		a.mu.Unlock()
		return appliance.Inbound{Channel: a.cfg.Name + "_comment", MessageID: c.CommentID, Kind: appliance.KindText, Text: c.Content,
			DisplayName: c.NickName, SyncReply: true,
			Identity: appliance.Identity{Kind: appliance.IdentityDouyin, Namespace: a.cfg.ClientKey, Value: c.CommentUserID},
			Context:  map[string]string{"item_id": c.ReplyToItemID, "comment_id": c.CommentID, "public": "true"}}, true, nil
	}
	return appliance.Inbound{}, false, nil
}

// run hands an inbound to the Receiver; comment answers are posted here
// (public, through the Policy), private answers by the appliance through
// Deliver.
func (a *Adapter) run(in appliance.Inbound) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := a.cfg.Receiver.Receive(ctx, in)
	if err != nil {
		a.log.Error("message not accepted", slog.String("message_id", in.MessageID), slog.Any("error", err))
		return err
	}
	if !in.SyncReply {
		return nil
	}
	for i, r := range out.Replies {
		if r.Kind == appliance.KindNote || r.Text == "" || (out.Duplicate && r.Delivery != appliance.DeliveryPending) {
			continue
		}
		var err error
		if i == 0 {
			err = a.answerComment(ctx, in.Identity.Value, in.Text, r.Text)
		} else {
			err = errors.New("douyin: a comment gets one public answer")
		}
		a.record(ctx, r, err)
	}
	return nil
}

// answerComment posts the public answer; when the matter is personal it
// posts the public note and, if the customer has a private conversation
// open, sends the full answer there.
func (a *Adapter) answerComment(ctx context.Context, user, comment, answer string) error {
	a.mu.Lock()
	cc, ok := a.comments[user]
	a.mu.Unlock()
	if !ok {
		return appliance.Errorf(appliance.ECONFLICT, "no_comment", "no comment of this customer to answer")
	}
	text, private := a.cfg.Policy.Public(comment, answer, cc.itemID)
	in := map[string]any{"item_id": cc.itemID, "comment_id": cc.commentID, "content": text}
	if err := a.api.post(ctx, a.cfg.CommentReplyPath, url.Values{"open_id": {a.cfg.AccountOpenID}}, in, nil); err != nil {
		return err
	}
	if private {
		if err := a.sendIM(ctx, user, answer); err != nil {
			a.log.Info("personal comment answered publicly with a note only", slog.Any("reason", err))
		}
	}
	return nil
}

func (a *Adapter) record(ctx context.Context, m *appliance.Message, err error) {
	d := appliance.DeliverySent
	if err != nil {
		d = appliance.DeliveryFailed
		a.log.Error("reply not delivered", slog.Int64("message_id", m.ID), slog.Any("error", err))
	}
	if a.cfg.Recorder != nil && m.ID != 0 {
		if rerr := a.cfg.Recorder.SetDelivery(context.WithoutCancel(ctx), m.ID, d); rerr != nil {
			a.log.Error("delivery not recorded", slog.Any("error", rerr))
		}
	}
}

// sendIM answers in the customer's private conversation, within 24 hours of
// their last message.
func (a *Adapter) sendIM(ctx context.Context, user, text string) error {
	a.mu.Lock()
	c, ok := a.im[user]
	a.mu.Unlock()
	if !ok || a.cfg.Now().Sub(c.at) > imWindow {
		return appliance.Errorf(appliance.ECONFLICT, "no_conversation", "the customer has no private conversation open in the last 24 hours")
	}
	in := map[string]any{"msg_id": c.msgID, "conversation_id": c.conversationID, "to_user_id": user, "scene": "im_reply_msg",
		"content": map[string]any{"msg_type": 1, "text": map[string]string{"text": text}}}
	return a.api.post(ctx, "im/send/msg/", url.Values{"open_id": {a.cfg.AccountOpenID}}, in, nil)
}

// Name returns the private-message channel name.
func (a *Adapter) Name() string { return a.cfg.Name }

// Namespace returns the client_key the customers' open_ids belong to.
func (a *Adapter) Namespace() string { return a.cfg.ClientKey }

// Deliver sends a private message to a customer who wrote in the last 24 hours.
func (a *Adapter) Deliver(ctx context.Context, to *appliance.Identity, m *appliance.Message) error {
	if to == nil || to.Kind != appliance.IdentityDouyin || to.Namespace != a.cfg.ClientKey {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "%s delivers to open_ids of %s", a.cfg.Name, a.cfg.ClientKey)
	}
	if m.Kind == appliance.KindNote || m.Text == "" {
		return appliance.Errorf(appliance.EINVALID, "not_deliverable", "only customer-visible text can be sent")
	}
	return a.sendIM(ctx, to.Value, m.Text)
}

// Comments returns the channel answering the customer's last comment
// publicly (through the Policy), for agent replies in comment conversations.
func (a *Adapter) Comments() *CommentChannel { return &CommentChannel{a} }

// CommentChannel is the appliance.Channel of public comment answers.
type CommentChannel struct{ a *Adapter }

// Name returns the comment channel name.
func (c *CommentChannel) Name() string { return c.a.cfg.Name + "_comment" }

// Namespace returns the client_key.
func (c *CommentChannel) Namespace() string { return c.a.cfg.ClientKey }

// Deliver answers the customer's last comment publicly.
func (c *CommentChannel) Deliver(ctx context.Context, to *appliance.Identity, m *appliance.Message) error {
	if to == nil || to.Kind != appliance.IdentityDouyin || to.Namespace != c.a.cfg.ClientKey {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "not a customer of %s", c.a.cfg.ClientKey)
	}
	c.a.mu.Lock()
	cc := c.a.comments[to.Value]
	c.a.mu.Unlock()
	return c.a.answerComment(ctx, to.Value, cc.text, m.Text)
}

// Wait blocks until background handling is done.
func (a *Adapter) Wait() { a.work.Wait() }
