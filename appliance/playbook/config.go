package playbook

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"kefu/nlu"
)

//go:embed defaults/*.yaml
var defaults embed.FS

// Names lists the shipped playbooks.
func Names() []string { return []string{"ecommerce", "finance", "education", "travel"} }

// Default returns a shipped playbook document.
func Default(name string) ([]byte, error) {
	b, err := fs.ReadFile(defaults, "defaults/"+name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("playbook: no shipped playbook %q", name)
	}
	return b, nil
}

// Text is a text template in Chinese and English.
type Text = nlu.Text

// Playbook is one industry's document.
type Playbook struct {
	Name            string        `yaml:"name" json:"name"`
	Title           Text          `yaml:"title" json:"title"`
	Bindings        []Binding     `yaml:"bindings" json:"bindings"`
	Verification    *Verification `yaml:"verification" json:"verification,omitempty"`
	Disclosure      *Disclosure   `yaml:"disclosure" json:"disclosure,omitempty"`
	Personalization []Rule        `yaml:"personalization" json:"personalization,omitempty"`
	Texts           Texts         `yaml:"texts" json:"texts"`
}

// Texts are the playbook's own phrases.
type Texts struct {
	PhotoReceived Text `yaml:"photo_received" json:"photo_received,omitzero"` // {{.count}} {{.left}}
	PhotoNeeded   Text `yaml:"photo_needed" json:"photo_needed,omitzero"`
	// ReasonNoted answers what the customer says while photos are awaited
	// (the reason in their words, {{.note}}), when no photo is required yet.
	ReasonNoted Text `yaml:"reason_noted" json:"reason_noted,omitzero"`
	Cancelled   Text `yaml:"cancelled" json:"cancelled,omitzero"`
	Confirm     Text `yaml:"confirm_again" json:"confirm_again,omitzero"`
}

// Binding says how the playbook serves one intent.
type Binding struct {
	Intent string `yaml:"intent" json:"intent"`
	// Action runs once the intent's slots are known.
	Action string `yaml:"action" json:"action,omitempty"`
	// Context fills a missing slot from the customer's profile.
	Context *Context `yaml:"context" json:"context,omitempty"`
	// Ticket opens a ticket: after the action succeeds, or when the photos
	// or the confirmation below are in.
	Ticket *TicketSpec `yaml:"ticket" json:"ticket,omitempty"`
	Photos *Photos     `yaml:"photos" json:"photos,omitempty"`
	Flow   *Flow       `yaml:"flow" json:"flow,omitempty"`
	Refund *Refund     `yaml:"refund" json:"refund,omitempty"`
	// Done is said after the ticket is opened.
	Done Text `yaml:"done" json:"done,omitzero"`
}

// Context sources.
const (
	FromLatestOrder    = "latest_order"     // the customer's newest order
	FromOrderByProduct = "order_by_product" // the order of the product named, else the newest
	FromLatestCourse   = "latest_course"    // the course the customer enrolled in last
)

// Context fills Slot from the profile.
type Context struct {
	Slot string `yaml:"slot" json:"slot"`
	From string `yaml:"from" json:"from"`
}

// TicketSpec describes the ticket to open.
type TicketSpec struct {
	Type  string `yaml:"type" json:"type"`
	Title string `yaml:"title" json:"title"` // template over the values gathered
	Body  string `yaml:"body" json:"body,omitempty"`
	// Unique names the values (order_no, course) that identify the matter:
	// while a ticket of this type with the same values is in progress, the
	// customer is told so (Exists) instead of a second one being opened.
	Unique []string `yaml:"unique" json:"unique,omitempty"`
	// Exists is said then; {{.ticket_id}} and {{.ticket_status}} name it.
	Exists Text `yaml:"exists" json:"exists,omitzero"`
}

// Photos collects up to Max images before the ticket is opened; the first
// rule whose keywords the customer used says what to ask for.
type Photos struct {
	Max     int         `yaml:"max" json:"max"`
	Rules   []PhotoRule `yaml:"rules" json:"rules,omitempty"`
	Default PhotoRule   `yaml:"default" json:"default"`
}

// PhotoRule asks for the photos a reason needs.
type PhotoRule struct {
	Keywords []string `yaml:"keywords" json:"keywords,omitempty"`
	Reason   string   `yaml:"reason" json:"reason"`
	Ask      Text     `yaml:"ask" json:"ask"`
	Required bool     `yaml:"required" json:"required,omitempty"`
}

// Flow is a guided flow: the missing slots are asked one at a time, and
// after each answer Search counts what still matches (narrowing).
type Flow struct {
	Search string `yaml:"search" json:"search,omitempty"`
	Narrow Text   `yaml:"narrow" json:"narrow,omitzero"` // {{.count}}, {{.known}} and the slots
	// Ask overrides the catalog's question for a slot.
	Ask map[string]Text `yaml:"ask" json:"ask,omitempty"`
}

