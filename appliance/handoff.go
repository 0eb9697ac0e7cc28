package appliance

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// Hand-off state machine. The transitions are:
//
//	bot      --customer asks / policy-->  queued   (bot falls silent)
//	queued   --agent takes-->             assigned
//	bot      --agent takes-->             assigned (an agent may step in)
//	assigned --transfer-->                queued   (history stays)
//	any open --agent closes-->            closed   (the next message opens a new bot conversation)
//
// Every change runs under the customer's lock and in a transaction that
// re-reads the row, so the bot and the agents never disagree about owner.

// Take assigns a conversation to an agent.
func (e *Engine) Take(ctx context.Context, convID int64, agent *User) (*Conversation, error) {
	return e.transition(ctx, convID, agent, "conversation.take", func(c *Conversation, now time.Time) ([]*Message, error) {
		switch {
		case c.Status == StatusClosed:
			return nil, Errorf(ECONFLICT, "conversation_closed", "the conversation is closed")
		case c.Status == StatusAssigned && c.AssigneeID == agent.ID:
			return nil, nil
		case c.Status == StatusAssigned:
			return nil, Errorf(ECONFLICT, "already_assigned", "another agent owns the conversation")
		}
		if c.HandoffAt == nil {
			c.HandoffAt, c.HandoffReason = &now, "agent_takeover"
		}
		c.Status, c.AssigneeID, c.AssignedAt = StatusAssigned, agent.ID, &now
		return nil, nil
	})
}

// Handoff moves a bot conversation to the human queue.
func (e *Engine) Handoff(ctx context.Context, convID int64, reason string, actor *User) (*Conversation, error) {
	return e.transition(ctx, convID, actor, "conversation.handoff", func(c *Conversation, now time.Time) ([]*Message, error) {
		if c.Status != StatusBot {
			return nil, Errorf(ECONFLICT, "not_with_bot", "only a conversation the bot owns can be handed off")
		}
		c.Status, c.HandoffReason, c.HandoffAt = StatusQueued, reason, &now
		e.metrics.HandedOff(reason)
		return []*Message{e.systemMessage(c, e.texts.Get("handoff", "zh"), now)}, nil
	})
}

// Close ends a conversation; the customer is told, and their next message
// goes back to the bot in a new conversation.
func (e *Engine) Close(ctx context.Context, convID int64, agent *User) (*Conversation, error) {
	return e.transition(ctx, convID, agent, "conversation.close", func(c *Conversation, now time.Time) ([]*Message, error) {
		if c.Status == StatusClosed {
			return nil, Errorf(ECONFLICT, "conversation_closed", "the conversation is already closed")
		}
		if c.Status == StatusAssigned && c.AssigneeID != agent.ID && !agent.Role.Supervises() {
			return nil, Errorf(EFORBIDDEN, "not_assignee", "only the assigned agent or a supervisor can close it")
		}
		c.Status, c.ClosedAt, c.ClosedBy = StatusClosed, &now, "agent"
		return append([]*Message{e.systemMessage(c, e.texts.Get("closed", "zh"), now)}, e.csatRequest(c, now)...), nil
	})
}

