package appliance

import (
	"kefu/knowledge"
	"kefu/nlu"
)

// Policies: what the engine decided to do with an inbound message.
const (
	PolicyGreeting     = "greeting"
	PolicyAnswer       = "answer"        // answered from the knowledge base
	PolicyDontKnow     = "dont_know"     // nothing relevant: said so and offered a human
	PolicyHandoff      = "handoff"       // handed to a human
	PolicyHumanOwned   = "human_owned"   // a human owns the conversation: the bot stayed silent
	PolicySmallTalk    = "small_talk"    // thanks, goodbye
	PolicyUnsupported  = "unsupported"   // a message kind the bot cannot read (image without text, ...)
	PolicyIgnored      = "ignored"       // a platform event that needs no answer
	PolicyAskSlot      = "ask_slot"      // asked for what the intent still needs
	PolicyAction       = "action"        // ran a business action
	PolicyActionFailed = "action_failed" // the action failed; the customer got a polite reply
)

// Decision is the stored decision path of a bot reply: why the bot did what
// it did, for QA and compliance.
type Decision struct {
	Policy    string            `json:"policy"`
	Lang      string            `json:"lang,omitempty"`
	NLU       *nlu.Result       `json:"nlu,omitempty"`
	Knowledge *knowledge.Answer `json:"knowledge,omitempty"`
	Dialogue  *DialogueTrace    `json:"dialogue,omitempty"`
	Action    *ActionTrace      `json:"action,omitempty"`
	Handoff   string            `json:"handoff,omitempty"` // the hand-off reason, when handed off
	Notes     []string          `json:"notes,omitempty"`
	// Playbook names the playbook rule that answered (binding, flow,
	// verification, personalization rule).
	Playbook string `json:"playbook,omitempty"`
	// Profile lists the profile facts the answer used: only data the
	// enterprise holds on premises.
	Profile []ProfileFact `json:"profile,omitempty"`
}

// ProfileFact is one fact about the customer an answer relied on.
type ProfileFact struct {
	Source string `json:"source"` // order, purchase, course, account, history
	ID     string `json:"id,omitempty"`
	Fact   string `json:"fact"`  // e.g. "category", "pregnancy_weeks", "latest_order"
	Value  string `json:"value"` // e.g. "孕妇奶粉", "28"
}

// DialogueTrace records the dialogue state the turn ended in.
type DialogueTrace struct {
	Intent  string            `json:"intent,omitempty"`
	Filled  map[string]string `json:"filled,omitempty"`
	Missing []string          `json:"missing,omitempty"`
	Carried []string          `json:"carried,omitempty"`
	// Answered: the message answered the question the bot had asked.
	// Suspended: it was about something else, and the task waits.
	Answered  bool `json:"answered,omitempty"`
	Suspended bool `json:"suspended,omitempty"`
	// Focus is what the customer is talking about, by role (order, product):
	// what "那雨靴" or "能催吗" refer to.
	Focus map[string]string `json:"focus,omitempty"`
}

// ActionTrace records a business action run for the turn.
type ActionTrace struct {
	Name   string         `json:"name"`
	Detail map[string]any `json:"detail,omitempty"`
}
