package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kefu/appliance"
)

type messageRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	CustomerID     int64
	Channel        string
	Sender         string
	SenderID       int64
	Kind           string
	Text           string
	Payload        *string
	ChannelMsgID   *string
	DedupeKey      *string
	ReplyTo        int64
	Handled        bool
	Delivery       string
	Decision       *string
	Seq            *int64  // place in the conversation's chain (see chain.go)
	ChainHash      *string // nil for messages stored before the chain
	CreatedAt      time.Time
}

func (messageRow) TableName() string { return "messages" }

func (r *messageRow) domain() *appliance.Message {
	m := &appliance.Message{ID: r.ID, ConversationID: r.ConversationID, CustomerID: r.CustomerID, Channel: r.Channel,
		Sender: appliance.Sender(r.Sender), SenderID: r.SenderID, Kind: appliance.MessageKind(r.Kind), Text: r.Text,
		ReplyTo: r.ReplyTo, Handled: r.Handled, Delivery: appliance.Delivery(r.Delivery), CreatedAt: r.CreatedAt.UTC()}
	if r.Payload != nil && *r.Payload != "" {
		m.Payload = json.RawMessage(*r.Payload)
	}
	if r.ChannelMsgID != nil {
		m.ChannelMsgID = *r.ChannelMsgID
	}
	if r.Seq != nil && r.ChainHash != nil {
		m.Seq, m.ChainHash = *r.Seq, *r.ChainHash
	}
	if r.Decision != nil && *r.Decision != "" {
		var d appliance.Decision
		if json.Unmarshal([]byte(*r.Decision), &d) == nil {
			m.Decision = &d
		}
	}
	return m
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateMessage implements appliance.MessageStore.
func (s *Store) CreateMessage(ctx context.Context, m *appliance.Message, dedupeKey string) error {
	row := &messageRow{ConversationID: m.ConversationID, CustomerID: m.CustomerID, Channel: m.Channel,
		Sender: string(m.Sender), SenderID: m.SenderID, Kind: string(m.Kind), Text: m.Text,
		Payload: strPtr(string(m.Payload)), ChannelMsgID: strPtr(m.ChannelMsgID), DedupeKey: strPtr(dedupeKey),
		ReplyTo: m.ReplyTo, Handled: m.Sender != appliance.SenderCustomer || m.Handled, Delivery: string(m.Delivery),
		CreatedAt: utc(m.CreatedAt).Truncate(time.Millisecond)}
	if m.Decision != nil {
		b, _ := json.Marshal(m.Decision)
		row.Decision = strPtr(string(b))
	}
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.seal(ctx, row); err != nil {
			return err
		}
		// The chain hashes what was said; the database holds it encrypted
		// when the store encrypts (a copy, so a retried transaction hashes
		// the plaintext again).
		stored := *row
		stored.Text, stored.Payload = s.encrypt(row.Text), s.encryptPtr(row.Payload)
		if err := s.conn(ctx).Create(&stored).Error; err != nil {
			return err
		}
		row.ID = stored.ID
		return s.advanceHead(ctx, row)
	})
	if err != nil {
		if isDuplicate(err) && (strings.Contains(err.Error(), "ux_messages_chain") || strings.Contains(err.Error(), "messages.seq")) {
			return appliance.Errorf(appliance.ECONFLICT, "chain_conflict", "another message of the conversation was stored at the same time; retry")
		}
		if isDuplicate(err) {
			return appliance.Errorf(appliance.ECONFLICT, "duplicate_message", "the message was already accepted")
		}
		return fmt.Errorf("store: unable to create message: %w", err)
	}
	m.ID, m.Handled, m.CreatedAt = row.ID, row.Handled, row.CreatedAt
	m.Seq, m.ChainHash = *row.Seq, *row.ChainHash
	return nil
}

