package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"kefu/appliance"
)

// MergedRecords implements appliance.ErasureStore.
func (s *Store) MergedRecords(ctx context.Context, id int64) ([]int64, error) {
	var out []int64
	for frontier := []int64{id}; len(frontier) > 0 && len(out) < 10_000; {
		var next []int64
		if err := s.conn(ctx).Model(&customerRow{}).Where("merged_into IN ?", frontier).Order("id").Pluck("id", &next).Error; err != nil {
			return nil, fmt.Errorf("store: unable to list merged records: %w", err)
		}
		out, frontier = append(out, next...), next
	}
	return out, nil
}

// EraseCustomers implements appliance.ErasureStore: in one transaction, the
// records' conversations are anonymized like the retention job does (texts,
// payloads, decision paths, summaries) and their CSAT comments blanked;
// identities and dialogue states are deleted; tickets keep their type,
// status and times but lose title, body, data and history notes; merge
// records lose the proof and profile snapshot; audit entries of profile
// edits lose their details (before and after); the customer rows keep only
// their id, times and the erasure time.
func (s *Store) EraseCustomers(ctx context.Context, ids []int64, at time.Time) (appliance.Erasure, error) {
	out := appliance.Erasure{Records: ids, ErasedAt: at.UTC()}
	err := s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		var convs []int64
		if err := db.Model(&conversationRow{}).Where("customer_id IN ?", ids).Pluck("id", &convs).Error; err != nil {
			return err
		}
		if len(convs) > 0 {
			res := db.Model(&messageRow{}).Where("conversation_id IN ?", convs).
				Updates(map[string]any{"text": appliance.ErasedText, "payload": nil, "decision": nil})
			if res.Error != nil {
				return res.Error
			}
			out.Messages = res.RowsAffected
			if err := db.Model(&conversationRow{}).Where("id IN ?", convs).
				Updates(map[string]any{"summary": "", "anonymized_at": out.ErasedAt}).Error; err != nil {
				return err
			}
			if err := db.Table("csat_ratings").Where("conversation_id IN ?", convs).Update("comment", "").Error; err != nil {
				return err
			}
		}
		out.Conversations = int64(len(convs))
		res := db.Where("customer_id IN ?", ids).Delete(&identityRow{})
		if res.Error != nil {
			return res.Error
		}
		out.Identities = res.RowsAffected
		if err := db.Where("customer_id IN ?", ids).Delete(&dialogueStateRow{}).Error; err != nil {
			return err
		}
		var tickets []int64
		if err := db.Model(&ticketRow{}).Where("customer_id IN ?", ids).Pluck("id", &tickets).Error; err != nil {
			return err
		}
		if len(tickets) > 0 {
			if err := db.Model(&ticketRow{}).Where("id IN ?", tickets).
				Updates(map[string]any{"title": appliance.ErasedText, "body": "", "data": nil}).Error; err != nil {
				return err
			}
			if err := db.Model(&ticketEventRow{}).Where("ticket_id IN ?", tickets).Update("note", "").Error; err != nil {
				return err
			}
		}
		out.Tickets = int64(len(tickets))
		if err := db.Model(&customerMergeRow{}).Where("winner_id IN ? OR loser_id IN ?", ids, ids).
			Updates(map[string]any{"proof_value": "", "profile": "{}"}).Error; err != nil {
			return err
		}
		// Audit entries keep who did what and when to the customer; the
		// details of profile edits (attributes before and after) go.
		targets := make([]string, len(ids))
		for i, id := range ids {
			targets[i] = strconv.FormatInt(id, 10)
		}
		res = db.Model(&auditRow{}).Where("target_type = ? AND target_id IN ? AND action = ?", "customer", targets, "customer.update").
			Update("detail", s.encrypt(`{"erased":true}`))
		if res.Error != nil {
			return res.Error
		}
		out.AuditDetails = res.RowsAffected
		return db.Model(&customerRow{}).Where("id IN ?", ids).Updates(map[string]any{"display_name": "", "attributes": "{}",
			"tags": "[]", "vip_level": 0, "erased_at": out.ErasedAt, "updated_at": out.ErasedAt}).Error
	})
	if err != nil {
		return appliance.Erasure{}, fmt.Errorf("store: unable to erase customers: %w", err)
	}
	return out, nil
}

