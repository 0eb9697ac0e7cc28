package store

import (
	"context"
	"fmt"
	"time"

	"kefu/appliance"
)

type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	CSRFToken string `gorm:"column:csrf_token"`
	IP        string `gorm:"column:ip"`
	UserAgent string
	ExpiresAt time.Time
	CreatedAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, sess *appliance.Session) error {
	sess.CreatedAt, sess.ExpiresAt = utc(sess.CreatedAt), sess.ExpiresAt.UTC()
	row := sessionRow(*sess)
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: unable to create session: %w", err)
	}
	return nil
}

// Session returns an unexpired session.
func (s *Store) Session(ctx context.Context, id string) (*appliance.Session, error) {
	var row sessionRow
	err := s.conn(ctx).Where("id = ? AND expires_at > ?", id, time.Now().UTC()).Take(&row).Error
	if err != nil {
		return nil, notFound("session", err)
	}
	sess := appliance.Session(row)
	sess.ExpiresAt, sess.CreatedAt = sess.ExpiresAt.UTC(), sess.CreatedAt.UTC()
	return &sess, nil
}

// DeleteSession removes a session (logout).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.conn(ctx).Delete(&sessionRow{}, "id = ?", id).Error; err != nil {
		return fmt.Errorf("store: unable to delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes the sessions of a user (disable, password
// change) except the one with id keep, if any.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	if err := s.conn(ctx).Delete(&sessionRow{}, "user_id = ? AND id <> ?", userID, keep).Error; err != nil {
		return fmt.Errorf("store: unable to delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Delete(&sessionRow{}, "expires_at <= ?", time.Now().UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("store: unable to delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

var _ appliance.Store = (*Store)(nil)
