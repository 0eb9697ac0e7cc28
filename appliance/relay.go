package appliance

import "sync"

// Relay is the engine's Notifier when parts of the appliance react to its
// events (the router, the workspace): it publishes to the real-time hub and
// then calls each observer. Observers are added after the engine exists,
// which is what lets the router and the workspace depend on the engine
// while hearing from it.
type Relay struct {
	next Notifier

	mu        sync.RWMutex
	observers []func(Event)
}

// NewRelay returns a relay publishing to next.
func NewRelay(next Notifier) *Relay {
	if next == nil {
		next = nopNotifier{}
	}
	return &Relay{next: next}
}

// Observe adds an observer. Observers run on the publisher's goroutine and
// must not block.
func (r *Relay) Observe(f func(Event)) {
	r.mu.Lock()
	r.observers = append(r.observers, f)
	r.mu.Unlock()
}

// Publish implements Notifier.
func (r *Relay) Publish(e Event) {
	r.next.Publish(e)
	r.mu.RLock()
	obs := r.observers
	r.mu.RUnlock()
	for _, f := range obs {
		f(e)
	}
}
