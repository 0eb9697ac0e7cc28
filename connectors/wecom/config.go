package wecom

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"kefu/connectors"
)

// DefaultAPIBase is WeCom's API host.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// CursorStore persists the kf/sync_msg cursor of each 微信客服 account. The
// appliance implements it (one row per open_kfid).
type CursorStore interface {
	// Cursor returns the saved cursor, "" when none was saved yet.
	Cursor(ctx context.Context, openKfID string) (string, error)
	SaveCursor(ctx context.Context, openKfID, cursor string) error
}

// Config configures the adapter of one WeCom corp's 微信客服.
type Config struct {
	// Name is the channel name; "wecom_kf" when empty.
	Name   string
	CorpID string
	// Secret (the 微信客服 secret), Token and EncodingAESKey are secrets.
	Secret         string
	Token          string
	EncodingAESKey string
	// OpenKfIDs limits the adapter to these 客服 accounts; empty accepts all
	// of the corp's.
	OpenKfIDs []string

	APIBase    string
	HTTPClient *http.Client

	Cursors  CursorStore
	Receiver connectors.Receiver
	Recorder connectors.DeliveryRecorder // records welcome messages; may be nil

	// ReplayWindow is how far a callback timestamp may be from now (5 min).
	ReplayWindow time.Duration
	// RetryDelay is the wait before a failed sync is tried again (5 s).
	RetryDelay time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

func (c *Config) defaults() error {
	if c.Name == "" {
		c.Name = "wecom_kf"
	}
	if c.CorpID == "" || c.Secret == "" || c.Token == "" || c.EncodingAESKey == "" {
		return errors.New("wecom: CorpID, Secret, Token and EncodingAESKey are required")
	}
	if c.Cursors == nil || c.Receiver == nil {
		return errors.New("wecom: a CursorStore and a Receiver are required")
	}
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	if c.HTTPClient == nil {
		hc, err := connectors.NewHTTPClient(10*time.Second, c.APIBase)
		if err != nil {
			return err
		}
		c.HTTPClient = hc
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}
