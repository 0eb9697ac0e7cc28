package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

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
		rows[i] = clusterEventRow{Node: node, Payload: string(p), CreatedAt: at}
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
		out[i] = cluster.Event{ID: r.ID, Node: r.Node, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt}
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
	res := s.conn(ctx).Where("created_at < ?", before.UTC()).Delete(&clusterEventRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to prune live events: %w", res.Error)
	}
	return res.RowsAffected, nil
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
