package store_test

import (
	"context"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
)

// Two processes on one SQLite file (kefu serve and kefu job run) share the
// job lock through its lease row; a holder that died frees it on expiry.
func TestSQLiteJobLockAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	opts := storetest.NewDatabase(t, store.SQLite)
	a, b := storetest.OpenWith(t, opts), storetest.OpenWith(t, opts)
	release, err := a.TryJobLock(ctx, "qa-audit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryJobLock(ctx, "qa-audit"); appliance.ErrorCode(err) != "job_running" {
		t.Errorf("second process: got %v, want job_running", err)
	}
	if _, err := a.TryJobLock(ctx, "qa-audit"); appliance.ErrorCode(err) != "job_running" {
		t.Errorf("same process again: got %v, want job_running", err)
	}
	other, err := b.TryJobLock(ctx, "retention")
	if err != nil {
		t.Fatalf("another job: got %v, want its own lock", err)
	}
	other()
	release()
	release() // idempotent
	relB, err := b.TryJobLock(ctx, "qa-audit")
	if err != nil {
		t.Fatalf("after release: got %v, want the lock", err)
	}
	// The holder dies without releasing: once the lease is past, it is taken over.
	if err := b.DB().Exec("UPDATE job_locks SET expires_at = ?", time.Now().UTC().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	relA, err := a.TryJobLock(ctx, "qa-audit")
	if err != nil {
		t.Fatalf("expired lease: got %v, want it taken over", err)
	}
	relB() // the old holder's release must not free the new holder's lock
	if _, err := b.TryJobLock(ctx, "qa-audit"); appliance.ErrorCode(err) != "job_running" {
		t.Errorf("after the old holder released: got %v, want job_running", err)
	}
	relA()
}

func TestJobRunSlotsAreClaimedOnce(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, d)
			ctx := context.Background()
			r := &appliance.JobRun{Job: "qa-audit", SlotKey: "2026-11-23T18:00:00Z", Trigger: "schedule", ForDate: "2026-11-23", StartedAt: time.Now()}
			if err := s.ClaimJobRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			dup := *r
			if err := s.ClaimJobRun(ctx, &dup); appliance.ErrorCode(err) != "job_slot_taken" {
				t.Errorf("same slot twice: got %v, want job_slot_taken", err)
			}
			now := time.Now()
			r.Status, r.FinishedAt, r.Counts, r.Error = appliance.JobFailed, &now, map[string]int64{"rows": 7}, "boom"
			if err := s.FinishJobRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			got, err := s.JobRun(ctx, r.ID)
			if err != nil || got.Status != appliance.JobFailed || got.Counts["rows"] != 7 || got.Error != "boom" || got.FinishedAt == nil {
				t.Errorf("got %+v %v, want the failed run with its counts and error", got, err)
			}
			if _, err := s.JobRun(ctx, 999); !appliance.IsNotFound(err) {
				t.Errorf("missing run: got %v, want ENOTFOUND", err)
			}
		})
	}
}
