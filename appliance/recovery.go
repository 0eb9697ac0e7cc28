package appliance

import (
	"context"
	"time"
)

// Finishing what a stop left: inbound messages accepted but not answered,
// replies not yet delivered to their push channel. At start-up for the
// process that stopped; in a cluster, also by the routing node for a node
// that stopped (cmd/cli/cluster.go).

// Recover finishes inbound messages accepted before a stop but never
// answered; called at start-up.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	return e.RecoverBefore(ctx, time.Time{})
}

// RecoverBefore is Recover for the messages accepted before before (all of
// them when before is zero). In a cluster a younger unanswered message is
// another node's work in hand; one older than that node could take to answer
// was left by a node that stopped.
func (e *Engine) RecoverBefore(ctx context.Context, before time.Time) (int, error) {
	msgs, err := e.store.Unhandled(ctx, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range storedBefore(msgs, before) {
		unlock, err := e.locks.Lock(ctx, m.CustomerID)
		if err != nil {
			return n, err
		}
		// Under the lock, read it again: in a cluster its node may have
		// answered it since the list was read.
		done, err := e.recoverOne(ctx, m.ID)
		unlock()
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// recoverOne answers message id if it is still unanswered; the caller holds
// its customer's lock.
func (e *Engine) recoverOne(ctx context.Context, id int64) (bool, error) {
	m, err := e.store.Message(ctx, id)
	if err != nil || m.Handled {
		return false, err
	}
	conv, err := e.store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return false, err
	}
	_, err = e.handle(ctx, conv, m, false)
	return err == nil, err
}

// Redeliver hands messages left pending at the last stop to their channels.
func (e *Engine) Redeliver(ctx context.Context) (int, error) {
	return e.RedeliverBefore(ctx, time.Time{})
}

// RedeliverBefore is Redeliver for the messages stored before before (all
// of them when before is zero; see RecoverBefore).
func (e *Engine) RedeliverBefore(ctx context.Context, before time.Time) (int, error) {
	msgs, err := e.store.PendingDeliveries(ctx, 1000)
	if err != nil {
		return 0, err
	}
	msgs = storedBefore(msgs, before)
	for _, m := range msgs {
		conv, err := e.store.Conversation(ctx, m.ConversationID)
		if err != nil {
			return 0, err
		}
		e.deliverAsync(conv, m)
	}
	return len(msgs), nil
}

// storedBefore keeps the messages stored before before (all of them when
// before is zero).
func storedBefore(msgs []*Message, before time.Time) []*Message {
	if before.IsZero() {
		return msgs
	}
	out := msgs[:0:0]
	for _, m := range msgs {
		if m.CreatedAt.Before(before) {
			out = append(out, m)
		}
	}
	return out
}
