package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/appliance"
)

// MessageIDRange returns the smallest and largest id of the messages
// written in [from, to); ok is false when there are none.
func (s *Store) MessageIDRange(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error) {
	return s.idRange(ctx, &messageRow{}, "messages", from, to)
}

// CustomerMessages returns up to limit customer messages written in
// [from, to) with ids in (afterID, maxID], in id order, decisions reduced to
// policy, intent and hand-off reason: one page of a streamed walk.
func (s *Store) CustomerMessages(ctx context.Context, from, to time.Time, afterID, maxID int64, limit int) ([]*appliance.Message, error) {
	rows, err := s.conn(ctx).Model(&messageRow{}).
		Select("id, conversation_id, customer_id, channel, kind, text, decision, created_at").
		Where("id > ? AND id <= ? AND created_at >= ? AND created_at < ? AND sender = ?", afterID, maxID, from.UTC(), to.UTC(),
			string(appliance.SenderCustomer)).
		Order("id").Limit(limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: unable to read customer messages: %w", err)
	}
	defer rows.Close()
	var out []*appliance.Message
	for rows.Next() {
		m := appliance.Message{Sender: appliance.SenderCustomer, Handled: true}
		var kind string
		var decision *string
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.CustomerID, &m.Channel, &kind, &m.Text, &decision, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: unable to read customer messages: %w", err)
		}
		m.Kind, m.CreatedAt, m.Text = appliance.MessageKind(kind), m.CreatedAt.UTC(), s.decrypt(m.Text)
		if decision != nil && *decision != "" {
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
		return nil, fmt.Errorf("store: unable to read customer messages: %w", err)
	}
	return out, nil
}

type analyticsRow struct {
	ID        int64 `gorm:"primaryKey"`
	Period    string
	StartDay  string
	Data      string
	JobRunID  int64
	CreatedAt time.Time
}

func (analyticsRow) TableName() string { return "analytics_reports" }

// SaveAnalyticsReport stores a computed report (data is its JSON; encrypted
// at rest, for its top questions are what customers wrote).
func (s *Store) SaveAnalyticsReport(ctx context.Context, period, startDay string, data []byte, jobRunID int64) error {
	row := &analyticsRow{Period: period, StartDay: startDay, Data: s.encrypt(string(data)), JobRunID: jobRunID, CreatedAt: time.Now().UTC()}
	if err := s.conn(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: unable to save the analytics report: %w", err)
	}
	return nil
}

// AnalyticsReport returns the latest stored report of a period starting on
// startDay, as JSON.
func (s *Store) AnalyticsReport(ctx context.Context, period, startDay string) ([]byte, time.Time, error) {
	var row analyticsRow
	err := s.conn(ctx).Where("period = ? AND start_day = ?", period, startDay).Order("id DESC").Take(&row).Error
	if err != nil {
		return nil, time.Time{}, notFound("analytics_report", err)
	}
	return []byte(s.decrypt(row.Data)), row.CreatedAt.UTC(), nil
}

// AnalyticsDays lists the start days of stored reports of a period, newest first.
func (s *Store) AnalyticsDays(ctx context.Context, period string, limit int) ([]string, error) {
	if limit <= 0 || limit > 400 {
		limit = 60
	}
	var days []string
	err := s.conn(ctx).Model(&analyticsRow{}).Distinct("start_day").Where("period = ?", period).
		Order("start_day DESC").Limit(limit).Pluck("start_day", &days).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list analytics reports: %w", err)
	}
	return days, nil
}
