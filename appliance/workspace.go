package appliance

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kefu/knowledge"
)

// Workspace is what the agents' console needs beyond taking and closing
// conversations: the hand-off summary, reply suggestions, the customer
// profile and its editing, transfers and the routing board.

// Assistant writes with an LLM for agents; appliance/assist implements it
// with Ollama.
type Assistant interface {
	// Summarize writes a short hand-off summary of the conversation.
	Summarize(ctx context.Context, in AssistInput) (string, error)
	// Draft proposes the agent's next reply.
	Draft(ctx context.Context, in AssistInput) (string, error)
}

// AssistInput is the context the assistant writes from.
type AssistInput struct {
	Customer   *Customer
	Summary    HandoffSummary
	Transcript []*Message // oldest first, customer-visible messages only
	Records    []BusinessRecord
	Passages   []knowledge.Passage // approved knowledge relevant to the last question
}

// WorkspaceStore is what the workspace reads and writes.
type WorkspaceStore interface {
	Conversation(ctx context.Context, id int64) (*Conversation, error)
	ListConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error)
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)
	Customer(ctx context.Context, id int64) (*Customer, error)
	UpdateCustomer(ctx context.Context, c *Customer) error
}

// WorkspaceConfig wires a Workspace. Business, Tickets and Assistant are
// optional: the profile shows them as not configured.
type WorkspaceConfig struct {
	Engine    *Engine
	Router    *Router
	Store     WorkspaceStore
	Knowledge Answerer
	Assistant Assistant
	Business  BusinessProfile
	Tickets   Tickets
	CSATs     CSATStore
	// IntentTitle names an intent for people (the catalog's description).
	IntentTitle func(name string) string
	// AssistTimeout bounds one LLM call; default 20s.
	AssistTimeout time.Duration
	Logger        *slog.Logger
}

// Workspace serves the agent workspace.
type Workspace struct {
	cfg WorkspaceConfig

	mu       sync.Mutex
	inFlight map[int64]bool // conversations whose LLM summary is being written
	wg       sync.WaitGroup
}

// NewWorkspace returns a workspace.
func NewWorkspace(cfg WorkspaceConfig) *Workspace {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AssistTimeout <= 0 {
		cfg.AssistTimeout = 20 * time.Second
	}
	return &Workspace{cfg: cfg, inFlight: map[int64]bool{}}
}

// Wait blocks until background summaries have finished (shutdown, tests).
func (w *Workspace) Wait() { w.wg.Wait() }

// Groups lists the configured skill groups with their targets.
func (w *Workspace) Groups() []SkillGroup {
	pol := w.cfg.Router.Policy()
	out := make([]SkillGroup, 0, len(pol.Groups))
	for _, g := range pol.Groups {
		out = append(out, pol.Group(g.Name))
	}
	return out
}

// Agents lists agents and supervisors with status and load.
func (w *Workspace) Agents(ctx context.Context) ([]AgentState, error) {
	return w.cfg.Router.Agents(ctx)
}

// Transfer hands a conversation to an agent or a group (see Engine.Transfer)
// and routes it at once.
func (w *Workspace) Transfer(ctx context.Context, convID int64, actor *User, to TransferTarget) (*Conversation, error) {
	if to.Group != "" && len(w.cfg.Router.Policy().Groups) > 0 &&
		!slices.ContainsFunc(w.cfg.Router.Policy().Groups, func(g SkillGroup) bool { return g.Name == to.Group }) {
		return nil, Errorf(EINVALID, "unknown_group", "there is no skill group %q", to.Group)
	}
	c, err := w.cfg.Engine.Transfer(ctx, convID, actor, to)
	if err == nil {
		w.cfg.Router.Kick()
	}
	return c, err
}

// RateConversation records a customer's satisfaction score (see
// Engine.RateConversation).
func (w *Workspace) RateConversation(ctx context.Context, convID, customerID int64, score int, comment string) (*CSAT, error) {
	return w.cfg.Engine.RateConversation(ctx, convID, customerID, score, comment)
}

// conversationMessages returns a conversation's messages, oldest first.
func (w *Workspace) conversationMessages(ctx context.Context, convID int64) ([]*Message, error) {
	return w.cfg.Store.Messages(ctx, MessageFilter{ConversationID: convID, CustomerOnly: true, Limit: 500})
}