type erasureRequestRow struct {
	ID            int64 `gorm:"primaryKey"`
	CustomerID    int64
	Status        string
	Reason        string
	RequestedBy   int64
	RequestedName string
	DecidedBy     int64
	DecidedName   string
	DecisionNote  string
	CreatedAt     time.Time
	DecidedAt     *time.Time
}

func (erasureRequestRow) TableName() string { return "erasure_requests" }

func (r *erasureRequestRow) domain() *appliance.ErasureRequest {
	out := &appliance.ErasureRequest{ID: r.ID, CustomerID: r.CustomerID, Status: r.Status, Reason: r.Reason,
		RequestedBy: r.RequestedBy, RequestedName: r.RequestedName, DecidedBy: r.DecidedBy, DecidedName: r.DecidedName,
		DecisionNote: r.DecisionNote, CreatedAt: r.CreatedAt.UTC()}
	if r.DecidedAt != nil {
		t := r.DecidedAt.UTC()
		out.DecidedAt = &t
	}
	return out
}

// CreateErasureRequest implements appliance.ErasureRequests.
func (s *Store) CreateErasureRequest(ctx context.Context, r *appliance.ErasureRequest) error {
	row := &erasureRequestRow{CustomerID: r.CustomerID, Status: r.Status, Reason: r.Reason, RequestedBy: r.RequestedBy,
		RequestedName: r.RequestedName, CreatedAt: utc(r.CreatedAt)}
	if err := s.conn(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: unable to record the erasure request: %w", err)
	}
	r.ID, r.CreatedAt = row.ID, row.CreatedAt.UTC()
	return nil
}

// ErasureRequest implements appliance.ErasureRequests.
func (s *Store) ErasureRequest(ctx context.Context, id int64) (*appliance.ErasureRequest, error) {
	var row erasureRequestRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound("erasure_request", err)
	}
	return row.domain(), nil
}

// PendingErasure implements appliance.ErasureRequests.
func (s *Store) PendingErasure(ctx context.Context, customerID int64) (*appliance.ErasureRequest, error) {
	var row erasureRequestRow
	err := s.conn(ctx).Where("customer_id = ? AND status = ?", customerID, appliance.ErasurePending).Order("id").Take(&row).Error
	if err != nil {
		return nil, notFound("erasure_request", err)
	}
	return row.domain(), nil
}

// PendingErasures implements appliance.ErasureRequests.
func (s *Store) PendingErasures(ctx context.Context, limit int) ([]*appliance.ErasureRequest, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []erasureRequestRow
	if err := s.conn(ctx).Where("status = ?", appliance.ErasurePending).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list erasure requests: %w", err)
	}
	out := make([]*appliance.ErasureRequest, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// DecideErasure implements appliance.ErasureRequests: the update holds only
// while the request is still pending.
func (s *Store) DecideErasure(ctx context.Context, r *appliance.ErasureRequest) error {
	var at *time.Time
	if r.DecidedAt != nil {
		t := utc(*r.DecidedAt)
		at = &t
	}
	res := s.conn(ctx).Model(&erasureRequestRow{}).Where("id = ? AND status = ?", r.ID, appliance.ErasurePending).
		Updates(map[string]any{"status": r.Status, "decided_by": r.DecidedBy, "decided_name": r.DecidedName,
			"decision_note": r.DecisionNote, "decided_at": at})
	if res.Error != nil {
		return fmt.Errorf("store: unable to record the erasure decision: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return conflict("erasure_decided", "the request was decided meanwhile")
	}
	return nil
}
