package appliance

import (
	"context"
	"sync"
)

// keyedMutex serializes work per key (a customer id): within the process,
// and in a cluster across nodes (shared).
type keyedMutex struct {
	mu     sync.Mutex
	locks  map[int64]*keyedLock
	shared func(ctx context.Context, key int64) (func(), error)
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

// Lock takes key's lock; the error is the shared lock's (a database that
// does not answer, another node holding it too long).
func (k *keyedMutex) Lock(ctx context.Context, key int64) (func(), error) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[int64]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	local := func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	if k.shared == nil {
		return local, nil
	}
	// The process's own lock first: one connection per customer, not one
	// per waiting message.
	release, err := k.shared(ctx, key)
	if err != nil {
		local()
		return nil, err
	}
	return func() { release(); local() }, nil
}
