package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/robfig/cron/v3"

	"kefu/appliance"
)

// Store records runs and provides the cluster-wide lock; appliance/store
// implements it.
type Store interface {
	// TryJobLock takes the job's lock without waiting, ECONFLICT when held.
	TryJobLock(ctx context.Context, job string) (release func(), err error)
	// ClaimJobRun records a run's start; ECONFLICT when its slot is taken.
	ClaimJobRun(ctx context.Context, r *appliance.JobRun) error
	FinishJobRun(ctx context.Context, r *appliance.JobRun) error
	// JobRuns lists runs newest first (job and status filter when not empty).
	JobRuns(ctx context.Context, job, status string, limit int) ([]*appliance.JobRun, error)
}

// Func does a job's work. It should return soon after ctx is cancelled
// (the appliance is stopping) and count what it did on r.
type Func func(ctx context.Context, r *Run) error

// Job is a registered job.
type Job struct {
	Name        string
	Schedule    string // default cron spec; 5 fields, an optional leading seconds field, or @daily-style descriptors
	Description string
	// CatchUp marks a nightly job: a scheduled run missed while the
	// appliance was down runs at the next start.
	CatchUp bool
	Func    Func
}

// Run is what a job function sees of its run.
type Run struct {
	ID      int64
	Trigger string // schedule, catchup, manual
	// Date is the day the run covers, at midnight in the scheduler's time
	// zone: the day before the scheduled time, or the day asked for by hand.
	Date time.Time

	mu     sync.Mutex
	counts map[string]int64
}

// Add adds n to a named count shown with the run.
func (r *Run) Add(name string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int64{}
	}
	r.counts[name] += n
}

// Counts returns a copy of the counts so far.
func (r *Run) Counts() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// Triggers.
const (
	TriggerSchedule = "schedule"
	TriggerCatchUp  = "catchup"
	TriggerManual   = "manual"
)

// Options configure a Scheduler.
type Options struct {
	Store    Store
	Location *time.Location // time zone of schedules and of a run's Date; nil means time.Local
	// Schedules override the jobs' default schedules by job name.
	Schedules map[string]string
	Node      string // names this node in run records; default the host name
	Logger    *slog.Logger
	Now       func() time.Time
}

// Scheduler runs registered jobs. Register everything, then Start; Stop
// waits for running jobs.
type Scheduler struct {
	store     Store
	loc       *time.Location
	overrides map[string]string
	node      string
	log       *slog.Logger
	now       func() time.Time
	parser    cron.Parser

	mu      sync.Mutex
	jobs    map[string]*entry
	cron    *cron.Cron
	running sync.WaitGroup
	ctx     context.Context // cancelled when a stop runs out of patience
	cancel  context.CancelFunc
	stopped bool
}

type entry struct {
	Job
	spec    string
	sched   cron.Schedule
	cronID  cron.EntryID
	lastRan time.Time
}

// New returns a scheduler with no jobs.
func New(o Options) *Scheduler {
	s := &Scheduler{store: o.Store, loc: o.Location, overrides: o.Schedules, node: o.Node, log: o.Logger, now: o.Now,
		jobs:   map[string]*entry{},
		parser: cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.node == "" {
		s.node, _ = os.Hostname()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Register adds a job; the configured schedule, if any, replaces its default.
func (s *Scheduler) Register(j Job) error {
	if j.Name == "" || j.Func == nil {
		return errors.New("jobs: a job needs a name and a function")
	}
	spec := j.Schedule
	if o := s.overrides[j.Name]; o != "" {
		spec = o
	}
	sched, err := s.parser.Parse(spec)
	if err != nil {
		return appliance.Errorf(appliance.EINVALID, "invalid_schedule", "job %s: schedule %q: %v", j.Name, spec, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("jobs: %s registered twice", j.Name)
	}
	s.jobs[j.Name] = &entry{Job: j, spec: spec, sched: sched}
	return nil
}

// Start schedules every registered job and, in the background, catches up
// nightly runs missed while the appliance was down.
func (s *Scheduler) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return errors.New("jobs: already started")
	}
	s.cron = cron.New(cron.WithLocation(s.loc), cron.WithParser(s.parser))
	for _, e := range s.jobs {
		e := e
		id := s.cron.Schedule(e.sched, cron.FuncJob(func() { s.fire(e) }))
		e.cronID = id
	}
	s.cron.Start()
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		if err := s.CatchUp(s.ctx); err != nil && s.ctx.Err() == nil {
			s.log.Warn("jobs: catch-up failed", slog.Any("error", err))
		}
	}()
	return nil
}

// Stop stops scheduling and waits for running jobs. When ctx ends first,
// the jobs' contexts are cancelled and Stop still waits for them to return
// (they are then recorded as cancelled).
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	if s.cron != nil {
		s.cron.Stop()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-done
		return ctx.Err()
	}
}

