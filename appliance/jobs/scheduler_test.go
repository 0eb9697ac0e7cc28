package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/jobs"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
)

func forEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.Open(t, d))
		})
	}
}

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Two nodes share one MariaDB database and both schedule the same job every
// second: each slot runs exactly once, on one node or the other.
func TestTwoSchedulersRunEachSlotOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for three seconds")
	}
	dsn := storetest.NewMySQLDatabase(t)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), store.Options{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if _, err := a.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ranBy := map[string][]string{} // for_date+started second -> nodes
	var calls atomic.Int64
	mk := func(st *store.Store, node string) *jobs.Scheduler {
		s := jobs.New(jobs.Options{Store: st, Node: node, Location: shanghai})
		err := s.Register(jobs.Job{Name: "tick", Schedule: "* * * * * *", Func: func(ctx context.Context, r *jobs.Run) error {
			calls.Add(1)
			mu.Lock()
			ranBy[node] = append(ranBy[node], node)
			mu.Unlock()
			time.Sleep(150 * time.Millisecond) // long enough for the other node to try the same slot
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sa, sb := mk(a, "node-a"), mk(b, "node-b")
	if err := sa.Start(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3200 * time.Millisecond)
	sa.Stop(context.Background())
	sb.Stop(context.Background())

	runs, err := a.JobRuns(context.Background(), "tick", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 2 {
		t.Fatalf("got %d runs in 3s, want at least 2", len(runs))
	}
	if int(calls.Load()) != len(runs) {
		t.Errorf("job function ran %d times for %d recorded runs, want one call per run", calls.Load(), len(runs))
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.SlotKey] {
			t.Errorf("slot %s ran twice", r.SlotKey)
		}
		seen[r.SlotKey] = true
		if r.Status != appliance.JobSucceeded {
			t.Errorf("run %d: got status %s, want succeeded", r.ID, r.Status)
		}
	}
}

// A manual run while the same job runs elsewhere is refused, not overlapped.
func TestJobNeverOverlaps(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		s := jobs.New(jobs.Options{Store: st, Location: shanghai})
		started, release := make(chan struct{}), make(chan struct{})
		s.Register(jobs.Job{Name: "slow", Schedule: "@daily", Func: func(ctx context.Context, r *jobs.Run) error {
			close(started)
			<-release
			return nil
		}})
		done := make(chan error, 1)
		go func() {
			_, err := s.RunNow(context.Background(), "slow", time.Time{})
			done <- err
		}()
		<-started
		_, err := s.RunNow(context.Background(), "slow", time.Time{})
		if appliance.ErrorCode(err) != "job_running" {
			t.Errorf("second run: got %v, want job_running", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		runs, _ := st.JobRuns(context.Background(), "slow", "", 10)
		if len(runs) != 1 {
			t.Errorf("got %d runs, want 1", len(runs))
		}
	})
}

func TestRunRecordsPanicsCountsAndErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := jobs.New(jobs.Options{Store: st, Location: shanghai})
		var gotDate time.Time
		s.Register(jobs.Job{Name: "panics", Schedule: "@daily", Func: func(ctx context.Context, r *jobs.Run) error {
			r.Add("rows", 3)
			panic("boom")
		}})
		s.Register(jobs.Job{Name: "fails", Schedule: "@daily", Func: func(ctx context.Context, r *jobs.Run) error {
			return errors.New("database gone")
		}})
		s.Register(jobs.Job{Name: "ok", Schedule: "@daily", Func: func(ctx context.Context, r *jobs.Run) error {
			gotDate = r.Date
			r.Add("conversations", 42)
			return nil
		}})
		run, err := s.RunNow(ctx, "panics", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != appliance.JobFailed || !strings.Contains(run.Error, "panic: boom") || run.Counts["rows"] != 3 {
			t.Errorf("panicking job: got %s %q %v, want failed with the panic and its counts", run.Status, run.Error, run.Counts)
		}
		run, _ = s.RunNow(ctx, "fails", time.Time{})
		if run.Status != appliance.JobFailed || run.Error != "database gone" {
			t.Errorf("failing job: got %s %q, want failed with its error", run.Status, run.Error)
		}
		run, _ = s.RunNow(ctx, "ok", time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC))
		if run.Status != appliance.JobSucceeded || run.ForDate != "2026-03-09" || gotDate.Format(time.DateOnly) != "2026-03-09" {
			t.Errorf("ok job: got %s for %s (date %v), want succeeded for 2026-03-09", run.Status, run.ForDate, gotDate)
		}
		stored, _ := st.JobRuns(ctx, "ok", "", 1)
		if len(stored) != 1 || stored[0].Counts["conversations"] != 42 || stored[0].FinishedAt == nil {
			t.Errorf("stored run: got %+v, want counts and an end time", stored[0])
		}
		if _, err := s.RunNow(ctx, "nope", time.Time{}); appliance.ErrorCode(err) != "job_not_found" {
			t.Errorf("unknown job: got %v, want job_not_found", err)
		}
		if err := s.Register(jobs.Job{Name: "bad", Schedule: "every tuesday", Func: func(context.Context, *jobs.Run) error { return nil }}); appliance.ErrorCode(err) != "invalid_schedule" {
			t.Errorf("bad schedule: got %v, want invalid_schedule", err)
		}
	})
}

// The appliance was down at 02:00: at the next start the nightly run for the
// day before is caught up, once, even with two nodes starting together.
func TestCatchUpMissedNightlyRun(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// It is 09:30 on 24 November in Shanghai; the last run was the night of the 22nd.
		now := time.Date(2026, 11, 24, 9, 30, 0, 0, shanghai)
		clock := func() time.Time { return now }
		var dates []string
		var mu sync.Mutex
		mk := func() *jobs.Scheduler {
			s := jobs.New(jobs.Options{Store: st, Location: shanghai, Now: clock})
			s.Register(jobs.Job{Name: "qa-audit", Schedule: "0 2 * * *", CatchUp: true, Func: func(ctx context.Context, r *jobs.Run) error {
				mu.Lock()
				dates = append(dates, r.Date.Format(time.DateOnly))
				mu.Unlock()
				return nil
			}})
			return s
		}
		s := mk()
		// A fresh installation has nothing to catch up.
		if err := s.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if len(dates) != 0 {
			t.Fatalf("fresh install caught up %v, want nothing", dates)
		}
		prev := &appliance.JobRun{Job: "qa-audit", SlotKey: time.Date(2026, 11, 23, 2, 0, 0, 0, shanghai).UTC().Format(time.RFC3339),
			Trigger: jobs.TriggerSchedule, ForDate: "2026-11-22", StartedAt: time.Date(2026, 11, 23, 2, 0, 0, 0, shanghai)}
		if err := st.ClaimJobRun(ctx, prev); err != nil {
			t.Fatal(err)
		}
		prev.Status = appliance.JobSucceeded
		st.FinishJobRun(ctx, prev)

		var wg sync.WaitGroup
		for _, sc := range []*jobs.Scheduler{s, mk()} {
			wg.Add(1)
			go func() { defer wg.Done(); sc.CatchUp(ctx) }()
		}
		wg.Wait()
		if len(dates) != 1 || dates[0] != "2026-11-23" {
			t.Fatalf("caught up %v, want one run for 2026-11-23", dates)
		}
		runs, _ := st.JobRuns(ctx, "qa-audit", "", 10)
		if runs[0].Trigger != jobs.TriggerCatchUp || runs[0].Status != appliance.JobSucceeded {
			t.Errorf("latest run: got %s %s, want a succeeded catch-up", runs[0].Trigger, runs[0].Status)
		}
		// Restarting again the same morning catches up nothing more.
		if err := s.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if len(dates) != 1 {
			t.Errorf("second restart caught up again: %v", dates)
		}
	})
}

// Stop waits for a running job; when its patience runs out the job's context
// is cancelled and the run is recorded as cancelled.
func TestStopWaitsForRunningJob(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	s := jobs.New(jobs.Options{Store: st, Location: shanghai})
	started := make(chan struct{})
	s.Register(jobs.Job{Name: "long", Schedule: "@daily", Func: func(ctx context.Context, r *jobs.Run) error {
		close(started)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond)
		return ctx.Err()
	}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Trigger("long", time.Time{}); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stop: got %v, want the deadline", err)
	}
	runs, _ := st.JobRuns(context.Background(), "long", "", 1)
	if len(runs) != 1 || runs[0].Status != appliance.JobCancelled || runs[0].FinishedAt == nil {
		t.Fatalf("got %+v, want one cancelled run with an end time", runs)
	}
	if _, err := s.Trigger("long", time.Time{}); appliance.ErrorCode(err) != "stopping" {
		t.Errorf("trigger after stop: got %v, want stopping", err)
	}
}
