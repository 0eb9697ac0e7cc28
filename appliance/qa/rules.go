package qa

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// rudeLexicon is the built-in list of rude, dismissive or impatient agent
// wording; a rude rule adds its own phrases. Entries are written normalized
// (no spaces or punctuation); * allows a short gap.
var rudeLexicon = []string{
	"你有病", "有病吧", "神经病", "爱买不买", "爱要不要", "爱咋咋", "听不懂吗", "听不懂人话", "说了多少遍", "说了多少次",
	"我都说过了", "我已经说过了", "自己去看", "你自己看", "自己去查", "烦不烦", "别烦我", "随便你", "关我什么事", "关我屁事",
	"跟我有什么关系", "你是不是傻", "脑子进水", "没脑子", "给我滚", "你滚", "滚开", "闭嘴", "少废话", "你去投诉吧", "投诉*随便",
	"活该", "怪你自己", "你自己的问题", "急什么急", "催什么催", "着急也没用", "不想跟你说",
	"shutup", "stupid", "idiot", "notmyproblem", "yourproblem", "dontcare", "whatever",
}

// maxGap is how many characters a * in a phrase may skip.
const maxGap = 10

// pattern is a normalized phrase split at its * gaps.
type pattern struct {
	text  string
	parts []string
}

func compilePattern(p string) (pattern, bool) {
	var parts []string
	for _, seg := range strings.Split(p, "*") {
		if n := normalize(seg); n != "" {
			parts = append(parts, n)
		}
	}
	return pattern{text: p, parts: parts}, len(parts) > 0
}

// match reports whether normalized text contains the pattern's parts in
// order, each gap at most maxGap characters.
func (p pattern) match(text string) bool {
	return matchFrom(text, p.parts, -1)
}

func matchFrom(text string, parts []string, limit int) bool {
	first, rest := parts[0], parts[1:]
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], first)
		if i < 0 {
			return false
		}
		start := from + i
		if limit >= 0 && utf8.RuneCountInString(text[:start]) > limit {
			return false
		}
		end := start + len(first)
		if len(rest) == 0 || matchFrom(text[end:], rest, maxGap) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		from = start + size
	}
	return false
}

// normalize folds case and full-width forms and drops spaces, punctuation
// and symbols, so "这是公司规定，我也没办法" and "这是公司规定 我也没办法！"
// read the same.
func normalize(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type compiled struct {
	rule     *appliance.QARule
	patterns []pattern
	intents  map[string]bool
	limit    time.Duration
}

// Checker evaluates a set of rules; it is immutable and safe for concurrent use.
type Checker struct {
	rules []compiled
}

// NewChecker compiles the enabled rules.
func NewChecker(rules []*appliance.QARule) *Checker {
	c := &Checker{}
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		cr := compiled{rule: r, intents: map[string]bool{}, limit: time.Duration(r.LimitSeconds) * time.Second}
		phrases := r.Phrases
		if r.Kind == appliance.QARude {
			phrases = append(slices.Clone(rudeLexicon), r.Phrases...)
		}
		for _, p := range phrases {
			if cp, ok := compilePattern(p); ok {
				cr.patterns = append(cr.patterns, cp)
			}
		}
		for _, in := range r.Intents {
			cr.intents[in] = true
		}
		c.rules = append(c.rules, cr)
	}
	return c
}

// Empty reports whether no rule is enabled.
func (c *Checker) Empty() bool { return len(c.rules) == 0 }

// Validate checks a rule a supervisor wrote.
func Validate(r *appliance.QARule) error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > 128 {
		return appliance.Errorf(appliance.EINVALID, "invalid_rule_name", "a rule needs a name of at most 128 characters")
	}
	if !slices.Contains(appliance.QARuleKinds, r.Kind) {
		return appliance.Errorf(appliance.EINVALID, "invalid_rule_kind", "unknown rule kind %q", r.Kind)
	}
	if !slices.Contains([]string{appliance.SeverityHigh, appliance.SeverityMedium, appliance.SeverityLow}, r.Severity) {
		return appliance.Errorf(appliance.EINVALID, "invalid_severity", "severity must be high, medium or low")
	}
	var phrases []string
	for _, p := range r.Phrases {
		if _, ok := compilePattern(p); ok {
			phrases = append(phrases, strings.TrimSpace(p))
		}
	}
	r.Phrases = phrases
	switch r.Kind {
	case appliance.QAPhrase:
		if len(r.Phrases) == 0 {
			return appliance.Errorf(appliance.EINVALID, "phrases_required", "a phrase rule needs at least one phrase")
		}
	case appliance.QARequired:
		if len(r.Phrases) == 0 || len(r.Intents) == 0 {
			return appliance.Errorf(appliance.EINVALID, "phrases_and_intents_required", "a required-phrase rule needs phrases and intents")
		}
	case appliance.QAFirstResponse, appliance.QAReplyGap:
		if r.LimitSeconds < 1 || r.LimitSeconds > 7*24*3600 {
			return appliance.Errorf(appliance.EINVALID, "invalid_limit", "a time limit must be between 1 second and 7 days")
		}
	}
	if len(r.Phrases) > 200 {
		return appliance.Errorf(appliance.EINVALID, "too_many_phrases", "at most 200 phrases per rule")
	}
	return nil
}

