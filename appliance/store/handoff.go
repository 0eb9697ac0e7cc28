package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kefu/appliance"
)

// Storage for hand-off, routing and the agent workspace: the hand-off
// policy's flags per conversation, the routing queries, satisfaction scores
// and canned replies.

type handoffFlagsRow struct {
	ConversationID int64 `gorm:"primaryKey;autoIncrement:false"`
	UnsureTurns    int
	Awaiting       string
	UpdatedAt      time.Time
}

func (handoffFlagsRow) TableName() string { return "handoff_flags" }

// HandoffFlags implements appliance.HandoffFlagStore.
func (s *Store) HandoffFlags(ctx context.Context, conversationID int64) (appliance.HandoffFlags, error) {
	var row handoffFlagsRow
	err := s.conn(ctx).Take(&row, "conversation_id = ?", conversationID).Error
	if err == gorm.ErrRecordNotFound {
		return appliance.HandoffFlags{}, nil
	}
	if err != nil {
		return appliance.HandoffFlags{}, fmt.Errorf("store: unable to read hand-off flags: %w", err)
	}
	return appliance.HandoffFlags{UnsureTurns: row.UnsureTurns, Awaiting: row.Awaiting}, nil
}

// SaveHandoffFlags implements appliance.HandoffFlagStore.
func (s *Store) SaveHandoffFlags(ctx context.Context, conversationID int64, f appliance.HandoffFlags) error {
	row := handoffFlagsRow{ConversationID: conversationID, UnsureTurns: f.UnsureTurns, Awaiting: f.Awaiting, UpdatedAt: time.Now().UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "conversation_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"unsure_turns", "awaiting", "updated_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: unable to save hand-off flags: %w", err)
	}
	return nil
}

// QueuedConversations implements appliance.RoutingStore.
func (s *Store) QueuedConversations(ctx context.Context, limit int) ([]*appliance.Conversation, error) {
	var rows []conversationRow
	err := s.conn(ctx).Where("status = ?", string(appliance.StatusQueued)).
		Order("priority DESC, handoff_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the queue: %w", err)
	}
	out := make([]*appliance.Conversation, len(rows))
	for i := range rows {
		out[i] = s.conversation(&rows[i])
	}
	return out, nil
}

// AgentLoads implements appliance.RoutingStore.
func (s *Store) AgentLoads(ctx context.Context) (map[int64]int, error) {
	var rows []struct {
		AssigneeID int64
		N          int
	}
	err := s.conn(ctx).Model(&conversationRow{}).Select("assignee_id, COUNT(*) AS n").
		Where("status IN ? AND assignee_id <> 0", []string{string(appliance.StatusQueued), string(appliance.StatusAssigned)}).
		Group("assignee_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to count agent loads: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.AssigneeID] = r.N
	}
	return out, nil
}

// CustomerWaits implements appliance.RoutingStore. Ids are compared rather
// than times: ids follow the order messages were stored in.
func (s *Store) CustomerWaits(ctx context.Context, conversationIDs []int64) (map[int64]appliance.CustomerWait, error) {
	out := map[int64]appliance.CustomerWait{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	var agent []struct {
		ConversationID int64
		LastID         int64
	}
	err := s.conn(ctx).Model(&messageRow{}).Select("conversation_id, MAX(id) AS last_id").
		Where("conversation_id IN ? AND sender = ? AND kind <> ?", conversationIDs, string(appliance.SenderAgent), string(appliance.KindNote)).
		Group("conversation_id").Scan(&agent).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find agent replies: %w", err)
	}
	lastAgent := map[int64]int64{}
	for _, a := range agent {
		lastAgent[a.ConversationID] = a.LastID
		out[a.ConversationID] = appliance.CustomerWait{AgentReplied: true}
	}
	var firsts []struct {
		ConversationID int64
		FirstID        int64
	}
	err = s.conn(ctx).Raw(`SELECT m.conversation_id AS conversation_id, MIN(m.id) AS first_id FROM messages m
		WHERE m.conversation_id IN ? AND m.sender = ? AND m.id > COALESCE((SELECT MAX(a.id) FROM messages a
		WHERE a.conversation_id = m.conversation_id AND a.sender = ? AND a.kind <> ?), 0)
		GROUP BY m.conversation_id`, conversationIDs, string(appliance.SenderCustomer), string(appliance.SenderAgent),
		string(appliance.KindNote)).Scan(&firsts).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to find unanswered messages: %w", err)
	}
	ids := make([]int64, 0, len(firsts))
	for _, f := range firsts {
		ids = append(ids, f.FirstID)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var msgs []messageRow
	if err := s.conn(ctx).Select("id, conversation_id, created_at").Where("id IN ?", ids).Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read unanswered messages: %w", err)
	}
	for _, m := range msgs {
		w := out[m.ConversationID]
		w.Since = m.CreatedAt.UTC()
		out[m.ConversationID] = w
	}
	return out, nil
}

