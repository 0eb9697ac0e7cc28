package store

import (
	"context"
	"fmt"
	"time"

	"kefu/appliance"
)

// chainHash is the message's hash in its conversation's chain.
func chainHash(prev string, r *messageRow) string {
	payload := ""
	if r.Payload != nil {
		payload = *r.Payload
	}
	return appliance.ChainHash(prev, appliance.ChainLink{ConversationID: r.ConversationID, Seq: *r.Seq, CreatedAt: r.CreatedAt,
		Sender: r.Sender, SenderID: r.SenderID, Kind: r.Kind, Channel: r.Channel, Text: r.Text, Payload: payload})
}

// seal gives row the next place in its conversation's chain and its hash.
// It runs in the transaction that inserts the row and then moves the
// conversation's head (advanceHead); a unique index refuses a fork.
func (s *Store) seal(ctx context.Context, row *messageRow) error {
	var head struct {
		ChainSeq  int64
		ChainHead *string
	}
	q := "SELECT chain_seq, chain_head FROM conversations WHERE id = ?"
	if s.dialect == MySQL {
		// A locking read sees the latest head whatever the transaction's
		// snapshot, and holds it until the message is in: two nodes cannot
		// fork a conversation's chain. (SQLite has one writer.)
		q += " FOR UPDATE"
	}
	if err := s.conn(ctx).Raw(q, row.ConversationID).Scan(&head).Error; err != nil {
		return fmt.Errorf("store: unable to read the conversation's chain: %w", err)
	}
	prev := ""
	if head.ChainHead != nil {
		prev = *head.ChainHead
	}
	seq := head.ChainSeq + 1
	row.Seq = &seq
	h := chainHash(prev, row)
	row.ChainHash = &h
	return nil
}

func (s *Store) advanceHead(ctx context.Context, row *messageRow) error {
	res := s.conn(ctx).Exec("UPDATE conversations SET chain_seq = ?, chain_head = ? WHERE id = ?", *row.Seq, *row.ChainHash, row.ConversationID)
	if res.Error != nil {
		return fmt.Errorf("store: unable to move the conversation's chain: %w", res.Error)
	}
	return nil
}

// VerifyConversation walks a conversation's messages and recomputes their
// chain (see appliance.ChainReport).
func (s *Store) VerifyConversation(ctx context.Context, id int64) (*appliance.ChainReport, error) {
	var conv struct {
		ChainSeq     int64
		ChainHead    *string
		AnonymizedAt *time.Time
	}
	res := s.conn(ctx).Raw("SELECT chain_seq, chain_head, anonymized_at FROM conversations WHERE id = ?", id).Scan(&conv)
	if res.Error != nil {
		return nil, fmt.Errorf("store: unable to read the conversation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, appliance.Errorf(appliance.ENOTFOUND, "conversation_not_found", "conversation not found")
	}
	rep := &appliance.ChainReport{ConversationID: id, Valid: true, Anonymized: conv.AnonymizedAt != nil}
	broken := func(problem string, at int64) {
		if rep.Valid {
			rep.Valid, rep.Problem, rep.BrokenAt = false, problem, at
		}
	}
	prev, seq := "", int64(0)
	const batch = 500
	for after := int64(0); ; {
		var rows []messageRow
		if err := s.conn(ctx).Where("conversation_id = ? AND id > ?", id, after).Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: unable to read messages: %w", err)
		}
		for i := range rows {
			r := &rows[i]
			r.Text, r.Payload = s.decrypt(r.Text), s.decryptPtr(r.Payload)
			after = r.ID
			rep.Messages++
			if r.Seq == nil || r.ChainHash == nil {
				if seq > 0 {
					broken("unsealed", r.ID)
				}
				continue
			}
			rep.Sealed++
			switch {
			case *r.Seq > seq+1:
				broken("missing", r.ID)
			case *r.Seq <= seq:
				broken("reordered", r.ID)
			case chainHash(prev, r) != *r.ChainHash:
				broken("edited", r.ID)
			}
			prev, seq = *r.ChainHash, *r.Seq
		}
		if len(rows) < batch {
			break
		}
	}
	rep.Head = prev
	if seq != conv.ChainSeq || (conv.ChainHead != nil && *conv.ChainHead != prev) || (conv.ChainHead == nil && prev != "") {
		broken("missing", 0)
	}
	return rep, nil
}
