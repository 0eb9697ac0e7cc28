package nlu

import (
	"slices"
	"strings"
)

// Catalog is a deployment's intent catalog: what customers may ask, how the
// bot recognises it, what it must know before it can act, and how it acts.
// It is loaded from YAML (see LoadCatalog) and edited by admins in the
// console. A loaded catalog is immutable: edits produce a new one, which the
// engine swaps in whole.
type Catalog struct {
	Name    string   `yaml:"name" json:"name"`
	Title   Text     `yaml:"title" json:"title"`
	Intents []Intent `yaml:"intents" json:"intents"`
	// Terms is the dictionary of catalog terms (product names, course names,
	// hotel features) the entity extractor recognises.
	Terms []Term `yaml:"terms,omitempty" json:"terms,omitempty"`
	// OutOfScope are examples of what the deployment does not serve
	// (weather, music, other businesses). The local engine learns them as
	// a reject class, so "今天天气怎么样" in a bank's bot is not forced into
	// the nearest intent.
	OutOfScope Examples `yaml:"out_of_scope,omitempty" json:"out_of_scope,omitzero"`

	byName map[string]int
}

// Text is a user-facing text in Chinese and English.
type Text struct {
	Zh string `yaml:"zh" json:"zh"`
	En string `yaml:"en,omitempty" json:"en,omitempty"`
}

// Empty reports whether the text has neither language.
func (t Text) Empty() bool { return t.Zh == "" && t.En == "" }

// Get returns the text in lang ("zh" or "en"), falling back to Chinese.
func (t Text) Get(lang string) string {
	if lang == "en" && t.En != "" {
		return t.En
	}
	if t.Zh == "" {
		return t.En
	}
	return t.Zh
}

// Intent is one thing a customer may want.
type Intent struct {
	Name string `yaml:"name" json:"name"` // lower_snake, stable: stored with every message
	// Family groups intents about the same object ("order": status, urge,
	// change address): slots carry over between intents of one family.
	Family      string     `yaml:"family,omitempty" json:"family,omitempty"`
	Description Text       `yaml:"description" json:"description"`
	Examples    Examples   `yaml:"examples" json:"examples"`
	Slots       []Slot     `yaml:"slots,omitempty" json:"slots,omitempty"`
	Fulfilment  Fulfilment `yaml:"fulfilment" json:"fulfilment"`

	// Policy flags the playbooks act on.
	Handoff              bool `yaml:"handoff,omitempty" json:"handoff,omitempty"`                             // always goes to a human (e.g. damaged goods compensation)
	RequiresVerification bool `yaml:"requires_verification,omitempty" json:"requires_verification,omitempty"` // real-name verification first (withdrawal, transfer)
	RiskDisclosure       bool `yaml:"risk_disclosure,omitempty" json:"risk_disclosure,omitempty"`             // answers carry the risk disclosure (investment products)
	// FollowUp lets "那面霜呢?" ask this intent again about something else.
	// Only for what is safe to repeat on a hint (looking up an order, stock,
	// a schedule): "那周五呢?" after a booking should not book another lesson.
	FollowUp bool `yaml:"follow_up,omitempty" json:"follow_up,omitempty"`
	// After lists the intents this one only follows: "就订这个吧" books the
	// hotel just recommended, and means nothing (it is likely a goodbye)
	// when no hotel search is in progress. Elsewhere the engines' next
	// guess is taken.
	After []string `yaml:"after,omitempty" json:"after,omitempty"`
}

// Follows reports whether the intent may be recognised while active is the
// conversation's task: always, unless the intent lists the ones it follows.
func (in *Intent) Follows(active string) bool {
	return len(in.After) == 0 || slices.Contains(in.After, active)
}

// Examples are example utterances, by language.
type Examples struct {
	Zh []string `yaml:"zh,omitempty" json:"zh,omitempty"`
	En []string `yaml:"en,omitempty" json:"en,omitempty"`
}

// All returns the Chinese then the English examples.
func (e Examples) All() []string { return append(slices.Clone(e.Zh), e.En...) }

// Slot is a piece of information an intent needs.
type Slot struct {
	Name string `yaml:"name" json:"name"` // lower_snake, unique within the intent
	// Entity is the entity type that fills the slot: date, money_range,
	// order_no, product, ... (see EntityTypes) or a catalog term type.
	Entity   string `yaml:"entity" json:"entity"`
	Required bool   `yaml:"required,omitempty" json:"required,omitempty"`
	// Focus is the role under which the slot's value is remembered and from
	// which it may be filled: "order", "product", "course". Empty: the slot's
	// entity type.
	Focus string `yaml:"focus,omitempty" json:"focus,omitempty"`
	// SatisfiedBy names other slots of the intent that identify the same
	// thing: an order is found by its number, or by the product and the day
	// it was bought, so the bot does not ask for the number then.
	SatisfiedBy []string `yaml:"satisfied_by,omitempty" json:"satisfied_by,omitempty"`
	Ask         Text     `yaml:"ask,omitempty" json:"ask"` // the follow-up question
}