// Outcome is what the checker found in one conversation.
type Outcome struct {
	Hits []*appliance.QAHit
	// FirstResponse is the wait from the hand-off to the first agent reply;
	// -1 when no agent replied.
	FirstResponse time.Duration
	// MaxReplyGap is the longest wait for an agent reply after the first
	// one; -1 when there was no such wait.
	MaxReplyGap time.Duration
	// ReplyGaps are every such wait, for statistics.
	ReplyGaps []time.Duration
	AgentID   int64 // the agent who replied last
	Messages  int   // customer-visible messages
}

// Check evaluates the rules over a conversation's transcript (its messages
// in order). end is when the conversation is judged (the audit's time or
// the close): a hand-off nobody answered by then counts against the
// first-response limit.
func (c *Checker) Check(conv *appliance.Conversation, msgs []*appliance.Message, end time.Time) Outcome {
	out := Outcome{FirstResponse: -1, MaxReplyGap: -1}
	var handoff time.Time
	if conv.HandoffAt != nil {
		handoff = *conv.HandoffAt
	}
	// required-phrase state per rule: a question awaiting its disclosure,
	// and whether the conversation already disclosed.
	pending := make([]bool, len(c.rules))
	disclosed := make([]bool, len(c.rules))
	var firstReply *appliance.Message
	var waitingSince time.Time // first unanswered customer message after the agent joined
	for _, m := range msgs {
		if m.Kind == appliance.KindNote {
			continue
		}
		out.Messages++
		switch m.Sender {
		case appliance.SenderCustomer:
			intent := ""
			if m.Decision != nil && m.Decision.NLU != nil {
				intent = m.Decision.NLU.Intent
			}
			for i, r := range c.rules {
				if r.rule.Kind == appliance.QARequired && intent != "" && r.intents[intent] && !disclosed[i] {
					pending[i] = true
				}
			}
			if firstReply != nil && waitingSince.IsZero() {
				waitingSince = m.CreatedAt
			}
		case appliance.SenderBot, appliance.SenderSystem:
			c.noteDisclosure(m, pending, disclosed)
		case appliance.SenderAgent:
			out.AgentID = m.SenderID
			norm := normalize(m.Text)
			out.Hits = append(out.Hits, c.textHits(conv, m, norm)...)
			for i, r := range c.rules {
				if r.rule.Kind != appliance.QARequired {
					continue
				}
				if r.matchAny(norm) {
					disclosed[i], pending[i] = true, false
				} else if pending[i] {
					out.Hits = append(out.Hits, hit(conv, m, r.rule, "缺少："+strings.Join(r.rule.Phrases, " / ")))
					pending[i] = false
				}
			}
			if firstReply == nil && !handoff.IsZero() && !m.CreatedAt.Before(handoff) {
				firstReply = m
				out.FirstResponse = m.CreatedAt.Sub(handoff)
				for _, r := range c.rules {
					if r.rule.Kind == appliance.QAFirstResponse && out.FirstResponse > r.limit {
						out.Hits = append(out.Hits, hit(conv, m, r.rule, overLimit(out.FirstResponse, r.limit)))
					}
				}
			} else if firstReply != nil && !waitingSince.IsZero() {
				gap := m.CreatedAt.Sub(waitingSince)
				out.ReplyGaps = append(out.ReplyGaps, gap)
				out.MaxReplyGap = max(out.MaxReplyGap, gap)
				for _, r := range c.rules {
					if r.rule.Kind == appliance.QAReplyGap && gap > r.limit {
						out.Hits = append(out.Hits, hit(conv, m, r.rule, overLimit(gap, r.limit)))
					}
				}
			}
			waitingSince = time.Time{}
		}
	}
	if firstReply == nil && !handoff.IsZero() && !end.IsZero() {
		for _, r := range c.rules {
			if r.rule.Kind == appliance.QAFirstResponse && end.Sub(handoff) > r.limit {
				h := hit(conv, nil, r.rule, "无人回复 no reply")
				h.MessageAt = handoff
				out.Hits = append(out.Hits, h)
			}
		}
	}
	return out
}