// Summary returns the hand-off summary. The extractive one is immediate;
// with an assistant, the written summary is produced in the background the
// first time and published with the conversation when ready (Pending).
func (w *Workspace) Summary(ctx context.Context, convID int64) (HandoffSummary, bool, error) {
	conv, err := w.cfg.Store.Conversation(ctx, convID)
	if err != nil {
		return HandoffSummary{}, false, err
	}
	msgs, err := w.conversationMessages(ctx, convID)
	if err != nil {
		return HandoffSummary{}, false, err
	}
	s := Summarize(conv, msgs, w.cfg.IntentTitle)
	if conv.Summary != "" {
		s.Text, s.Source = conv.Summary, "llm"
		return s, false, nil
	}
	if w.cfg.Assistant == nil || conv.HandoffAt == nil {
		return s, false, nil
	}
	w.PrepareSummary(convID)
	return s, true, nil
}

// PrepareSummary writes the LLM summary of a handed-off conversation in the
// background, once; called at hand-off so it is ready when an agent opens it.
func (w *Workspace) PrepareSummary(convID int64) {
	if w.cfg.Assistant == nil {
		return
	}
	w.mu.Lock()
	if w.inFlight[convID] {
		w.mu.Unlock()
		return
	}
	w.inFlight[convID] = true
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer func() {
			w.mu.Lock()
			delete(w.inFlight, convID)
			w.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), w.cfg.AssistTimeout)
		defer cancel()
		if err := w.writeSummary(ctx, convID); err != nil {
			w.cfg.Logger.Warn("hand-off summary: the assistant failed; the extractive summary stays", slog.Int64("conversation_id", convID), slog.Any("error", err))
		}
	}()
}

func (w *Workspace) writeSummary(ctx context.Context, convID int64) error {
	conv, err := w.cfg.Store.Conversation(ctx, convID)
	if err != nil || conv.Summary != "" {
		return err
	}
	msgs, err := w.conversationMessages(ctx, convID)
	if err != nil {
		return err
	}
	cust, err := w.cfg.Store.Customer(ctx, conv.CustomerID)
	if err != nil {
		return err
	}
	text, err := w.cfg.Assistant.Summarize(ctx, AssistInput{Customer: cust, Summary: Summarize(conv, msgs, w.cfg.IntentTitle), Transcript: msgs})
	if err != nil {
		return err
	}
	if text = strings.TrimSpace(text); text == "" {
		return nil
	}
	_, err = w.cfg.Engine.SetSummary(ctx, convID, text)
	return err
}

// Observe starts the written summary of every hand-off (see Relay), so it
// is ready when an agent opens the conversation.
func (w *Workspace) Observe(e Event) {
	if c := e.Conversation; e.Type == EventConversation && c != nil && c.Status == StatusQueued && c.Summary == "" {
		w.PrepareSummary(c.ID)
	}
}

// Suggestion is a reply an agent may send or adapt.
type Suggestion struct {
	Kind       string  `json:"kind"` // knowledge, passage, draft
	Text       string  `json:"text"`
	Title      string  `json:"title,omitempty"`
	Source     string  `json:"source,omitempty"` // passage or FAQ id
	Confidence float64 `json:"confidence,omitempty"`
}

// maxPassageSuggestion bounds a passage offered as a suggestion.
const maxPassageSuggestion = 240

// minPassageRelevance is the match a passage needs to be offered: the same
// bar the knowledge base sets before it answers from a passage.
const minPassageRelevance = 0.3

func relevance(p knowledge.Passage) float64 {
	if m, ok := p.Scores["match"]; ok {
		return m
	}
	return p.Score
}

