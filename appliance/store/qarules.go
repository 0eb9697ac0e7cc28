package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/appliance"
)

type qaRuleRow struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	Kind         string
	Severity     string
	Phrases      string
	Intents      string
	LimitSeconds int
	Enabled      bool
	Description  string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (qaRuleRow) TableName() string { return "qa_rules" }

func (r *qaRuleRow) domain() *appliance.QARule {
	q := &appliance.QARule{ID: r.ID, Name: r.Name, Kind: appliance.QARuleKind(r.Kind), Severity: r.Severity,
		LimitSeconds: r.LimitSeconds, Enabled: r.Enabled, Description: r.Description, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Phrases: []string{}, Intents: []string{}}
	_ = json.Unmarshal([]byte(r.Phrases), &q.Phrases)
	_ = json.Unmarshal([]byte(r.Intents), &q.Intents)
	return q
}

func qaRuleToRow(q *appliance.QARule) *qaRuleRow {
	ph, _ := json.Marshal(nonNil(q.Phrases))
	in, _ := json.Marshal(nonNil(q.Intents))
	return &qaRuleRow{ID: q.ID, Name: q.Name, Kind: string(q.Kind), Severity: q.Severity, Phrases: string(ph),
		Intents: string(in), LimitSeconds: q.LimitSeconds, Enabled: q.Enabled, Description: q.Description,
		CreatedAt: utc(q.CreatedAt), UpdatedAt: utc(q.UpdatedAt)}
}

// QARules lists the QA rules, enabled or not, in id order.
func (s *Store) QARules(ctx context.Context) ([]*appliance.QARule, error) {
	var rows []qaRuleRow
	if err := s.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list QA rules: %w", err)
	}
	out := make([]*appliance.QARule, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// QARule returns one rule.
func (s *Store) QARule(ctx context.Context, id int64) (*appliance.QARule, error) {
	var row qaRuleRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("qa_rule", err)
	}
	return row.domain(), nil
}

// CreateQARule stores a new rule.
func (s *Store) CreateQARule(ctx context.Context, q *appliance.QARule) error {
	row := qaRuleToRow(q)
	row.ID = 0
	if err := s.conn(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: unable to create QA rule: %w", err)
	}
	q.ID, q.CreatedAt, q.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return nil
}

// UpdateQARule replaces a rule's settings.
func (s *Store) UpdateQARule(ctx context.Context, q *appliance.QARule) error {
	row := qaRuleToRow(q)
	res := s.conn(ctx).Model(&qaRuleRow{ID: q.ID}).Select("*").Omit("id", "created_at").Updates(row)
	if res.Error != nil {
		return fmt.Errorf("store: unable to update QA rule: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "qa_rule_not_found", "QA rule not found")
	}
	return nil
}

// DeleteQARule removes a rule; reports keep their own copy of the rules.
func (s *Store) DeleteQARule(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&qaRuleRow{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete QA rule: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "qa_rule_not_found", "QA rule not found")
	}
	return nil
}

type qaAlertRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	MessageID      int64
	AgentID        int64
	RuleID         int64
	RuleName       string
	Kind           string
	Severity       string
	Excerpt        string
	CreatedAt      time.Time
}

func (qaAlertRow) TableName() string { return "qa_alerts" }

// CreateQAAlert stores a hit found in real time.
func (s *Store) CreateQAAlert(ctx context.Context, a *appliance.QAAlert) error {
	row := &qaAlertRow{ConversationID: a.ConversationID, MessageID: a.MessageID, AgentID: a.AgentID, RuleID: a.RuleID,
		RuleName: a.RuleName, Kind: string(a.Kind), Severity: a.Severity, Excerpt: s.encrypt(clip(a.Excerpt, 500)), CreatedAt: utc(a.CreatedAt)}
	if err := s.conn(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: unable to record QA alert: %w", err)
	}
	a.ID, a.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// QAAlerts lists real-time alerts, newest first.
func (s *Store) QAAlerts(ctx context.Context, beforeID int64, limit int) ([]*appliance.QAAlert, error) {
	q := s.conn(ctx).Model(&qaAlertRow{})
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []qaAlertRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list QA alerts: %w", err)
	}
	out := make([]*appliance.QAAlert, len(rows))
	for i, r := range rows {
		out[i] = &appliance.QAAlert{ID: r.ID, CreatedAt: r.CreatedAt.UTC(), QAHit: appliance.QAHit{ConversationID: r.ConversationID,
			MessageID: r.MessageID, AgentID: r.AgentID, RuleID: r.RuleID, RuleName: r.RuleName,
			Kind: appliance.QARuleKind(r.Kind), Severity: r.Severity, Excerpt: s.decrypt(r.Excerpt)}}
	}
	return out, nil
}
