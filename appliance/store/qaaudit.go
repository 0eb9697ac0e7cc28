package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/appliance"
	"kefu/nlu"
)

// ConversationIDRange returns the smallest and largest id of the
// conversations created in [from, to); ok is false when there are none.
// Audits walk that id range in primary-key order, which stays cheap however
// many conversations the day had.
func (s *Store) ConversationIDRange(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error) {
	return s.idRange(ctx, &conversationRow{}, "conversations", from, to)
}

// idRange returns the smallest and largest id of a table's rows created in
// [from, to); ok is false when there are none.
func (s *Store) idRange(ctx context.Context, model any, what string, from, to time.Time) (lo, hi int64, ok bool, err error) {
	var r struct {
		Lo *int64
		Hi *int64
	}
	err = s.conn(ctx).Model(model).Select("MIN(id) AS lo, MAX(id) AS hi").
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).Scan(&r).Error
	if err != nil {
		return 0, 0, false, fmt.Errorf("store: unable to find the period's %s: %w", what, err)
	}
	if r.Lo == nil || r.Hi == nil {
		return 0, 0, false, nil
	}
	return *r.Lo, *r.Hi, true, nil
}

// ConversationsCreated returns up to limit conversations created in
// [from, to) with ids in (afterID, maxID], in id order: one page of a
// streamed walk over a day.
func (s *Store) ConversationsCreated(ctx context.Context, from, to time.Time, afterID, maxID int64, limit int) ([]*appliance.Conversation, error) {
	var rows []conversationRow
	err := s.conn(ctx).Where("id > ? AND id <= ? AND created_at >= ? AND created_at < ?", afterID, maxID, from.UTC(), to.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list conversations: %w", err)
	}
	out := make([]*appliance.Conversation, len(rows))
	for i := range rows {
		out[i] = s.conversation(&rows[i])
	}
	return out, nil
}

// leanDecision is the part of a stored decision audits and reports read;
// decoding only these fields keeps a night's audit fast.
type leanDecision struct {
	Policy string `json:"policy"`
	NLU    *struct {
		Intent     string  `json:"intent"`
		Confidence float64 `json:"confidence"`
	} `json:"nlu"`
	Handoff string `json:"handoff"`
}

// TranscriptMessages returns the messages of the given conversations,
// ordered by conversation then id, with each customer message's decision
// reduced to its policy, intent and confidence. Notes are included (Kind
// says so); payloads are not.
func (s *Store) TranscriptMessages(ctx context.Context, conversationIDs []int64) ([]*appliance.Message, error) {
	if len(conversationIDs) == 0 {
		return nil, nil
	}
	rows, err := s.conn(ctx).Model(&messageRow{}).
		Select("id, conversation_id, customer_id, channel, sender, sender_id, kind, text, reply_to, decision, created_at").
		Where("conversation_id IN ?", conversationIDs).Order("conversation_id, id").Rows()
	if err != nil {
		return nil, fmt.Errorf("store: unable to read transcripts: %w", err)
	}
	defer rows.Close()
	var out []*appliance.Message
	for rows.Next() {
		var m appliance.Message
		var sender, kind string
		var decision *string
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.CustomerID, &m.Channel, &sender, &m.SenderID, &kind, &m.Text,
			&m.ReplyTo, &decision, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: unable to read transcripts: %w", err)
		}
		m.Sender, m.Kind, m.CreatedAt, m.Handled = appliance.Sender(sender), appliance.MessageKind(kind), m.CreatedAt.UTC(), true
		m.Text = s.decrypt(m.Text)
		if decision != nil && *decision != "" && m.Sender == appliance.SenderCustomer {
			var d leanDecision
			if json.Unmarshal([]byte(*decision), &d) == nil {
				m.Decision = &appliance.Decision{Policy: d.Policy, Handoff: d.Handoff}
				if d.NLU != nil {
					m.Decision.NLU = nluResult(d.NLU.Intent, d.NLU.Confidence)
				}
			}
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read transcripts: %w", err)
	}
	return out, nil
}

type qaReportRow struct {
	ID            int64 `gorm:"primaryKey"`
	Day           string
	Version       int
	JobRunID      int64
	Status        string
	Conversations int
	Flagged       int
	Hits          int
	Judged        int
	Summary       *string
	Rules         *string
	ContentHash   string
	CreatedAt     time.Time
	CompletedAt   *time.Time
}

func (qaReportRow) TableName() string { return "qa_reports" }

func (r *qaReportRow) domain() *appliance.QAReport {
	q := &appliance.QAReport{ID: r.ID, Day: r.Day, Version: r.Version, JobRunID: r.JobRunID, Status: r.Status,
		Conversations: r.Conversations, Flagged: r.Flagged, Hits: r.Hits, Judged: r.Judged, ContentHash: r.ContentHash,
		CreatedAt: r.CreatedAt.UTC(), CompletedAt: utcPtr(r.CompletedAt)}
	if r.Summary != nil {
		_ = json.Unmarshal([]byte(*r.Summary), &q.Summary)
	}
	if r.Rules != nil {
		_ = json.Unmarshal([]byte(*r.Rules), &q.Rules)
	}
	return q
}

