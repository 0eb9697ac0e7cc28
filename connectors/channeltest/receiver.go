package channeltest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"kefu/appliance"
)

// ReplyFunc scripts the replies to an inbound message.
type ReplyFunc func(in appliance.Inbound) []string

// Receiver is a fake of the engine's Receive.
type Receiver struct {
	// Reply scripts answers; nil answers "re: <text>".
	Reply ReplyFunc
	// Delay makes Receive slow, as a busy NLU would.
	Delay time.Duration
	// Channel, when set, gets the replies of non-SyncReply inbounds
	// delivered through it, as the engine does for push channels.
	Channel appliance.Channel
	// Fail makes Receive fail with this error (nothing is stored).
	Fail error

	mu        sync.Mutex
	seq       int64
	calls     int
	byKey     map[string]*appliance.Outcome
	inbounds  []appliance.Inbound
	delivered map[int64]appliance.Delivery
	wg        sync.WaitGroup
}

// NewReceiver returns an empty fake.
func NewReceiver() *Receiver {
	return &Receiver{byKey: map[string]*appliance.Outcome{}, delivered: map[int64]appliance.Delivery{}}
}

// Receive stores an inbound once and answers it.
func (r *Receiver) Receive(ctx context.Context, in appliance.Inbound) (*appliance.Outcome, error) {
	r.mu.Lock()
	r.calls++
	fail, delay := r.Fail, r.Delay
	r.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	if in.Channel == "" || in.MessageID == "" || in.Identity.Value == "" || in.Identity.Kind == "" {
		return nil, appliance.Errorf(appliance.EINVALID, "missing_fields", "channel, message id and sender are required: %+v", in)
	}
	key := appliance.DedupeKey(in.Channel, in.Identity, in.MessageID)
	r.mu.Lock()
	if prev, ok := r.byKey[key]; ok {
		out := *prev
		out.Duplicate = true
		out.Replies = nil
		for _, m := range prev.Replies {
			c := *m
			c.Delivery = r.delivered[m.ID]
			out.Replies = append(out.Replies, &c)
		}
		r.mu.Unlock()
		return &out, nil
	}
	r.seq++
	msg := &appliance.Message{ID: r.seq, Channel: in.Channel, Sender: appliance.SenderCustomer, Kind: in.Kind,
		Text: in.Text, ChannelMsgID: in.MessageID, Handled: true}
	out := &appliance.Outcome{Message: msg}
	r.byKey[key] = out
	r.inbounds = append(r.inbounds, in)
	reply := r.Reply
	r.mu.Unlock()

	// The engine stores the message first and answers after NLU; a slow
	// answer never loses the message.
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
	texts := []string{"re: " + in.Text}
	if reply != nil {
		texts = reply(in)
	}
	r.mu.Lock()
	for _, t := range texts {
		r.seq++
		d := appliance.DeliveryPending
		if in.SyncReply || r.Channel == nil {
			d = appliance.DeliverySent
		}
		m := &appliance.Message{ID: r.seq, Channel: in.Channel, Sender: appliance.SenderBot, Kind: appliance.KindText,
			Text: t, ReplyTo: msg.ID, Delivery: d}
		r.delivered[m.ID] = d
		out.Replies = append(out.Replies, m)
	}
	ch := r.Channel
	r.mu.Unlock()
	if ch != nil && !in.SyncReply {
		to := in.Identity
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for _, m := range out.Replies {
				err := ch.Deliver(context.Background(), &to, m)
				d := appliance.DeliverySent
				if err != nil {
					d = appliance.DeliveryFailed
				}
				r.SetDelivery(context.Background(), m.ID, d)
			}
		}()
	}
	return out, nil
}

// SetDelivery records a delivery state (the DeliveryRecorder adapters call).
func (r *Receiver) SetDelivery(_ context.Context, id int64, d appliance.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.delivered[id]; !ok {
		return appliance.Errorf(appliance.ENOTFOUND, "no_message", "no message %d", id)
	}
	r.delivered[id] = d
	return nil
}

// Delivery returns the recorded delivery state of a reply.
func (r *Receiver) Delivery(id int64) appliance.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered[id]
}

// Inbounds returns the distinct inbound messages accepted, in order.
func (r *Receiver) Inbounds() []appliance.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.inbounds)
}

// Calls counts Receive calls, duplicates included.
func (r *Receiver) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// Wait waits for deliveries started through Channel.
func (r *Receiver) Wait() { r.wg.Wait() }

// WaitFor polls cond until it holds or the timeout passes.
func WaitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within %s", timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}
