package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/cluster"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
)

// The event log and the nodes' heartbeats, on both databases.
func TestClusterLog(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			s := storetest.Open(t, dialect)
			if id, err := s.LastEventID(ctx); err != nil || id != 0 {
				t.Fatalf("empty log: last id %d, %v", id, err)
			}
			old := time.Now().Add(-time.Hour)
			if err := s.AppendEvents(ctx, "a", [][]byte{[]byte(`{"type":"x","n":1}`), []byte(`{"type":"x","n":2}`)}, old); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendEvents(ctx, "b", [][]byte{[]byte(`{"type":"x","n":3}`)}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendEvents(ctx, "b", nil, time.Now()); err != nil {
				t.Errorf("nothing to append: %v", err)
			}
			evs, err := s.EventsAfter(ctx, 0, 10)
			if err != nil || len(evs) != 3 {
				t.Fatalf("events: %d, %v", len(evs), err)
			}
			if evs[0].Node != "a" || string(evs[1].Payload) != `{"type":"x","n":2}` || evs[2].Node != "b" || !(evs[0].ID < evs[1].ID && evs[1].ID < evs[2].ID) {
				t.Errorf("events out of order or altered: %+v", evs)
			}
			if last, _ := s.LastEventID(ctx); last != evs[2].ID {
				t.Errorf("last id %d, want %d", last, evs[2].ID)
			}
			if after, _ := s.EventsAfter(ctx, evs[0].ID, 1); len(after) != 1 || after[0].ID != evs[1].ID {
				t.Errorf("after the first, limit 1: %+v", after)
			}
			if n, err := s.PruneEvents(ctx, time.Now().Add(-time.Minute)); err != nil || n != 2 {
				t.Errorf("pruned %d, %v; want the 2 old ones", n, err)
			}
			if rest, _ := s.EventsAfter(ctx, 0, 10); len(rest) != 1 || rest[0].ID != evs[2].ID {
				t.Errorf("after pruning: %+v", rest)
			}

			start := time.Now().Add(-time.Minute)
			if err := s.Heartbeat(ctx, "a", []int64{3, 5}, false, start, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := s.Heartbeat(ctx, "b", nil, true, start, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := s.Heartbeat(ctx, "a", []int64{5}, false, start, time.Now()); err != nil { // an update, not a second row
				t.Fatal(err)
			}
			nodes, err := s.Nodes(ctx)
			if err != nil || len(nodes) != 2 || nodes[0].Node != "a" || !slices.Equal(nodes[0].Users, []int64{5}) || len(nodes[1].Users) != 0 ||
				nodes[0].Routing || !nodes[1].Routing {
				t.Fatalf("nodes: %+v, %v", nodes, err)
			}
			if err := s.LeaveCluster(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if nodes, _ := s.Nodes(ctx); len(nodes) != 1 || nodes[0].Node != "b" {
				t.Errorf("after a left: %+v", nodes)
			}
		})
	}
}

// Two nodes, each with its own connections to one database, publish at once:
// each delivers every event of the other exactly once and none of its own,
// also when MySQL commits ids out of order.
func TestClusterNodesExchangeEvents(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			opts := storetest.NewDatabase(t, dialect)
			first, second := storetest.OpenWith(t, opts), storetest.OpenWith(t, opts)

			type got struct {
				mu   sync.Mutex
				seen map[string]int
			}
			start := func(id string, s *store.Store, g *got) (*cluster.Node, func()) {
				n, err := cluster.New(cluster.Options{ID: id, Store: s, Poll: 20 * time.Millisecond, Heartbeat: time.Second,
					Connected: func() []int64 { return []int64{int64(len(id))} },
					Deliver: func(e appliance.Event) {
						g.mu.Lock()
						g.seen[e.Message.Text]++
						g.mu.Unlock()
					}})
				if err != nil {
					t.Fatal(err)
				}
				if err := n.Join(ctx); err != nil {
					t.Fatal(err)
				}
				rctx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { defer close(done); n.Run(rctx) }()
				return n, func() { cancel(); <-done }
			}
			ga, gb := &got{seen: map[string]int{}}, &got{seen: map[string]int{}}
			a, stopA := start("a", first, ga)
			b, stopB := start("bb", second, gb)
			defer stopA()
			defer stopB()
			const each = 600
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < each; i += 4 {
						a.Publish(appliance.Event{Type: appliance.EventMessage, Message: &appliance.Message{Text: fmt.Sprintf("a%d", i)}})
						b.Publish(appliance.Event{Type: appliance.EventMessage, Message: &appliance.Message{Text: fmt.Sprintf("b%d", i)}})
						if i%50 == 0 {
							time.Sleep(time.Millisecond)
						}
					}
				}()
			}
			wg.Wait()
			check := func(name string, g *got, want string) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for {
					g.mu.Lock()
					n := len(g.seen)
					g.mu.Unlock()
					if n >= each || time.Now().After(deadline) {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(100 * time.Millisecond) // anything delivered twice shows now
				g.mu.Lock()
				defer g.mu.Unlock()
				for i := 0; i < each; i++ {
					if c := g.seen[fmt.Sprintf("%s%d", want, i)]; c != 1 {
						t.Errorf("node %s got %s%d %d times, want once", name, want, i, c)
						return
					}
				}
				if len(g.seen) != each {
					t.Errorf("node %s got %d distinct events, want %d (its own must not come back)", name, len(g.seen), each)
				}
			}
			check("a", ga, "b")
			check("bb", gb, "a")
			if st := a.Stats(); st.Published != each || st.Delivered != each || st.Dropped != 0 {
				t.Errorf("node a stats %+v", st)
			}
			// Presence: each node knows who is connected to the other (a,
			// which joined first, from its next heartbeat on).
			deadline := time.Now().Add(5 * time.Second)
			for !a.ConnectedElsewhere(2) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if !a.ConnectedElsewhere(2) || a.ConnectedElsewhere(1) || !b.ConnectedElsewhere(1) {
				t.Errorf("connected elsewhere: a sees 2 %v, 1 %v; b sees 1 %v", a.ConnectedElsewhere(2), a.ConnectedElsewhere(1), b.ConnectedElsewhere(1))
			}
			// A node that stops leaves: the other forgets its users at the
			// next heartbeat.
			stopB()
			deadline = time.Now().Add(5 * time.Second)
			for a.ConnectedElsewhere(2) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if a.ConnectedElsewhere(2) {
				t.Errorf("a still sees b's users after b left")
			}
		})
	}
}

