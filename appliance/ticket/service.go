package ticket

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"
	"unicode/utf8"

	"kefu/appliance"
)

// Store is what the ticket desk keeps; appliance/store implements it.
type Store interface {
	appliance.Transactor
	appliance.AuditLog
	CreateTicket(ctx context.Context, t *appliance.Ticket) error
	Ticket(ctx context.Context, id int64) (*appliance.Ticket, error)
	LockTicket(ctx context.Context, id int64) (*appliance.Ticket, error)
	UpdateTicket(ctx context.Context, t *appliance.Ticket) error
	ListTickets(ctx context.Context, f appliance.TicketFilter) ([]*appliance.Ticket, error)
	CreateTicketEvent(ctx context.Context, e *appliance.TicketEvent) error
	TicketEvents(ctx context.Context, ticketID int64) ([]*appliance.TicketEvent, error)
	PendingTicketEvents(ctx context.Context, limit int) ([]*appliance.TicketEvent, error)
	SetTicketEventDelivery(ctx context.Context, id int64, notify, tell string, attempts int) error
}

// Teller tells a customer of a change in their conversation;
// appliance.Engine implements it.
type Teller interface {
	TellCustomer(ctx context.Context, convID int64, text string) (*appliance.Message, error)
}

// Options configure a Service.
type Options struct {
	Store  Store
	Teller Teller
	// Client builds the HTTP client for department webhooks, allowed to
	// reach exactly the given URLs' hosts (connectors.NewHTTPClient).
	Client func(urls ...string) (*http.Client, error)
	Logger *slog.Logger
	Now    func() time.Time
	// MaxAttempts bounds webhook retries per event; 0 means 5.
	MaxAttempts int
}

// Service is the ticket desk.
type Service struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
	cur  atomic.Pointer[loaded]
	kick chan struct{}
	mu   sync.Mutex // one Dispatch at a time
}

type loaded struct {
	cfg    *Config
	doc    []byte
	client *http.Client
}

// New returns the ticket desk with the given types document.
func New(opts Options, doc []byte) (*Service, error) {
	s := &Service{opts: opts, log: opts.Logger, now: opts.Now, kick: make(chan struct{}, 1)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.MaxAttempts <= 0 {
		s.opts.MaxAttempts = 5
	}
	if err := s.Load(doc); err != nil {
		return nil, err
	}
	return s, nil
}

// Load validates a ticket types document and makes it current.
func (s *Service) Load(doc []byte) error {
	cfg, err := Parse(doc)
	if err != nil {
		return err
	}
	var urls []string
	for _, d := range cfg.Departments {
		if d.Webhook != "" {
			urls = append(urls, d.Webhook)
		}
	}
	client := http.DefaultClient
	if s.opts.Client != nil {
		if client, err = s.opts.Client(urls...); err != nil {
			return fmt.Errorf("ticket: %w", err)
		}
	}
	s.cur.Store(&loaded{cfg: cfg, doc: append([]byte(nil), doc...), client: client})
	return nil
}

// Document returns the current types document.
func (s *Service) Document() []byte { return s.cur.Load().doc }

// Config returns the current configuration (read-only).
func (s *Service) Config() *Config { return s.cur.Load().cfg }

// CreateTicket implements appliance.Tickets: the ticket starts in its type's
// initial state; the creation is recorded and the departments are notified
// once it commits. It joins a transaction in ctx (the engine's turn).
func (s *Service) CreateTicket(ctx context.Context, t *appliance.Ticket) error {
	typ, ok := s.Config().Type(t.Type)
	if !ok {
		return appliance.Errorf(appliance.EINVALID, "unknown_ticket_type", "there is no ticket type %q", t.Type)
	}
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" {
		t.Title = typ.Title.Zh
	}
	if utf8.RuneCountInString(t.Title) > 200 {
		return appliance.Errorf(appliance.EINVALID, "title_too_long", "a ticket title has at most 200 characters")
	}
	if t.CustomerID <= 0 {
		return appliance.Errorf(appliance.EINVALID, "missing_customer", "a ticket belongs to a customer")
	}
	if t.CreatedBy == "" {
		t.CreatedBy = "system"
	}
	now := s.now()
	t.Status, t.CreatedAt, t.UpdatedAt = typ.Initial, now, now
	err := s.opts.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.opts.Store.CreateTicket(ctx, t); err != nil {
			return err
		}
		ev := &appliance.TicketEvent{TicketID: t.ID, To: t.Status, Actor: t.CreatedBy, CreatedAt: now}
		if s.hasWebhooks(typ.NotifyOnCreate) {
			ev.Notify = appliance.NotePending
		}
		if err := s.opts.Store.CreateTicketEvent(ctx, ev); err != nil {
			return err
		}
		return s.opts.Store.RecordAudit(ctx, &appliance.AuditEntry{ActorType: actorType(t.CreatedBy), Action: "ticket.create",
			TargetType: "ticket", TargetID: strconv.FormatInt(t.ID, 10), CreatedAt: now,
			Detail: map[string]any{"type": t.Type, "status": t.Status, "customer_id": t.CustomerID, "by": t.CreatedBy}})
	})
	if err != nil {
		return err
	}
	s.Kick()
	return nil
}

