package nlu

import (
	"context"
	"time"
)

// Built-in intents every deployment understands, whatever its catalog.
const (
	IntentHandoff  = "handoff"  // the customer asks for a person: 转人工, talk to a human
	IntentGreeting = "greeting" // 在吗, 你好, hello
	IntentThanks   = "thanks"
	IntentGoodbye  = "goodbye"
	// IntentNone means no intent was recognised with confidence; the
	// appliance then asks the knowledge base.
	IntentNone = ""
)

// Input is one customer message to understand.
type Input struct {
	Text    string
	Lang    string // "zh", "en" or "" to detect
	Channel string
	// State is the customer's dialogue state before this message; nil for a
	// new customer. Engines read it for context and never modify it.
	State *State
}

// Entity is something extracted from the text, with its span and its
// normalized value.
type Entity struct {
	Type  string `json:"type"`  // date, date_range, time, money, money_range, order_no, tracking_no, phone, id_card, bank_card, size, quantity, place, product, course, ...
	Text  string `json:"text"`  // the surface form as written
	Start int    `json:"start"` // byte offsets into Input.Text
	End   int    `json:"end"`
	Value string `json:"value"` // normalized: 2026-11-24, 300-500, CNY 300, XL, ...
}

// Candidate is one scored intent hypothesis.
type Candidate struct {
	Intent string  `json:"intent"`
	Score  float64 `json:"score"`
}

// Trace records how a result was reached, for QA and compliance.
type Trace struct {
	Engine     string        `json:"engine"` // "rules", "local", "ollama"
	Candidates []Candidate   `json:"candidates,omitempty"`
	Latency    time.Duration `json:"latency_ns"`
	// Degraded says why a better engine was not used (e.g. "ollama_timeout",
	// "ollama_invalid_json"); empty when nothing degraded.
	Degraded string `json:"degraded,omitempty"`
	// Steps is the decision path: every engine consulted, in order, with
	// what it said and how long it took.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one engine's part in a decision.
type Step struct {
	Engine     string        `json:"engine"` // "rules", "local", "ollama"
	Intent     string        `json:"intent,omitempty"`
	Confidence float64       `json:"confidence,omitempty"`
	OutOfScope bool          `json:"out_of_scope,omitempty"`
	Latency    time.Duration `json:"latency_ns"`
	// Outcome says what the cascade did with it: "accepted", "unsure",
	// "rejected", or an error code such as "ollama_timeout".
	Outcome string `json:"outcome"`
}

// Sentiment is the customer's mood as the words show it. Hand-off triggers
// on it: an angry customer or a complaint goes to a person.
type Sentiment struct {
	// Negative is 0 (neutral) to 1 (very negative).
	Negative float64 `json:"negative"`
	// Complaint is set when the customer complains or threatens to (投诉,
	// 12315, "I want to file a complaint").
	Complaint bool `json:"complaint,omitempty"`
	// Cues are the words that moved the scores.
	Cues []string `json:"cues,omitempty"`
}

// Result is what an engine understood.
type Result struct {
	Intent     string            `json:"intent"`
	Confidence float64           `json:"confidence"`
	OutOfScope bool              `json:"out_of_scope,omitempty"`
	Entities   []Entity          `json:"entities,omitempty"`
	Slots      map[string]string `json:"slots,omitempty"`
	Sentiment  Sentiment         `json:"sentiment,omitzero"`
	Trace      Trace             `json:"trace"`
}

// Engine understands one message.
type Engine interface {
	Parse(ctx context.Context, in Input) (Result, error)
}

// State is a customer's dialogue state. It belongs to the customer, not to a
// channel session, so it follows them from WeChat to the app.
type State struct {
	ActiveIntent string            `json:"active_intent,omitempty"`
	Slots        map[string]string `json:"slots,omitempty"`
	Missing      []string          `json:"missing,omitempty"`
	// Focus holds the entities recently talked about, by role: "order",
	// "product", "course", ... so "能催吗?" can mean the order of a minute ago.
	Focus     map[string]Entity `json:"focus,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
	// Lang is the language the customer last wrote in ("zh", "en"), for a
	// message that shows none (an ID number, an order number, digits).
	Lang string `json:"lang,omitempty"`
}