// CreateQAReport starts a new version of a day's report (status running).
func (s *Store) CreateQAReport(ctx context.Context, r *appliance.QAReport) error {
	rules, _ := json.Marshal(r.Rules)
	for attempt := 0; ; attempt++ {
		var max *int
		if err := s.conn(ctx).Model(&qaReportRow{}).Select("MAX(version)").Where("day = ?", r.Day).Scan(&max).Error; err != nil {
			return fmt.Errorf("store: unable to version the QA report: %w", err)
		}
		row := &qaReportRow{Day: r.Day, Version: 1, JobRunID: r.JobRunID, Status: appliance.ReportRunning,
			Rules: strPtr(string(rules)), CreatedAt: utc(r.CreatedAt)}
		if max != nil {
			row.Version = *max + 1
		}
		err := s.conn(ctx).Create(row).Error
		if isDuplicate(err) && attempt < 5 {
			continue // another node versioned the same day at the same moment
		}
		if err != nil {
			return fmt.Errorf("store: unable to create the QA report: %w", err)
		}
		r.ID, r.Version, r.Status, r.CreatedAt = row.ID, row.Version, row.Status, row.CreatedAt
		return nil
	}
}

type qaItemRow struct {
	ID              int64 `gorm:"primaryKey"`
	ReportID        int64
	ConversationID  int64
	Channel         string
	AgentID         int64
	Resolution      string
	Messages        int
	Hits            int
	Severity        string
	FirstResponseMs int64 `gorm:"column:first_response_ms"`
	MaxReplyGapMs   int64 `gorm:"column:max_reply_gap_ms"`
	Csat            int   `gorm:"column:csat"`
	Judge           *string
	StartedAt       time.Time
}

func (qaItemRow) TableName() string { return "qa_report_items" }

func (r *qaItemRow) domain() *appliance.QAReportItem {
	it := &appliance.QAReportItem{ID: r.ID, ReportID: r.ReportID, ConversationID: r.ConversationID, Channel: r.Channel,
		AgentID: r.AgentID, Resolution: appliance.Resolution(r.Resolution), Messages: r.Messages, Hits: r.Hits,
		Severity: r.Severity, FirstResponseMS: r.FirstResponseMs, MaxReplyGapMS: r.MaxReplyGapMs, CSAT: r.Csat,
		StartedAt: r.StartedAt.UTC()}
	if r.Judge != nil && *r.Judge != "" {
		var j appliance.JudgeResult
		if json.Unmarshal([]byte(*r.Judge), &j) == nil {
			it.Judge = &j
		}
	}
	return it
}

type qaHitRow struct {
	ID             int64 `gorm:"primaryKey"`
	ReportID       int64
	ConversationID int64
	MessageID      int64
	RuleID         int64
	RuleName       string
	Kind           string
	Severity       string
	Excerpt        string
	MessageText    string
	MessageAt      *time.Time
}

func (qaHitRow) TableName() string { return "qa_report_hits" }

func (r *qaHitRow) domain() *appliance.QAHit {
	h := &appliance.QAHit{ConversationID: r.ConversationID, MessageID: r.MessageID, RuleID: r.RuleID, RuleName: r.RuleName,
		Kind: appliance.QARuleKind(r.Kind), Severity: r.Severity, Excerpt: r.Excerpt, MessageText: r.MessageText}
	if r.MessageAt != nil {
		h.MessageAt = r.MessageAt.UTC()
	}
	return h
}

// AddQAReportItems appends audited conversations and their hits to a
// running report, with multi-row inserts.
func (s *Store) AddQAReportItems(ctx context.Context, reportID int64, items []*appliance.QAReportItem) error {
	if len(items) == 0 {
		return nil
	}
	rows := make([]qaItemRow, len(items))
	var hits []qaHitRow
	for i, it := range items {
		rows[i] = qaItemRow{ReportID: reportID, ConversationID: it.ConversationID, Channel: it.Channel, AgentID: it.AgentID,
			Resolution: string(it.Resolution), Messages: it.Messages, Hits: len(it.HitList), Severity: it.Severity,
			FirstResponseMs: it.FirstResponseMS, MaxReplyGapMs: it.MaxReplyGapMS, Csat: it.CSAT, StartedAt: utc(it.StartedAt)}
		if it.Judge != nil {
			b, _ := json.Marshal(it.Judge)
			rows[i].Judge = strPtr(s.encrypt(string(b)))
		}
		for _, h := range it.HitList {
			hr := qaHitRow{ReportID: reportID, ConversationID: it.ConversationID, MessageID: h.MessageID, RuleID: h.RuleID,
				RuleName: h.RuleName, Kind: string(h.Kind), Severity: h.Severity, Excerpt: s.encrypt(clip(h.Excerpt, 500)), MessageText: s.encrypt(h.MessageText)}
			if !h.MessageAt.IsZero() {
				t := h.MessageAt.UTC()
				hr.MessageAt = &t
			}
			hits = append(hits, hr)
		}
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).CreateInBatches(rows, 500).Error; err != nil {
			return fmt.Errorf("store: unable to write QA report items: %w", err)
		}
		if len(hits) > 0 {
			if err := s.conn(ctx).CreateInBatches(hits, 500).Error; err != nil {
				return fmt.Errorf("store: unable to write QA report hits: %w", err)
			}
		}
		return nil
	})
}

