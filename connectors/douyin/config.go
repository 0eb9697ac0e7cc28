package douyin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"kefu/connectors"
)

// DefaultAPIBase is Douyin's open API host.
const DefaultAPIBase = "https://open.douyin.com"

// TokenSource provides the enterprise account's user access token (act.…),
// obtained when the account authorized the app. Refresher implements it.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
	// Invalidate drops a token the API refused.
	Invalidate(token string)
}

// Config configures the adapter of one enterprise Douyin account.
type Config struct {
	// Name is the channel of private messages ("douyin"); comments use
	// Name+"_comment".
	Name      string
	ClientKey string
	// ClientSecret is a secret: it signs webhooks.
	ClientSecret string
	// AccountOpenID is the enterprise account's open_id: messages to it are
	// the customers'; the API calls act as it.
	AccountOpenID string

	APIBase    string
	HTTPClient *http.Client
	Tokens     TokenSource
	// CommentReplyPath is the comment reply API: "item/comment/reply/" (the
	// default) or "video/comment/reply/" for the enterprise variant.
	CommentReplyPath string
	Policy           Policy

	Receiver connectors.Receiver
	Recorder connectors.DeliveryRecorder // records public comment answers
	// ReplyWindow is how long a webhook waits for the answer before it is
	// acknowledged (Douyin waits 5 s).
	ReplyWindow time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
}

func (c *Config) defaults() error {
	if c.Name == "" {
		c.Name = "douyin"
	}
	if c.ClientKey == "" || c.ClientSecret == "" || c.AccountOpenID == "" {
		return errors.New("douyin: ClientKey, ClientSecret and AccountOpenID are required")
	}
	if c.Receiver == nil || c.Tokens == nil {
		return errors.New("douyin: a Receiver and a TokenSource are required")
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
	if c.CommentReplyPath == "" {
		c.CommentReplyPath = "item/comment/reply/"
	}
	if c.ReplyWindow <= 0 {
		c.ReplyWindow = 4 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}
