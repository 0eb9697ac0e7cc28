package appliance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kefu/knowledge"
	"kefu/nlu"
)

// Inbound is a customer message as a channel adapter hands it over,
// normalized across channels.
type Inbound struct {
	Channel   string // "web", "app", "wechat_oa", ...
	MessageID string // the channel's own id: retries of one delivery share it
	Identity  Identity
	// Also lists further identities the channel vouches for as the same
	// person (a WeChat unionid next to the openid, a verified phone); verified
	// ones let the appliance join this customer to an existing record.
	Also        []Identity
	DisplayName string // a name the channel knows, if any
	Kind        MessageKind
	Text        string
	Attachments []Attachment
	// Context carries channel-supplied facts about the conversation, e.g. the
	// order number a mini program passes in its session-from parameter.
	Context map[string]string
	// SyncReply is set by adapters that hand the replies back themselves
	// (the app API in its response, a WeChat passive reply, a public Douyin
	// comment answer). On a pull channel (no Channel registered) the replies
	// count as delivered once stored; on a push channel they are stored
	// pending, the engine does not send them, and the adapter records the
	// outcome with SetDelivery — a crash in between leaves them pending for
	// Redeliver.
	SyncReply bool
}

// Outcome is what became of an inbound message.
type Outcome struct {
	Conversation *Conversation
	Message      *Message
	Replies      []*Message
	// Duplicate is set when the message had been accepted before: nothing new
	// was stored and the replies are the ones given the first time.
	Duplicate bool
}

// EngineConfig wires an Engine.
type EngineConfig struct {
	Store     Store
	NLU       Understander
	Knowledge Answerer
	Notifier  Notifier
	Metrics   Metrics
	Channels  []Channel
	// Steps is the bot's policy; nil means DefaultSteps().
	Steps []Step
	// Actions runs business actions; nil means intents with actions fall
	// back to the knowledge base.
	Actions Actions
	// Playbooks is the industry policy (verification, disclosure, bindings,
	// personalization); nil leaves the playbook steps idle.
	Playbooks Playbooks
	// Tickets creates the tickets a turn opens; nil drops them with a warning.
	Tickets Tickets
	Texts   *Texts
	Logger  *slog.Logger
	Now     func() time.Time
	// MaxTextRunes bounds an inbound text; longer texts are refused.
	MaxTextRunes int
	// NLUTimeout bounds one NLU call; on timeout the engine goes on without it.
	NLUTimeout time.Duration
	// Handoff configures the hand-off rules (handoff_rules.go); nil keeps
	// only explicit requests and the intents' policy.
	Handoff *HandoffConfig
	// SharedLock, in a cluster, locks a customer across nodes (held while
	// this node's own lock is); nil on a single node.
	SharedLock func(ctx context.Context, customerID int64) (unlock func(), err error)
}

// Engine carries inbound messages through the pipeline of DESIGN.md:
// identity → conversation → NLU → policy → reply → record. It also owns the
// conversation's state changes (hand-off, take-over, close) so the bot and
// the agents never disagree about who owns a conversation.
type Engine struct {
	store    Store
	nlu      Understander
	kb       Answerer
	notifier Notifier
	metrics  Metrics
	channels map[string]Channel
	steps    []Step
	actions  Actions
	books    Playbooks
	tickets  Tickets
	texts    *Texts
	log      *slog.Logger
	now      func() time.Time
	maxRunes int
	nluWait  time.Duration
	handoff  *HandoffConfig

	locks    keyedMutex
	delivery sync.WaitGroup
}

