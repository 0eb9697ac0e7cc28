package appliance

import (
	"context"
	"time"
)

// This file names what the appliance needs from the enterprise's own
// systems and from the ticket desk, so the hand-off workspace (profile
// panel, after-hours messages) and the playbooks (actions, tickets) meet on
// one vocabulary. connectors implements the business side; appliance/store
// and the ticket service implement tickets.

// Ticket is a case that outlives a conversation: a return to approve, a
// message left outside working hours, a refund to pay.
type Ticket struct {
	ID             int64          `json:"id"`
	Type           string         `json:"type"`   // configured ticket type: return, refund, message, ...
	Status         string         `json:"status"` // a state of the type's workflow: 待审核, 已审核, ...
	Title          string         `json:"title"`
	Body           string         `json:"body"`
	CustomerID     int64          `json:"customer_id"`
	ConversationID int64          `json:"conversation_id,omitempty"`
	Channel        string         `json:"channel,omitempty"` // where the customer is told of changes
	AssigneeID     int64          `json:"assignee_id,omitempty"`
	Data           map[string]any `json:"data,omitempty"` // order number, photos, amounts, ...
	CreatedBy      string         `json:"created_by"`     // bot, agent:<id>, action:<name>
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// TicketFilter selects tickets.
type TicketFilter struct {
	CustomerID int64
	Type       string
	Status     string
	Limit      int
	BeforeID   int64
}

// Tickets creates and lists tickets.
type Tickets interface {
	CreateTicket(ctx context.Context, t *Ticket) error
	ListTickets(ctx context.Context, f TicketFilter) ([]*Ticket, error)
}

// BusinessRecord is one thing the enterprise's systems hold about a
// customer: an order, a purchase, an enrolled course, an account.
type BusinessRecord struct {
	Kind   string            `json:"kind"` // order, purchase, course, account
	ID     string            `json:"id"`   // order number, course id, ...
	Title  string            `json:"title"`
	Status string            `json:"status,omitempty"`
	Amount string            `json:"amount,omitempty"` // as the business system writes it, e.g. "¥129.00"
	Date   time.Time         `json:"date,omitzero"`
	Detail map[string]string `json:"detail,omitempty"`
}

// BusinessProfile reads what the business systems know about a customer,
// for the agents' profile panel and for personalised answers.
type BusinessProfile interface {
	BusinessRecords(ctx context.Context, c *Customer) ([]BusinessRecord, error)
}
