package qa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"kefu/appliance"
)

// AuditStore is what the nightly audit reads and writes.
type AuditStore interface {
	QARules(ctx context.Context) ([]*appliance.QARule, error)
	ConversationIDRange(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error)
	ConversationsCreated(ctx context.Context, from, to time.Time, afterID, maxID int64, limit int) ([]*appliance.Conversation, error)
	// TranscriptMessages returns the messages of the conversations ordered
	// by conversation and id, customer decisions reduced to intent and policy.
	TranscriptMessages(ctx context.Context, conversationIDs []int64) ([]*appliance.Message, error)
	// Messages returns full messages (decisions with knowledge passages), for the judge.
	Messages(ctx context.Context, f appliance.MessageFilter) ([]*appliance.Message, error)
	CreateQAReport(ctx context.Context, r *appliance.QAReport) error
	AddQAReportItems(ctx context.Context, reportID int64, items []*appliance.QAReportItem) error
	SealQAReport(ctx context.Context, r *appliance.QAReport) error
	QAReport(ctx context.Context, id int64) (*appliance.QAReport, error)
	QAReportItems(ctx context.Context, f appliance.QAItemFilter) ([]*appliance.QAReportItem, error)
}

// Judge scores one conversation on the rubric; implemented with Ollama.
type Judge interface {
	Judge(ctx context.Context, conv *appliance.Conversation, msgs []*appliance.Message) (*appliance.JudgeResult, error)
}

// AuditorOptions configure an Auditor.
type AuditorOptions struct {
	Store AuditStore
	CSAT  appliance.CSATSource // optional
	Judge Judge                // optional: nil audits by rules only
	// JudgeMax bounds how many conversations the judge scores per audit
	// (an LLM call each); 0 means 200.
	JudgeMax int
	Location *time.Location // the day's time zone; nil means time.Local
	Batch    int            // conversations per page; 0 means 1000
	Logger   *slog.Logger
	Now      func() time.Time
}

// Auditor runs the nightly audit.
type Auditor struct {
	o AuditorOptions
}

// NewAuditor returns an auditor.
func NewAuditor(o AuditorOptions) *Auditor {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.JudgeMax <= 0 {
		o.JudgeMax = 200
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Auditor{o: o}
}

// Counter receives progress counts (a job run's Add).
type Counter func(name string, n int64)

// Audit checks every conversation created on day (midnight in the
// auditor's zone) and writes a new, sealed version of the day's report. It
// reads and writes one page of conversations at a time.
func (a *Auditor) Audit(ctx context.Context, day time.Time, jobRunID int64, count Counter) (*appliance.QAReport, error) {
	if count == nil {
		count = func(string, int64) {}
	}
	y, m, d := day.In(a.o.Location).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, a.o.Location)
	to := from.AddDate(0, 0, 1)
	rules, err := a.o.Store.QARules(ctx)
	if err != nil {
		return nil, err
	}
	checker := NewChecker(rules)
	rep := &appliance.QAReport{Day: from.Format(time.DateOnly), JobRunID: jobRunID, Rules: rules, CreatedAt: a.o.Now()}
	if err := a.o.Store.CreateQAReport(ctx, rep); err != nil {
		return nil, err
	}
	sum := newSummary()
	lo, hi, ok, err := a.o.Store.ConversationIDRange(ctx, from, to)
	if err != nil {
		return a.fail(rep, err)
	}
	judged := 0
	for after := lo - 1; ok; {
		if err := ctx.Err(); err != nil {
			return a.fail(rep, err)
		}
		convs, err := a.o.Store.ConversationsCreated(ctx, from, to, after, hi, a.o.Batch)
		if err != nil {
			return a.fail(rep, err)
		}
		if len(convs) == 0 {
			break
		}
		after = convs[len(convs)-1].ID
		items, err := a.page(ctx, checker, convs, to, &judged)
		if err != nil {
			return a.fail(rep, err)
		}
		for _, it := range items {
			sum.add(it)
		}
		if err := a.o.Store.AddQAReportItems(ctx, rep.ID, items); err != nil {
			return a.fail(rep, err)
		}
		count("conversations", int64(len(items)))
	}
	rep.Status = appliance.ReportComplete
	rep.Conversations, rep.Flagged, rep.Hits, rep.Judged = sum.Conversations, sum.Flagged, sum.Hits, judged
	rep.Summary = normalizeMap(sum.export())
	if rep.ContentHash, err = a.Hash(ctx, rep); err != nil {
		return a.fail(rep, err)
	}
	if err := a.o.Store.SealQAReport(ctx, rep); err != nil {
		return nil, err
	}
	count("flagged", int64(rep.Flagged))
	count("hits", int64(rep.Hits))
	count("judged", int64(judged))
	count("report_id", rep.ID)
	return rep, nil
}

