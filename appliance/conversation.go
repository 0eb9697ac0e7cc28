package appliance

import "time"

// ConversationStatus is who owns a conversation right now.
type ConversationStatus string

const (
	StatusBot      ConversationStatus = "bot"      // the bot answers
	StatusQueued   ConversationStatus = "queued"   // handed off, waiting for an agent; the bot is silent
	StatusAssigned ConversationStatus = "assigned" // an agent owns it; the bot is silent
	StatusClosed   ConversationStatus = "closed"   // ended; the customer's next message opens a new one
)

// Open reports whether messages still join this conversation.
func (s ConversationStatus) Open() bool { return s != StatusClosed }

// HumanOwned reports whether the bot must stay silent.
func (s ConversationStatus) HumanOwned() bool { return s == StatusQueued || s == StatusAssigned }

// Conversation is one episode of service for one customer. It may span
// channels: each message records the channel it came through.
type Conversation struct {
	ID            int64              `json:"id"`
	CustomerID    int64              `json:"customer_id"`
	Channel       string             `json:"channel"`      // the channel it started on
	LastChannel   string             `json:"last_channel"` // where the customer last wrote from; replies go there
	Status        ConversationStatus `json:"status"`
	AssigneeID    int64              `json:"assignee_id,omitempty"`
	SkillGroup    string             `json:"skill_group,omitempty"`
	Priority      int                `json:"priority"`
	HandoffReason string             `json:"handoff_reason,omitempty"`
	HandoffAt     *time.Time         `json:"handoff_at,omitempty"`
	AssignedAt    *time.Time         `json:"assigned_at,omitempty"`
	// FirstResponseAt is the first agent reply after the hand-off.
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ClosedBy        string     `json:"closed_by,omitempty"` // "agent", "customer", "idle"
	LastMessageAt   time.Time  `json:"last_message_at"`
	Summary         string     `json:"summary,omitempty"`
	// LastIdentityID is the identity the customer last wrote from; agent
	// replies are delivered to it.
	LastIdentityID int64     `json:"last_identity_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}
