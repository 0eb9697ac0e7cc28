package playbook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"kefu/appliance"
	"kefu/appliance/pii"
	"kefu/nlu"
)

// Actions runs business actions with explicit inputs; connectors/actions
// implements it.
type Actions interface {
	Call(ctx context.Context, name string, in appliance.ActionInput) (*appliance.ActionResult, error)
}

// History reads a customer's earlier messages (past questions).
type History interface {
	Messages(ctx context.Context, f appliance.MessageFilter) ([]*appliance.Message, error)
}

// Tickets finds the tickets still in progress, so one matter is not opened
// twice (the ticket service implements it).
type Tickets interface {
	InProgress(ctx context.Context, customerID int64, typ string) ([]*appliance.Ticket, error)
}

// Options wire a Policy.
type Options struct {
	Actions   Actions
	Profile   appliance.BusinessProfile
	Knowledge appliance.Answerer
	// Catalog returns the NLU catalog in use (for replaying a gated intent).
	Catalog func() *nlu.Catalog
	History History
	// Tickets, when set, lets a binding's ticket be unique per matter.
	Tickets Tickets
	Logger  *slog.Logger
	Now     func() time.Time
}

// Policy runs the loaded playbooks; it implements appliance.Playbooks.
type Policy struct {
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	books atomic.Pointer[[]*Playbook]
	cache profileCache
}

// New returns a policy running the given playbook documents.
func New(opts Options, docs [][]byte) (*Policy, error) {
	p := &Policy{opts: opts, log: opts.Logger, now: opts.Now}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.opts.Catalog == nil {
		p.opts.Catalog = func() *nlu.Catalog { return nil }
	}
	if err := p.Load(docs); err != nil {
		return nil, err
	}
	return p, nil
}

// Load validates playbook documents and makes them current together; on
// error the previous ones stay.
func (p *Policy) Load(docs [][]byte) error {
	var books []*Playbook
	names := map[string]bool{}
	bound := map[string]string{}
	for _, d := range docs {
		b, err := Parse(d)
		if err != nil {
			return err
		}
		if names[b.Name] {
			return fmt.Errorf("playbook: %s is loaded twice", b.Name)
		}
		names[b.Name] = true
		for _, bd := range b.Bindings {
			if other, ok := bound[bd.Intent]; ok {
				return fmt.Errorf("playbook: intent %s is bound by both %s and %s", bd.Intent, other, b.Name)
			}
			bound[bd.Intent] = b.Name
		}
		books = append(books, b)
	}
	p.books.Store(&books)
	return nil
}

// Playbooks returns the loaded playbooks (read-only).
func (p *Policy) Playbooks() []*Playbook {
	if b := p.books.Load(); b != nil {
		return *b
	}
	return nil
}

func (p *Policy) book(name string) *Playbook {
	for _, b := range p.Playbooks() {
		if b.Name == name {
			return b
		}
	}
	return nil
}

func (p *Policy) bindingFor(intent string) (*Playbook, *Binding) {
	for _, b := range p.Playbooks() {
		if bd, ok := b.binding(intent); ok {
			return b, bd
		}
	}
	return nil, nil
}

// Step implements appliance.Playbooks.
func (p *Policy) Step(ctx context.Context, stage string, t *appliance.Turn) (bool, error) {
	switch stage {
	case appliance.StageMedia:
		return p.media(ctx, t)
	case appliance.StagePending:
		return p.pending(ctx, t)
	case appliance.StageVerification:
		return p.verification(ctx, t)
	case appliance.StageDisclosure:
		return p.disclose(ctx, t)
	case appliance.StagePersonalize:
		return p.personalize(ctx, t)
	case appliance.StageServe:
		return p.serve(ctx, t)
	}
	return false, nil
}

// --- flow state, kept in the dialogue state's focus ---

const (
	focusFlow     = "playbook.flow"
	focusVerified = "playbook.verified"
	// focusDisclosed is the playbook and conversation a risk disclosure
	// was shown in.
	focusDisclosed = "playbook.disclosed"
)

// Flow kinds.
const (
	flowPhotos  = "photos"
	flowVerify  = "verify"
	flowConfirm = "confirm"
	flowGuided  = "guided" // a guided flow asked for a slot
)

// flowState is a flow waiting for the customer.
type flowState struct {
	Kind     string            `json:"kind"`
	Book     string            `json:"book"`
	Intent   string            `json:"intent,omitempty"`
	Step     string            `json:"step,omitempty"` // verify: id, name, photo
	Values   map[string]string `json:"values,omitempty"`
	Photos   []string          `json:"photos,omitempty"`
	Required bool              `json:"required,omitempty"`
	Attempts int               `json:"attempts,omitempty"`
	Pending  *pendingTurn      `json:"pending,omitempty"`
}

// pendingTurn is a message held back until verification passes.
type pendingTurn struct {
	Intent   string       `json:"intent,omitempty"`
	Text     string       `json:"text"`
	Entities []nlu.Entity `json:"entities,omitempty"`
}

func getFlow(st *nlu.State) *flowState {
	if st == nil {
		return nil
	}
	e, ok := st.Focus[focusFlow]
	if !ok {
		return nil
	}
	var f flowState
	if json.Unmarshal([]byte(e.Value), &f) != nil || f.Kind == "" {
		return nil
	}
	return &f
}