// fire runs a job at a scheduled time.
func (s *Scheduler) fire(e *entry) {
	now := s.now().In(s.loc)
	slot, ok := prevFire(e.sched, now, time.Minute)
	if !ok {
		slot = now.Truncate(time.Second)
	}
	_, err := s.start(s.ctx, e, slotKey(slot), TriggerSchedule, dayBefore(slot))
	if err != nil && !appliance.IsConflict(err) {
		s.log.Warn("jobs: scheduled run failed to start", slog.String("job", e.Name), slog.Any("error", err))
	}
}

// RunNow runs a job by hand and waits for it. date selects the day the run
// covers; zero means yesterday.
func (s *Scheduler) RunNow(ctx context.Context, name string, date time.Time) (*appliance.JobRun, error) {
	e, day, err := s.manual(name, date)
	if err != nil {
		return nil, err
	}
	return s.start(ctx, e, TriggerManual+":"+uuid.NewString(), TriggerManual, day)
}

// Trigger starts a job by hand in the background and returns its run record
// once the run is claimed (or the reason it could not start).
func (s *Scheduler) Trigger(name string, date time.Time) (*appliance.JobRun, error) {
	e, day, err := s.manual(name, date)
	if err != nil {
		return nil, err
	}
	started := make(chan *appliance.JobRun, 1)
	errc := make(chan error, 1)
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "stopping", "the appliance is stopping")
	}
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		_, err := s.execute(s.ctx, e, TriggerManual+":"+uuid.NewString(), TriggerManual, day, started)
		errc <- err
	}()
	select {
	case r := <-started:
		return r, nil
	case err := <-errc:
		return nil, err
	}
}

func (s *Scheduler) manual(name string, date time.Time) (*entry, time.Time, error) {
	s.mu.Lock()
	e := s.jobs[name]
	s.mu.Unlock()
	if e == nil {
		return nil, time.Time{}, appliance.Errorf(appliance.ENOTFOUND, "job_not_found", "no job named %q", name)
	}
	if date.IsZero() {
		return e, dayBefore(s.now().In(s.loc)), nil
	}
	y, m, d := date.Date()
	return e, time.Date(y, m, d, 0, 0, 0, 0, s.loc), nil
}

// start runs a job in the foreground, counted as running for Stop.
func (s *Scheduler) start(ctx context.Context, e *entry, key, trigger string, day time.Time) (*appliance.JobRun, error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "stopping", "the appliance is stopping")
	}
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()
	// A run by hand from the command line is cancelled by its own context,
	// a scheduled one by Stop; either ends the job.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	return s.execute(ctx, e, key, trigger, day, nil)
}

// execute takes the lock, claims the slot, runs the job with panics
// recovered, and records the outcome. started, when not nil, receives the
// claimed run before the job's work begins.
func (s *Scheduler) execute(ctx context.Context, e *entry, key, trigger string, day time.Time, started chan<- *appliance.JobRun) (*appliance.JobRun, error) {
	release, err := s.store.TryJobLock(ctx, e.Name)
	if err != nil {
		return nil, err
	}
	defer release()
	run := &appliance.JobRun{Job: e.Name, SlotKey: key, Trigger: trigger, ForDate: day.Format(time.DateOnly),
		Node: s.node, StartedAt: s.now()}
	if err := s.store.ClaimJobRun(ctx, run); err != nil {
		return nil, err
	}
	if started != nil {
		cp := *run
		started <- &cp
	}
	r := &Run{ID: run.ID, Trigger: trigger, Date: day}
	s.log.Info("job started", slog.String("job", e.Name), slog.String("trigger", trigger), slog.String("for_date", run.ForDate))
	err = call(ctx, e.Func, r)
	fin := s.now()
	run.FinishedAt, run.Counts = &fin, r.Counts()
	switch {
	case err == nil:
		run.Status = appliance.JobSucceeded
	case ctx.Err() != nil:
		run.Status, run.Error = appliance.JobCancelled, err.Error()
	default:
		run.Status, run.Error = appliance.JobFailed, err.Error()
	}
	// The outcome is recorded even when the job was cancelled by a stop.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := s.store.FinishJobRun(fctx, run); ferr != nil {
		s.log.Error("jobs: unable to record the end of a run", slog.String("job", e.Name), slog.Any("error", ferr))
	}
	s.log.Info("job finished", slog.String("job", e.Name), slog.String("status", run.Status),
		slog.Duration("took", fin.Sub(run.StartedAt)), slog.Any("counts", run.Counts), slog.String("error", run.Error))
	return run, nil
}

