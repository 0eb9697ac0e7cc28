package store

import (
	"context"
	"encoding/json"
	"fmt"

	"kefu/appliance"
)

// BulkLoad inserts conversations and their messages with multi-row INSERTs,
// ids as given (zero ids are assigned by the database). It exists for
// benchmarks and imports that load a great many rows at once; it skips the
// per-message dedupe bookkeeping of CreateMessage.
func (s *Store) BulkLoad(ctx context.Context, convs []*appliance.Conversation, msgs []*appliance.Message) error {
	crows := make([]*conversationRow, len(convs))
	for i, c := range convs {
		crows[i] = s.conversationRow(c)
	}
	mrows := make([]*messageRow, len(msgs))
	for i, m := range msgs {
		r := &messageRow{ID: m.ID, ConversationID: m.ConversationID, CustomerID: m.CustomerID, Channel: m.Channel,
			Sender: string(m.Sender), SenderID: m.SenderID, Kind: string(m.Kind), Text: s.encrypt(m.Text), ReplyTo: m.ReplyTo,
			Handled: true, Delivery: string(m.Delivery), CreatedAt: utc(m.CreatedAt)}
		if m.Decision != nil {
			b, _ := json.Marshal(m.Decision)
			r.Decision = strPtr(string(b))
		}
		mrows[i] = r
	}
	return s.WithTx(ctx, func(ctx context.Context) error {
		if len(crows) > 0 {
			if err := s.conn(ctx).CreateInBatches(crows, 1000).Error; err != nil {
				return fmt.Errorf("store: bulk load of conversations: %w", err)
			}
		}
		if len(mrows) > 0 {
			if err := s.conn(ctx).CreateInBatches(mrows, 1000).Error; err != nil {
				return fmt.Errorf("store: bulk load of messages: %w", err)
			}
		}
		for i, r := range crows {
			convs[i].ID = r.ID
		}
		for i, r := range mrows {
			msgs[i].ID = r.ID
		}
		return nil
	})
}