// NewEngine returns an engine; nil collaborators get harmless defaults.
func NewEngine(cfg EngineConfig) *Engine {
	e := &Engine{store: cfg.Store, nlu: cfg.NLU, kb: cfg.Knowledge, notifier: cfg.Notifier,
		metrics: cfg.Metrics, texts: cfg.Texts, log: cfg.Logger, now: cfg.Now,
		maxRunes: cfg.MaxTextRunes, nluWait: cfg.NLUTimeout, channels: map[string]Channel{},
		steps: cfg.Steps, actions: cfg.Actions, books: cfg.Playbooks, tickets: cfg.Tickets,
		handoff: cfg.Handoff, locks: keyedMutex{shared: cfg.SharedLock}}
	if e.steps == nil {
		e.steps = DefaultSteps()
	}
	if e.nlu == nil {
		e.nlu = nlu.Rules{}
	}
	if e.kb == nil {
		e.kb = knowledge.NewFAQMatcher(nil)
	}
	if e.notifier == nil {
		e.notifier = nopNotifier{}
	}
	if e.metrics == nil {
		e.metrics = nopMetrics{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxRunes <= 0 {
		e.maxRunes = 4000
	}
	if e.nluWait <= 0 {
		e.nluWait = 3 * time.Second
	}
	for _, c := range cfg.Channels {
		e.channels[c.Name()] = c
	}
	return e
}

// Wait blocks until asynchronous deliveries started so far have finished;
// called at shutdown so no accepted reply is dropped in flight.
func (e *Engine) Wait() { e.delivery.Wait() }

// DedupeKey is the idempotency key of an inbound message: the channel, the
// sender and the channel's message id. Scoping by sender keeps one app user's
// message ids from colliding with another's.
func DedupeKey(channel string, id Identity, messageID string) string {
	h := sha256.Sum256([]byte(channel + "\x00" + string(id.Kind) + "\x00" + id.Namespace + "\x00" + id.Value + "\x00" + messageID))
	return hex.EncodeToString(h[:])
}

func (e *Engine) validate(in *Inbound) error {
	in.Text = trimText(in.Text)
	if in.Channel == "" {
		return Errorf(EINVALID, "missing_channel", "channel is required")
	}
	if strings.TrimSpace(in.Identity.Value) == "" || in.Identity.Kind == "" {
		return Errorf(EINVALID, "missing_sender", "the sender's identity is required")
	}
	if strings.TrimSpace(in.MessageID) == "" {
		return Errorf(EINVALID, "missing_message_id", "message_id is required")
	}
	if len(in.MessageID) > 128 {
		return Errorf(EINVALID, "message_id_too_long", "message_id must be at most 128 characters")
	}
	if in.Kind == "" {
		in.Kind = KindText
	}
	if in.Text == "" && len(in.Attachments) == 0 && in.Kind == KindText {
		return Errorf(EINVALID, "empty_message", "the message has no text")
	}
	if n := utf8.RuneCountInString(in.Text); n > e.maxRunes {
		return Errorf(EINVALID, "message_too_long", "the message has %d characters, at most %d are accepted", n, e.maxRunes)
	}
	return nil
}

// Receive accepts one inbound message, stores it exactly once, and answers
// it unless a human owns the conversation. A retried delivery of the same
// message gets the stored outcome back and stores nothing new.
func (e *Engine) Receive(ctx context.Context, in Inbound) (*Outcome, error) {
	if err := e.validate(&in); err != nil {
		return nil, err
	}
	key := DedupeKey(in.Channel, in.Identity, in.MessageID)
	prev, err := e.byDedupeKey(ctx, key)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.Handled {
		return e.stored(ctx, prev)
	}

	var customerID int64
	var ident *Identity
	if prev != nil {
		customerID = prev.CustomerID
	} else if customerID, ident, err = e.resolve(ctx, &in); err != nil {
		return nil, err
	}
	// One customer's messages are handled one at a time, so replies follow
	// the question they answer and the dialogue state is never written twice.
	customerID, unlock, err := e.lockCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Another delivery of the same message may have won the race for the lock,
	// or the process may have stopped after accepting it.
	if prev, err = e.byDedupeKey(ctx, key); err != nil {
		return nil, err
	}
	if prev != nil {
		return e.resume(ctx, prev, in.SyncReply)
	}
	if ident == nil {
		if _, ident, err = e.store.ResolveIdentity(ctx, in.Identity, in.DisplayName); err != nil {
			return nil, err
		}
	}

	var conv *Conversation
	msg := &Message{CustomerID: customerID, Channel: in.Channel, Sender: SenderCustomer, Kind: in.Kind,
		Text: in.Text, ChannelMsgID: in.MessageID, CreatedAt: e.now()}
	if p := inboundPayload(in); len(p) > 0 {
		msg.Payload, _ = json.Marshal(p)
	}
	created := false
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		conv, created, err = e.openConversation(ctx, customerID, in.Channel, ident.ID)
		if err != nil {
			return err
		}
		msg.ConversationID = conv.ID
		if err := e.store.CreateMessage(ctx, msg, key); err != nil {
			return err
		}
		conv.LastChannel, conv.LastIdentityID = in.Channel, ident.ID
		conv.LastMessageAt, conv.UpdatedAt = msg.CreatedAt, msg.CreatedAt
		return e.store.UpdateConversation(ctx, conv)
	})
	if IsConflict(err) {
		// Accepted by another node between our check and our insert.
		if prev, err = e.byDedupeKey(ctx, key); err == nil && prev != nil {
			return e.resume(ctx, prev, in.SyncReply)
		}
	}
	if err != nil {
		return nil, err
	}
	e.metrics.MessageIn(in.Channel)
	if created {
		e.notifier.Publish(Event{Type: EventConversation, Conversation: conv})
	}
	// Listeners get a copy: handle goes on to record the decision on msg.
	published := *msg
	e.notifier.Publish(Event{Type: EventMessage, Message: &published})
	return e.handle(ctx, conv, msg, in.SyncReply)
}

