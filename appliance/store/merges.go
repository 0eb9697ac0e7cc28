package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kefu/appliance"
)

type customerMergeRow struct {
	ID             int64 `gorm:"primaryKey"`
	WinnerID       int64
	LoserID        int64
	Reason         string
	ProofKind      string
	ProofNamespace string
	ProofValue     string
	Channel        string
	ActorType      string
	ActorID        int64
	ActorName      string
	Profile        string
	CreatedAt      time.Time
	UndoneAt       *time.Time
	UndoneByID     int64
	UndoneByName   string
	UndoReason     string
}

func (customerMergeRow) TableName() string { return "customer_merges" }

// merge decrypts a merge record (the proof, an identity, and the profile
// snapshot are encrypted at rest).
func (s *Store) merge(r *customerMergeRow) *appliance.CustomerMerge {
	r.ProofValue, r.Profile = s.decrypt(r.ProofValue), s.decrypt(r.Profile)
	return r.domain()
}

func (r *customerMergeRow) domain() *appliance.CustomerMerge {
	m := &appliance.CustomerMerge{ID: r.ID, WinnerID: r.WinnerID, LoserID: r.LoserID, Reason: r.Reason,
		Proof:   appliance.Identity{Kind: appliance.IdentityKind(r.ProofKind), Namespace: r.ProofNamespace, Value: r.ProofValue, Verified: true},
		Channel: r.Channel, ActorType: r.ActorType, ActorID: r.ActorID, ActorName: r.ActorName, CreatedAt: r.CreatedAt.UTC(),
		UndoneAt: utcPtr(r.UndoneAt), UndoneByID: r.UndoneByID, UndoneByName: r.UndoneByName, UndoReason: r.UndoReason}
	_ = json.Unmarshal([]byte(r.Profile), &m.Profile)
	return m
}

// customerMergeMoveRow records one row a merge moved to the winner.
type customerMergeMoveRow struct {
	MergeID int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey"` // "identity" or "conversation"
	RowID   int64  `gorm:"primaryKey;autoIncrement:false"`
}

func (customerMergeMoveRow) TableName() string { return "customer_merge_moves" }

// AttachIdentity implements appliance.IdentityStore.
func (s *Store) AttachIdentity(ctx context.Context, customerID int64, id appliance.Identity) (*appliance.Identity, error) {
	// Rows written before identities had a lookup hash are unique only by
	// their value in clear.
	if _, err := s.findIdentity(ctx, string(id.Kind), id.Namespace, id.Value); err == nil {
		return nil, conflict("identity_taken", "the identity already belongs to a customer")
	}
	row := s.identityRow(customerID, id, time.Now().UTC())
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		if isDuplicate(err) {
			return nil, conflict("identity_taken", "the identity already belongs to a customer")
		}
		return nil, fmt.Errorf("store: unable to attach identity: %w", err)
	}
	return s.identity(&row), nil
}

// SurvivingCustomer implements appliance.IdentityStore.
func (s *Store) SurvivingCustomer(ctx context.Context, id int64) (int64, error) {
	for hops := 0; hops < 8; hops++ {
		var row struct{ MergedInto int64 }
		if err := s.conn(ctx).Model(&customerRow{}).Select("merged_into").Where("id = ?", id).Take(&row).Error; err != nil {
			return 0, notFound("customer", err)
		}
		if row.MergedInto == 0 {
			return id, nil
		}
		id = row.MergedInto
	}
	return 0, fmt.Errorf("store: customer %d: merge chain too long", id)
}

