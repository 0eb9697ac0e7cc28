// Package cluster lets several appliance nodes serve behind one load balancer
// on one database. Everything durable is already shared through the
// database; what each node keeps in memory is who is connected to it. This
// package shares the rest of what is live:
//
//   - events: every event a node publishes (a message stored, a conversation
//     changed, an alert, someone typing) is written to an event log that the
//     other nodes tail and deliver to their own sockets, so an agent
//     connected to one node sees what a customer sent through another;
//   - presence: each node's heartbeat names the staff whose consoles are
//     connected to it, so no node sets offline an agent who is connected to
//     another.
//
// The router and the recovery of unanswered messages run on one node at a
// time, chosen with the database lock the scheduled jobs use (cmd/cli).
package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/appliance"
)

// Event is one row of the event log.
type Event struct {
	ID        int64
	Node      string
	Payload   []byte // the appliance.Event as JSON
	CreatedAt time.Time
}

// Store is what a node needs of the database.
type Store interface {
	// AppendEvents writes events published by node, in order.
	AppendEvents(ctx context.Context, node string, payloads [][]byte, at time.Time) error
	// EventsAfter returns up to limit events with an id above after, by id.
	EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error)
	// LastEventID is the highest id in the log, 0 when it is empty.
	LastEventID(ctx context.Context) (int64, error)
	// PruneEvents deletes events written before before.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)
	// Heartbeat records that node is alive, which users are connected to
	// it and whether it routes.
	Heartbeat(ctx context.Context, node string, users []int64, routing bool, started, at time.Time) error
	// Nodes returns every node's last heartbeat.
	Nodes(ctx context.Context) ([]NodeState, error)
	// LeaveCluster removes node's heartbeat (a clean stop).
	LeaveCluster(ctx context.Context, node string) error
}

// NodeState is a node's last heartbeat.
type NodeState struct {
	Node        string    `json:"node"`
	Users       []int64   `json:"users"`
	Routing     bool      `json:"routing"`
	StartedAt   time.Time `json:"started_at"`
	HeartbeatAt time.Time `json:"heartbeat_at"`
}

// Options configure a Node.
type Options struct {
	ID    string // unique per node; default hostname-pid
	Store Store
	// Deliver hands an event published by another node to this node's
	// subscribers (the hub's local fan-out) and observers (the router).
	Deliver func(appliance.Event)
	// Connected lists the users whose consoles are connected to this node.
	Connected func() []int64
	// Routing reports whether this node routes the queue (for Members).
	Routing func() bool
	// Poll is how often the event log is read; default 100 ms.
	Poll time.Duration
	// Heartbeat is how often this node's heartbeat is written; a node
	// silent for three heartbeats is taken as gone. Default 5 s.
	Heartbeat time.Duration
	// Retention is how long events stay in the log; default 10 minutes.
	Retention time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Node is this appliance's membership of the cluster.
type Node struct {
	o       Options
	started time.Time
	out     chan appliance.Event

	mu     sync.Mutex
	remote map[int64]bool // users connected to other live nodes
	from   int64          // where the event log is read from (see Join)
	joined bool

	published, delivered, dropped atomic.Int64
}

// queue bounds the events waiting to be written; a database too slow to keep
// up loses live events for other nodes (never messages: those are stored by
// the engine), and says so in the log and the counters.
const queue = 8192

// gapWait is how long the reader waits for an id it has skipped: on MySQL a
// transaction that took a lower id may commit after a higher one is visible.
const gapWait = 3 * time.Second

// DefaultID names a node by host and process.
func DefaultID() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "node"
	}
	id := h + "-" + strconv.Itoa(os.Getpid())
	if len(id) > 64 {
		id = id[len(id)-64:]
	}
	return id
}

