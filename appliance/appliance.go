package appliance

import (
	"context"
	"time"

	"kefu/knowledge"
	"kefu/nlu"
)

// This file names the interfaces the domain core needs from the outside world.
// Each is small and defined here, by its consumer; implementations live in
// appliance/store (GORM), console (real-time hub), connectors (channels),
// nlu and knowledge.

// Transactor runs fn in one database transaction carried by the context; store
// methods called with that context join it.
type Transactor interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// CustomerStore keeps customers and their channel identities.
type CustomerStore interface {
	// ResolveIdentity returns the customer an identity belongs to, creating
	// both when the identity is new. Safe to call concurrently for the same
	// identity: exactly one customer is created.
	ResolveIdentity(ctx context.Context, id Identity, displayName string) (*Customer, *Identity, error)
	Customer(ctx context.Context, id int64) (*Customer, error)
	Identity(ctx context.Context, id int64) (*Identity, error)
}

// ConversationFilter selects conversations for lists.
type ConversationFilter struct {
	Statuses   []ConversationStatus
	AssigneeID int64
	CustomerID int64
	Limit      int
	BeforeID   int64 // paging: only ids below this
	// ByID lists newest first by id rather than by last activity, so
	// paging with BeforeID visits every conversation exactly once.
	ByID bool
}

// ConversationStore keeps conversations.
type ConversationStore interface {
	// OpenConversation returns the customer's open conversation, ENOTFOUND when none.
	OpenConversation(ctx context.Context, customerID int64) (*Conversation, error)
	CreateConversation(ctx context.Context, c *Conversation) error
	UpdateConversation(ctx context.Context, c *Conversation) error
	Conversation(ctx context.Context, id int64) (*Conversation, error)
	// LockConversation re-reads a conversation inside a transaction, locking
	// its row on databases that can (MySQL), so state changes do not race.
	LockConversation(ctx context.Context, id int64) (*Conversation, error)
	ListConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error)
	// IdleConversations returns bot-owned conversations whose last message
	// is older than before.
	IdleConversations(ctx context.Context, before time.Time, limit int) ([]*Conversation, error)
}

// MessageFilter selects messages.
type MessageFilter struct {
	ConversationID int64
	CustomerID     int64
	AfterID        int64 // only ids above this (resume cursor)
	CustomerOnly   bool  // only what the customer may see (no internal notes)
	Limit          int
}

// MessageStore keeps messages.
type MessageStore interface {
	// CreateMessage stores a message. For an inbound message whose dedupe key
	// already exists it returns an ECONFLICT error and stores nothing.
	CreateMessage(ctx context.Context, m *Message, dedupeKey string) error
	MessageByDedupeKey(ctx context.Context, key string) (*Message, error)
	Message(ctx context.Context, id int64) (*Message, error)
	// Replies returns the messages written in reply to an inbound message, in order.
	Replies(ctx context.Context, inboundID int64) ([]*Message, error)
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)
	// MarkHandled records that an inbound message went through the pipeline,
	// with the decision taken on it.
	MarkHandled(ctx context.Context, id int64, d *Decision) error
	SetDelivery(ctx context.Context, id int64, d Delivery) error
	// PendingDeliveries returns outbound messages not yet handed to their
	// push channel, oldest first.
	PendingDeliveries(ctx context.Context, limit int) ([]*Message, error)
	// Unhandled returns inbound messages accepted but never carried through
	// the pipeline (the process stopped in between), oldest first.
	Unhandled(ctx context.Context, limit int) ([]*Message, error)
}

// StateStore keeps each customer's dialogue state.
type StateStore interface {
	// DialogueState returns the customer's state, or a zero state when none.
	DialogueState(ctx context.Context, customerID int64) (*nlu.State, error)
	SaveDialogueState(ctx context.Context, customerID int64, s *nlu.State) error
}

// AuditLog records privileged actions.
type AuditLog interface {
	RecordAudit(ctx context.Context, e *AuditEntry) error
}

// Store is everything the engine needs from storage.
type Store interface {
	Transactor
	CustomerStore
	ConversationStore
	MessageStore
	StateStore
	AuditLog
}

// Understander is the NLU the engine consults; nlu.Engine satisfies it.
type Understander = nlu.Engine

// Answerer is the knowledge base the engine consults; knowledge.Answerer satisfies it.
type Answerer = knowledge.Answerer

// Channel delivers outbound messages to customers on a push channel (WeChat,
// WeCom, Douyin, ...). Pull channels (the app API) and channels served by the
// real-time hub (the web widget) need no Channel: a stored message is
// delivered there.
type Channel interface {
	Name() string
	Deliver(ctx context.Context, to *Identity, m *Message) error
}

// Event is a change the console and the widget see in real time.
type Event struct {
	Type         string        `json:"type"` // see the Event* constants
	Message      *Message      `json:"message,omitempty"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Alert        *Alert        `json:"alert,omitempty"`
	Typing       *Typing       `json:"typing,omitempty"`
	// Changed names what an administrator changed (EventChanged): one of
	// the Changed* constants.
	Changed string `json:"changed,omitempty"`
	// Subject is what the change is about, where it names one thing (the
	// username and address of a failed login).
	Subject string `json:"subject,omitempty"`
}

// Event types.
const (
	EventMessage      = "message.created"
	EventConversation = "conversation.updated"
	EventAlert        = "alert"
	EventTyping       = "typing"
	// EventChanged tells the other nodes of a cluster to reload what an
	// administrator changed through this one; it never reaches a socket.
	EventChanged = "changed"
)

// What an EventChanged names.
const (
	ChangedKnowledge = "knowledge"   // knowledge items: the index to sync
	ChangedCatalog   = "nlu_catalog" // the intent catalog: the model to retrain
	ChangedQARules   = "qa_rules"    // real-time QA rules
	ChangedChannels  = "channels"    // channel accounts: adapters to rebuild
	ChangedPlaybooks = "playbooks"   // playbook, action and ticket documents to re-apply
	// A failed console login and a successful one (Subject: the throttle's
	// key), so five wrong passwords lock an account on every node.
	ChangedLoginFailed = "login_failed"
	ChangedLoginReset  = "login_reset"
)

// Typing says someone is writing in a conversation: the customer (shown to
// agents) or an agent (shown to the customer). It is never stored.
type Typing struct {
	ConversationID int64     `json:"conversation_id,omitempty"`
	CustomerID     int64     `json:"customer_id"`
	From           Sender    `json:"from"` // customer or agent
	UserID         int64     `json:"user_id,omitempty"`
	At             time.Time `json:"at"`
}

// Alert is a real-time warning for agents and supervisors.
type Alert struct {
	Kind           string    `json:"kind"` // e.g. "waiting_too_long", "qa_rule"
	ConversationID int64     `json:"conversation_id,omitempty"`
	UserID         int64     `json:"user_id,omitempty"` // the agent it concerns, 0 for supervisors only
	Text           string    `json:"text"`
	CreatedAt      time.Time `json:"created_at"`
}

// Notifier publishes events to whoever listens in real time.
type Notifier interface {
	Publish(e Event)
}

// Metrics counts what the engine does; console exposes it to Prometheus.
type Metrics interface {
	MessageIn(channel string)
	MessageOut(channel string, sender Sender)
	Understood(engine string, d time.Duration, degraded string)
	HandedOff(reason string)
}
