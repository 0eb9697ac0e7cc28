package appliance

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The engine's part of routing and transfers. Like every change of owner,
// these run under the customer's lock in one transaction (transition).

// Route offers a queued conversation to an agent (see routing.go). A
// conversation no longer queued is an ECONFLICT not_queued.
func (e *Engine) Route(ctx context.Context, convID int64, agent *User) (*Conversation, error) {
	return e.transitionCtx(ctx, convID, nil, "", func(ctx context.Context, c *Conversation, now time.Time) ([]*Message, error) {
		if c.Status != StatusQueued {
			return nil, Errorf(ECONFLICT, "not_queued", "the conversation is not waiting in the queue")
		}
		if c.AssigneeID != 0 {
			return nil, Errorf(ECONFLICT, "already_routed", "the conversation was already offered to an agent")
		}
		// AssignedAt is when the offer was made while it stands, so its
		// timeout survives a restart; taking the conversation resets it.
		c.AssigneeID, c.AssignedAt = agent.ID, &now
		return nil, e.systemAudit(ctx, "conversation.route", c, now, map[string]any{
			"agent_id": agent.ID, "agent": agent.Username, "skill_group": c.SkillGroup, "priority": c.Priority})
	})
}

// Unroute withdraws an offer (the agent went away, or let the offer lapse)
// so the conversation can be routed again; reason is kept in the audit log.
func (e *Engine) Unroute(ctx context.Context, convID int64, reason string) (*Conversation, error) {
	return e.transitionCtx(ctx, convID, nil, "", func(ctx context.Context, c *Conversation, now time.Time) ([]*Message, error) {
		if c.Status != StatusQueued || c.AssigneeID == 0 {
			return nil, Errorf(ECONFLICT, "not_routed", "the conversation is not offered to an agent")
		}
		from := c.AssigneeID
		c.AssigneeID, c.AssignedAt = 0, nil
		return nil, e.systemAudit(ctx, "conversation.unroute", c, now, map[string]any{"agent_id": from, "reason": reason})
	})
}

func (e *Engine) systemAudit(ctx context.Context, action string, c *Conversation, now time.Time, detail map[string]any) error {
	return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "system", ActorName: "router", Action: action,
		TargetType: "conversation", TargetID: strconv.FormatInt(c.ID, 10), Detail: detail, CreatedAt: now})
}

// TransferTarget is where a transfer goes: an agent (Agent set) or a skill
// group's queue (Group set).
type TransferTarget struct {
	Agent *User
	Group string
	Note  string // for the next agent; kept with the history as an internal note
}

// Transfer hands a human-owned conversation to another agent or back to a
// skill group's queue. It is the same conversation: its history, summary and
// notes stay with it, and an internal note records who handed it to whom.
// The customer is told they are being transferred.
func (e *Engine) Transfer(ctx context.Context, convID int64, actor *User, to TransferTarget) (*Conversation, error) {
	to.Note = trimText(to.Note)
	if utf8.RuneCountInString(to.Note) > 500 {
		return nil, Errorf(EINVALID, "note_too_long", "the transfer note must be at most 500 characters")
	}
	if (to.Agent == nil) == (to.Group == "") {
		return nil, Errorf(EINVALID, "bad_transfer_target", "transfer to an agent or to a group, not both or neither")
	}
	if to.Agent != nil && (to.Agent.Disabled || (to.Agent.Role != RoleAgent && !to.Agent.Role.Supervises())) {
		return nil, Errorf(EINVALID, "not_an_agent", "%s cannot serve customers", to.Agent.Username)
	}
	return e.transitionCtx(ctx, convID, actor, "conversation.transfer", func(ctx context.Context, c *Conversation, now time.Time) ([]*Message, error) {
		if !c.Status.HumanOwned() {
			return nil, Errorf(ECONFLICT, "not_human_owned", "only a conversation with an agent or in the queue can be transferred")
		}
		if c.Status == StatusAssigned && c.AssigneeID != actor.ID && !actor.Role.Supervises() {
			return nil, Errorf(EFORBIDDEN, "not_assignee", "only the assigned agent or a supervisor can transfer it")
		}
		from := "队列"
		if c.AssigneeID != 0 {
			from = "#" + strconv.FormatInt(c.AssigneeID, 10)
		}
		var target string
		if to.Agent != nil {
			if c.Status == StatusAssigned && c.AssigneeID == to.Agent.ID {
				return nil, Errorf(ECONFLICT, "same_agent", "the conversation is already with this agent")
			}
			c.Status, c.AssigneeID, c.AssignedAt = StatusAssigned, to.Agent.ID, &now
			target = agentName(to.Agent)
		} else {
			c.Status, c.AssigneeID, c.AssignedAt, c.SkillGroup = StatusQueued, 0, nil, to.Group
			target = to.Group + " 组"
		}
		if c.HandoffAt == nil {
			c.HandoffAt, c.HandoffReason = &now, "transfer"
		}
		text := agentName(actor) + " 转接给 " + target
		if to.Note != "" {
			text += "：" + to.Note
		}
		note := &Message{ConversationID: c.ID, CustomerID: c.CustomerID, Sender: SenderAgent, SenderID: actor.ID,
			Kind: KindNote, Text: text, CreatedAt: now, Payload: payloadJSON(map[string]any{"transfer": map[string]any{
				"from": from, "to_agent_id": agentID(to.Agent), "to_group": to.Group, "note": to.Note}})}
		return []*Message{note, e.systemMessage(c, e.texts.Get("transfer", "zh"), now)}, nil
	})
}

func agentName(u *User) string {
	if u == nil {
		return ""
	}
	if strings.TrimSpace(u.DisplayName) != "" {
		return u.DisplayName
	}
	return u.Username
}

func agentID(u *User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// SetSummary stores a conversation's hand-off summary (written once the
// LLM has produced it).
func (e *Engine) SetSummary(ctx context.Context, convID int64, summary string) (*Conversation, error) {
	return e.transition(ctx, convID, nil, "", func(c *Conversation, _ time.Time) ([]*Message, error) {
		c.Summary = summary
		return nil, nil
	})
}