// Suggestions proposes replies to the customer's last question: the
// knowledge base's answer and its other relevant passages, and — with draft
// and an assistant — a reply drafted from the conversation, the customer's
// records and those passages.
func (w *Workspace) Suggestions(ctx context.Context, convID int64, draft bool) ([]Suggestion, error) {
	conv, err := w.cfg.Store.Conversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	msgs, err := w.conversationMessages(ctx, convID)
	if err != nil {
		return nil, err
	}
	sum := Summarize(conv, msgs, w.cfg.IntentTitle)
	out := []Suggestion{}
	var ans knowledge.Answer
	if len(sum.Questions) > 0 && w.cfg.Knowledge != nil {
		q := sum.Questions[len(sum.Questions)-1]
		ans, err = w.cfg.Knowledge.Answer(ctx, knowledge.Query{Text: q, Lang: DetectLang(q), Channel: conv.LastChannel})
		if err != nil {
			w.cfg.Logger.Warn("suggestions: knowledge unavailable", slog.Any("error", err))
		}
		if ans.Kind != knowledge.AnswerNone && strings.TrimSpace(ans.Text) != "" {
			s := Suggestion{Kind: "knowledge", Text: ans.Text, Confidence: ans.Confidence}
			if len(ans.Citations) > 0 {
				s.Title, s.Source = ans.Citations[0].Title, ans.Citations[0].PassageID
			}
			out = append(out, s)
		}
		for _, p := range ans.Passages {
			if len(out) >= 3 {
				break
			}
			if slices.ContainsFunc(out, func(s Suggestion) bool { return s.Source == p.ID }) || relevance(p) < minPassageRelevance {
				continue
			}
			out = append(out, Suggestion{Kind: "passage", Text: clip(p.Text, maxPassageSuggestion), Title: p.Title, Source: p.ID, Confidence: p.Score})
		}
	}
	if !draft || w.cfg.Assistant == nil {
		return out, nil
	}
	cust, err := w.cfg.Store.Customer(ctx, conv.CustomerID)
	if err != nil {
		return nil, err
	}
	in := AssistInput{Customer: cust, Summary: sum, Transcript: msgs, Passages: ans.Passages}
	if w.cfg.Business != nil {
		if in.Records, err = w.cfg.Business.BusinessRecords(ctx, cust); err != nil {
			w.cfg.Logger.Warn("suggestions: business records unavailable", slog.Any("error", err))
		}
	}
	dctx, cancel := context.WithTimeout(ctx, w.cfg.AssistTimeout)
	defer cancel()
	text, err := w.cfg.Assistant.Draft(dctx, in)
	if err != nil {
		// The knowledge suggestions still help; the draft is a bonus.
		w.cfg.Logger.Warn("suggestions: the assistant failed", slog.Any("error", err))
		return out, nil
	}
	if text = strings.TrimSpace(text); text != "" {
		out = append([]Suggestion{{Kind: "draft", Text: text}}, out...)
	}
	return out, nil
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Section states for profile parts that come from other systems.
const (
	SectionOK            = "ok"
	SectionNotConfigured = "not_configured"
	SectionUnavailable   = "unavailable"
)

// Profile is the customer panel of the workspace.
type Profile struct {
	Customer      *Customer        `json:"customer"`
	VIP           VIPStatus        `json:"vip"`
	Records       []BusinessRecord `json:"records"`
	RecordsStatus string           `json:"records_status"`
	Conversations []*Conversation  `json:"conversations"`
	Tickets       []*Ticket        `json:"tickets"`
	TicketsStatus string           `json:"tickets_status"`
	CSAT          []*CSAT          `json:"csat"`
	CSATAverage   float64          `json:"csat_average,omitempty"`
}

// Profile gathers what is known about a customer. A business system or
// ticket desk that fails is reported as unavailable; the rest still shows.
func (w *Workspace) Profile(ctx context.Context, customerID int64) (*Profile, error) {
	cust, err := w.cfg.Store.Customer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	p := &Profile{Customer: cust, Records: []BusinessRecord{}, Tickets: []*Ticket{}, CSAT: []*CSAT{},
		RecordsStatus: SectionNotConfigured, TicketsStatus: SectionNotConfigured}
	if p.Conversations, err = w.cfg.Store.ListConversations(ctx, ConversationFilter{CustomerID: cust.ID, Limit: 20}); err != nil {
		return nil, err
	}
	if w.cfg.Business != nil {
		bctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		recs, err := w.cfg.Business.BusinessRecords(bctx, cust)
		cancel()
		if err != nil {
			w.cfg.Logger.Warn("profile: business records unavailable", slog.Int64("customer_id", cust.ID), slog.Any("error", err))
			p.RecordsStatus = SectionUnavailable
		} else {
			p.RecordsStatus = SectionOK
			if recs != nil {
				p.Records = recs
			}
		}
	}
	if w.cfg.Tickets != nil {
		list, err := w.cfg.Tickets.ListTickets(ctx, TicketFilter{CustomerID: cust.ID, Limit: 20})
		if err != nil {
			w.cfg.Logger.Warn("profile: tickets unavailable", slog.Int64("customer_id", cust.ID), slog.Any("error", err))
			p.TicketsStatus = SectionUnavailable
		} else {
			p.TicketsStatus = SectionOK
			if list != nil {
				p.Tickets = list
			}
		}
	}
	if w.cfg.CSATs != nil {
		if p.CSAT, err = w.cfg.CSATs.CustomerCSAT(ctx, cust.ID, 20); err != nil {
			return nil, err
		}
		if n := len(p.CSAT); n > 0 {
			sum := 0
			for _, r := range p.CSAT {
				sum += r.Score
			}
			p.CSATAverage = float64(sum) / float64(n)
		}
	}
	p.VIP = w.cfg.Router.Policy().VIP.Check(ctx, cust)
	return p, nil
}

// ProfileUpdate changes a customer's editable fields; nil leaves one as is.
type ProfileUpdate struct {
	Tags       *[]string          `json:"tags"`
	VIPLevel   *int               `json:"vip_level"`
	Attributes *map[string]string `json:"attributes"`
}

// Limits of profile fields.
const (
	maxTags        = 20
	maxTagRunes    = 32
	maxAttributes  = 50
	maxAttrKey     = 64
	maxAttrValue   = 256
	MaxVIPLevel    = 9
	attrKeyPattern = `^[\p{Han}A-Za-z0-9_.\-]+$`
)

var attrKeyRE = regexp.MustCompile(attrKeyPattern)

// Normalize validates an update and cleans it (trimmed, de-duplicated tags).
func (u *ProfileUpdate) Normalize() error {
	if u.Tags == nil && u.VIPLevel == nil && u.Attributes == nil {
		return Errorf(EINVALID, "empty_update", "nothing to change")
	}
	if u.Tags != nil {
		var tags []string
		for _, t := range *u.Tags {
			t = strings.TrimSpace(t)
			if t == "" || slices.Contains(tags, t) {
				continue
			}
			if utf8.RuneCountInString(t) > maxTagRunes {
				return Errorf(EINVALID, "tag_too_long", "a tag must be at most %d characters", maxTagRunes)
			}
			tags = append(tags, t)
		}
		if len(tags) > maxTags {
			return Errorf(EINVALID, "too_many_tags", "at most %d tags", maxTags)
		}
		if tags == nil {
			tags = []string{}
		}
		u.Tags = &tags
	}
	if u.VIPLevel != nil && (*u.VIPLevel < 0 || *u.VIPLevel > MaxVIPLevel) {
		return Errorf(EINVALID, "invalid_vip_level", "the VIP level must be between 0 and %d", MaxVIPLevel)
	}
	if u.Attributes != nil {
		if len(*u.Attributes) > maxAttributes {
			return Errorf(EINVALID, "too_many_attributes", "at most %d attributes", maxAttributes)
		}
		clean := map[string]string{}
		for k, v := range *u.Attributes {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !attrKeyRE.MatchString(k) || utf8.RuneCountInString(k) > maxAttrKey {
				return Errorf(EINVALID, "invalid_attribute", "attribute name %q: letters, digits, _ . - only, at most %d characters", k, maxAttrKey)
			}
			if utf8.RuneCountInString(v) > maxAttrValue {
				return Errorf(EINVALID, "attribute_too_long", "attribute %q: at most %d characters", k, maxAttrValue)
			}
			if v != "" {
				clean[k] = v
			}
		}
		u.Attributes = &clean
	}
	return nil
}

// UpdateProfile applies a normalized update and returns the customer before
// and after, for the audit log.
func (w *Workspace) UpdateProfile(ctx context.Context, customerID int64, u ProfileUpdate) (before, after *Customer, err error) {
	if err := u.Normalize(); err != nil {
		return nil, nil, err
	}
	cust, err := w.cfg.Store.Customer(ctx, customerID)
	if err != nil {
		return nil, nil, err
	}
	if cust.ErasedAt != nil {
		return nil, nil, Errorf(ECONFLICT, "customer_erased", "the customer's personal information was erased; nothing is recorded about them any more")
	}
	prev := *cust
	prev.Tags = slices.Clone(cust.Tags)
	prev.Attributes = make(map[string]string, len(cust.Attributes))
	for k, v := range cust.Attributes {
		prev.Attributes[k] = v
	}
	if u.Tags != nil {
		cust.Tags = *u.Tags
	}
	if u.VIPLevel != nil {
		cust.VIPLevel = *u.VIPLevel
	}
	if u.Attributes != nil {
		cust.Attributes = *u.Attributes
	}
	if err := w.cfg.Store.UpdateCustomer(ctx, cust); err != nil {
		return nil, nil, err
	}
	return &prev, cust, nil
}