type csatRow struct {
	ConversationID int64 `gorm:"primaryKey;autoIncrement:false"`
	CustomerID     int64
	AgentID        int64
	Channel        string
	Score          int
	Comment        string
	CreatedAt      time.Time
}

func (csatRow) TableName() string { return "csat_ratings" }

func (r *csatRow) domain() *appliance.CSAT {
	return &appliance.CSAT{ConversationID: r.ConversationID, CustomerID: r.CustomerID, AgentID: r.AgentID,
		Channel: r.Channel, Score: r.Score, Comment: r.Comment, CreatedAt: r.CreatedAt.UTC()}
}

// RecordCSAT implements appliance.CSATStore.
func (s *Store) RecordCSAT(ctx context.Context, r *appliance.CSAT) error {
	row := csatRow{ConversationID: r.ConversationID, CustomerID: r.CustomerID, AgentID: r.AgentID, Channel: r.Channel,
		Score: r.Score, Comment: r.Comment, CreatedAt: utc(r.CreatedAt)}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		if isDuplicate(err) {
			return conflict("already_rated", "this conversation has already been rated")
		}
		return fmt.Errorf("store: unable to record a satisfaction score: %w", err)
	}
	r.CreatedAt = row.CreatedAt
	return nil
}

// CSAT implements appliance.CSATStore.
func (s *Store) CSAT(ctx context.Context, conversationID int64) (*appliance.CSAT, error) {
	var row csatRow
	if err := s.conn(ctx).Take(&row, "conversation_id = ?", conversationID).Error; err != nil {
		return nil, notFound("csat", err)
	}
	return row.domain(), nil
}

// CustomerCSAT implements appliance.CSATStore; newest first.
func (s *Store) CustomerCSAT(ctx context.Context, customerID int64, limit int) ([]*appliance.CSAT, error) {
	var rows []csatRow
	if err := s.conn(ctx).Where("customer_id = ?", customerID).Order("created_at DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list satisfaction scores: %w", err)
	}
	out := make([]*appliance.CSAT, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

type cannedRow struct {
	ID         int64 `gorm:"primaryKey"`
	Shortcut   string
	Title      string
	Text       string
	SkillGroup string
	CreatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (cannedRow) TableName() string { return "canned_replies" }

func (r *cannedRow) domain() *appliance.CannedReply {
	return &appliance.CannedReply{ID: r.ID, Shortcut: r.Shortcut, Title: r.Title, Text: r.Text, Group: r.SkillGroup,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func cannedToRow(c *appliance.CannedReply) *cannedRow {
	return &cannedRow{ID: c.ID, Shortcut: c.Shortcut, Title: c.Title, Text: c.Text, SkillGroup: c.Group,
		CreatedBy: c.CreatedBy, CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt)}
}

func shortcutTaken(c *appliance.CannedReply) error {
	return appliance.Errorf(appliance.ECONFLICT, "shortcut_taken", "the shortcut /%s is taken", c.Shortcut)
}

// CannedReplies lists canned replies by shortcut.
func (s *Store) CannedReplies(ctx context.Context) ([]*appliance.CannedReply, error) {
	var rows []cannedRow
	if err := s.conn(ctx).Order("shortcut").Limit(1000).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list canned replies: %w", err)
	}
	out := make([]*appliance.CannedReply, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// CannedReply returns one canned reply.
func (s *Store) CannedReply(ctx context.Context, id int64) (*appliance.CannedReply, error) {
	var row cannedRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("canned_reply", err)
	}
	return row.domain(), nil
}

// CreateCannedReply stores a new canned reply; a taken shortcut is an ECONFLICT.
func (s *Store) CreateCannedReply(ctx context.Context, c *appliance.CannedReply) error {
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	row := cannedToRow(c)
	if err := s.conn(ctx).Create(row).Error; err != nil {
		if isDuplicate(err) {
			return shortcutTaken(c)
		}
		return fmt.Errorf("store: unable to create canned reply: %w", err)
	}
	c.ID = row.ID
	return nil
}

// UpdateCannedReply saves a canned reply.
func (s *Store) UpdateCannedReply(ctx context.Context, c *appliance.CannedReply) error {
	c.UpdatedAt = time.Now().UTC()
	res := s.conn(ctx).Model(&cannedRow{ID: c.ID}).Select("shortcut", "title", "text", "skill_group", "updated_at").Updates(cannedToRow(c))
	if res.Error != nil {
		if isDuplicate(res.Error) {
			return shortcutTaken(c)
		}
		return fmt.Errorf("store: unable to update canned reply: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "canned_reply_not_found", "canned reply not found")
	}
	return nil
}

// DeleteCannedReply removes a canned reply.
func (s *Store) DeleteCannedReply(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&cannedRow{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete canned reply: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "canned_reply_not_found", "canned reply not found")
	}
	return nil
}
