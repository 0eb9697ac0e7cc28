package nlu

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// DefaultIdleTimeout is how long a task (active intent and slots) lives
// without a message.
const DefaultIdleTimeout = 30 * time.Minute

// DefaultFocusTimeout is how long the entities in focus (the boots asked
// about on WeChat this morning) outlive an expired task: a customer who
// comes back in the afternoon on another channel is still understood.
const DefaultFocusTimeout = 24 * time.Hour

// privateFocus marks focus keys that belong to a task's own bookkeeping
// (a playbook's verification, a flow's progress); they expire with the task.
const privateFocus = "playbook."

// TrackConfig tunes Track.
type TrackConfig struct {
	// IdleTimeout forgets a state not updated for this long; 0 means
	// DefaultIdleTimeout, negative never expires.
	IdleTimeout time.Duration
	// FocusTimeout keeps the focus of an expired task this long; 0 means
	// DefaultFocusTimeout, negative forgets it with the task.
	FocusTimeout time.Duration
	// AnswerConfidence: below it, a message that fills a slot the bot asked
	// for is taken as the answer, not as a new intent. 0 means 0.6.
	AnswerConfidence float64
	// SwitchConfidence: below it, a recognised intent is a guess, and a guess
	// neither replaces a task whose questions are open nor ends one with a
	// goodbye. 0 means 0.55 (the cascade passes its own threshold).
	SwitchConfidence float64
}

// Turn is what Track decided for one message.
type Turn struct {
	State State
	// Intent is the active intent's catalog entry; nil when none is active.
	Intent *Intent
	// Filled are the active intent's slots with their values.
	Filled map[string]string
	// Missing are the required slots still unknown, in catalog order, and
	// Questions the follow-up questions for them in the customer's language.
	Missing   []string
	Questions []string
	// Carried names the slots filled from context rather than from this
	// message: from the previous intent of the same family or from focus.
	Carried []string
	// Complete is set when the active intent has everything it needs.
	Complete bool
	// Expired is set when the previous state was too old and was dropped.
	Expired bool
	// Answered is set when the message answered the question the bot had
	// asked: it filled a missing slot of the active intent, which stays
	// active whatever else the message sounded like ("预算300-500元" is a
	// budget, not a goodbye).
	Answered bool
	// Suspended is set when the message is about something else than the
	// task whose questions are open, without clearly starting a new task:
	// Intent is nil for this message, and the task stays in State, so a later
	// answer still fills it. (Intent is also nil, without Suspended, when a
	// message does not engage a task whose questions were all answered.)
	Suspended bool
}

// Prompt joins the follow-up questions: "请问入住日期是哪天？预算在多少？".
func (t Turn) Prompt() string {
	sep := ""
	if len(t.Questions) > 0 && !strings.ContainsAny(t.Questions[0], "？。") {
		sep = " "
	}
	return strings.Join(t.Questions, sep)
}

// focusRoles maps entity types to the role under which they stay in focus.
var focusRoles = map[string]string{"order_no": "order", "tracking_no": "tracking", "product": "product",
	"course": "course", "bank_card": "card", "fund": "fund", "room_type": "room_type"}

// belongsTo lists the roles whose entity in focus belongs to the product in
// focus: another product coming into focus drops them, so "面霜我想退" after
// the shoes were tracked does not return the shoes' order.
var belongsTo = map[string][]string{"product": {"order", "tracking", "purchase_date"}}

// slotAccepts lists, for a slot's entity type, the entity types that can
// fill it: a budget may be given as one amount, a date range as one day.
var slotAccepts = map[string][]string{
	"money_range": {"money_range", "money"},
	"date_range":  {"date_range", "date"},
	"date":        {"date", "datetime", "datetime_range"},
	"datetime":    {"datetime", "datetime_range", "date"},
	"money":       {"money"},
}

// Accepts reports whether an entity of entityType can fill a slot of slotType.
func Accepts(slotType, entityType string) bool {
	if list, ok := slotAccepts[slotType]; ok {
		return slices.Contains(list, entityType)
	}
	return slotType == entityType
}