// Role is the focus role of the slot.
func (s Slot) Role() string {
	if s.Focus != "" {
		return s.Focus
	}
	return s.Entity
}

// Slot returns the intent's slot of that name.
func (in *Intent) Slot(name string) (Slot, bool) {
	for _, s := range in.Slots {
		if s.Name == name {
			return s, true
		}
	}
	return Slot{}, false
}

// Fulfilment kinds.
const (
	FulfilKnowledge = "knowledge" // answer from the knowledge base
	FulfilAction    = "action"    // run a business action (connectors)
	FulfilHandoff   = "handoff"   // hand the conversation to a human
	FulfilFlow      = "flow"      // a guided flow: ask the slots in order, then run the action
)

// Fulfilment says how an intent is served once its required slots are known.
type Fulfilment struct {
	Kind   string `yaml:"kind" json:"kind"`
	Action string `yaml:"action,omitempty" json:"action,omitempty"` // business action name for action and flow
	// Query is a knowledge-base query for the intent, e.g. "退货政策": tried
	// after the customer's words for a knowledge intent, and before them for
	// an action or flow that cannot run (no business actions configured).
	Query string `yaml:"query,omitempty" json:"query,omitempty"`
}

// Term is a dictionary entry: a catalog name the entity extractor finds.
type Term struct {
	Type    string   `yaml:"type" json:"type"` // product, course, hotel_feature, fund, ...
	Value   string   `yaml:"value" json:"value"`
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Category is a broader term this one refines: 儿童雨靴 is a kind of 雨靴,
	// so "那雨靴" keeps 儿童雨靴 in focus.
	Category string `yaml:"category,omitempty" json:"category,omitempty"`
}

// Intent returns the named intent.
func (c *Catalog) Intent(name string) (*Intent, bool) {
	if c == nil {
		return nil, false
	}
	i, ok := c.byName[name]
	if !ok {
		return nil, false
	}
	return &c.Intents[i], true
}

// FollowUpOf returns the first intent of family that may be followed up
// (its lookup: order_status for the order family), if any.
func (c *Catalog) FollowUpOf(family string) (*Intent, bool) {
	if family == "" {
		return nil, false
	}
	for i := range c.Intents {
		if in := &c.Intents[i]; in.Family == family && in.FollowUp {
			return in, true
		}
	}
	return nil, false
}

// IntentNames returns the catalog's intent names in catalog order.
func (c *Catalog) IntentNames() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.Intents))
	for i, in := range c.Intents {
		out[i] = in.Name
	}
	return out
}

// Example is one labelled utterance for training.
type Example struct {
	Text   string `json:"text"`
	Intent string `json:"intent"`
}

// Examples returns every example utterance labelled with its intent.
func (c *Catalog) Examples() []Example {
	if c == nil {
		return nil
	}
	var out []Example
	for _, in := range c.Intents {
		for _, t := range in.Examples.All() {
			out = append(out, Example{Text: t, Intent: in.Name})
		}
	}
	return out
}

// hasTermType reports whether the dictionary lists terms of type typ.
func (c *Catalog) hasTermType(typ string) bool {
	if c == nil {
		return false
	}
	for _, t := range c.Terms {
		if t.Type == typ {
			return true
		}
	}
	return false
}

// Term returns the term of the given type whose value or alias is name.
func (c *Catalog) Term(typ, name string) (*Term, bool) {
	if c == nil {
		return nil, false
	}
	name = strings.ToLower(name)
	for i, t := range c.Terms {
		if t.Type != typ {
			continue
		}
		if strings.ToLower(t.Value) == name {
			return &c.Terms[i], true
		}
		for _, a := range t.Aliases {
			if strings.ToLower(a) == name {
				return &c.Terms[i], true
			}
		}
	}
	return nil, false
}

// Refines reports whether the term value specific is the same as, or a kind
// of, general (儿童雨靴 refines 雨靴).
func (c *Catalog) Refines(typ, specific, general string) bool {
	if specific == general {
		return true
	}
	// Only names refine names: "CNY 5000" holds "CNY 500", and the order
	// E2026112400170 holds E202611240017, yet neither is a kind of the other.
	if !c.hasTermType(typ) {
		return false
	}
	t, ok := c.Term(typ, specific)
	if !ok {
		return strings.Contains(specific, general)
	}
	for seen := 0; ok && seen < 8; seen++ {
		if t.Category == "" {
			break
		}
		if t.Category == general {
			return true
		}
		if g, ok2 := c.Term(typ, general); ok2 && g.Value == t.Category {
			return true
		}
		t, ok = c.Term(typ, t.Category)
	}
	return strings.Contains(specific, general)
}