// New returns a node; Run starts it.
func New(o Options) (*Node, error) {
	if o.Store == nil || o.Deliver == nil {
		return nil, errors.New("cluster: a store and a delivery function are required")
	}
	if o.ID == "" {
		o.ID = DefaultID()
	}
	if len(o.ID) > 64 {
		return nil, fmt.Errorf("cluster: node id %q is longer than 64 bytes", o.ID)
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 5 * time.Second
	}
	if o.Retention <= 0 {
		o.Retention = 10 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Connected == nil {
		o.Connected = func() []int64 { return nil }
	}
	if o.Routing == nil {
		o.Routing = func() bool { return false }
	}
	return &Node{o: o, started: o.Now(), out: make(chan appliance.Event, queue), remote: map[int64]bool{}}, nil
}

// ID is the node's name.
func (n *Node) ID() string { return n.o.ID }

// Publish queues an event published on this node for the other nodes. It
// never blocks.
func (n *Node) Publish(e appliance.Event) {
	select {
	case n.out <- e:
	default:
		if n.dropped.Add(1)%1000 == 1 {
			n.o.Logger.Warn("cluster: event queue full; live events are not reaching other nodes",
				slog.Int64("dropped", n.dropped.Load()))
		}
	}
}

// ConnectedElsewhere reports whether user's console is connected to another
// live node.
func (n *Node) ConnectedElsewhere(user int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.remote[user]
}

// Stats are the node's counters.
type Stats struct {
	Published, Delivered, Dropped int64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	return Stats{Published: n.published.Load(), Delivered: n.delivered.Load(), Dropped: n.dropped.Load()}
}

// Join fixes where this node starts reading the event log (what other
// nodes publish from now on reaches it, also before Run), writes the first
// heartbeat and reads the other nodes', so presence knows who is connected
// elsewhere before the first sweep.
func (n *Node) Join(ctx context.Context) error {
	from, err := n.o.Store.LastEventID(ctx)
	if err != nil {
		return fmt.Errorf("cluster: joining: %w", err)
	}
	n.mu.Lock()
	n.from, n.joined = from, true
	n.mu.Unlock()
	if err := n.beat(ctx); err != nil {
		return fmt.Errorf("cluster: joining: %w", err)
	}
	return n.readNodes(ctx)
}

// Run writes, reads and prunes the event log and beats the heart until ctx
// ends; then it writes what is queued and leaves the cluster. It joins
// first if Join was not called.
func (n *Node) Run(ctx context.Context) {
	n.mu.Lock()
	after, joined := n.from, n.joined
	n.mu.Unlock()
	if !joined {
		if err := n.Join(ctx); err != nil && ctx.Err() == nil {
			n.o.Logger.Warn("cluster: joining failed", slog.Any("error", err))
		}
		n.mu.Lock()
		after = n.from
		n.mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); n.write(ctx) }()
	go func() { defer wg.Done(); n.read(ctx, after) }()
	hb := time.NewTicker(n.o.Heartbeat)
	defer hb.Stop()
	prune := time.NewTicker(time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := n.o.Store.LeaveCluster(lctx, n.o.ID); err != nil {
				n.o.Logger.Warn("cluster: leaving failed", slog.Any("error", err))
			}
			cancel()
			return
		case <-hb.C:
			if err := n.beat(ctx); err != nil && ctx.Err() == nil {
				n.o.Logger.Warn("cluster: heartbeat failed", slog.Any("error", err))
			}
			if err := n.readNodes(ctx); err != nil && ctx.Err() == nil {
				n.o.Logger.Warn("cluster: reading the nodes failed", slog.Any("error", err))
			}
		case <-prune.C:
			if _, err := n.o.Store.PruneEvents(ctx, n.o.Now().Add(-n.o.Retention)); err != nil && ctx.Err() == nil {
				n.o.Logger.Warn("cluster: pruning the event log failed", slog.Any("error", err))
			}
		}
	}
}

func (n *Node) beat(ctx context.Context) error {
	return n.o.Store.Heartbeat(ctx, n.o.ID, n.o.Connected(), n.o.Routing(), n.started, n.o.Now())
}

// Member is a node as the routing board shows it.
type Member struct {
	NodeState
	Self  bool `json:"self"`  // the node answering
	Alive bool `json:"alive"` // heard from within three heartbeats
	Staff int  `json:"staff"` // staff connected to it
}

// Members lists the nodes that have a heartbeat on record, this one first.
func (n *Node) Members(ctx context.Context) ([]Member, error) {
	nodes, err := n.o.Store.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	alive := n.o.Now().Add(-3 * n.o.Heartbeat)
	out := make([]Member, 0, len(nodes))
	for _, s := range nodes {
		m := Member{NodeState: s, Self: s.Node == n.o.ID, Alive: !s.HeartbeatAt.Before(alive), Staff: len(s.Users)}
		if m.Self {
			// Now rather than at the last heartbeat.
			m.Users, m.Routing, m.Alive = n.o.Connected(), n.o.Routing(), true
			m.Staff = len(m.Users)
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b Member) int {
		switch {
		case a.Self && !b.Self:
			return -1
		case b.Self && !a.Self:
			return 1
		}
		return strings.Compare(a.Node, b.Node)
	})
	return out, nil
}

