package appliance

import "time"

// TicketEvent is one recorded step of a ticket's life: its creation or a
// transition, who made it, and whether the departments and the customer
// have been told (delivered after the change commits, retried until done).
type TicketEvent struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	From      string    `json:"from,omitempty"` // empty for the creation
	To        string    `json:"to"`
	Actor     string    `json:"actor"` // bot, agent:<id>, action:<name>, system
	ActorName string    `json:"actor_name,omitempty"`
	Note      string    `json:"note,omitempty"`
	Notify    string    `json:"notify,omitempty"` // department webhooks: "", pending, sent, failed
	Tell      string    `json:"tell,omitempty"`   // the customer: "", pending, sent, failed
	Attempts  int       `json:"attempts,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery states of a ticket event's notifications.
const (
	NotePending = "pending"
	NoteSent    = "sent"
	NoteFailed  = "failed"
)

// PlaybookDocument is an edited configuration document (a playbook, the
// business actions, the ticket types), stored so edits survive restarts.
type PlaybookDocument struct {
	Name      string    `json:"name"`
	Body      string    `json:"body"`
	Version   int       `json:"version"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}
