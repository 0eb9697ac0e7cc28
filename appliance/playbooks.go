package appliance

import (
	"context"
	"log/slog"
)

// Playbooks is an industry's policy on top of the generic steps: flows that
// wait for the customer (photos, verification answers, confirmations), the
// real-name verification gate, risk disclosures, personalization, and the
// bindings of intents to business actions, tickets and guided flows. The
// playbook package implements it; the engine calls it at each stage below.
// Stages must not write to storage: they fill the Turn (replies, audit
// entries, tickets, dialogue state) and the engine stores it all at once.
type Playbooks interface {
	Step(ctx context.Context, stage string, t *Turn) (done bool, err error)
}

// Playbook stages, in the order DefaultSteps runs them.
const (
	StageMedia        = "media"        // a non-text message a flow waits for (photos)
	StagePending      = "pending"      // a text answer to a flow in progress
	StageVerification = "verification" // real-name verification gate
	StageDisclosure   = "disclosure"   // mandatory risk disclosure before an answer
	StagePersonalize  = "personalize"  // answers from the customer's profile
	StageServe        = "serve"        // intent bindings: context, actions, tickets, flows
)

// Policies the playbook stages settle turns with.
const (
	PolicyVerification   = "verification"    // asked for or checked real-name verification
	PolicyFlow           = "flow"            // a playbook flow asked, narrowed or collected
	PolicyTicket         = "ticket"          // opened a ticket
	PolicyPersonalized   = "personalized"    // answered from the customer's profile
	PolicyRiskDisclosure = "risk_disclosure" // recorded when the disclosure was all there was
)

func playbookStep(name, stage string) StepFunc {
	return StepFunc{name, func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
		if e.books == nil {
			return false, nil
		}
		return e.books.Step(ctx, stage, t)
	}}
}

// The playbook steps; see DefaultSteps for where they run.
var (
	StepPlaybookMedia   = playbookStep("playbook_media", StageMedia)
	StepPlaybookPending = playbookStep("playbook_pending", StagePending)
	StepVerification    = playbookStep("verification", StageVerification)
	StepDisclosure      = playbookStep("risk_disclosure", StageDisclosure)
	StepPersonalize     = playbookStep("personalize", StagePersonalize)
	StepPlaybook        = playbookStep("playbook", StageServe)
)

// openTickets creates the tickets a turn opened, inside the turn's
// transaction. A ticket the configuration refuses (unknown type) is logged
// and noted, not allowed to lose the customer's message.
func (e *Engine) openTickets(ctx context.Context, t *Turn) error {
	for _, tk := range t.Tickets {
		if e.tickets == nil {
			e.log.Warn("a playbook opened a ticket but no ticket service is configured", slog.String("type", tk.Type))
			t.Decision.Notes = append(t.Decision.Notes, "ticket_dropped:"+tk.Type)
			continue
		}
		if tk.CustomerID == 0 {
			tk.CustomerID = t.Message.CustomerID
		}
		if tk.ConversationID == 0 {
			tk.ConversationID = t.Message.ConversationID
		}
		if tk.Channel == "" {
			tk.Channel = t.Message.Channel
		}
		if tk.CreatedBy == "" {
			tk.CreatedBy = "bot"
		}
		if err := e.tickets.CreateTicket(ctx, tk); err != nil {
			if k := ErrorKind(err); k == EINVALID || k == ENOTFOUND {
				e.log.Warn("ticket refused", slog.String("type", tk.Type), slog.Any("error", err))
				t.Decision.Notes = append(t.Decision.Notes, "ticket_refused:"+tk.Type)
				continue
			}
			return err
		}
	}
	return nil
}

// ActionInput is what a business action is called with when a playbook
// calls it directly: the customer, the slots, and values the playbook
// worked out (the order taken from context, hotel filters, ...).
type ActionInput struct {
	Customer *Customer
	Lang     string
	Slots    map[string]string
	Vars     map[string]string
	Context  map[string]string
}
