package store

import (
	"context"
	"fmt"
	"time"
)

// ConversationsWithMessages returns, in id order after afterID, up to limit
// conversations that have a message stored in [from, to).
func (s *Store) ConversationsWithMessages(ctx context.Context, from, to time.Time, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&messageRow{}).Distinct("conversation_id").
		Where("created_at >= ? AND created_at < ? AND conversation_id > ?", from.UTC(), to.UTC(), afterID).
		Order("conversation_id").Limit(limit).Pluck("conversation_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the day's conversations: %w", err)
	}
	return ids, nil
}