// readNodes refreshes who is connected to the other live nodes.
func (n *Node) readNodes(ctx context.Context) error {
	nodes, err := n.o.Store.Nodes(ctx)
	if err != nil {
		return err
	}
	alive := n.o.Now().Add(-3 * n.o.Heartbeat)
	remote := map[int64]bool{}
	for _, s := range nodes {
		if s.Node == n.o.ID || s.HeartbeatAt.Before(alive) {
			continue
		}
		for _, u := range s.Users {
			remote[u] = true
		}
	}
	n.mu.Lock()
	n.remote = remote
	n.mu.Unlock()
	return nil
}

// write batches queued events into the log.
func (n *Node) write(ctx context.Context) {
	batch := make([][]byte, 0, 256)
	flush := func(ctx context.Context) {
		if len(batch) == 0 {
			return
		}
		// What was published is written even while the node stops.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := n.o.Store.AppendEvents(ctx, n.o.ID, batch, n.o.Now()); err != nil {
			n.dropped.Add(int64(len(batch)))
			n.o.Logger.Warn("cluster: writing live events failed", slog.Int("events", len(batch)), slog.Any("error", err))
		} else {
			n.published.Add(int64(len(batch)))
		}
		batch = batch[:0]
	}
	add := func(e appliance.Event) {
		b, err := json.Marshal(e)
		if err != nil {
			n.o.Logger.Warn("cluster: unable to encode an event", slog.String("type", e.Type), slog.Any("error", err))
			return
		}
		batch = append(batch, b)
	}
	for {
		select {
		case <-ctx.Done():
			// What is queued is still written, so a stopping node's last
			// events reach the others.
			for {
				select {
				case e := <-n.out:
					add(e)
					continue
				default:
				}
				break
			}
			flush(ctx)
			return
		case e := <-n.out:
			add(e)
		drain:
			for len(batch) < cap(batch) {
				select {
				case e := <-n.out:
					add(e)
				default:
					break drain
				}
			}
			flush(ctx)
		}
	}
}

// read tails the log from after, delivering other nodes' events once each.
func (n *Node) read(ctx context.Context, after int64) {
	t := time.NewTicker(n.o.Poll)
	defer t.Stop()
	r := reader{after: after, seen: map[int64]bool{}, missing: map[int64]time.Time{}}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			from := r.after
			evs, err := n.o.Store.EventsAfter(ctx, from, 1000)
			if err != nil {
				if ctx.Err() == nil {
					n.o.Logger.Warn("cluster: reading live events failed", slog.Any("error", err))
				}
				break
			}
			for _, ev := range r.accept(evs, n.o.Now()) {
				if ev.Node == n.o.ID {
					continue
				}
				var e appliance.Event
				if err := json.Unmarshal(ev.Payload, &e); err != nil {
					n.o.Logger.Warn("cluster: unreadable live event", slog.Int64("id", ev.ID), slog.Any("error", err))
					continue
				}
				n.o.Deliver(e)
				n.delivered.Add(1)
			}
			if len(evs) < 1000 || r.after == from {
				break // caught up, or waiting for a gap to fill
			}
		}
	}
}

// reader is the event log's read position. Ids are delivered once each, in
// the order they are read; the position moves past an id only once it has
// been read or has been missing for gapWait (a rolled-back insert leaves a
// hole for ever).
type reader struct {
	after   int64
	seen    map[int64]bool      // read ids above after
	missing map[int64]time.Time // ids above after not read yet, since when
}

func (r *reader) accept(evs []Event, now time.Time) []Event {
	var fresh []Event
	var top int64
	for _, ev := range evs {
		top = max(top, ev.ID)
		if ev.ID <= r.after || r.seen[ev.ID] {
			continue
		}
		r.seen[ev.ID] = true
		delete(r.missing, ev.ID)
		fresh = append(fresh, ev)
	}
	for id := r.after + 1; id < top; id++ {
		if !r.seen[id] {
			if _, ok := r.missing[id]; !ok {
				r.missing[id] = now
			}
		}
	}
	for {
		next := r.after + 1
		if r.seen[next] {
			delete(r.seen, next)
		} else if since, ok := r.missing[next]; ok && now.Sub(since) >= gapWait {
			delete(r.missing, next)
		} else {
			break
		}
		r.after = next
	}
	return fresh
}
