package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kefu/appliance"
)

type userRow struct {
	ID            int64 `gorm:"primaryKey"`
	Username      string
	DisplayName   string
	Role          string
	PasswordHash  string
	Status        string
	MaxConcurrent int
	Skills        string
	Senior        bool
	Disabled      bool
	LastLoginAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (userRow) TableName() string { return "users" }

func (r *userRow) domain() *appliance.User {
	u := &appliance.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Role: appliance.Role(r.Role),
		PasswordHash: r.PasswordHash, Status: appliance.AgentStatus(r.Status), MaxConcurrent: r.MaxConcurrent,
		Senior: r.Senior, Disabled: r.Disabled, LastLoginAt: utcPtr(r.LastLoginAt), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Skills: []string{}}
	_ = json.Unmarshal([]byte(r.Skills), &u.Skills)
	return u
}

func userToRow(u *appliance.User) *userRow {
	skills, _ := json.Marshal(nonNil(u.Skills))
	status := string(u.Status)
	if status == "" {
		status = string(appliance.AgentOffline)
	}
	return &userRow{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role),
		PasswordHash: u.PasswordHash, Status: status, MaxConcurrent: u.MaxConcurrent, Skills: string(skills),
		Senior: u.Senior, Disabled: u.Disabled, LastLoginAt: utcPtr(u.LastLoginAt), CreatedAt: utc(u.CreatedAt),
		UpdatedAt: utc(u.UpdatedAt)}
}

// CreateUser stores a new user; a taken username is an ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u *appliance.User) error {
	now := time.Now().UTC()
	u.CreatedAt, u.UpdatedAt = now, now
	row := userToRow(u)
	if err := s.conn(ctx).Create(row).Error; err != nil {
		if isDuplicate(err) {
			return appliance.Errorf(appliance.ECONFLICT, "username_taken", "the username %q is taken", u.Username)
		}
		return fmt.Errorf("store: unable to create user: %w", err)
	}
	u.ID, u.Status = row.ID, appliance.AgentStatus(row.Status)
	return nil
}

// UpdateUser saves a user.
func (s *Store) UpdateUser(ctx context.Context, u *appliance.User) error {
	u.UpdatedAt = time.Now().UTC()
	res := s.conn(ctx).Model(&userRow{ID: u.ID}).Select("*").Omit("id", "created_at").Updates(userToRow(u))
	if res.Error != nil {
		if isDuplicate(res.Error) {
			return appliance.Errorf(appliance.ECONFLICT, "username_taken", "the username %q is taken", u.Username)
		}
		return fmt.Errorf("store: unable to update user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return appliance.Errorf(appliance.ENOTFOUND, "user_not_found", "user not found")
	}
	return nil
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (*appliance.User, error) {
	var row userRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("user", err)
	}
	return row.domain(), nil
}

// UserByUsername returns a user by username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*appliance.User, error) {
	var row userRow
	if err := s.conn(ctx).Where("username = ?", username).Take(&row).Error; err != nil {
		return nil, notFound("user", err)
	}
	return row.domain(), nil
}

// Users lists users by username.
func (s *Store) Users(ctx context.Context) ([]*appliance.User, error) {
	var rows []userRow
	if err := s.conn(ctx).Order("username").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list users: %w", err)
	}
	out := make([]*appliance.User, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}
