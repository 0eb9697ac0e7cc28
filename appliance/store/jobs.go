package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"kefu/appliance"
)

type jobRunRow struct {
	ID          int64 `gorm:"primaryKey"`
	Job         string
	SlotKey     string
	TriggerKind string
	ForDate     string
	Node        string
	Status      string
	Counts      *string
	Error       *string
	StartedAt   time.Time
	FinishedAt  *time.Time
}

func (jobRunRow) TableName() string { return "job_runs" }

func (r *jobRunRow) domain() *appliance.JobRun {
	j := &appliance.JobRun{ID: r.ID, Job: r.Job, SlotKey: r.SlotKey, Trigger: r.TriggerKind, ForDate: r.ForDate,
		Node: r.Node, Status: r.Status, StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}
	if r.Counts != nil {
		_ = json.Unmarshal([]byte(*r.Counts), &j.Counts)
	}
	if r.Error != nil {
		j.Error = *r.Error
	}
	return j
}

// ClaimJobRun records the start of a run. The (job, slot key) pair is
// unique: a second node claiming the same scheduled slot gets ECONFLICT and
// must not run the job.
func (s *Store) ClaimJobRun(ctx context.Context, r *appliance.JobRun) error {
	row := &jobRunRow{Job: r.Job, SlotKey: r.SlotKey, TriggerKind: r.Trigger, ForDate: r.ForDate, Node: r.Node,
		Status: appliance.JobRunning, StartedAt: utc(r.StartedAt)}
	if err := s.conn(ctx).Create(row).Error; err != nil {
		if isDuplicate(err) {
			return conflict("job_slot_taken", "the job already ran for this slot")
		}
		return fmt.Errorf("store: unable to record job run: %w", err)
	}
	r.ID, r.Status, r.StartedAt = row.ID, row.Status, row.StartedAt
	return nil
}

// FinishJobRun records how a run ended.
func (s *Store) FinishJobRun(ctx context.Context, r *appliance.JobRun) error {
	upd := map[string]any{"status": r.Status, "finished_at": utcPtr(r.FinishedAt)}
	if len(r.Counts) > 0 {
		b, _ := json.Marshal(r.Counts)
		upd["counts"] = string(b)
	}
	if r.Error != "" {
		upd["error"] = r.Error
	}
	if err := s.conn(ctx).Model(&jobRunRow{ID: r.ID}).Updates(upd).Error; err != nil {
		return fmt.Errorf("store: unable to finish job run: %w", err)
	}
	return nil
}

// JobRuns lists a job's runs, newest first; status filters when not empty.
func (s *Store) JobRuns(ctx context.Context, job, status string, limit int) ([]*appliance.JobRun, error) {
	q := s.conn(ctx).Model(&jobRunRow{})
	if job != "" {
		q = q.Where("job = ?", job)
	}
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var rows []jobRunRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list job runs: %w", err)
	}
	out := make([]*appliance.JobRun, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// JobRun returns one run.
func (s *Store) JobRun(ctx context.Context, id int64) (*appliance.JobRun, error) {
	var row jobRunRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("job_run", err)
	}
	return row.domain(), nil
}

type jobLockRow struct {
	Job       string `gorm:"primaryKey"`
	Holder    string
	ExpiresAt time.Time
}

func (jobLockRow) TableName() string { return "job_locks" }

// jobLease is how long a SQLite job lock lives without renewal; the holder
// renews it every third of that while the job runs.
const jobLease = 2 * time.Minute

// TryJobLock takes the cluster-wide lock of a job without waiting. On MySQL
// it is a named lock (GET_LOCK) held by a pinned connection, released when
// the returned function is called or when the node dies (its connection
// closes). On SQLite it is a lease row, renewed while held and expiring
// jobLease after a holder died. It returns ECONFLICT when another run holds it.
func (s *Store) TryJobLock(ctx context.Context, job string) (func(), error) {
	name := "kefu_job_" + job
	if s.dialect != MySQL {
		return s.leaseJobLock(ctx, job)
	}
	pool, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to get a connection for the job lock: %w", err)
	}
	var got sql.NullInt64
	if err := c.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: unable to take the job lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		c.Close()
		return nil, conflict("job_running", "the job is already running on this or another node")
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = c.ExecContext(rctx, "SELECT RELEASE_LOCK(?)", name)
			c.Close()
		})
	}, nil
}

func (s *Store) leaseJobLock(ctx context.Context, job string) (func(), error) {
	b := make([]byte, 16)
	rand.Read(b)
	holder := hex.EncodeToString(b)
	now := time.Now().UTC()
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Where("job = ? AND expires_at < ?", job, now).Delete(&jobLockRow{}).Error; err != nil {
			return err
		}
		return s.conn(ctx).Create(&jobLockRow{Job: job, Holder: holder, ExpiresAt: now.Add(jobLease)}).Error
	})
	if isDuplicate(err) {
		return nil, conflict("job_running", "the job is already running")
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to take the job lock: %w", err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(jobLease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				s.db.WithContext(rctx).Model(&jobLockRow{}).Where("job = ? AND holder = ?", job, holder).
					Update("expires_at", time.Now().UTC().Add(jobLease))
				cancel()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s.db.WithContext(rctx).Where("job = ? AND holder = ?", job, holder).Delete(&jobLockRow{})
		})
	}, nil
}
