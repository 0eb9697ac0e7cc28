package console

import (
	"sync"

	"kefu/appliance"
)

// Hub fans events out to WebSocket subscribers (agents' consoles and
// customers' widgets). It implements appliance.Notifier. Publishing never
// blocks: a subscriber too slow to keep up is dropped, its socket closes,
// and the client reconnects and catches up from its last message id.
type Hub struct {
	mu      sync.Mutex
	subs    map[*subscription]struct{}
	forward func(appliance.Event)
}

type subscription struct {
	events chan appliance.Event
	filter func(appliance.Event) bool
	once   sync.Once
	done   chan struct{} // closed when dropped
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*subscription]struct{}{}} }

// Subscribe registers a filter; events it accepts arrive on the channel.
func (h *Hub) Subscribe(filter func(appliance.Event) bool) *subscription {
	s := &subscription{events: make(chan appliance.Event, 256), filter: filter, done: make(chan struct{})}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe removes a subscription.
func (h *Hub) Unsubscribe(s *subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
	s.once.Do(func() { close(s.done) })
}

// Forward sends every event published on this node on to f as well (the
// cluster's event log, so other nodes deliver it to their sockets). Call it
// before the hub is used.
func (h *Hub) Forward(f func(appliance.Event)) { h.forward = f }

// Publish implements appliance.Notifier.
func (h *Hub) Publish(e appliance.Event) {
	h.Deliver(e)
	if h.forward != nil {
		h.forward(e)
	}
}

// Deliver fans an event out to this node's subscribers only (an event
// another node published).
func (h *Hub) Deliver(e appliance.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.filter(e) {
			continue
		}
		select {
		case s.events <- e:
		default:
			delete(h.subs, s)
			s.once.Do(func() { close(s.done) })
		}
	}
}

// Subscribers returns the number of live subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