// A customer's lock is held across connections pools (nodes): a second
// node waits for it, and gets it once the first lets go.
func TestLockCustomerAcrossNodes(t *testing.T) {
	if os.Getenv("KEFU_TEST_MYSQL") == "off" {
		t.Skip("KEFU_TEST_MYSQL=off")
	}
	ctx := context.Background()
	dsn := storetest.NewMySQLDatabase(t)
	open := func() *store.Store {
		s, err := store.Open(ctx, store.Options{DSN: dsn, MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	release, err := a.LockCustomer(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	if _, err := b.LockCustomer(short, 7); err == nil {
		t.Fatal("node b took customer 7 while node a held it")
	}
	cancel()
	other, err := b.LockCustomer(ctx, 8)
	if err != nil {
		t.Fatalf("another customer: %v", err)
	}
	other()
	got := make(chan time.Time)
	go func() {
		r, err := b.LockCustomer(ctx, 7)
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- time.Now()
		r()
	}()
	time.Sleep(200 * time.Millisecond)
	released := time.Now()
	release()
	release() // twice is harmless
	if at, ok := <-got; !ok || at.Before(released) {
		t.Errorf("node b got customer 7 at %v, before node a released it at %v", at, released)
	}
	// More locks than the pool has connections, taken and released in turn.
	for i := 0; i < 10; i++ {
		r, err := a.LockCustomer(ctx, int64(100+i))
		if err != nil {
			t.Fatal(err)
		}
		r()
	}
	// SQLite is one process: no lock needed, none taken.
	s := storetest.Open(t, store.SQLite)
	if r, err := s.LockCustomer(ctx, 7); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
}

// Pruning a long log goes in batches and leaves the young events.
func TestPruneEventsInBatches(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			s := storetest.Open(t, dialect)
			old := time.Now().Add(-time.Hour)
			payloads := make([][]byte, 6000)
			for i := range payloads {
				payloads[i] = []byte(`{"type":"typing"}`)
			}
			if err := s.AppendEvents(ctx, "a", payloads, old); err != nil {
				t.Fatal(err)
			}
			if err := s.AppendEvents(ctx, "a", payloads[:3], time.Now()); err != nil {
				t.Fatal(err)
			}
			n, err := s.PruneEvents(ctx, time.Now().Add(-time.Minute))
			if err != nil || n != 6000 {
				t.Fatalf("pruned %d, %v; want 6000", n, err)
			}
			if rest, _ := s.EventsAfter(ctx, 0, 100); len(rest) != 3 {
				t.Errorf("%d events left, want the 3 young ones", len(rest))
			}
		})
	}
}
