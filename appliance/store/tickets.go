package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"kefu/appliance"
)

type ticketRow struct {
	ID             int64 `gorm:"primaryKey"`
	Type           string
	Status         string
	Title          string
	Body           string
	CustomerID     int64
	ConversationID int64
	Channel        string
	AssigneeID     int64
	Data           *string
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (ticketRow) TableName() string { return "tickets" }

// ticketRow makes the row of a ticket; its title, body and data (what the
// customer reported, order numbers, amounts) are encrypted at rest like
// messages.
func (s *Store) ticketRow(t *appliance.Ticket) ticketRow {
	r := ticketRow{ID: t.ID, Type: t.Type, Status: t.Status, Title: s.encrypt(t.Title), Body: s.encrypt(t.Body), CustomerID: t.CustomerID,
		ConversationID: t.ConversationID, Channel: t.Channel, AssigneeID: t.AssigneeID, CreatedBy: t.CreatedBy,
		CreatedAt: utc(t.CreatedAt), UpdatedAt: utc(t.UpdatedAt)}
	if len(t.Data) > 0 {
		b, _ := json.Marshal(t.Data)
		r.Data = strPtr(s.encrypt(string(b)))
	}
	return r
}

func (s *Store) ticket(r *ticketRow) *appliance.Ticket {
	t := &appliance.Ticket{ID: r.ID, Type: r.Type, Status: r.Status, Title: s.decrypt(r.Title), Body: s.decrypt(r.Body), CustomerID: r.CustomerID,
		ConversationID: r.ConversationID, Channel: r.Channel, AssigneeID: r.AssigneeID, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Data != nil {
		_ = json.Unmarshal([]byte(s.decrypt(*r.Data)), &t.Data)
	}
	return t
}

// CreateTicket stores a new ticket.
func (s *Store) CreateTicket(ctx context.Context, t *appliance.Ticket) error {
	row := s.ticketRow(t)
	row.ID = 0
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: unable to create ticket: %w", err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return nil
}

// Ticket returns a ticket.
func (s *Store) Ticket(ctx context.Context, id int64) (*appliance.Ticket, error) {
	var row ticketRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("ticket", err)
	}
	return s.ticket(&row), nil
}

// LockTicket re-reads a ticket inside a transaction, locking its row on
// MySQL, so two agents cannot move it at once.
func (s *Store) LockTicket(ctx context.Context, id int64) (*appliance.Ticket, error) {
	q := s.conn(ctx)
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row ticketRow
	if err := q.Take(&row, id).Error; err != nil {
		return nil, notFound("ticket", err)
	}
	return s.ticket(&row), nil
}

// UpdateTicket writes a ticket's changeable fields.
func (s *Store) UpdateTicket(ctx context.Context, t *appliance.Ticket) error {
	row := s.ticketRow(t)
	res := s.conn(ctx).Model(&ticketRow{ID: t.ID}).Select("status", "title", "body", "assignee_id", "data", "updated_at").Updates(row)
	if res.Error != nil {
		return fmt.Errorf("store: unable to update ticket: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "ticket_not_found", "ticket not found")
	}
	return nil
}

// ListTickets lists tickets, newest first.
func (s *Store) ListTickets(ctx context.Context, f appliance.TicketFilter) ([]*appliance.Ticket, error) {
	q := s.conn(ctx).Model(&ticketRow{})
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []ticketRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list tickets: %w", err)
	}
	out := make([]*appliance.Ticket, len(rows))
	for i := range rows {
		out[i] = s.ticket(&rows[i])
	}
	return out, nil
}

type ticketEventRow struct {
	ID          int64 `gorm:"primaryKey"`
	TicketID    int64
	FromStatus  string
	ToStatus    string
	Actor       string
	ActorName   string
	Note        string
	NotifyState string
	TellState   string
	Attempts    int
	CreatedAt   time.Time
}

func (ticketEventRow) TableName() string { return "ticket_events" }

// ticketEvent reads a ticket's history entry; its note (what the agent or
// customer wrote at that step) is encrypted at rest.
func (s *Store) ticketEvent(r ticketEventRow) *appliance.TicketEvent {
	return &appliance.TicketEvent{ID: r.ID, TicketID: r.TicketID, From: r.FromStatus, To: r.ToStatus, Actor: r.Actor,
		ActorName: r.ActorName, Note: s.decrypt(r.Note), Notify: r.NotifyState, Tell: r.TellState, Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC()}
}

// CreateTicketEvent records a ticket's creation or transition.
func (s *Store) CreateTicketEvent(ctx context.Context, e *appliance.TicketEvent) error {
	row := ticketEventRow{TicketID: e.TicketID, FromStatus: e.From, ToStatus: e.To, Actor: e.Actor, ActorName: e.ActorName,
		Note: s.encrypt(e.Note), NotifyState: e.Notify, TellState: e.Tell, Attempts: e.Attempts, CreatedAt: utc(e.CreatedAt)}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: unable to record ticket event: %w", err)
	}
	e.ID, e.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// TicketEvents returns a ticket's history, oldest first.
func (s *Store) TicketEvents(ctx context.Context, ticketID int64) ([]*appliance.TicketEvent, error) {
	var rows []ticketEventRow
	if err := s.conn(ctx).Where("ticket_id = ?", ticketID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list ticket events: %w", err)
	}
	out := make([]*appliance.TicketEvent, len(rows))
	for i, r := range rows {
		out[i] = s.ticketEvent(r)
	}
	return out, nil
}

// PendingTicketEvents returns events whose departments or customer are still
// to be told, oldest first.
func (s *Store) PendingTicketEvents(ctx context.Context, limit int) ([]*appliance.TicketEvent, error) {
	var rows []ticketEventRow
	if err := s.conn(ctx).Where("notify_state = ? OR tell_state = ?", appliance.NotePending, appliance.NotePending).
		Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list pending ticket events: %w", err)
	}
	out := make([]*appliance.TicketEvent, len(rows))
	for i, r := range rows {
		out[i] = s.ticketEvent(r)
	}
	return out, nil
}