// CustomerRecord implements appliance.IdentityStore: the row as stored,
// with its own identities, without following merges.
func (s *Store) CustomerRecord(ctx context.Context, id int64) (*appliance.Customer, error) {
	q := s.conn(ctx)
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row customerRow
	if err := q.Take(&row, id).Error; err != nil {
		return nil, notFound("customer", err)
	}
	c := s.customer(&row)
	ids, err := s.Identities(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	c.Identities = ids
	return c, nil
}

// MergeCustomers implements appliance.IdentityStore. Messages follow their
// conversations, so recording the moved identities and conversations is
// enough to undo the merge.
func (s *Store) MergeCustomers(ctx context.Context, m *appliance.CustomerMerge) error {
	if m.WinnerID == m.LoserID || m.WinnerID == 0 || m.LoserID == 0 {
		return appliance.Errorf(appliance.EINVALID, "invalid_merge", "a merge needs two different customers")
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		res := db.Model(&customerRow{}).Where("id = ? AND merged_into = 0", m.LoserID).
			Updates(map[string]any{"merged_into": m.WinnerID, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("store: unable to merge customers: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return conflict("already_merged", "the customer does not exist or was already merged")
		}
		var winner customerRow
		if err := db.Take(&winner, m.WinnerID).Error; err != nil {
			return notFound("customer", err)
		}
		if winner.MergedInto != 0 {
			return conflict("already_merged", "the surviving customer was itself merged into another")
		}
		p, _ := json.Marshal(m.Profile)
		row := &customerMergeRow{WinnerID: m.WinnerID, LoserID: m.LoserID, Reason: m.Reason, ProofKind: string(m.Proof.Kind),
			ProofNamespace: m.Proof.Namespace, ProofValue: s.encrypt(m.Proof.Value), Channel: m.Channel, ActorType: m.ActorType,
			ActorID: m.ActorID, ActorName: m.ActorName, Profile: s.encrypt(string(p)), CreatedAt: utc(m.CreatedAt)}
		if err := db.Create(row).Error; err != nil {
			return fmt.Errorf("store: unable to record the merge: %w", err)
		}
		m.ID, m.CreatedAt = row.ID, row.CreatedAt
		for _, t := range []struct{ kind, table string }{{"identity", "identities"}, {"conversation", "conversations"}} {
			err := db.Exec("INSERT INTO customer_merge_moves (merge_id, kind, row_id) SELECT ?, ?, id FROM "+t.table+" WHERE customer_id = ?",
				m.ID, t.kind, m.LoserID).Error
			if err != nil {
				return fmt.Errorf("store: unable to record moved %s rows: %w", t.table, err)
			}
		}
		for _, table := range []string{"identities", "conversations", "messages"} {
			if err := db.Table(table).Where("customer_id = ?", m.LoserID).Update("customer_id", m.WinnerID).Error; err != nil {
				return fmt.Errorf("store: unable to move %s: %w", table, err)
			}
		}
		return nil
	})
}

// UndoMerge implements appliance.IdentityStore: identities and
// conversations the merge moved go back to the loser, with every message of
// those conversations (also those written while merged, so a conversation
// and its messages always belong to the same customer).
func (s *Store) UndoMerge(ctx context.Context, m *appliance.CustomerMerge) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		moved := func(kind string) *gorm.DB {
			return db.Model(&customerMergeMoveRow{}).Select("row_id").Where("merge_id = ? AND kind = ?", m.ID, kind)
		}
		if err := db.Table("identities").Where("id IN (?)", moved("identity")).Update("customer_id", m.LoserID).Error; err != nil {
			return fmt.Errorf("store: unable to move identities back: %w", err)
		}
		if err := db.Table("messages").Where("conversation_id IN (?)", moved("conversation")).Update("customer_id", m.LoserID).Error; err != nil {
			return fmt.Errorf("store: unable to move messages back: %w", err)
		}
		if err := db.Table("conversations").Where("id IN (?)", moved("conversation")).Update("customer_id", m.LoserID).Error; err != nil {
			return fmt.Errorf("store: unable to move conversations back: %w", err)
		}
		res := db.Model(&customerRow{}).Where("id = ? AND merged_into = ?", m.LoserID, m.WinnerID).
			Updates(map[string]any{"merged_into": 0, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return fmt.Errorf("store: unable to unmerge customers: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return conflict("merge_superseded", "the merged customer was changed since the merge")
		}
		res = db.Model(&customerMergeRow{}).Where("id = ? AND undone_at IS NULL", m.ID).Updates(map[string]any{
			"undone_at": utcPtr(m.UndoneAt), "undone_by_id": m.UndoneByID, "undone_by_name": m.UndoneByName, "undo_reason": m.UndoReason})
		if res.Error != nil {
			return fmt.Errorf("store: unable to record the unmerge: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return conflict("merge_undone", "the merge was already undone")
		}
		return nil
	})
}

// CustomerMerge implements appliance.IdentityStore.
func (s *Store) CustomerMerge(ctx context.Context, id int64) (*appliance.CustomerMerge, error) {
	var row customerMergeRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("customer_merge", err)
	}
	return s.merge(&row), nil
}

// CustomerMerges returns the merges a customer record took part in, as
// winner or loser, newest first: the merge history the profile shows.
func (s *Store) CustomerMerges(ctx context.Context, customerID int64) ([]*appliance.CustomerMerge, error) {
	var rows []customerMergeRow
	if err := s.conn(ctx).Where("winner_id = ? OR loser_id = ?", customerID, customerID).Order("id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list merges: %w", err)
	}
	out := make([]*appliance.CustomerMerge, len(rows))
	for i := range rows {
		out[i] = s.merge(&rows[i])
	}
	return out, nil
}

// MergeUndoneBetween implements appliance.IdentityStore.
func (s *Store) MergeUndoneBetween(ctx context.Context, a, b int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&customerMergeRow{}).Where("undone_at IS NOT NULL AND ((winner_id = ? AND loser_id = ?) OR (winner_id = ? AND loser_id = ?))",
		a, b, b, a).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: unable to look up undone merges: %w", err)
	}
	return n > 0, nil
}