// Track computes a customer's next dialogue state from the previous one
// (nil for none), what the engine understood of the new message, and the
// catalog. It is a pure function: prev is not modified. lang ("zh", "en")
// picks the language of the follow-up questions.
//
// Slots are filled from, in order: the engine's slots, this message's
// entities, the previous intent's slots when the new intent is of the same
// family ("能催吗?" after "我昨天买的鞋子啥时候到?"), and the entities in focus
// for slots that name a focus role. A generic product mention ("那雨靴") does
// not replace a more specific one in focus ("儿童雨靴").
//
// While the bot waits for answers, a message that fills one is the answer,
// whatever intent it was taken for ("预算300-500元" is no goodbye), unless it
// clearly starts another task. Below cfg.SwitchConfidence an intent is a
// guess: it starts no task and neither replaces nor ends one; a message that
// does not engage the task leaves Intent nil and the task in the state.
func Track(prev *State, res Result, cat *Catalog, now time.Time, lang string, cfg TrackConfig) Turn {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.FocusTimeout == 0 {
		cfg.FocusTimeout = DefaultFocusTimeout
	}
	if cfg.AnswerConfidence == 0 {
		cfg.AnswerConfidence = 0.6
	}
	if cfg.SwitchConfidence == 0 {
		cfg.SwitchConfidence = 0.55
	}
	var turn Turn
	st := State{}
	if prev != nil {
		st = State{ActiveIntent: prev.ActiveIntent, Slots: maps.Clone(prev.Slots), Missing: slices.Clone(prev.Missing),
			Focus: maps.Clone(prev.Focus), UpdatedAt: prev.UpdatedAt}
		if idle := now.Sub(prev.UpdatedAt); cfg.IdleTimeout > 0 && !prev.UpdatedAt.IsZero() && idle > cfg.IdleTimeout {
			focus := st.Focus
			st, turn.Expired = State{}, true
			if cfg.FocusTimeout >= 0 && idle <= cfg.FocusTimeout {
				st.Focus = map[string]Entity{}
				for k, e := range focus {
					if !strings.HasPrefix(k, privateFocus) {
						st.Focus[k] = e
					}
				}
			}
		}
	}
	if st.Focus == nil {
		st.Focus = map[string]Entity{}
	}
	prevIntent, _ := cat.Intent(st.ActiveIntent)

	// Which intent is active now?
	next := prevIntent
	pending := prevIntent != nil && len(st.Missing) > 0
	newIntent, known := cat.Intent(res.Intent)
	sure := !res.OutOfScope && res.Confidence >= cfg.SwitchConfidence
	// A clearly different task outranks an answer: "能催吗? 订单号…" while the
	// bot waits for a budget. Built-in intents never do.
	overrides := known && !res.OutOfScope && !builtin(res.Intent) && newIntent != prevIntent && res.Confidence >= cfg.AnswerConfidence
	// acts says whether this message acts on next: answers its question,
	// starts or repeats it. Otherwise the task stays in the state, for
	// context, and this message is served on its own (small talk, knowledge).
	acts := false
	switch {
	case pending && !overrides && fillsMissing(res.Entities, prevIntent, st.Missing):
		turn.Answered, acts = true, true
	case res.Intent == IntentGoodbye:
		if sure || !pending {
			next = nil
		}
	case res.Intent == IntentHandoff || res.Intent == IntentGreeting || res.Intent == IntentThanks:
		// Keep the task: the agent or the next message continues it.
	case known && !res.OutOfScope:
		switch {
		case sure || newIntent == prevIntent:
			next, acts = newIntent, true
		case pending:
			// A guess at another question while ours are open: answer it from
			// the knowledge base, and keep the task for the customer's answer.
			turn.Suspended = true
		default:
			// A guess starts no task: asking questions on a 30% hunch annoys
			// more than the knowledge base's answer to the words themselves.
		}
	case pending:
		// Nothing recognised while a question is open: the customer likely
		// answered in words the extractor does not know; ask again.
		acts = true
	}
	// Remember what this message talked about, keeping a specific product in
	// focus when the customer refers to it generically.
	before := maps.Clone(st.Focus)
	for _, e := range res.Entities {
		role, ok := focusRoles[e.Type]
		if !ok {
			continue
		}
		cur, had := st.Focus[role]
		if had && cur.Type == e.Type && cur.Value != e.Value && cat.Refines(e.Type, cur.Value, e.Value) {
			continue
		}
		if !had || cur.Value != e.Value {
			for _, dep := range belongsTo[role] {
				if !mentions(res.Entities, dep) {
					delete(st.Focus, dep)
				}
			}
		}
		st.Focus[role] = e
	}

	if next != nil && !acts {
		st.UpdatedAt = now
		turn.State = st
		return turn
	}
	if next == nil {
		st.ActiveIntent, st.Slots, st.Missing = "", nil, nil
		st.UpdatedAt = now
		turn.State = st
		return turn
	}
	filled := map[string]string{}
	sameFamily := prevIntent != nil && (prevIntent.Name == next.Name || (next.Family != "" && prevIntent.Family == next.Family))
	// A task with effects (a booking, a refund) asked again for something
	// else ("钢琴课可以试听吗" after a Python trial) is a new request: the
	// last one's other slots (its date) are not assumed. Lookups (follow_up)
	// keep them: "那杭州呢" searches the same dates.
	if sameFamily && !next.FollowUp && namesNew(next, res.Entities, st.Slots) {
		sameFamily = false
	}
	used := make([]bool, len(res.Entities))
	var carried []string
	// Slots that together identify a thing (an order by its number, or by
	// product and day) are carried together or not at all.
	fresh := map[string]bool{}
	for _, s := range next.Slots {
		if movedOn(s, next, res.Entities, before, cat) {
			fresh[s.Name] = true
			for _, o := range s.SatisfiedBy {
				fresh[o] = true
			}
		}
	}
	for _, s := range next.Slots {
		if v, ok := res.Slots[s.Name]; ok && strings.TrimSpace(v) != "" {
			filled[s.Name] = v
			continue
		}
		if i := firstEntity(res.Entities, used, s.Entity); i >= 0 {
			used[i] = true
			e := res.Entities[i]
			if f, ok := st.Focus[s.Role()]; ok && f.Type == e.Type && cat.Refines(e.Type, f.Value, e.Value) {
				e = f // "那雨靴" means the 儿童雨靴 in focus
			}
			filled[s.Name] = e.Value
			st.Focus[s.Role()] = e
			continue
		}
		if fresh[s.Name] {
			continue
		}
		if sameFamily {
			if v, ok := st.Slots[s.Name]; ok {
				filled[s.Name] = v
				carried = append(carried, s.Name)
				continue
			}
		}
		if s.Focus != "" {
			if f, ok := st.Focus[s.Focus]; ok && Accepts(s.Entity, f.Type) {
				filled[s.Name] = f.Value
				carried = append(carried, s.Name)
			}
		}
	}
	var missing, questions []string
	for _, s := range next.Slots {
		if !s.Required || filled[s.Name] != "" {
			continue
		}
		satisfied := false
		for _, other := range s.SatisfiedBy {
			if filled[other] != "" {
				satisfied = true
				break
			}
		}
		if !satisfied {
			missing = append(missing, s.Name)
			questions = append(questions, s.Ask.Get(lang))
		}
	}
	st.ActiveIntent, st.Slots, st.Missing, st.UpdatedAt = next.Name, filled, missing, now
	if len(st.Slots) == 0 {
		st.Slots = nil
	}
	turn.State, turn.Intent, turn.Filled = st, next, maps.Clone(filled)
	turn.Missing, turn.Questions, turn.Carried, turn.Complete = missing, questions, carried, len(missing) == 0
	return turn
}

