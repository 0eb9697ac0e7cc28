package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"kefu/connectors"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	APIBase     string
	AppID       string
	AppSecret   string
	HTTPClient  *http.Client
	LegacyToken bool
	Now         func() time.Time
}

// Client calls the WeChat API for one appid with a shared, cached access
// token. It is safe for concurrent use.
type Client struct {
	cfg    ClientConfig
	tokens *connectors.TokenCache
}

// NewClient returns a client for one appid.
func NewClient(cfg ClientConfig) *Client {
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	c := &Client{cfg: cfg}
	c.tokens = connectors.NewTokenCache(c.fetchToken, 0, cfg.Now)
	return c
}

// Error codes WeChat answers when the access token is bad: the cached token
// is dropped and the call retried with a new one.
// -1 is WeChat's "system busy".
var retry = connectors.Retry{TokenCodes: []int{40001, 40014, 42001, 41001}, BusyCodes: []int{-1}, Final: permanent}

// Codes that no retry can fix.
var permanentCodes = []int{40003, 45015, 45047, 48001, 40013, 40125, 40164}

func (c *Client) fetchToken(ctx context.Context, force bool) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	var err error
	if c.cfg.LegacyToken {
		q := url.Values{"grant_type": {"client_credential"}, "appid": {c.cfg.AppID}, "secret": {c.cfg.AppSecret}}
		err = c.do(ctx, http.MethodGet, "cgi-bin/token", q, nil, &out)
	} else {
		in := map[string]any{"grant_type": "client_credential", "appid": c.cfg.AppID, "secret": c.cfg.AppSecret, "force_refresh": force}
		err = c.do(ctx, http.MethodPost, "cgi-bin/stable_token", nil, in, &out)
	}
	if err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, fmt.Errorf("wechat: token response without access_token/expires_in")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// errStatus carries a non-200 answer from the API or a gateway.
type errStatus struct {
	op     string
	status int
}

func (e *errStatus) Error() string { return fmt.Sprintf("wechat: %s: HTTP %d", e.op, e.status) }

// do performs one API call and decodes errcode/errmsg into *connectors.APIError.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := connectors.JoinURL(c.cfg.APIBase, path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("wechat: %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &errStatus{op: path, status: resp.StatusCode}
	}
	raw, err := readAll(resp)
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	return connectors.DecodeWeixin("wechat", path, raw, out)
}

func readAll(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// withToken calls an API that takes access_token (see
// connectors.CallWithToken); a token fetch is retried unless its error is
// permanent.
func (c *Client) withToken(ctx context.Context, method, path string, q url.Values, in, out any) error {
	return connectors.CallWithToken(ctx, c.tokens, retry, func(tok string) error {
		qq := url.Values{"access_token": {tok}}
		for k, v := range q {
			qq[k] = v
		}
		return c.do(ctx, method, path, qq, in, out)
	})
}

func permanent(err error) bool {
	return slices.Contains(permanentCodes, connectors.APICode(err)) || errors.Is(err, connectors.ErrHostNotAllowed)
}

// SendText sends a text customer-service message (客服消息) to an openid.
// Mini programs use the same endpoint (customerServiceMessage.send).
func (c *Client) SendText(ctx context.Context, openID, text string) error {
	in := map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": text}}
	return c.withToken(ctx, http.MethodPost, "cgi-bin/message/custom/send", nil, in, nil)
}

// UnionID returns the unionid of a follower of an official account, empty
// when the account is not bound to an open platform account.
func (c *Client) UnionID(ctx context.Context, openID string) (string, error) {
	var out struct {
		UnionID string `json:"unionid"`
	}
	q := url.Values{"openid": {openID}, "lang": {"zh_CN"}}
	if err := c.withToken(ctx, http.MethodGet, "cgi-bin/user/info", q, nil, &out); err != nil {
		return "", err
	}
	return out.UnionID, nil
}

// Token returns the current access token (for other API calls the lead may
// add); callers that get a token error must call InvalidateToken.
func (c *Client) Token(ctx context.Context) (string, error) { return c.tokens.Token(ctx) }

// InvalidateToken drops a token the API refused.
func (c *Client) InvalidateToken(token string) { c.tokens.Invalidate(token) }
