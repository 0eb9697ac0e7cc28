package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"kefu/appliance"
)

type channelAccountRow struct {
	ID         int64 `gorm:"primaryKey"`
	Kind       string
	AccountKey string
	Name       string
	Enabled    bool
	Settings   string
	SecretsEnc string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (channelAccountRow) TableName() string { return "channel_accounts" }

func (r *channelAccountRow) domain() *appliance.ChannelAccount {
	a := &appliance.ChannelAccount{ID: r.ID, Kind: r.Kind, Key: r.AccountKey, Name: r.Name, Enabled: r.Enabled,
		Settings: map[string]string{}, SecretsSealed: r.SecretsEnc, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Settings), &a.Settings)
	return a
}

// ChannelAccounts returns every configured platform account, by kind and key.
func (s *Store) ChannelAccounts(ctx context.Context) ([]*appliance.ChannelAccount, error) {
	var rows []channelAccountRow
	if err := s.conn(ctx).Order("kind, account_key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to list channel accounts: %w", err)
	}
	out := make([]*appliance.ChannelAccount, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// ChannelAccount returns one platform account.
func (s *Store) ChannelAccount(ctx context.Context, id int64) (*appliance.ChannelAccount, error) {
	var row channelAccountRow
	if err := s.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, notFound("channel_account", err)
	}
	return row.domain(), nil
}

// SaveChannelAccount creates the account (ID 0) or updates it; another
// account of the same kind and key is an ECONFLICT.
func (s *Store) SaveChannelAccount(ctx context.Context, a *appliance.ChannelAccount) error {
	settings := a.Settings
	if settings == nil {
		settings = map[string]string{}
	}
	b, _ := json.Marshal(settings)
	now := time.Now().UTC()
	row := &channelAccountRow{ID: a.ID, Kind: a.Kind, AccountKey: a.Key, Name: a.Name, Enabled: a.Enabled,
		Settings: string(b), SecretsEnc: a.SecretsSealed, CreatedAt: utc(a.CreatedAt), UpdatedAt: now}
	var err error
	if a.ID == 0 {
		row.CreatedAt = now
		err = s.conn(ctx).Create(row).Error
	} else {
		res := s.conn(ctx).Model(&channelAccountRow{ID: a.ID}).
			Select("kind", "account_key", "name", "enabled", "settings", "secrets_enc", "updated_at").Updates(row)
		if err = res.Error; err == nil && res.RowsAffected == 0 {
			return appliance.Errorf(appliance.ENOTFOUND, "channel_account_not_found", "channel account not found")
		}
	}
	if isDuplicate(err) {
		return conflict("channel_account_exists", "an account of this kind with this key is already set up")
	}
	if err != nil {
		return fmt.Errorf("store: unable to save channel account: %w", err)
	}
	a.ID, a.UpdatedAt = row.ID, now
	if a.CreatedAt.IsZero() {
		a.CreatedAt = row.CreatedAt
	}
	return nil
}

// DeleteChannelAccount removes an account and the state its adapter kept.
func (s *Store) DeleteChannelAccount(ctx context.Context, id int64) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		var row channelAccountRow
		if err := s.conn(ctx).Take(&row, id).Error; err != nil {
			return notFound("channel_account", err)
		}
		if err := s.conn(ctx).Where("kind = ? AND account_key = ?", row.Kind, row.AccountKey).Delete(&channelStateRow{}).Error; err != nil {
			return fmt.Errorf("store: unable to delete channel state: %w", err)
		}
		if err := s.conn(ctx).Delete(&channelAccountRow{}, id).Error; err != nil {
			return fmt.Errorf("store: unable to delete channel account: %w", err)
		}
		return nil
	})
}

type channelStateRow struct {
	ID         int64 `gorm:"primaryKey"`
	Kind       string
	AccountKey string
	Name       string
	Value      string
	UpdatedAt  time.Time
}

func (channelStateRow) TableName() string { return "channel_state" }

// ChannelState returns a value an adapter saved (a WeCom sync cursor, sealed
// Douyin tokens), "" when none was saved.
func (s *Store) ChannelState(ctx context.Context, kind, key, name string) (string, error) {
	var row channelStateRow
	err := s.conn(ctx).Where("kind = ? AND account_key = ? AND name = ?", kind, key, name).Take(&row).Error
	if err == gorm.ErrRecordNotFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: unable to read channel state: %w", err)
	}
	return row.Value, nil
}

// SaveChannelState saves a value for an adapter, replacing the previous one.
func (s *Store) SaveChannelState(ctx context.Context, kind, key, name, value string) error {
	row := channelStateRow{Kind: kind, AccountKey: key, Name: name, Value: value, UpdatedAt: time.Now().UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "kind"}, {Name: "account_key"}, {Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: unable to save channel state: %w", err)
	}
	return nil
}

// DeleteChannelState forgets a saved value (e.g. tokens replaced by a new
// authorization).
func (s *Store) DeleteChannelState(ctx context.Context, kind, key, name string) error {
	if err := s.conn(ctx).Where("kind = ? AND account_key = ? AND name = ?", kind, key, name).Delete(&channelStateRow{}).Error; err != nil {
		return fmt.Errorf("store: unable to delete channel state: %w", err)
	}
	return nil
}