// Refund computes a refund from lessons attended, shows the computation
// and asks for confirmation before the ticket is opened.
type Refund struct {
	Action string       `yaml:"action" json:"action"` // gives total, attended, fee, course
	Tiers  []RefundTier `yaml:"tiers" json:"tiers"`
	Quote  Text         `yaml:"quote" json:"quote"`
	None   Text         `yaml:"none" json:"none,omitzero"` // nothing refundable
}

// RefundTier: attending at most MaxRatio of the lessons refunds Percent.
type RefundTier struct {
	MaxRatio float64 `yaml:"max_ratio" json:"max_ratio"`
	Percent  int     `yaml:"percent" json:"percent"`
	Rule     string  `yaml:"rule" json:"rule"` // how the rule reads, shown to the customer
}

// Verification is the real-name check money movements and account changes
// need first.
type Verification struct {
	Intents     []string          `yaml:"intents" json:"intents,omitempty"`
	Keywords    []string          `yaml:"keywords" json:"keywords,omitempty"`
	ValidFor    time.Duration     `yaml:"valid_for" json:"valid_for"`
	CheckAction string            `yaml:"check_action" json:"check_action,omitempty"`
	MaxAttempts int               `yaml:"max_attempts" json:"max_attempts"`
	Texts       VerificationTexts `yaml:"texts" json:"texts"`
}

// VerificationTexts are the verification flow's phrases.
type VerificationTexts struct {
	Start    Text `yaml:"start" json:"start"`
	AskName  Text `yaml:"ask_name" json:"ask_name"`
	AskPhoto Text `yaml:"ask_photo" json:"ask_photo"`
	BadID    Text `yaml:"bad_id" json:"bad_id"`
	BadName  Text `yaml:"bad_name" json:"bad_name"`
	Mismatch Text `yaml:"mismatch" json:"mismatch"`
	Passed   Text `yaml:"passed" json:"passed"`
	Locked   Text `yaml:"locked" json:"locked"`
}

// Disclosure is the risk disclosure said before investment answers.
type Disclosure struct {
	Intents  []string `yaml:"intents" json:"intents,omitempty"`
	Keywords []string `yaml:"keywords" json:"keywords,omitempty"`
	Text     Text     `yaml:"text" json:"text"`
	// EveryAnswer shows the text before every answer it applies to; by
	// default it is shown once per conversation (what QA's required-phrase
	// rules check), not before each of a customer's follow-up questions.
	EveryAnswer bool `yaml:"every_answer" json:"every_answer,omitempty"`
}

// Rule is a personalization rule: when the trigger matches and every
// condition holds on the customer's profile, it answers (optionally with an
// action whose vars are filled from the matched facts).
type Rule struct {
	Name     string            `yaml:"name" json:"name"`
	Intents  []string          `yaml:"intents" json:"intents,omitempty"`
	Keywords []string          `yaml:"keywords" json:"keywords,omitempty"`
	When     []Condition       `yaml:"when" json:"when"`
	Action   string            `yaml:"action" json:"action,omitempty"`
	Vars     map[string]string `yaml:"vars" json:"vars,omitempty"`
	Reply    Text              `yaml:"reply" json:"reply"`
}

// Condition matches a profile fact and names it for the reply (As).
type Condition struct {
	As string `yaml:"as" json:"as"`
	// Record kind (order, purchase, course, account) whose Detail fields
	// Match (a value, or one of a comma list for tags), newest first,
	// optionally no older than Within.
	Record string            `yaml:"record" json:"record,omitempty"`
	Match  map[string]string `yaml:"match" json:"match,omitempty"`
	Within time.Duration     `yaml:"within" json:"within,omitempty"`
	// Field of the record compared with AtLeast (a number).
	Field   string  `yaml:"field" json:"field,omitempty"`
	AtLeast float64 `yaml:"at_least" json:"at_least,omitempty"`
	// Asked matches the customer's earlier questions by keyword.
	Asked []string `yaml:"asked" json:"asked,omitempty"`
}

