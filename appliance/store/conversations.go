package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"kefu/appliance"
)

type conversationRow struct {
	ID              int64 `gorm:"primaryKey"`
	CustomerID      int64
	Channel         string
	LastChannel     string
	LastIdentityID  int64
	Status          string
	AssigneeID      int64
	SkillGroup      string
	Priority        int
	HandoffReason   string
	HandoffAt       *time.Time
	AssignedAt      *time.Time
	FirstResponseAt *time.Time
	ClosedAt        *time.Time
	ClosedBy        string
	Summary         string
	LastMessageAt   time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (conversationRow) TableName() string { return "conversations" }

func (r *conversationRow) domain() *appliance.Conversation {
	return &appliance.Conversation{ID: r.ID, CustomerID: r.CustomerID, Channel: r.Channel, LastChannel: r.LastChannel,
		LastIdentityID: r.LastIdentityID, Status: appliance.ConversationStatus(r.Status), AssigneeID: r.AssigneeID,
		SkillGroup: r.SkillGroup, Priority: r.Priority, HandoffReason: r.HandoffReason, HandoffAt: utcPtr(r.HandoffAt),
		AssignedAt: utcPtr(r.AssignedAt), FirstResponseAt: utcPtr(r.FirstResponseAt), ClosedAt: utcPtr(r.ClosedAt),
		ClosedBy: r.ClosedBy, Summary: r.Summary, LastMessageAt: r.LastMessageAt.UTC(), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

// conversation decrypts a row read from the database into a conversation
// (the agent's closing summary is encrypted at rest).
func (s *Store) conversation(r *conversationRow) *appliance.Conversation {
	r.Summary = s.decrypt(r.Summary)
	return r.domain()
}

// conversationRow makes the row to write, the summary encrypted.
func (s *Store) conversationRow(c *appliance.Conversation) *conversationRow {
	r := conversationToRow(c)
	r.Summary = s.encrypt(r.Summary)
	return r
}

func conversationToRow(c *appliance.Conversation) *conversationRow {
	return &conversationRow{ID: c.ID, CustomerID: c.CustomerID, Channel: c.Channel, LastChannel: c.LastChannel,
		LastIdentityID: c.LastIdentityID, Status: string(c.Status), AssigneeID: c.AssigneeID, SkillGroup: c.SkillGroup,
		Priority: c.Priority, HandoffReason: c.HandoffReason, HandoffAt: utcPtr(c.HandoffAt), AssignedAt: utcPtr(c.AssignedAt),
		FirstResponseAt: utcPtr(c.FirstResponseAt), ClosedAt: utcPtr(c.ClosedAt), ClosedBy: c.ClosedBy, Summary: c.Summary,
		LastMessageAt: utc(c.LastMessageAt), CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

// OpenConversation implements appliance.ConversationStore.
func (s *Store) OpenConversation(ctx context.Context, customerID int64) (*appliance.Conversation, error) {
	var row conversationRow
	err := s.conn(ctx).Where("customer_id = ? AND status <> ?", customerID, string(appliance.StatusClosed)).
		Order("id DESC").Take(&row).Error
	if err != nil {
		return nil, notFound("conversation", err)
	}
	return s.conversation(&row), nil
}

// CreateConversation implements appliance.ConversationStore.
func (s *Store) CreateConversation(ctx context.Context, c *appliance.Conversation) error {
	row := s.conversationRow(c)
	if err := s.conn(ctx).Create(row).Error; err != nil {
		return fmt.Errorf("store: unable to create conversation: %w", err)
	}
	c.ID = row.ID
	return nil
}

// UpdateConversation implements appliance.ConversationStore.
func (s *Store) UpdateConversation(ctx context.Context, c *appliance.Conversation) error {
	row := s.conversationRow(c)
	res := s.conn(ctx).Model(&conversationRow{ID: c.ID}).Select("*").Omit("id", "created_at").Updates(row)
	if res.Error != nil {
		return fmt.Errorf("store: unable to update conversation: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "conversation_not_found", "conversation not found")
	}
	return nil
}

// Conversation implements appliance.ConversationStore.
func (s *Store) Conversation(ctx context.Context, id int64) (*appliance.Conversation, error) {
	var row conversationRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("conversation", err)
	}
	return s.conversation(&row), nil
}

// LockConversation implements appliance.ConversationStore.
func (s *Store) LockConversation(ctx context.Context, id int64) (*appliance.Conversation, error) {
	q := s.conn(ctx)
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row conversationRow
	if err := q.Take(&row, id).Error; err != nil {
		return nil, notFound("conversation", err)
	}
	return s.conversation(&row), nil
}

// ListConversations implements appliance.ConversationStore; newest activity first.
func (s *Store) ListConversations(ctx context.Context, f appliance.ConversationFilter) ([]*appliance.Conversation, error) {
	q := s.conn(ctx).Model(&conversationRow{})
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q = q.Where("status IN ?", st)
	}
	if f.AssigneeID != 0 {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []conversationRow
	order := "last_message_at DESC, id DESC"
	if f.ByID {
		order = "id DESC"
	}
	if err := q.Order(order).Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list conversations: %w", err)
	}
	out := make([]*appliance.Conversation, len(rows))
	for i := range rows {
		out[i] = s.conversation(&rows[i])
	}
	return out, nil
}

// IdleConversations returns bot-owned conversations without messages since before.
func (s *Store) IdleConversations(ctx context.Context, before time.Time, limit int) ([]*appliance.Conversation, error) {
	var rows []conversationRow
	err := s.conn(ctx).Where("status = ? AND last_message_at < ?", string(appliance.StatusBot), before.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list idle conversations: %w", err)
	}
	out := make([]*appliance.Conversation, len(rows))
	for i := range rows {
		out[i] = s.conversation(&rows[i])
	}
	return out, nil
}
