package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm/clause"

	"kefu/appliance"
	"kefu/appliance/cluster"
)

type clusterEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	Node      string
	Payload   string
	CreatedAt time.Time
}

func (clusterEventRow) TableName() string { return "cluster_events" }

type clusterNodeRow struct {
	Node        string `gorm:"primaryKey"`
	Users       string
	Routing     bool
	StartedAt   time.Time
	HeartbeatAt time.Time
}

func (clusterNodeRow) TableName() string { return "cluster_nodes" }

var _ cluster.Store = (*Store)(nil)

// AppendEvents implements cluster.Store: one multi-row insert.
func (s *Store) AppendEvents(ctx context.Context, node string, payloads [][]byte, at time.Time) error {
	if len(payloads) == 0 {
		return nil
	}
	rows := make([]clusterEventRow, len(payloads))
	at = at.UTC().Truncate(time.Millisecond)
	for i, p := range payloads {
		rows[i] = clusterEventRow{Node: node, Payload: s.encrypt(string(p)), CreatedAt: at}
	}
	if err := s.conn(ctx).CreateInBatches(rows, 200).Error; err != nil {
		return fmt.Errorf("store: unable to write live events: %w", err)
	}
	return nil
}

// EventsAfter implements cluster.Store.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]cluster.Event, error) {
	var rows []clusterEventRow
	if err := s.conn(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read live events: %w", err)
	}
	out := make([]cluster.Event, len(rows))
	for i, r := range rows {
		out[i] = cluster.Event{ID: r.ID, Node: r.Node, Payload: []byte(s.decrypt(r.Payload)), CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// LastEventID implements cluster.Store.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.conn(ctx).Model(&clusterEventRow{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("store: unable to read the event log: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// PruneEvents implements cluster.Store.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.deleteBefore(ctx, "cluster_events", "created_at", before)
	if err != nil {
		return n, fmt.Errorf("store: unable to prune live events: %w", err)
	}
	return n, nil
}

// pruneBatch bounds one DELETE on MySQL: a busy cluster writes thousands of
// events a second, and one statement deleting minutes of them (or a sweep
// of a million idle dialogue states) would hold its locks for long.
const pruneBatch = 5000

// deleteBefore deletes the rows of table whose time column is before t, in
// batches of pruneBatch on MySQL (SQLite has one writer and deletes them at
// once). table and column are the store's own names, never input.
func (s *Store) deleteBefore(ctx context.Context, table, column string, t time.Time) (int64, error) {
	q := "DELETE FROM " + table + " WHERE " + column + " < ?"
	if s.dialect != MySQL {
		res := s.conn(ctx).Exec(q, t.UTC())
		return res.RowsAffected, res.Error
	}
	var total int64
	for {
		res := s.conn(ctx).Exec(q+" ORDER BY "+column+" LIMIT ?", t.UTC(), pruneBatch)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < pruneBatch {
			return total, nil
		}
	}
}

// Heartbeat implements cluster.Store.
func (s *Store) Heartbeat(ctx context.Context, node string, users []int64, routing bool, started, at time.Time) error {
	if users == nil {
		users = []int64{}
	}
	b, err := json.Marshal(users)
	if err != nil {
		return err
	}
	row := clusterNodeRow{Node: node, Users: string(b), Routing: routing, StartedAt: started.UTC().Truncate(time.Millisecond),
		HeartbeatAt: at.UTC().Truncate(time.Millisecond)}
	err = s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "node"}},
		DoUpdates: clause.AssignmentColumns([]string{"users", "routing", "started_at", "heartbeat_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: unable to write the node's heartbeat: %w", err)
	}
	return nil
}

// Nodes implements cluster.Store.
func (s *Store) Nodes(ctx context.Context) ([]cluster.NodeState, error) {
	var rows []clusterNodeRow
	if err := s.conn(ctx).Order("node").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read the nodes: %w", err)
	}
	out := make([]cluster.NodeState, len(rows))
	for i, r := range rows {
		out[i] = cluster.NodeState{Node: r.Node, Routing: r.Routing, StartedAt: r.StartedAt, HeartbeatAt: r.HeartbeatAt}
		if err := json.Unmarshal([]byte(r.Users), &out[i].Users); err != nil {
			return nil, fmt.Errorf("store: node %s has an unreadable user list: %w", r.Node, err)
		}
	}
	return out, nil
}

// LeaveCluster implements cluster.Store.
func (s *Store) LeaveCluster(ctx context.Context, node string) error {
	if err := s.conn(ctx).Where("node = ?", node).Delete(&clusterNodeRow{}).Error; err != nil {
		return fmt.Errorf("store: unable to remove the node: %w", err)
	}
	return nil
}

// customerLockWait bounds the wait for another node's hold on a customer:
// handling one message takes milliseconds.
const customerLockWait = 10 // seconds

// LockCustomer takes a customer's cluster-wide lock, so two nodes never
// handle one customer's messages at the same time (two conversations opened,
// a dialogue state overwritten). On MySQL it is a named lock held by a
// connection of a pool of its own: a lock held never takes a connection the
// work done under it needs. Elsewhere (SQLite: one process) it is a no-op.
func (s *Store) LockCustomer(ctx context.Context, id int64) (func(), error) {
	if s.dialect != MySQL {
		return func() {}, nil
	}
	s.lockOnce.Do(func() {
		s.lockPool, s.lockError = sql.Open("mysql", s.dsn)
		if s.lockError == nil {
			n := s.poolSize
			if n <= 0 {
				n = 20
			}
			s.lockPool.SetMaxOpenConns(n)
			s.lockPool.SetMaxIdleConns(n)
			s.lockPool.SetConnMaxLifetime(time.Hour)
		}
	})
	if s.lockError != nil {
		return nil, fmt.Errorf("store: unable to open the lock pool: %w", s.lockError)
	}
	c, err := s.lockPool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to get a connection for the customer lock: %w", err)
	}
	name := fmt.Sprintf("kefu_customer_%d", id)
	var got sql.NullInt64
	if err := c.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, customerLockWait).Scan(&got); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: unable to take the customer lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		c.Close()
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "customer_busy", "another node has been handling this customer for over %d s", customerLockWait)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := c.ExecContext(rctx, "SELECT RELEASE_LOCK(?)", name); err != nil {
				// Closing the connection frees the lock anyway.
				c.Raw(func(any) error { return driver.ErrBadConn })
			}
			c.Close()
		})
	}, nil
}
