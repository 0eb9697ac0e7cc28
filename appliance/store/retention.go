package store

import (
	"context"
	"fmt"
	"time"

	"kefu/appliance"
)

// ExpiredConversations returns up to limit closed conversations whose last
// message is older than before, oldest first: those not yet anonymized, or
// all of them when anonymized is set (deleting what anonymizing or an
// erasure left blank).
func (s *Store) ExpiredConversations(ctx context.Context, before time.Time, limit int, anonymized bool) ([]int64, error) {
	var ids []int64
	q := s.conn(ctx).Model(&conversationRow{}).Where("status = ? AND last_message_at < ?", string(appliance.StatusClosed), before.UTC())
	if !anonymized {
		q = q.Where("anonymized_at IS NULL")
	}
	err := q.Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list expired conversations: %w", err)
	}
	return ids, nil
}

// DeleteConversations removes conversations and their messages in one
// transaction and returns how many messages went.
func (s *Store) DeleteConversations(ctx context.Context, ids []int64) (int64, error) {
	var n int64
	err := s.WithTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Where("conversation_id IN ?", ids).Delete(&messageRow{})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return s.conn(ctx).Where("id IN ?", ids).Delete(&conversationRow{}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to delete conversations: %w", err)
	}
	return n, nil
}

// AnonymizeConversations blanks the text, payloads and decision paths of
// the conversations' messages (the decision holds what NLU read from the
// text) and their summaries, keeping the rows for statistics. It returns how
// many messages were blanked.
func (s *Store) AnonymizeConversations(ctx context.Context, ids []int64) (int64, error) {
	var n int64
	err := s.WithTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Model(&messageRow{}).Where("conversation_id IN ?", ids).
			Updates(map[string]any{"text": "[已匿名 anonymized]", "payload": nil, "decision": nil})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return s.conn(ctx).Model(&conversationRow{}).Where("id IN ?", ids).
			Updates(map[string]any{"summary": "", "anonymized_at": time.Now().UTC()}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to anonymize conversations: %w", err)
	}
	return n, nil
}
