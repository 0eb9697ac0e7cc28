package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kefu/nlu"
)

type dialogueStateRow struct {
	CustomerID int64 `gorm:"primaryKey;autoIncrement:false"`
	State      string
	UpdatedAt  time.Time
}

func (dialogueStateRow) TableName() string { return "dialogue_states" }

// DialogueState implements appliance.StateStore.
func (s *Store) DialogueState(ctx context.Context, customerID int64) (*nlu.State, error) {
	var row dialogueStateRow
	err := s.conn(ctx).Take(&row, "customer_id = ?", customerID).Error
	if err == gorm.ErrRecordNotFound {
		return &nlu.State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read dialogue state: %w", err)
	}
	var st nlu.State
	if err := json.Unmarshal([]byte(s.decrypt(row.State)), &st); err != nil {
		// A state that no longer parses is dropped, not fatal: the customer
		// simply starts without context.
		s.log.Warn("store: dropping unreadable dialogue state", "customer_id", customerID, "error", err)
		return &nlu.State{}, nil
	}
	return &st, nil
}

// SaveDialogueState implements appliance.StateStore.
func (s *Store) SaveDialogueState(ctx context.Context, customerID int64, st *nlu.State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("store: unable to encode dialogue state: %w", err)
	}
	row := dialogueStateRow{CustomerID: customerID, State: s.encrypt(string(b)), UpdatedAt: time.Now().UTC()}
	err = s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"state", "updated_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: unable to save dialogue state: %w", err)
	}
	return nil
}

// DeleteDialogueStatesBefore deletes the dialogue states not updated since
// before and returns how many went. A state written meanwhile is newer and
// stays.
func (s *Store) DeleteDialogueStatesBefore(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.deleteBefore(ctx, "dialogue_states", "updated_at", before)
	if err != nil {
		return n, fmt.Errorf("store: unable to delete idle dialogue states: %w", err)
	}
	return n, nil
}
