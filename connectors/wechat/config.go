package wechat

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"kefu/connectors"
)

// Mode is the message encryption mode the account is set to in the WeChat
// console (消息加解密方式).
type Mode string

const (
	ModePlaintext  Mode = "plaintext"  // 明文模式
	ModeCompatible Mode = "compatible" // 兼容模式: plaintext and Encrypt side by side
	ModeSafe       Mode = "safe"       // 安全模式: Encrypt only; plaintext pushes are refused
)

// DefaultAPIBase is WeChat's API host; deployments may point APIBase at a
// gateway instead.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Config configures one official account or mini program.
type Config struct {
	// Name is the channel name messages carry; "wechat_oa" or "wechat_mp"
	// when empty.
	Name  string
	AppID string
	// AppSecret, Token and EncodingAESKey are secrets (store them encrypted).
	AppSecret      string
	Token          string
	EncodingAESKey string // 43 characters; required unless Mode is plaintext
	Mode           Mode

	// APIBase is the base URL of the WeChat API (or of a gateway in front of it).
	APIBase string
	// HTTPClient calls the API; when nil, a client allowed to reach only
	// APIBase's host is made.
	HTTPClient *http.Client
	// Client, when set, is shared with other adapters of the same appid so
	// they use one access token; otherwise the adapter makes its own.
	Client *Client
	// LegacyToken fetches tokens from cgi-bin/token instead of
	// cgi-bin/stable_token. stable_token is the default: several servers
	// sharing an appid do not invalidate each other's token.
	LegacyToken bool

	// ReplyWindow is how long a push waits for the answer before it is
	// acknowledged and the answer sent later through the customer-service
	// API. WeChat waits 5 s; the default 4 s leaves room for the network.
	ReplyWindow time.Duration
	// ProcessTimeout bounds the handling of one message (default 60 s).
	ProcessTimeout time.Duration
	// ReplayWindow is how far a push timestamp may be from now (default 5 min).
	ReplayWindow time.Duration
	// MenuText maps menu CLICK keys to the question they stand for, e.g.
	// "ORDER_STATUS" → "我的订单到哪了"; a click on a key not listed reaches
	// the Receiver as an event without text.
	MenuText map[string]string
	// ResolveUnionID looks the customer's unionid up (cgi-bin/user/info) so
	// the appliance can join them across the enterprise's WeChat apps.
	// Official accounts only, and only when the account is bound to an open
	// platform account.
	ResolveUnionID bool

	Receiver connectors.Receiver
	Recorder connectors.DeliveryRecorder // may be nil
	Logger   *slog.Logger
	Now      func() time.Time
}

func (c *Config) defaults(name string) error {
	if c.Name == "" {
		c.Name = name
	}
	if c.AppID == "" || c.Token == "" {
		return errors.New("wechat: AppID and Token are required")
	}
	if c.Receiver == nil {
		return errors.New("wechat: a Receiver is required")
	}
	switch c.Mode {
	case "":
		c.Mode = ModeSafe
	case ModePlaintext, ModeCompatible, ModeSafe:
	default:
		return fmt.Errorf("wechat: unknown mode %q (plaintext, compatible or safe)", c.Mode)
	}
	if c.Mode != ModePlaintext && c.EncodingAESKey == "" {
		return fmt.Errorf("wechat: %s mode needs an EncodingAESKey", c.Mode)
	}
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	if c.ReplyWindow <= 0 {
		c.ReplyWindow = 4 * time.Second
	}
	if c.ProcessTimeout <= 0 {
		c.ProcessTimeout = 60 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Client == nil {
		if c.AppSecret == "" {
			return errors.New("wechat: AppSecret is required to send messages")
		}
		hc := c.HTTPClient
		if hc == nil {
			var err error
			if hc, err = connectors.NewHTTPClient(10*time.Second, c.APIBase); err != nil {
				return err
			}
		}
		c.Client = NewClient(ClientConfig{APIBase: c.APIBase, AppID: c.AppID, AppSecret: c.AppSecret,
			HTTPClient: hc, LegacyToken: c.LegacyToken, Now: c.Now})
	}
	return nil
}