// Parse reads and validates one playbook document.
func Parse(data []byte) (*Playbook, error) {
	var p Playbook
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("playbook: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the document and names the first problem.
func (p *Playbook) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("playbook %s: "+format, append([]any{p.Name}, args...)...)
	}
	if p.Name == "" {
		return fmt.Errorf("playbook: name is required")
	}
	var texts []Text
	seen := map[string]bool{}
	for i, b := range p.Bindings {
		if b.Intent == "" {
			return bad("binding %d: intent is required", i+1)
		}
		if seen[b.Intent] {
			return bad("intent %s is bound twice", b.Intent)
		}
		seen[b.Intent] = true
		if b.Action == "" && b.Ticket == nil && b.Flow == nil && b.Refund == nil && b.Context == nil {
			return bad("binding %s does nothing: give an action, a ticket, a flow, a refund or a context", b.Intent)
		}
		if c := b.Context; c != nil && (c.Slot == "" || !slices.Contains([]string{FromLatestOrder, FromOrderByProduct, FromLatestCourse}, c.From)) {
			return bad("binding %s: context needs a slot and from: latest_order, order_by_product or latest_course", b.Intent)
		}
		if b.Photos != nil && (b.Photos.Max < 1 || b.Photos.Max > 9 || b.Ticket == nil) {
			return bad("binding %s: photos need max between 1 and 9 and a ticket", b.Intent)
		}
		if b.Refund != nil {
			if b.Refund.Action == "" || len(b.Refund.Tiers) == 0 || b.Ticket == nil {
				return bad("binding %s: a refund needs an action, tiers and a ticket", b.Intent)
			}
			last := -1.0
			for _, t := range b.Refund.Tiers {
				if t.MaxRatio < last || t.MaxRatio < 0 || t.MaxRatio > 1 || t.Percent < 0 || t.Percent > 100 {
					return bad("binding %s: refund tiers need ascending max_ratio in [0,1] and percent in [0,100]", b.Intent)
				}
				last = t.MaxRatio
			}
			texts = append(texts, b.Refund.Quote, b.Refund.None)
		}
		if b.Flow != nil && b.Action == "" {
			return bad("binding %s: a flow needs the action that recommends at the end", b.Intent)
		}
		if b.Ticket != nil {
			if b.Ticket.Type == "" {
				return bad("binding %s: ticket type is required", b.Intent)
			}
			texts = append(texts, Text{Zh: b.Ticket.Title}, Text{Zh: b.Ticket.Body}, b.Ticket.Exists)
		}
		if b.Photos != nil {
			for _, r := range append(slices.Clone(b.Photos.Rules), b.Photos.Default) {
				texts = append(texts, r.Ask)
			}
		}
		if b.Flow != nil {
			texts = append(texts, b.Flow.Narrow)
		}
		texts = append(texts, b.Done)
	}
	if v := p.Verification; v != nil {
		if v.ValidFor <= 0 || v.MaxAttempts < 1 {
			return bad("verification needs valid_for and max_attempts")
		}
		vt := v.Texts
		for _, t := range []Text{vt.Start, vt.AskName, vt.AskPhoto, vt.BadID, vt.BadName, vt.Mismatch, vt.Passed, vt.Locked} {
			if t.Empty() {
				return bad("verification needs every text (start, ask_name, ask_photo, bad_id, bad_name, mismatch, passed, locked)")
			}
		}
	}
	if d := p.Disclosure; d != nil && d.Text.Empty() {
		return bad("disclosure needs its text")
	}
	for _, r := range p.Personalization {
		if r.Name == "" || len(r.When) == 0 || r.Reply.Empty() || (len(r.Intents) == 0 && len(r.Keywords) == 0) {
			return bad("personalization rules need a name, intents or keywords, conditions and a reply")
		}
		for _, c := range r.When {
			if c.As == "" || (c.Record == "" && len(c.Asked) == 0) {
				return bad("rule %s: each condition needs as and a record or asked", r.Name)
			}
		}
		texts = append(texts, r.Reply)
	}
	t := p.Texts
	texts = append(texts, t.PhotoReceived, t.PhotoNeeded, t.ReasonNoted, t.Cancelled, t.Confirm)
	for _, tx := range texts {
		for _, s := range []string{tx.Zh, tx.En} {
			if _, err := template.New("").Parse(s); err != nil {
				return bad("template %q: %v", s, err)
			}
		}
	}
	return nil
}

// binding returns the binding of an intent.
func (p *Playbook) binding(intent string) (*Binding, bool) {
	for i := range p.Bindings {
		if p.Bindings[i].Intent == intent {
			return &p.Bindings[i], true
		}
	}
	return nil, false
}

func containsAny(text string, words []string) string {
	lower := strings.ToLower(text)
	for _, w := range words {
		if w != "" && containsWord(lower, strings.ToLower(w)) {
			return w
		}
	}
	return ""
}

// containsWord finds w in text; a keyword in Latin letters must start a
// word ("fund" is not in "refund"), and may go on ("allerg" is in
// "allergic"). Chinese has no spaces: a Chinese keyword matches anywhere.
func containsWord(text, w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !isLatinLetter(r) {
		return strings.Contains(text, w)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		at := i + j
		if prev, _ := utf8.DecodeLastRuneInString(text[:at]); at == 0 || !isLatinLetter(prev) {
			return true
		}
		i = at + len(w)
	}
}

func isLatinLetter(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}