// SealQAReport completes a running report with its totals, summary and
// content hash. A report is sealed once: sealing a report that is not
// running is refused, so a complete report never changes.
func (s *Store) SealQAReport(ctx context.Context, r *appliance.QAReport) error {
	summary, _ := json.Marshal(r.Summary)
	now := time.Now().UTC()
	res := s.conn(ctx).Model(&qaReportRow{}).Where("id = ? AND status = ?", r.ID, appliance.ReportRunning).Updates(map[string]any{
		"status": r.Status, "conversations": r.Conversations, "flagged": r.Flagged, "hits": r.Hits, "judged": r.Judged,
		"summary": string(summary), "content_hash": r.ContentHash, "completed_at": now})
	if res.Error != nil {
		return fmt.Errorf("store: unable to seal the QA report: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return conflict("report_sealed", "the report is sealed and cannot change")
	}
	r.CompletedAt = &now
	return nil
}

// QAReports lists reports, newest day and version first; day filters when set.
func (s *Store) QAReports(ctx context.Context, day string, limit int) ([]*appliance.QAReport, error) {
	q := s.conn(ctx).Model(&qaReportRow{}).Omit("rules")
	if day != "" {
		q = q.Where("day = ?", day)
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []qaReportRow
	if err := q.Order("day DESC, version DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list QA reports: %w", err)
	}
	out := make([]*appliance.QAReport, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// QAReport returns one report.
func (s *Store) QAReport(ctx context.Context, id int64) (*appliance.QAReport, error) {
	var row qaReportRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("qa_report", err)
	}
	return row.domain(), nil
}

// QAReportItems returns a page of a report's audited conversations in
// conversation order, with their hits.
func (s *Store) QAReportItems(ctx context.Context, f appliance.QAItemFilter) ([]*appliance.QAReportItem, error) {
	q := s.conn(ctx).Model(&qaItemRow{}).Where("report_id = ?", f.ReportID)
	if f.FlaggedOnly {
		q = q.Where("hits > 0")
	}
	if f.Resolution != "" {
		q = q.Where("resolution = ?", string(f.Resolution))
	}
	if f.Severity != "" {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Kind != "" {
		q = q.Where("conversation_id IN (?)", s.conn(ctx).Model(&qaHitRow{}).Select("conversation_id").
			Where("report_id = ? AND kind = ?", f.ReportID, string(f.Kind)))
	}
	if f.AfterID > 0 {
		q = q.Where("conversation_id > ?", f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 100
	}
	var rows []qaItemRow
	if err := q.Order("conversation_id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list QA report items: %w", err)
	}
	out := make([]*appliance.QAReportItem, len(rows))
	ids := make([]int64, len(rows))
	byConv := map[int64]*appliance.QAReportItem{}
	for i := range rows {
		rows[i].Judge = s.decryptPtr(rows[i].Judge)
		out[i] = rows[i].domain()
		ids[i] = rows[i].ConversationID
		byConv[ids[i]] = out[i]
	}
	if len(ids) == 0 {
		return out, nil
	}
	var hits []qaHitRow
	if err := s.conn(ctx).Where("report_id = ? AND conversation_id IN ?", f.ReportID, ids).Order("conversation_id, id").
		Find(&hits).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list QA report hits: %w", err)
	}
	for i := range hits {
		hits[i].Excerpt, hits[i].MessageText = s.decrypt(hits[i].Excerpt), s.decrypt(hits[i].MessageText)
		it := byConv[hits[i].ConversationID]
		it.HitList = append(it.HitList, hits[i].domain())
	}
	return out, nil
}

// QAReportItem returns one audited conversation of a report, with its hits.
func (s *Store) QAReportItem(ctx context.Context, reportID, conversationID int64) (*appliance.QAReportItem, error) {
	items, err := s.QAReportItems(ctx, appliance.QAItemFilter{ReportID: reportID, AfterID: conversationID - 1, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || items[0].ConversationID != conversationID {
		return nil, appliance.Errorf(appliance.ENOTFOUND, "qa_report_item_not_found", "the conversation is not in this report")
	}
	return items[0], nil
}

// QAHitCounts counts a report's hits by rule kind and severity.
func (s *Store) QAHitCounts(ctx context.Context, reportID int64) (map[string]int64, error) {
	var rows []struct {
		Kind     string
		Severity string
		N        int64
	}
	if err := s.conn(ctx).Model(&qaHitRow{}).Select("kind, severity, COUNT(*) AS n").Where("report_id = ?", reportID).
		Group("kind, severity").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to count QA hits: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Kind+"/"+r.Severity] = r.N
	}
	return out, nil
}

func nluResult(intent string, confidence float64) *nlu.Result {
	return &nlu.Result{Intent: intent, Confidence: confidence}
}