func inboundPayload(in Inbound) map[string]any {
	p := map[string]any{}
	if len(in.Attachments) > 0 {
		p["attachments"] = in.Attachments
	}
	if len(in.Context) > 0 {
		p["context"] = in.Context
	}
	return p
}

func (e *Engine) byDedupeKey(ctx context.Context, key string) (*Message, error) {
	m, err := e.store.MessageByDedupeKey(ctx, key)
	if IsNotFound(err) {
		return nil, nil
	}
	return m, err
}

// resume returns the outcome of an accepted message, finishing its handling
// first when the process stopped before it was answered. The caller holds the
// customer's lock.
func (e *Engine) resume(ctx context.Context, msg *Message, syncReply bool) (*Outcome, error) {
	if msg.Handled {
		return e.stored(ctx, msg)
	}
	conv, err := e.store.Conversation(ctx, msg.ConversationID)
	if err != nil {
		return nil, err
	}
	out, err := e.handle(ctx, conv, msg, syncReply)
	if out != nil {
		out.Duplicate = true
	}
	return out, err
}

// stored returns the outcome recorded for a handled message.
func (e *Engine) stored(ctx context.Context, msg *Message) (*Outcome, error) {
	conv, err := e.store.Conversation(ctx, msg.ConversationID)
	if err != nil {
		return nil, err
	}
	replies, err := e.store.Replies(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	return &Outcome{Conversation: conv, Message: msg, Replies: replies, Duplicate: true}, nil
}

// openConversation returns the customer's open conversation or starts one.
func (e *Engine) openConversation(ctx context.Context, customerID int64, channel string, identityID int64) (*Conversation, bool, error) {
	conv, err := e.store.OpenConversation(ctx, customerID)
	if err == nil {
		return conv, false, nil
	}
	if !IsNotFound(err) {
		return nil, false, err
	}
	now := e.now()
	conv = &Conversation{CustomerID: customerID, Channel: channel, LastChannel: channel, Status: StatusBot,
		LastIdentityID: identityID, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
	if err := e.store.CreateConversation(ctx, conv); err != nil {
		return nil, false, err
	}
	return conv, true, nil
}

// handle runs the policy on an accepted inbound message and stores the
// replies, the decision, the hand-off and the new dialogue state together.
func (e *Engine) handle(ctx context.Context, conv *Conversation, msg *Message, syncReply bool) (*Outcome, error) {
	out := &Outcome{Conversation: conv, Message: msg}
	if conv.Status.HumanOwned() {
		msg.Decision = &Decision{Policy: PolicyHumanOwned}
		if err := e.store.WithTx(ctx, func(ctx context.Context) error {
			return e.markHandled(ctx, msg)
		}); err != nil {
			return nil, err
		}
		return out, nil
	}

	t, err := e.newTurn(ctx, conv, msg)
	if err != nil {
		return nil, err
	}
	for _, step := range e.steps {
		done, err := step.Run(ctx, e, t)
		if err != nil {
			return nil, fmt.Errorf("policy step %s: %w", step.Name(), err)
		}
		if done {
			break
		}
	}
	if t.Decision.Policy == "" {
		// No step settled the turn: say so rather than stay silent.
		t.Settle(PolicyDontKnow)
		t.Say(e.texts.Get("dont_know", t.Lang))
	}
	if err := e.afterPolicy(ctx, t); err != nil {
		return nil, fmt.Errorf("hand-off policy: %w", err)
	}
	e.apologize(t)
	state := t.Dialogue.State
	state.UpdatedAt, state.Lang = e.now(), t.Lang
	t.Decision.Dialogue = dialogueTrace(t.Dialogue)
	if t.Handoff != nil {
		t.Decision.Handoff = t.Handoff.Reason
	}

	// On a push channel every reply starts pending. When the adapter answers
	// in its own response (a WeChat passive reply, a public comment answer)
	// it records the delivery itself and the engine does not send; a crash
	// before it did leaves the reply pending for Redeliver. Pull and hub
	// channels (the app API, the widget) have the reply once it is stored.
	delivery, selfDelivered := DeliverySent, false
	if e.channels[msg.Channel] != nil {
		delivery, selfDelivered = DeliveryPending, syncReply
	}
	var stored []*Message
	changed := false
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		stored = stored[:0]
		if err := e.openTickets(ctx, t); err != nil {
			return err
		}
		// Effects run once the tickets exist and before the replies are
		// stored, so a reply can name the ticket it opened.
		for _, fx := range t.Effects {
			if err := fx(ctx); err != nil {
				return err
			}
		}
		for _, r := range t.Replies {
			sender := r.Sender
			if sender == "" {
				sender = SenderBot
			}
			m := &Message{ConversationID: conv.ID, CustomerID: msg.CustomerID, Channel: msg.Channel, Sender: sender,
				Kind: KindText, Text: r.Text, Payload: payloadJSON(r.Payload), ReplyTo: msg.ID, Delivery: delivery, CreatedAt: e.now()}
			if err := e.store.CreateMessage(ctx, m, ""); err != nil {
				return err
			}
			stored = append(stored, m)
		}
		if t.Handoff != nil {
			c, err := e.store.LockConversation(ctx, conv.ID)
			if err != nil {
				return err
			}
			if c.Status == StatusBot {
				now := e.now()
				c.Status, c.HandoffReason, c.HandoffAt, c.UpdatedAt = StatusQueued, t.Handoff.Reason, &now, now
				c.SkillGroup, c.Priority = t.Handoff.SkillGroup, t.Handoff.Priority
				if err := e.store.UpdateConversation(ctx, c); err != nil {
					return err
				}
				conv, changed = c, true
			}
		}
		for _, a := range t.Audit {
			if a.CreatedAt.IsZero() {
				a.CreatedAt = e.now()
			}
			if err := e.store.RecordAudit(ctx, a); err != nil {
				return err
			}
		}
		if err := e.store.SaveDialogueState(ctx, msg.CustomerID, &state); err != nil {
			return err
		}
		msg.Decision = t.Decision
		return e.markHandled(ctx, msg)
	})
	if err != nil {
		return nil, err
	}
	out.Conversation, out.Replies = conv, stored
	if changed {
		e.metrics.HandedOff(t.Handoff.Reason)
		e.notifier.Publish(Event{Type: EventConversation, Conversation: conv})
	}
	for _, r := range stored {
		e.metrics.MessageOut(r.Channel, r.Sender)
		e.notifier.Publish(Event{Type: EventMessage, Message: r})
		if r.Delivery == DeliveryPending && !selfDelivered {
			e.deliverAsync(conv, r)
		}
	}
	return out, nil
}

