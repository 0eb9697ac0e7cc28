package cluster

import (
	"slices"
	"testing"
	"time"

	"kefu/appliance"
)

func ids(evs []Event) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func rows(ids ...int64) []Event {
	var out []Event
	for _, id := range ids {
		out = append(out, Event{ID: id})
	}
	return out
}

// The reader delivers each id once, waits for a skipped id (a transaction
// that took it may still commit) and gives up on it after gapWait.
func TestReaderGaps(t *testing.T) {
	t0 := time.Now()
	r := reader{after: 10, seen: map[int64]bool{}, missing: map[int64]time.Time{}}
	if got := ids(r.accept(rows(11, 12, 14, 15), t0)); !slices.Equal(got, []int64{11, 12, 14, 15}) {
		t.Fatalf("first read delivered %v", got)
	}
	if r.after != 12 {
		t.Fatalf("position %d, want 12: 13 is missing", r.after)
	}
	// The same rows again (the next poll reads from 12) deliver nothing new;
	// 13 commits late and is delivered.
	if got := ids(r.accept(rows(13, 14, 15, 16), t0.Add(time.Second))); !slices.Equal(got, []int64{13, 16}) {
		t.Fatalf("second read delivered %v, want [13 16]", got)
	}
	if r.after != 16 || len(r.seen) != 0 || len(r.missing) != 0 {
		t.Fatalf("position %d, seen %v, missing %v; want 16 and nothing held", r.after, r.seen, r.missing)
	}
	// 17 never commits (rolled back): the position moves past it after gapWait.
	r.accept(rows(18), t0)
	if r.after != 16 {
		t.Fatalf("position %d before gapWait, want 16", r.after)
	}
	r.accept(rows(18), t0.Add(gapWait-time.Millisecond))
	if r.after != 16 {
		t.Fatalf("position %d just before gapWait, want 16", r.after)
	}
	if got := r.accept(rows(18), t0.Add(gapWait)); len(got) != 0 || r.after != 18 {
		t.Fatalf("after gapWait: delivered %v, position %d; want nothing and 18", ids(got), r.after)
	}
	// Rows at or below the position (a slow poll's stale page) are ignored.
	if got := r.accept(rows(15, 18), t0); len(got) != 0 {
		t.Errorf("old rows delivered again: %v", ids(got))
	}
}

// Publishing never blocks: past the queue, events are counted as dropped.
func TestPublishNeverBlocks(t *testing.T) {
	n, err := New(Options{ID: "x", Store: nil, Deliver: func(appliance.Event) {}})
	if err == nil {
		t.Fatal("a node without a store was accepted")
	}
	n, err = New(Options{ID: "x", Store: nopStore{}, Deliver: func(appliance.Event) {}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < queue+10; i++ {
		n.Publish(appliance.Event{Type: appliance.EventTyping})
	}
	if st := n.Stats(); st.Dropped != 10 {
		t.Errorf("dropped %d, want 10", st.Dropped)
	}
	if _, err := New(Options{ID: string(make([]byte, 65)), Store: nopStore{}, Deliver: func(appliance.Event) {}}); err == nil {
		t.Error("a 65-byte node id was accepted")
	}
	if id := DefaultID(); id == "" || len(id) > 64 {
		t.Errorf("default id %q", id)
	}
}

type nopStore struct{ Store }
