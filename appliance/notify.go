package appliance

import (
	"context"
	"time"
)

// TellCustomer tells a customer something outside any exchange — a ticket
// moved, a refund was paid — as a system message on the channel they last
// wrote from. It goes into the customer's open conversation when they have
// one (so the agent sees it in context), else into convID's conversation.
// The message is stored, published in real time and delivered to push
// channels like any reply.
func (e *Engine) TellCustomer(ctx context.Context, convID int64, text string) (*Message, error) {
	text = trimText(text)
	if text == "" {
		return nil, Errorf(EINVALID, "empty_message", "the message has no text")
	}
	c0, err := e.store.Conversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	if open, err := e.store.OpenConversation(ctx, c0.CustomerID); err == nil {
		convID = open.ID
	} else if !IsNotFound(err) {
		return nil, err
	}
	var msg *Message
	_, err = e.transition(ctx, convID, nil, "", func(c *Conversation, now time.Time) ([]*Message, error) {
		msg = e.systemMessage(c, text, now)
		return []*Message{msg}, nil
	})
	if err != nil {
		return nil, err
	}
	return msg, nil
}
