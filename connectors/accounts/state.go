package accounts

import (
	"context"
	"encoding/json"
	"fmt"

	"kefu/connectors/douyin"
)

// cursors keeps a WeCom corp's kf/sync_msg cursors, one per 客服 account,
// in the database: a restart resumes where the last accepted page ended.
type cursors struct {
	m   *Manager
	key string // corpid
}

func (c *cursors) Cursor(ctx context.Context, openKfID string) (string, error) {
	return c.m.cfg.Store.ChannelState(ctx, KindWeCom, c.key, "cursor:"+openKfID)
}

func (c *cursors) SaveCursor(ctx context.Context, openKfID, cursor string) error {
	return c.m.cfg.Store.SaveChannelState(ctx, KindWeCom, c.key, "cursor:"+openKfID, cursor)
}

// tokenStore keeps a Douyin account's OAuth tokens sealed in the database.
// Until the first refresh it falls back to the tokens the admin entered.
type tokenStore struct {
	m       *Manager
	key     string // client_key
	initial douyin.Token
}

const tokenState = "oauth_token"

type sealedToken struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresAt    int64  `json:"expires_at"` // Unix seconds
}

func (t *tokenStore) LoadToken(ctx context.Context) (douyin.Token, error) {
	v, err := t.m.cfg.Store.ChannelState(ctx, KindDouyin, t.key, tokenState)
	if err != nil || v == "" {
		return t.initial, err
	}
	plain, err := t.m.cfg.Sealer.Open(v)
	if err != nil {
		return douyin.Token{}, fmt.Errorf("accounts: the saved Douyin token cannot be opened: %w", err)
	}
	var st sealedToken
	if err := json.Unmarshal([]byte(plain), &st); err != nil {
		return douyin.Token{}, fmt.Errorf("accounts: the saved Douyin token is unreadable: %w", err)
	}
	tok := douyin.Token{AccessToken: st.AccessToken, RefreshToken: st.RefreshToken}
	if st.ExpiresAt > 0 {
		tok.ExpiresAt = unix(st.ExpiresAt)
	}
	return tok, nil
}

func (t *tokenStore) SaveToken(ctx context.Context, tok douyin.Token) error {
	b, _ := json.Marshal(sealedToken{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt.Unix()})
	return t.m.cfg.Store.SaveChannelState(ctx, KindDouyin, t.key, tokenState, t.m.cfg.Sealer.Seal(string(b)))
}
