package appliance

import (
	"context"
	"time"
)

// This file names the vocabulary of quality assurance and scheduled jobs
// (issue 5): the rules supervisors configure, the hits they produce on agent
// messages, the nightly audit reports compliance officers read, and the
// record of every job run. appliance/qa evaluates and audits,
// appliance/jobs schedules, appliance/store keeps them.

// QARuleKind is what a rule looks for.
type QARuleKind string

const (
	// QAPhrase flags agent messages containing one of the phrases (forbidden
	// or discouraged, as the severity says). A phrase may use * for a short gap.
	QAPhrase QARuleKind = "phrase"
	// QARequired requires one of the phrases in the agent's answers once the
	// customer asked about one of the intents (a risk disclosure before an
	// investment answer).
	QARequired QARuleKind = "required"
	// QAPII flags phone, ID-card and bank-card numbers an agent sends in clear.
	QAPII QARuleKind = "pii"
	// QAFirstResponse flags a first agent reply later than LimitSeconds after the hand-off.
	QAFirstResponse QARuleKind = "first_response"
	// QAReplyGap flags an agent reply later than LimitSeconds after the customer wrote.
	QAReplyGap QARuleKind = "reply_gap"
	// QARude flags rude, dismissive or negative wording (a built-in lexicon
	// plus the rule's own phrases).
	QARude QARuleKind = "rude"
)

// QARuleKinds lists every kind, in the order the console shows them.
var QARuleKinds = []QARuleKind{QAPhrase, QARequired, QAPII, QAFirstResponse, QAReplyGap, QARude}

// Severities of rule hits, most severe first.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

// QARule is one configurable QA rule.
type QARule struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Kind         QARuleKind `json:"kind"`
	Severity     string     `json:"severity"`
	Phrases      []string   `json:"phrases"`
	Intents      []string   `json:"intents"`
	LimitSeconds int        `json:"limit_seconds"`
	Enabled      bool       `json:"enabled"`
	Description  string     `json:"description"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// QAHit is one rule hit on one message (or, for time limits, on the reply
// that came too late; MessageID is 0 when no reply came at all).
type QAHit struct {
	ConversationID int64      `json:"conversation_id"`
	MessageID      int64      `json:"message_id"`
	AgentID        int64      `json:"agent_id,omitempty"`
	RuleID         int64      `json:"rule_id"`
	RuleName       string     `json:"rule_name"`
	Kind           QARuleKind `json:"kind"`
	Severity       string     `json:"severity"`
	// Excerpt is what matched (the phrase, the masked number, "312s > 60s").
	Excerpt     string    `json:"excerpt"`
	MessageText string    `json:"message_text"`
	MessageAt   time.Time `json:"message_at"`
}

// QAAlert is a hit found in real time and shown to supervisors.
type QAAlert struct {
	ID int64 `json:"id"`
	QAHit
	CreatedAt time.Time `json:"created_at"`
}

// Resolution is how a conversation ended, for audits and reports.
type Resolution string

const (
	ResolvedByBot Resolution = "bot_resolved" // never handed to a person
	HandedOff     Resolution = "handed_off"   // a person answered
	Abandoned     Resolution = "abandoned"    // handed off, but no person answered
)

// QAReport is one nightly audit: every conversation of one day. A day may
// have several versions (re-runs); a sealed report never changes, and its
// content hash lets anyone verify that.
type QAReport struct {
	ID            int64          `json:"id"`
	Day           string         `json:"day"` // YYYY-MM-DD in the appliance's time zone
	Version       int            `json:"version"`
	JobRunID      int64          `json:"job_run_id,omitempty"`
	Status        string         `json:"status"` // running, complete, failed
	Conversations int            `json:"conversations"`
	Flagged       int            `json:"flagged"`
	Hits          int            `json:"hits"`
	Judged        int            `json:"judged"`
	Summary       map[string]any `json:"summary,omitempty"`
	Rules         []*QARule      `json:"rules,omitempty"` // the rules as they were when audited
	ContentHash   string         `json:"content_hash"`
	CreatedAt     time.Time      `json:"created_at"`
	CompletedAt   *time.Time     `json:"completed_at,omitempty"`
}

// QA report statuses.
const (
	ReportRunning  = "running"
	ReportComplete = "complete"
	ReportFailed   = "failed"
)

// QAReportItem is one audited conversation of a report.
type QAReportItem struct {
	ID             int64      `json:"id"`
	ReportID       int64      `json:"report_id"`
	ConversationID int64      `json:"conversation_id"`
	Channel        string     `json:"channel"`
	AgentID        int64      `json:"agent_id,omitempty"`
	Resolution     Resolution `json:"resolution"`
	Messages       int        `json:"messages"`
	Hits           int        `json:"hits"`
	Severity       string     `json:"severity,omitempty"` // the most severe hit
	// FirstResponseMS is the first agent reply after the hand-off; -1 when none.
	FirstResponseMS int64 `json:"first_response_ms"`
	// MaxReplyGapMS is the longest wait for an agent reply; -1 when none.
	MaxReplyGapMS int64        `json:"max_reply_gap_ms"`
	CSAT          int          `json:"csat,omitempty"` // 1..5, 0 when not given
	Judge         *JudgeResult `json:"judge,omitempty"`
	StartedAt     time.Time    `json:"started_at"`
	HitList       []*QAHit     `json:"hit_list,omitempty"`
}

// JudgeResult is an LLM's rubric scores of one conversation, 1 (poor) to 5.
type JudgeResult struct {
	Correctness int    `json:"correctness"`
	Compliance  int    `json:"compliance"`
	Empathy     int    `json:"empathy"`
	Rationale   string `json:"rationale"`
	Model       string `json:"model,omitempty"`
	Error       string `json:"error,omitempty"` // a stable code when the judge failed
}

// QAItemFilter selects audited conversations of a report.
type QAItemFilter struct {
	ReportID    int64
	FlaggedOnly bool
	Resolution  Resolution
	Severity    string
	Kind        QARuleKind // only conversations with a hit of this kind
	Channel     string
	AfterID     int64
	Limit       int
}

// CSATSource reads customer satisfaction scores (1..5) given to
// conversations; conversations without a score are absent from the map.
// Kept optional: the audit and the reports work without one.
type CSATSource interface {
	CSATScores(ctx context.Context, conversationIDs []int64) (map[int64]int, error)
}

// Job run statuses.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// JobRun is one run of a scheduled job.
type JobRun struct {
	ID      int64  `json:"id"`
	Job     string `json:"job"`
	SlotKey string `json:"slot_key"` // the scheduled slot it claimed, or a unique key for manual runs
	Trigger string `json:"trigger"`  // schedule, catchup, manual
	ForDate string `json:"for_date,omitempty"`
	Node    string `json:"node,omitempty"`
	Status  string `json:"status"`
	// Counts are what the job counted: conversations audited, rows deleted, ...
	Counts     map[string]int64 `json:"counts,omitempty"`
	Error      string           `json:"error,omitempty"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt *time.Time       `json:"finished_at,omitempty"`
}
