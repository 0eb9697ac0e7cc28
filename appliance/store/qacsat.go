package store

import (
	"context"
	"fmt"
)

// CSATScores implements appliance.CSATSource over the hand-off's
// satisfaction scores, one query per page of conversations.
func (s *Store) CSATScores(ctx context.Context, conversationIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ConversationID int64
		Score          int
	}
	if err := s.conn(ctx).Model(&csatRow{}).Select("conversation_id, score").Where("conversation_id IN ?", conversationIDs).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read satisfaction scores: %w", err)
	}
	for _, r := range rows {
		out[r.ConversationID] = r.Score
	}
	return out, nil
}
