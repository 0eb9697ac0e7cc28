package cli

import (
	"context"

	"kefu/appliance"
	"kefu/appliance/config"
	"kefu/appliance/secret"
	"kefu/appliance/store"
)

// appKeys resolves app API keys: the one in the configuration first, then
// those stored (sealed) in the database.
type appKeys struct {
	cfg   *config.Config
	store *store.Store
	box   *secret.Box
}

func (k *appKeys) AppSecret(ctx context.Context, key string) (string, error) {
	if c := k.cfg.Channels.App; c.Key != "" && key == c.Key {
		return c.Secret, nil
	}
	rec, err := k.store.AppKey(ctx, key)
	if err != nil {
		return "", err
	}
	s, err := k.box.Open(rec.SecretEnc)
	if err != nil {
		return "", appliance.Errorf(appliance.EINTERNAL, "app_key_unreadable", "the stored app secret cannot be opened: %v", err)
	}
	return s, nil
}
