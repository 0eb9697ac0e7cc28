package appliance

import (
	"context"

	"kefu/nlu"
)

// PolicyUnavailable: the intent was understood and complete, but its business
// action cannot run here (none configured) and the knowledge base had nothing
// for it; the customer was told so and how to reach a person.
const PolicyUnavailable = "unavailable"

// StepUnserved serves a complete intent whose business action did not run
// (no actions configured yet): from the knowledge base with the intent's
// catalog query first ("我昨天买的鞋子啥时候到?" is about tracking an order,
// whatever else its words match), then with the customer's words — unless
// the message only answered the bot's question ("预算300-500元" names a
// budget, it asks nothing) — and otherwise it says plainly that the bot
// cannot do this itself. The slots stay in the dialogue state and the
// decision, so an agent or a later action finds them.
var StepUnserved = StepFunc{"unserved", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	in := t.Dialogue.Intent
	if in == nil || !t.Dialogue.Complete {
		return false, nil
	}
	switch in.Fulfilment.Kind {
	case nlu.FulfilAction, nlu.FulfilFlow:
	default:
		return false, nil
	}
	t.Decision.Notes = append(t.Decision.Notes, "action_not_run:"+in.Fulfilment.Action)
	if q := in.Fulfilment.Query; q != "" {
		if done, err := answerFromKnowledge(ctx, e, t, q, false); done || err != nil {
			return done, err
		}
	}
	if !t.Dialogue.Answered {
		if done, err := answerFromKnowledge(ctx, e, t, t.Message.Text, false); done || err != nil {
			return done, err
		}
	}
	t.Settle(PolicyUnavailable)
	t.Say(e.texts.Get("unavailable", t.Lang))
	return true, nil
}}

// dialogueTrace records the dialogue a turn ended in, for the decision path;
// nil when no task is active.
func dialogueTrace(d nlu.Turn) *DialogueTrace {
	if d.Intent == nil && !d.Suspended {
		return nil
	}
	tr := &DialogueTrace{Filled: d.Filled, Missing: d.Missing, Carried: d.Carried, Answered: d.Answered, Suspended: d.Suspended}
	if d.Intent != nil {
		tr.Intent = d.Intent.Name
	} else {
		tr.Intent, tr.Filled, tr.Missing = d.State.ActiveIntent, d.State.Slots, d.State.Missing
	}
	for role, e := range d.State.Focus {
		if tr.Focus == nil {
			tr.Focus = map[string]string{}
		}
		tr.Focus[role] = e.Value
	}
	return tr
}