func setFlow(st *nlu.State, f *flowState) {
	if f == nil {
		if st.Focus != nil {
			delete(st.Focus, focusFlow)
		}
		return
	}
	b, _ := json.Marshal(f)
	nlu.Remember(st, focusFlow, nlu.Entity{Type: "playbook", Value: string(b)})
}

func cloneState(s *nlu.State) nlu.State {
	if s == nil {
		return nlu.State{}
	}
	c := *s
	c.Slots = cloneMap(s.Slots)
	c.Missing = slices.Clone(s.Missing)
	c.Focus = map[string]nlu.Entity{}
	for k, v := range s.Focus {
		c.Focus[k] = v
	}
	return c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// --- helpers ---

func render(tpl string, data any) string {
	if tpl == "" {
		return ""
	}
	t, err := template.New("").Option("missingkey=zero").Parse(tpl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return ""
	}
	return strings.ReplaceAll(b.String(), "<no value>", "")
}

func sayText(t *appliance.Turn, tx Text, data any) {
	if s := render(tx.Get(t.Lang), data); s != "" {
		t.Say(s)
	}
}

func (p *Policy) audit(t *appliance.Turn, action string, detail map[string]any) {
	e := &appliance.AuditEntry{ActorType: "customer", Action: action, TargetType: "conversation",
		TargetID: fmt.Sprint(t.Message.ConversationID), Detail: detail, CreatedAt: p.now()}
	if t.Customer != nil {
		e.ActorID, e.ActorName = t.Customer.ID, pii.Mask(t.Customer.DisplayName)
	}
	t.Audit = append(t.Audit, e)
}

func note(t *appliance.Turn, n string) { t.Decision.Notes = append(t.Decision.Notes, n) }

func input(t *appliance.Turn, slots map[string]string, vars map[string]string) appliance.ActionInput {
	return appliance.ActionInput{Customer: t.Customer, Lang: t.Lang, Slots: slots, Vars: vars, Context: t.Context}
}

const handoffText = "正在为您转接人工客服，请稍候…"

func handoff(t *appliance.Turn, reason string) {
	t.Handoff = &appliance.HandoffRequest{Reason: reason}
	text := handoffText
	if t.Lang == "en" {
		text = "Connecting you to a human agent, please wait…"
	}
	t.Replies = append(t.Replies, appliance.Reply{Sender: appliance.SenderSystem, Text: text})
	t.Settle(appliance.PolicyHandoff)
}

// images returns the image attachments of a message.
func images(m *appliance.Message) []appliance.Attachment {
	var pl struct {
		Attachments []appliance.Attachment `json:"attachments"`
	}
	if len(m.Payload) > 0 {
		_ = json.Unmarshal(m.Payload, &pl)
	}
	var out []appliance.Attachment
	for _, a := range pl.Attachments {
		if a.Type == "image" || strings.HasPrefix(a.MimeType, "image/") {
			out = append(out, a)
		}
	}
	return out
}

// maskEntities hides personal numbers in what the decision path stores.
func maskEntities(t *appliance.Turn) {
	for i, e := range t.NLU.Entities {
		switch e.Type {
		case "id_card", "bank_card", "phone":
			t.NLU.Entities[i].Text, t.NLU.Entities[i].Value = pii.Mask(e.Text), maskValue(e.Value)
		}
	}
}

func maskValue(v string) string {
	if m := pii.Mask(v); m != v {
		return m
	}
	if n := len(v); n > 4 {
		return strings.Repeat("*", n-4) + v[n-4:]
	}
	return "****"
}

// profileCache keeps one turn's business records: several stages may ask.
type profileCache struct {
	mu   sync.Mutex
	recs map[int64][]appliance.BusinessRecord
}

func (p *Policy) records(ctx context.Context, t *appliance.Turn) []appliance.BusinessRecord {
	if p.opts.Profile == nil || t.Customer == nil {
		return nil
	}
	c := &p.cache
	c.mu.Lock()
	if r, ok := c.recs[t.Message.ID]; ok {
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	recs, err := p.opts.Profile.BusinessRecords(ctx, t.Customer)
	if err != nil {
		p.log.Warn("business profile unavailable", slog.Any("error", err))
		return nil
	}
	c.mu.Lock()
	if c.recs == nil || len(c.recs) > 64 {
		c.recs = map[int64][]appliance.BusinessRecord{}
	}
	c.recs[t.Message.ID] = recs
	c.mu.Unlock()
	return recs
}

func recordValue(r appliance.BusinessRecord, field string) string {
	switch field {
	case "id":
		return r.ID
	case "title":
		return r.Title
	case "status":
		return r.Status
	case "amount":
		return r.Amount
	case "kind":
		return r.Kind
	}
	return r.Detail[field]
}

// recordFacts is what templates see of a record.
func recordFacts(r appliance.BusinessRecord) map[string]string {
	m := map[string]string{"id": r.ID, "title": r.Title, "status": r.Status, "amount": r.Amount, "kind": r.Kind}
	if !r.Date.IsZero() {
		m["date"] = r.Date.Format("2006年1月")
	}
	for k, v := range r.Detail {
		m[k] = v
	}
	return m
}