// MessageByDedupeKey implements appliance.MessageStore.
func (s *Store) MessageByDedupeKey(ctx context.Context, key string) (*appliance.Message, error) {
	var row messageRow
	if err := s.conn(ctx).Where("dedupe_key = ?", key).Take(&row).Error; err != nil {
		return nil, notFound("message", err)
	}
	return s.message(&row), nil
}

// Message implements appliance.MessageStore.
func (s *Store) Message(ctx context.Context, id int64) (*appliance.Message, error) {
	var row messageRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("message", err)
	}
	return s.message(&row), nil
}

// Replies implements appliance.MessageStore.
func (s *Store) Replies(ctx context.Context, inboundID int64) ([]*appliance.Message, error) {
	var rows []messageRow
	if err := s.conn(ctx).Where("reply_to = ?", inboundID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list replies: %w", err)
	}
	return s.messages(rows), nil
}

// Messages implements appliance.MessageStore; oldest first.
func (s *Store) Messages(ctx context.Context, f appliance.MessageFilter) ([]*appliance.Message, error) {
	q := s.conn(ctx).Model(&messageRow{})
	if f.ConversationID != 0 {
		q = q.Where("conversation_id = ?", f.ConversationID)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.AfterID != 0 {
		q = q.Where("id > ?", f.AfterID)
	}
	if f.CustomerOnly {
		q = q.Where("kind <> ?", string(appliance.KindNote))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var rows []messageRow
	if err := q.Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list messages: %w", err)
	}
	return s.messages(rows), nil
}

// MarkHandled implements appliance.MessageStore.
func (s *Store) MarkHandled(ctx context.Context, id int64, d *appliance.Decision) error {
	upd := map[string]any{"handled": true}
	if d != nil {
		b, _ := json.Marshal(d)
		upd["decision"] = string(b)
	}
	if err := s.conn(ctx).Model(&messageRow{ID: id}).Updates(upd).Error; err != nil {
		return fmt.Errorf("store: unable to mark message handled: %w", err)
	}
	return nil
}

// SetDelivery implements appliance.MessageStore.
func (s *Store) SetDelivery(ctx context.Context, id int64, d appliance.Delivery) error {
	if err := s.conn(ctx).Model(&messageRow{ID: id}).Update("delivery", string(d)).Error; err != nil {
		return fmt.Errorf("store: unable to set delivery: %w", err)
	}
	return nil
}

// Unhandled implements appliance.MessageStore.
func (s *Store) Unhandled(ctx context.Context, limit int) ([]*appliance.Message, error) {
	var rows []messageRow
	if err := s.conn(ctx).Where("handled = ?", false).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list unhandled messages: %w", err)
	}
	return s.messages(rows), nil
}

// PendingDeliveries implements appliance.MessageStore.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]*appliance.Message, error) {
	var rows []messageRow
	if err := s.conn(ctx).Where("delivery = ?", string(appliance.DeliveryPending)).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list pending deliveries: %w", err)
	}
	return s.messages(rows), nil
}

func (s *Store) messages(rows []messageRow) []*appliance.Message {
	out := make([]*appliance.Message, len(rows))
	for i := range rows {
		out[i] = s.message(&rows[i])
	}
	return out
}

// message decrypts a row read from the database into a message.
func (s *Store) message(r *messageRow) *appliance.Message {
	r.Text, r.Payload = s.decrypt(r.Text), s.decryptPtr(r.Payload)
	return r.domain()
}

// LastMessages returns the newest customer-visible message of each conversation.
func (s *Store) LastMessages(ctx context.Context, conversationIDs []int64) (map[int64]*appliance.Message, error) {
	out := map[int64]*appliance.Message{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	var rows []messageRow
	sub := s.conn(ctx).Model(&messageRow{}).Select("MAX(id)").
		Where("conversation_id IN ? AND kind <> ?", conversationIDs, string(appliance.KindNote)).Group("conversation_id")
	if err := s.conn(ctx).Where("id IN (?)", sub).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to fetch last messages: %w", err)
	}
	for i := range rows {
		out[rows[i].ConversationID] = s.message(&rows[i])
	}
	return out, nil
}