// CloseIdle closes bot conversations idle since before, so the customer's
// next message starts afresh; human-owned conversations are never closed
// behind an agent's back.
func (e *Engine) CloseIdle(ctx context.Context, before time.Time) (int, error) {
	convs, err := e.store.IdleConversations(ctx, before, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range convs {
		_, err := e.transition(ctx, c.ID, nil, "", func(c *Conversation, now time.Time) ([]*Message, error) {
			if c.Status != StatusBot || !c.LastMessageAt.Before(before) {
				return nil, Errorf(ECONFLICT, "not_idle", "the conversation is no longer idle")
			}
			c.Status, c.ClosedAt, c.ClosedBy = StatusClosed, &now, "idle"
			return nil, nil
		})
		if IsConflict(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// AgentSend stores an agent's reply (or internal note) and delivers it to the
// customer on the channel they last wrote from. Replying to a queued
// conversation takes it.
func (e *Engine) AgentSend(ctx context.Context, convID int64, agent *User, text string, note bool) (*Message, error) {
	text = trimText(text)
	if text == "" {
		return nil, Errorf(EINVALID, "empty_message", "the message has no text")
	}
	if n := len([]rune(text)); n > e.maxRunes {
		return nil, Errorf(EINVALID, "message_too_long", "the message has %d characters, at most %d are accepted", n, e.maxRunes)
	}
	var msg *Message
	_, err := e.transition(ctx, convID, agent, "", func(c *Conversation, now time.Time) ([]*Message, error) {
		if c.Status == StatusClosed {
			return nil, Errorf(ECONFLICT, "conversation_closed", "the conversation is closed")
		}
		if !note {
			switch {
			case c.Status == StatusAssigned && c.AssigneeID != agent.ID:
				return nil, Errorf(ECONFLICT, "not_assignee", "another agent owns the conversation")
			case c.Status != StatusAssigned:
				if c.HandoffAt == nil {
					c.HandoffAt, c.HandoffReason = &now, "agent_takeover"
				}
				c.Status, c.AssigneeID, c.AssignedAt = StatusAssigned, agent.ID, &now
			}
			if c.FirstResponseAt == nil {
				c.FirstResponseAt = &now
			}
		}
		msg = &Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: c.LastChannel,
			Sender: SenderAgent, SenderID: agent.ID, Kind: KindText, Text: text, CreatedAt: now}
		if note {
			msg.Kind, msg.Channel = KindNote, ""
		}
		return []*Message{msg}, nil
	})
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// transition applies change to a conversation under the customer's lock and
// in a transaction, stores the messages it produces, audits it, and tells
// everyone listening.
func (e *Engine) transition(ctx context.Context, convID int64, actor *User, action string,
	change func(c *Conversation, now time.Time) ([]*Message, error)) (*Conversation, error) {
	return e.transitionCtx(ctx, convID, actor, action, func(_ context.Context, c *Conversation, now time.Time) ([]*Message, error) {
		return change(c, now)
	})
}

// transitionCtx is transition for changes that also write (a transfer note,
// a satisfaction score): change gets the transaction's context.
func (e *Engine) transitionCtx(ctx context.Context, convID int64, actor *User, action string,
	change func(ctx context.Context, c *Conversation, now time.Time) ([]*Message, error)) (*Conversation, error) {
	c0, err := e.store.Conversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	unlock, err := e.locks.Lock(ctx, c0.CustomerID)
	if err != nil {
		return nil, err
	}
	defer unlock()

	var conv *Conversation
	var msgs []*Message
	before := c0.Status
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		c, err := e.store.LockConversation(ctx, convID)
		if err != nil {
			return err
		}
		now := e.now()
		if msgs, err = change(ctx, c, now); err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Channel != "" {
				m.Delivery = DeliverySent
				if e.channels[m.Channel] != nil {
					m.Delivery = DeliveryPending
				}
			}
			if err := e.store.CreateMessage(ctx, m, ""); err != nil {
				return err
			}
			if m.Kind != KindNote {
				c.LastMessageAt = now
			}
		}
		c.UpdatedAt = now
		if err := e.store.UpdateConversation(ctx, c); err != nil {
			return err
		}
		if action != "" && actor != nil {
			err = e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
				Action: action, TargetType: "conversation", TargetID: strconv.FormatInt(c.ID, 10),
				Detail: map[string]any{"from": string(before), "to": string(c.Status)}, CreatedAt: now})
		}
		conv = c
		return err
	})
	if err != nil {
		return nil, err
	}
	if conv.Status != before || conv.AssigneeID != c0.AssigneeID || conv.Summary != c0.Summary || action != "" {
		e.notifier.Publish(Event{Type: EventConversation, Conversation: conv})
	}
	for _, m := range msgs {
		if m.Sender != SenderCustomer && m.Kind != KindNote {
			e.metrics.MessageOut(m.Channel, m.Sender)
		}
		e.notifier.Publish(Event{Type: EventMessage, Message: m})
		if m.Delivery == DeliveryPending {
			e.deliverAsync(conv, m)
		}
	}
	return conv, nil
}

func (e *Engine) systemMessage(c *Conversation, text string, now time.Time) *Message {
	return &Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: c.LastChannel,
		Sender: SenderSystem, Kind: KindText, Text: text, CreatedAt: now}
}

// deliverAsync hands a message to its push channel in the background, with
// retries; a message still pending at a stop is delivered by Redeliver at the
// next start.
func (e *Engine) deliverAsync(conv *Conversation, m *Message) {
	ch := e.channels[m.Channel]
	if ch == nil {
		return
	}
	e.delivery.Add(1)
	go func() {
		defer e.delivery.Done()
		e.deliver(context.Background(), ch, conv.LastIdentityID, m)
	}()
}

func (e *Engine) deliver(ctx context.Context, ch Channel, identityID int64, m *Message) {
	to, err := e.store.Identity(ctx, identityID)
	if err != nil {
		e.log.Error("delivery: unknown identity", slog.Int64("message_id", m.ID), slog.Any("error", err))
		_ = e.store.SetDelivery(ctx, m.ID, DeliveryFailed)
		return
	}
	backoff := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = ch.Deliver(dctx, to, m)
		cancel()
		if err == nil {
			_ = e.store.SetDelivery(ctx, m.ID, DeliverySent)
			return
		}
		if attempt == 3 {
			e.log.Error("delivery failed", slog.String("channel", ch.Name()), slog.Int64("message_id", m.ID), slog.Any("error", err))
			_ = e.store.SetDelivery(ctx, m.ID, DeliveryFailed)
			return
		}
		time.Sleep(backoff)
		backoff *= 2
	}
}

// Supervises reports whether the role may act on any agent's conversations.
func (r Role) Supervises() bool { return r == RoleAdmin || r == RoleSupervisor }