// CheckMessage evaluates the rules for one new agent message in its
// conversation (transcript up to and including it) and returns the hits on
// that message only: what a supervisor is alerted to in real time.
func (c *Checker) CheckMessage(conv *appliance.Conversation, transcript []*appliance.Message, m *appliance.Message) []*appliance.QAHit {
	if !slices.ContainsFunc(transcript, func(x *appliance.Message) bool { return x.ID == m.ID }) {
		transcript = append(slices.Clone(transcript), m)
	}
	var out []*appliance.QAHit
	for _, h := range c.Check(conv, transcript, time.Time{}).Hits {
		if h.MessageID == m.ID {
			out = append(out, h)
		}
	}
	return out
}

func (c *Checker) noteDisclosure(m *appliance.Message, pending, disclosed []bool) {
	norm := ""
	for i, r := range c.rules {
		if r.rule.Kind != appliance.QARequired {
			continue
		}
		if norm == "" {
			norm = normalize(m.Text)
		}
		if r.matchAny(norm) {
			disclosed[i], pending[i] = true, false
		}
	}
}

// textHits are the hits read from an agent message's text alone.
func (c *Checker) textHits(conv *appliance.Conversation, m *appliance.Message, norm string) []*appliance.QAHit {
	var out []*appliance.QAHit
	for _, r := range c.rules {
		switch r.rule.Kind {
		case appliance.QAPhrase, appliance.QARude:
			for _, p := range r.patterns {
				if p.match(norm) {
					out = append(out, hit(conv, m, r.rule, p.text))
					break
				}
			}
		case appliance.QAPII:
			if pii.Contains(m.Text) {
				out = append(out, hit(conv, m, r.rule, piiKinds(m.Text)))
			}
		}
	}
	return out
}

func (r compiled) matchAny(norm string) bool {
	for _, p := range r.patterns {
		if p.match(norm) {
			return true
		}
	}
	return false
}

// piiKinds names what kind of number a text holds, never the number itself,
// from the marks pii.Mask leaves: 8 stars for an ID number, "**** ****"
// inside a card number, 4 stars inside a phone number.
func piiKinds(text string) string {
	masked := pii.Mask(text)
	var kinds []string
	if strings.Contains(masked, "********") {
		kinds = append(kinds, "身份证号 ID number")
		masked = strings.ReplaceAll(masked, "********", "")
	}
	if strings.Contains(masked, " **** **** ") {
		kinds = append(kinds, "银行卡号 card number")
		masked = strings.ReplaceAll(masked, " **** **** ", "")
	}
	if strings.Contains(masked, "****") {
		kinds = append(kinds, "手机号 phone number")
	}
	return strings.Join(kinds, ", ")
}

func overLimit(d, limit time.Duration) string {
	return fmt.Sprintf("%d 秒，超过 %d 秒 (%ds > %ds)", int(d.Seconds()), int(limit.Seconds()), int(d.Seconds()), int(limit.Seconds()))
}

// hit records a rule hit. The message text kept with it is masked: reports
// are exported and printed, and a clear-text number must not travel with them.
func hit(conv *appliance.Conversation, m *appliance.Message, r *appliance.QARule, excerpt string) *appliance.QAHit {
	h := &appliance.QAHit{ConversationID: conv.ID, RuleID: r.ID, RuleName: r.Name, Kind: r.Kind, Severity: r.Severity, Excerpt: excerpt}
	if m != nil {
		h.MessageID, h.AgentID, h.MessageText, h.MessageAt = m.ID, m.SenderID, pii.Mask(m.Text), m.CreatedAt
	}
	return h
}

// worst returns the most severe severity among hits.
func worst(hits []*appliance.QAHit) string {
	rank := map[string]int{appliance.SeverityLow: 1, appliance.SeverityMedium: 2, appliance.SeverityHigh: 3}
	best := ""
	for _, h := range hits {
		if rank[h.Severity] > rank[best] {
			best = h.Severity
		}
	}
	return best
}