// page audits one page of conversations.
func (a *Auditor) page(ctx context.Context, checker *Checker, convs []*appliance.Conversation, dayEnd time.Time, judged *int) ([]*appliance.QAReportItem, error) {
	ids := make([]int64, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
	}
	msgs, err := a.o.Store.TranscriptMessages(ctx, ids)
	if err != nil {
		return nil, err
	}
	var csat map[int64]int
	if a.o.CSAT != nil {
		if csat, err = a.o.CSAT.CSATScores(ctx, ids); err != nil {
			return nil, err
		}
	}
	now := a.o.Now()
	items := make([]*appliance.QAReportItem, 0, len(convs))
	j := 0
	for _, c := range convs {
		start := j
		for j < len(msgs) && msgs[j].ConversationID == c.ID {
			j++
		}
		transcript := msgs[start:j]
		end := now
		if c.ClosedAt != nil {
			end = *c.ClosedAt
		}
		out := checker.Check(c, transcript, end)
		it := &appliance.QAReportItem{ConversationID: c.ID, Channel: c.Channel, AgentID: c.AssigneeID,
			Resolution: resolution(c), Messages: out.Messages, Hits: len(out.Hits), Severity: worst(out.Hits),
			FirstResponseMS: ms(out.FirstResponse), MaxReplyGapMS: ms(out.MaxReplyGap), CSAT: csat[c.ID],
			StartedAt: c.CreatedAt, HitList: out.Hits}
		if it.AgentID == 0 {
			it.AgentID = out.AgentID
		}
		if a.o.Judge != nil && *judged < a.o.JudgeMax && out.Messages > 0 {
			it.Judge = a.judge(ctx, c)
			*judged++
		}
		items = append(items, it)
	}
	return items, nil
}

func (a *Auditor) judge(ctx context.Context, c *appliance.Conversation) *appliance.JudgeResult {
	full, err := a.o.Store.Messages(ctx, appliance.MessageFilter{ConversationID: c.ID, CustomerOnly: true, Limit: 200})
	if err != nil {
		return &appliance.JudgeResult{Error: "judge_transcript_unavailable"}
	}
	res, err := a.o.Judge.Judge(ctx, c, full)
	if err != nil {
		a.o.Logger.Warn("qa: judge failed", slog.Int64("conversation_id", c.ID), slog.Any("error", err))
		return &appliance.JudgeResult{Error: JudgeErrorCode(err)}
	}
	return res
}

func (a *Auditor) fail(rep *appliance.QAReport, cause error) (*appliance.QAReport, error) {
	rep.Status = appliance.ReportFailed
	rep.Summary = map[string]any{"error": cause.Error()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.o.Store.SealQAReport(ctx, rep); err != nil {
		a.o.Logger.Error("qa: unable to mark the report failed", slog.Int64("report_id", rep.ID), slog.Any("error", err))
	}
	return nil, cause
}

// resolution classifies how a conversation went.
func resolution(c *appliance.Conversation) appliance.Resolution {
	switch {
	case c.HandoffAt == nil:
		return appliance.ResolvedByBot
	case c.FirstResponseAt != nil:
		return appliance.HandedOff
	}
	return appliance.Abandoned
}

func ms(d time.Duration) int64 {
	if d < 0 {
		return -1
	}
	return d.Milliseconds()
}

// Hash computes a report's content hash from what is stored: its header,
// its summary and rules, and every audited conversation with its hits, in
// conversation order, read back page by page. Sealing records it; Verify
// recomputes it later.
func (a *Auditor) Hash(ctx context.Context, rep *appliance.QAReport) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	header := struct {
		Day                                  string
		Version                              int
		Conversations, Flagged, Hits, Judged int
		Summary                              map[string]any
		Rules                                []*appliance.QARule
	}{rep.Day, rep.Version, rep.Conversations, rep.Flagged, rep.Hits, rep.Judged, rep.Summary, rep.Rules}
	if err := enc.Encode(header); err != nil {
		return "", err
	}
	for after := int64(0); ; {
		items, err := a.o.Store.QAReportItems(ctx, appliance.QAItemFilter{ReportID: rep.ID, AfterID: after, Limit: 2000})
		if err != nil {
			return "", err
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			cp := *it
			cp.ID, cp.ReportID = 0, 0
			cp.StartedAt = cp.StartedAt.UTC().Truncate(time.Millisecond)
			for _, hit := range cp.HitList {
				hit.MessageAt = hit.MessageAt.UTC().Truncate(time.Millisecond)
			}
			if err := enc.Encode(&cp); err != nil {
				return "", err
			}
		}
		after = items[len(items)-1].ConversationID
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify recomputes a sealed report's hash and compares it with the one
// recorded at sealing.
func (a *Auditor) Verify(ctx context.Context, reportID int64) (bool, string, error) {
	rep, err := a.o.Store.QAReport(ctx, reportID)
	if err != nil {
		return false, "", err
	}
	if rep.Status != appliance.ReportComplete {
		return false, "", appliance.Errorf(appliance.ECONFLICT, "report_not_complete", "report %d is %s", reportID, rep.Status)
	}
	got, err := a.Hash(ctx, rep)
	if err != nil {
		return false, "", err
	}
	return got == rep.ContentHash, got, nil
}

// normalizeMap round-trips v through JSON so the summary hashed at sealing
// is byte for byte the one read back from the database.
func normalizeMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("qa: summary does not marshal: %v", err))
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}