func actorType(by string) string {
	if strings.HasPrefix(by, "agent:") {
		return "user"
	}
	return "system"
}

// ListTickets implements appliance.Tickets.
func (s *Service) ListTickets(ctx context.Context, f appliance.TicketFilter) ([]*appliance.Ticket, error) {
	return s.opts.Store.ListTickets(ctx, f)
}

// InProgress lists a customer's tickets of one type that have not reached a
// final state of its workflow, newest first (at most the last 100 of the
// type are looked at).
func (s *Service) InProgress(ctx context.Context, customerID int64, typeName string) ([]*appliance.Ticket, error) {
	typ, ok := s.Config().Type(typeName)
	if !ok || customerID == 0 {
		return nil, nil
	}
	list, err := s.opts.Store.ListTickets(ctx, appliance.TicketFilter{CustomerID: customerID, Type: typeName, Limit: 100})
	if err != nil {
		return nil, err
	}
	var open []*appliance.Ticket
	for _, t := range list {
		if st, ok := typ.State(t.Status); !ok || !st.Final {
			open = append(open, t)
		}
	}
	return open, nil
}

// Get returns a ticket with its history.
func (s *Service) Get(ctx context.Context, id int64) (*appliance.Ticket, []*appliance.TicketEvent, error) {
	t, err := s.opts.Store.Ticket(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	evs, err := s.opts.Store.TicketEvents(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return t, evs, nil
}

// Next lists the states a ticket may move to now.
func (s *Service) Next(t *appliance.Ticket) []string {
	typ, ok := s.Config().Type(t.Type)
	if !ok {
		return nil
	}
	return typ.Next(t.Status)
}

// Transition moves a ticket to another state of its workflow, records the
// step and audits it; departments and the customer are told once it
// commits. A move the workflow does not allow is an ECONFLICT.
func (s *Service) Transition(ctx context.Context, id int64, to string, actor *appliance.User, note string) (*appliance.Ticket, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return nil, appliance.Errorf(appliance.EINVALID, "note_too_long", "a note has at most 1000 characters")
	}
	var out *appliance.Ticket
	err := s.opts.Store.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.opts.Store.LockTicket(ctx, id)
		if err != nil {
			return err
		}
		typ, ok := s.Config().Type(t.Type)
		if !ok {
			return appliance.Errorf(appliance.ECONFLICT, "unknown_ticket_type", "ticket type %q is no longer configured", t.Type)
		}
		state, ok := typ.State(to)
		if !ok {
			return appliance.Errorf(appliance.EINVALID, "unknown_state", "%q is not a state of %s tickets", to, t.Type)
		}
		if !slices.Contains(typ.Next(t.Status), to) {
			return appliance.Errorf(appliance.ECONFLICT, "transition_not_allowed", "a %s ticket cannot go from %s to %s", t.Type, t.Status, to)
		}
		now := s.now()
		from := t.Status
		t.Status, t.UpdatedAt = to, now
		if err := s.opts.Store.UpdateTicket(ctx, t); err != nil {
			return err
		}
		ev := &appliance.TicketEvent{TicketID: t.ID, From: from, To: to, Actor: "system", Note: note, CreatedAt: now}
		if actor != nil {
			ev.Actor, ev.ActorName = "agent:"+strconv.FormatInt(actor.ID, 10), actor.Username
		}
		if s.hasWebhooks(state.Notify) {
			ev.Notify = appliance.NotePending
		}
		if (state.Tell.Zh != "" || state.Tell.En != "") && t.ConversationID != 0 {
			ev.Tell = appliance.NotePending
		}
		if err := s.opts.Store.CreateTicketEvent(ctx, ev); err != nil {
			return err
		}
		audit := &appliance.AuditEntry{ActorType: "system", Action: "ticket.transition", TargetType: "ticket",
			TargetID: strconv.FormatInt(t.ID, 10), CreatedAt: now, Detail: map[string]any{"from": from, "to": to, "note": note}}
		if actor != nil {
			audit.ActorType, audit.ActorID, audit.ActorName = "user", actor.ID, actor.Username
		}
		out = t
		return s.opts.Store.RecordAudit(ctx, audit)
	})
	if err != nil {
		return nil, err
	}
	s.Kick()
	return out, nil
}

func (s *Service) hasWebhooks(depts []string) bool {
	cfg := s.Config()
	for _, d := range depts {
		if cfg.Departments[d].Webhook != "" {
			return true
		}
	}
	return false
}

