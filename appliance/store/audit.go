package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/appliance"
)

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	ActorType  string
	ActorID    int64
	ActorName  string
	Action     string
	TargetType string
	TargetID   string
	Detail     *string
	IP         string `gorm:"column:ip"`
	CreatedAt  time.Time
}

func (auditRow) TableName() string { return "audit_log" }

// RecordAudit implements appliance.AuditLog.
func (s *Store) RecordAudit(ctx context.Context, e *appliance.AuditEntry) error {
	row := auditRow{ActorType: e.ActorType, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, IP: e.IP, CreatedAt: utc(e.CreatedAt)}
	if len(e.Detail) > 0 {
		// Details can hold what was changed (a customer's attributes before
		// and after an edit): encrypted at rest like the profile itself.
		b, _ := json.Marshal(e.Detail)
		row.Detail = strPtr(s.encrypt(string(b)))
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: unable to record audit entry: %w", err)
	}
	e.ID, e.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// Audit lists audit entries, newest first.
func (s *Store) Audit(ctx context.Context, f appliance.AuditFilter) ([]*appliance.AuditEntry, error) {
	q := s.conn(ctx).Model(&auditRow{})
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []auditRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list audit entries: %w", err)
	}
	out := make([]*appliance.AuditEntry, len(rows))
	for i, r := range rows {
		e := &appliance.AuditEntry{ID: r.ID, ActorType: r.ActorType, ActorID: r.ActorID, ActorName: r.ActorName,
			Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID, IP: r.IP, CreatedAt: r.CreatedAt.UTC()}
		if r.Detail != nil {
			_ = json.Unmarshal([]byte(s.decrypt(*r.Detail)), &e.Detail)
		}
		out[i] = e
	}
	return out, nil
}
