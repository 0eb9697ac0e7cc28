package appliance

import (
	"context"
	"maps"
	"slices"
	"strings"

	"kefu/nlu"
)

// Channel context: facts a channel passes about the conversation (the order
// a mini-program customer opened the chat from, in its session-from) enter
// the customer's dialogue focus, so "我的订单到哪了" is about that order
// without asking for its number.

// contextEntities maps Inbound.Context keys to the entity type and focus
// role they stand for.
var contextEntities = []struct{ key, entity, role string }{
	{"order_no", "order_no", "order"},
	{"tracking_no", "tracking_no", "tracking"},
}

// contextFacts returns the entities a message's channel context carries.
func contextFacts(ctx map[string]string) []nlu.Entity {
	var out []nlu.Entity
	for _, c := range contextEntities {
		v := strings.TrimSpace(ctx[c.key])
		if v == "" || len(v) > 128 {
			continue
		}
		out = append(out, nlu.Entity{Type: c.entity, Text: v, Value: v})
	}
	return out
}

func roleOf(entityType string) string {
	for _, c := range contextEntities {
		if c.entity == entityType {
			return c.role
		}
	}
	return entityType
}

// StepEventContext keeps the context of a platform event (a customer opening
// the mini program's chat from an order) in focus; events are settled by
// StepEvents before the NLU runs, so this must come before it.
var StepEventContext = StepFunc{"event_context", func(_ context.Context, _ *Engine, t *Turn) (bool, error) {
	if t.Message.Kind != KindEvent {
		return false, nil
	}
	facts := contextFacts(t.Context)
	if len(facts) == 0 {
		return false, nil
	}
	st := &t.Dialogue.State
	st.Focus = maps.Clone(st.Focus) // shared with the state before the turn
	for _, f := range facts {
		nlu.Remember(st, roleOf(f.Type), f)
	}
	t.Decision.Notes = append(t.Decision.Notes, "channel_context")
	return false, nil
}}

// StepContextSlots treats the channel's facts as said in the message, unless
// the customer named another one: the dialogue is tracked again with them,
// so they fill the active intent's slots and stay in focus. It runs after
// StepUnderstand and never settles.
var StepContextSlots = StepFunc{"context_slots", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	if t.Message.Kind == KindEvent {
		return false, nil
	}
	var add []nlu.Entity
	for _, f := range contextFacts(t.Context) {
		if !slices.ContainsFunc(t.NLU.Entities, func(x nlu.Entity) bool { return x.Type == f.Type }) {
			add = append(add, f)
		}
	}
	if len(add) == 0 {
		return false, nil
	}
	if tr, ok := e.nlu.(Tracker); ok {
		// The decision keeps what the NLU read in the text; only the
		// tracking sees the channel's facts.
		res := t.NLU
		res.Entities = append(slices.Clone(t.NLU.Entities), add...)
		t.Dialogue = tr.Track(t.State, res, t.Lang)
	} else {
		st := &t.Dialogue.State
		st.Focus = maps.Clone(st.Focus)
		for _, f := range add {
			nlu.Remember(st, roleOf(f.Type), f)
		}
	}
	t.Decision.Notes = append(t.Decision.Notes, "channel_context")
	return false, nil
}}