// Kick asks the dispatcher to deliver pending notifications now.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run delivers notifications until ctx ends: when kicked, and every
// interval for retries and for what a previous run left pending.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Dispatch(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("ticket notifications", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// Webhook is the JSON a department receives.
type Webhook struct {
	Event      string            `json:"event"` // ticket.created, ticket.transition
	Department string            `json:"department"`
	Ticket     *appliance.Ticket `json:"ticket"`
	From       string            `json:"from,omitempty"`
	To         string            `json:"to"`
	Actor      string            `json:"actor"`
	Note       string            `json:"note,omitempty"`
	At         time.Time         `json:"at"`
}

// Dispatch delivers pending notifications once and returns how many events
// it finished.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs, err := s.opts.Store.PendingTicketEvents(ctx, 100)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, ev := range evs {
		t, err := s.opts.Store.Ticket(ctx, ev.TicketID)
		if err != nil {
			return done, err
		}
		cfg := s.Config()
		typ, _ := cfg.Type(t.Type)
		notify, tell, attempts := ev.Notify, ev.Tell, ev.Attempts+1
		if notify == appliance.NotePending {
			notify = s.post(ctx, cfg, typ, t, ev)
			if notify == appliance.NotePending && attempts >= s.opts.MaxAttempts {
				notify = appliance.NoteFailed
			}
		}
		if tell == appliance.NotePending {
			tell = s.tell(ctx, typ, t, ev)
			if tell == appliance.NotePending && attempts >= s.opts.MaxAttempts {
				tell = appliance.NoteFailed
			}
		}
		if err := s.opts.Store.SetTicketEventDelivery(ctx, ev.ID, notify, tell, attempts); err != nil {
			return done, err
		}
		if notify != appliance.NotePending && tell != appliance.NotePending {
			done++
		}
	}
	return done, nil
}

// post sends the event to each department concerned; it returns sent, or
// pending when one failed (all are retried: departments deduplicate by
// ticket id and state).
func (s *Service) post(ctx context.Context, cfg *Config, typ *Type, t *appliance.Ticket, ev *appliance.TicketEvent) string {
	if typ == nil {
		return appliance.NoteFailed
	}
	depts := typ.NotifyOnCreate
	event := "ticket.created"
	if ev.From != "" {
		event = "ticket.transition"
		if st, ok := typ.State(ev.To); ok {
			depts = st.Notify
		}
	}
	client := s.cur.Load().client
	for _, d := range depts {
		dep := cfg.Departments[d]
		if dep.Webhook == "" {
			continue
		}
		body, _ := json.Marshal(Webhook{Event: event, Department: d, Ticket: t, From: ev.From, To: ev.To, Actor: ev.Actor, Note: ev.Note, At: ev.CreatedAt})
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		req, _ := http.NewRequestWithContext(rctx, http.MethodPost, dep.Webhook, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Kefu-Event", event)
		resp, err := client.Do(req)
		cancel()
		if err != nil {
			s.log.Warn("department webhook failed", slog.String("department", d), slog.Int64("ticket_id", t.ID), slog.Any("error", err))
			return appliance.NotePending
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			s.log.Warn("department webhook refused", slog.String("department", d), slog.Int("status", resp.StatusCode))
			return appliance.NotePending
		}
	}
	return appliance.NoteSent
}

// tell tells the customer, in Chinese unless they wrote in English.
func (s *Service) tell(ctx context.Context, typ *Type, t *appliance.Ticket, ev *appliance.TicketEvent) string {
	if typ == nil || s.opts.Teller == nil || t.ConversationID == 0 {
		return appliance.NoteFailed
	}
	st, ok := typ.State(ev.To)
	if !ok {
		return appliance.NoteFailed
	}
	tpl := st.Tell.Zh
	if lang, _ := t.Data["lang"].(string); lang == "en" && st.Tell.En != "" {
		tpl = st.Tell.En
	}
	text := renderTell(tpl, t, ev)
	if text == "" {
		return appliance.NoteSent
	}
	if _, err := s.opts.Teller.TellCustomer(ctx, t.ConversationID, text); err != nil {
		s.log.Warn("telling the customer failed", slog.Int64("ticket_id", t.ID), slog.Any("error", err))
		return appliance.NotePending
	}
	return appliance.NoteSent
}

func renderTell(tpl string, t *appliance.Ticket, ev *appliance.TicketEvent) string {
	tm, err := template.New("").Option("missingkey=zero").Parse(tpl)
	if err != nil {
		return ""
	}
	note := ev.Note
	if note == "" {
		note = "详情请咨询客服"
	}
	var b strings.Builder
	data := map[string]any{"id": t.ID, "type": t.Type, "status": t.Status, "title": t.Title, "data": t.Data, "note": note}
	if err := tm.Execute(&b, data); err != nil {
		return ""
	}
	return strings.ReplaceAll(b.String(), "<no value>", "")
}