// call runs f, turning a panic into an error.
func call(ctx context.Context, f Func, r *Run) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return f(ctx, r)
}

// CatchUp runs, once, each nightly job whose latest scheduled time in the
// last eight days passed without a successful run, provided the job ran
// before (a fresh installation has missed nothing).
func (s *Scheduler) CatchUp(ctx context.Context) error {
	s.mu.Lock()
	var list []*entry
	for _, e := range s.jobs {
		if e.CatchUp {
			list = append(list, e)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	var errs []error
	for _, e := range list {
		now := s.now().In(s.loc)
		slot, ok := prevFire(e.sched, now, 8*24*time.Hour)
		if !ok {
			continue
		}
		runs, err := s.store.JobRuns(ctx, e.Name, "", 50)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(runs) == 0 || covered(runs, slot) {
			continue
		}
		s.log.Info("jobs: catching up a missed run", slog.String("job", e.Name), slog.Time("slot", slot))
		if _, err := s.start(ctx, e, TriggerCatchUp+":"+slotKey(slot), TriggerCatchUp, dayBefore(slot)); err != nil && !appliance.IsConflict(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// covered reports whether a run for slot succeeded or is under way.
func covered(runs []*appliance.JobRun, slot time.Time) bool {
	keys := []string{slotKey(slot), TriggerCatchUp + ":" + slotKey(slot)}
	for _, r := range runs {
		if slices.Contains(keys, r.SlotKey) && (r.Status == appliance.JobSucceeded || r.Status == appliance.JobRunning) {
			return true
		}
	}
	return false
}

// prevFire returns the latest time at or before now the schedule fires,
// looking back at most window.
func prevFire(sched cron.Schedule, now time.Time, window time.Duration) (time.Time, bool) {
	t := sched.Next(now.Add(-window))
	if t.After(now) {
		return time.Time{}, false
	}
	for range 200000 {
		n := sched.Next(t)
		if n.After(now) {
			return t, true
		}
		t = n
	}
	return t, true
}

func slotKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dayBefore is midnight of the day before t, in t's zone.
func dayBefore(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d-1, 0, 0, 0, 0, t.Location())
}

// Info describes a job for lists.
type Info struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Schedule    string            `json:"schedule"`
	CatchUp     bool              `json:"catch_up"`
	Next        *time.Time        `json:"next,omitempty"`
	LastRun     *appliance.JobRun `json:"last_run,omitempty"`
}

// Jobs lists the registered jobs by name, with their next scheduled time
// (when started) and last run.
func (s *Scheduler) Jobs(ctx context.Context) ([]Info, error) {
	s.mu.Lock()
	var out []Info
	for _, e := range s.jobs {
		in := Info{Name: e.Name, Description: e.Description, Schedule: e.spec, CatchUp: e.CatchUp}
		next := e.sched.Next(s.now().In(s.loc))
		in.Next = &next
		out = append(out, in)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := range out {
		runs, err := s.store.JobRuns(ctx, out[i].Name, "", 1)
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			out[i].LastRun = runs[0]
		}
	}
	return out, nil
}

// Runs lists recent runs of a job (all jobs when name is empty).
func (s *Scheduler) Runs(ctx context.Context, name string, limit int) ([]*appliance.JobRun, error) {
	if name != "" {
		s.mu.Lock()
		_, ok := s.jobs[name]
		s.mu.Unlock()
		if !ok {
			return nil, appliance.Errorf(appliance.ENOTFOUND, "job_not_found", "no job named %q", name)
		}
	}
	return s.store.JobRuns(ctx, name, "", limit)
}

// Location is the scheduler's time zone.
func (s *Scheduler) Location() *time.Location { return s.loc }