// namesNew reports whether es give one of the intent's slots a value other
// than the one it has in slots.
func namesNew(in *Intent, es []Entity, slots map[string]string) bool {
	for _, s := range in.Slots {
		old := slots[s.Name]
		if old == "" {
			continue
		}
		for _, e := range es {
			if Accepts(s.Entity, e.Type) && e.Value != old {
				return true
			}
		}
	}
	return false
}

// mentions reports whether one of es goes into focus under role.
func mentions(es []Entity, role string) bool {
	for _, e := range es {
		if focusRoles[e.Type] == role {
			return true
		}
	}
	return false
}

// movedOn reports whether the message names something new for a slot that
// can stand in for s (satisfied_by): "那面霜呢?" after the shoes' order asks
// about the cream's order, so neither the order in focus nor the day the
// shoes were bought is carried; the product finds its own order. Naming the
// product in focus again, or more generally ("那双鞋"), keeps them.
func movedOn(s Slot, in *Intent, es []Entity, focus map[string]Entity, cat *Catalog) bool {
	for _, name := range s.SatisfiedBy {
		other, ok := in.Slot(name)
		if !ok {
			continue
		}
		for _, e := range es {
			if !Accepts(other.Entity, e.Type) {
				continue
			}
			if f, had := focus[other.Role()]; had && f.Type == e.Type && (f.Value == e.Value || cat.Refines(e.Type, f.Value, e.Value)) {
				continue
			}
			return true
		}
	}
	return false
}

// builtin reports whether intent is one of the intents every deployment has.
func builtin(intent string) bool {
	switch intent {
	case IntentHandoff, IntentGreeting, IntentThanks, IntentGoodbye:
		return true
	}
	return false
}

func firstEntity(es []Entity, used []bool, slotType string) int {
	for i, e := range es {
		if !used[i] && Accepts(slotType, e.Type) {
			return i
		}
	}
	return -1
}

// fillsMissing reports whether the entities fill one of the missing slots.
func fillsMissing(es []Entity, in *Intent, missing []string) bool {
	for _, s := range in.Slots {
		if !slices.Contains(missing, s.Name) {
			continue
		}
		for _, e := range es {
			if Accepts(s.Entity, e.Type) {
				return true
			}
		}
	}
	return false
}

// Remember puts an entity in focus under role, for business actions that
// resolve something the customer described ("昨天买的鞋子" → order
// 2026112300123), so later messages can refer to it.
func Remember(s *State, role string, e Entity) {
	if s.Focus == nil {
		s.Focus = map[string]Entity{}
	}
	s.Focus[role] = e
}
