package store

import (
	"context"
	"fmt"
	"time"

	"kefu/appliance"
)

type appKeyRow struct {
	ID        int64  `gorm:"primaryKey"`
	Key       string `gorm:"column:app_key"`
	SecretEnc string
	Name      string
	Disabled  bool
	CreatedAt time.Time
}

func (appKeyRow) TableName() string { return "app_keys" }

// CreateAppKey stores an app key; an existing key is an ECONFLICT.
func (s *Store) CreateAppKey(ctx context.Context, k *appliance.AppKey) error {
	k.CreatedAt = utc(k.CreatedAt)
	row := appKeyRow(*k)
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		if isDuplicate(err) {
			return conflict("app_key_exists", "the app key exists")
		}
		return fmt.Errorf("store: unable to create app key: %w", err)
	}
	k.ID = row.ID
	return nil
}

// AppKey returns an enabled app key.
func (s *Store) AppKey(ctx context.Context, key string) (*appliance.AppKey, error) {
	var row appKeyRow
	if err := s.conn(ctx).Where("app_key = ? AND disabled = ?", key, false).Take(&row).Error; err != nil {
		return nil, notFound("app_key", err)
	}
	k := appliance.AppKey(row)
	return &k, nil
}