// newTurn gathers what the policy needs about an inbound message.
func (e *Engine) newTurn(ctx context.Context, conv *Conversation, msg *Message) (*Turn, error) {
	state, err := e.store.DialogueState(ctx, msg.CustomerID)
	if err != nil {
		return nil, err
	}
	cust, err := e.store.Customer(ctx, msg.CustomerID)
	if err != nil {
		return nil, err
	}
	t := &Turn{Conversation: conv, Message: msg, Customer: cust, Lang: DetectLangOr(msg.Text, state.Lang), State: state,
		Decision: &Decision{}, Context: messageContext(msg)}
	t.Decision.Lang = t.Lang
	t.Dialogue = nlu.Turn{State: *state}
	return t, nil
}

// messageContext reads the channel context stored in a message's payload.
func messageContext(m *Message) map[string]string {
	var p struct {
		Context map[string]string `json:"context"`
	}
	if len(m.Payload) > 0 {
		_ = json.Unmarshal(m.Payload, &p)
	}
	if p.Context == nil {
		p.Context = map[string]string{}
	}
	return p.Context
}

func (e *Engine) markHandled(ctx context.Context, msg *Message) error {
	msg.Handled = true
	return e.store.MarkHandled(ctx, msg.ID, msg.Decision)
}

// understand runs NLU under a deadline; a failing NLU degrades to "no intent"
// instead of failing the message.
func (e *Engine) understand(ctx context.Context, msg *Message, lang string, state *nlu.State) nlu.Result {
	ctx, cancel := context.WithTimeout(ctx, e.nluWait)
	defer cancel()
	start := e.now()
	res, err := e.nlu.Parse(ctx, nlu.Input{Text: msg.Text, Lang: lang, Channel: msg.Channel, State: state})
	if err != nil {
		reason := "nlu_error"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "nlu_timeout"
		}
		e.log.Warn("nlu failed", slog.String("reason", reason), slog.Any("error", err))
		res = nlu.Result{Trace: nlu.Trace{Engine: "none", Degraded: reason}}
	}
	if res.Trace.Latency == 0 {
		res.Trace.Latency = e.now().Sub(start)
	}
	e.metrics.Understood(res.Trace.Engine, res.Trace.Latency, res.Trace.Degraded)
	return res
}

type nopNotifier struct{}

func (nopNotifier) Publish(Event) {}

type nopMetrics struct{}

func (nopMetrics) MessageIn(string)                         {}
func (nopMetrics) MessageOut(string, Sender)                {}
func (nopMetrics) Understood(string, time.Duration, string) {}
func (nopMetrics) HandedOff(string)                         {}

func trimText(s string) string {
	return strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD"))
}