// SetTicketEventDelivery records how an event's notifications went.
func (s *Store) SetTicketEventDelivery(ctx context.Context, id int64, notify, tell string, attempts int) error {
	err := s.conn(ctx).Model(&ticketEventRow{ID: id}).Updates(map[string]any{"notify_state": notify, "tell_state": tell, "attempts": attempts}).Error
	if err != nil {
		return fmt.Errorf("store: unable to update ticket event: %w", err)
	}
	return nil
}

type playbookDocRow struct {
	Name      string `gorm:"primaryKey"`
	Body      string
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
}

func (playbookDocRow) TableName() string { return "playbook_documents" }

// PlaybookDocuments returns every edited document.
func (s *Store) PlaybookDocuments(ctx context.Context) ([]*appliance.PlaybookDocument, error) {
	var rows []playbookDocRow
	if err := s.conn(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list playbook documents: %w", err)
	}
	out := make([]*appliance.PlaybookDocument, len(rows))
	for i, r := range rows {
		out[i] = &appliance.PlaybookDocument{Name: r.Name, Body: r.Body, Version: r.Version, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// SavePlaybookDocument stores a new version of a document; version must be
// the stored version plus one (0 → 1 for a first edit), so two admins
// editing at once cannot overwrite each other silently.
func (s *Store) SavePlaybookDocument(ctx context.Context, d *appliance.PlaybookDocument) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		var cur playbookDocRow
		q := s.conn(ctx)
		if s.dialect == MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		err := q.Where("name = ?", d.Name).Take(&cur).Error
		switch {
		case err == nil:
			if d.Version != cur.Version+1 {
				return conflict("document_changed", "the document was changed by someone else; reload it")
			}
			return s.conn(ctx).Model(&playbookDocRow{}).Where("name = ?", d.Name).
				Updates(map[string]any{"body": d.Body, "version": d.Version, "updated_by": d.UpdatedBy, "updated_at": utc(d.UpdatedAt)}).Error
		case appliance.IsNotFound(notFound("document", err)):
			if d.Version != 1 {
				return conflict("document_changed", "the document was changed by someone else; reload it")
			}
			return s.conn(ctx).Create(&playbookDocRow{Name: d.Name, Body: d.Body, Version: 1, UpdatedBy: d.UpdatedBy, UpdatedAt: utc(d.UpdatedAt)}).Error
		default:
			return fmt.Errorf("store: unable to read playbook document: %w", err)
		}
	})
}
