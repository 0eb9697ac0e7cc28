package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"kefu/connectors"
)

// client calls the WeCom API with a cached access token.
type client struct {
	base   string
	corpID string
	secret string
	http   *http.Client
	tokens *connectors.TokenCache
}

// Token errors: dropped and retried with a new token. (In WeCom 40001 means
// a bad secret, which no retry fixes.)
var retry = connectors.Retry{TokenCodes: []int{40014, 42001, 41001}, BusyCodes: []int{-1}}

func newClient(cfg *Config) *client {
	c := &client{base: cfg.APIBase, corpID: cfg.CorpID, secret: cfg.Secret, http: cfg.HTTPClient}
	c.tokens = connectors.NewTokenCache(c.fetchToken, 0, cfg.Now)
	return c
}

func (c *client) fetchToken(ctx context.Context, _ bool) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	if err := c.do(ctx, http.MethodGet, "cgi-bin/gettoken", q, nil, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, errors.New("wecom: gettoken answered without access_token/expires_in")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

func (c *client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := connectors.JoinURL(c.base, path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("wecom: %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("wecom: %s: %w", path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("wecom: %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("wecom: %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom: %s: HTTP %d", path, resp.StatusCode)
	}
	return connectors.DecodeWeixin("wecom", path, raw, out)
}

// post calls an API taking access_token (see connectors.CallWithToken).
func (c *client) post(ctx context.Context, path string, in, out any) error {
	return connectors.CallWithToken(ctx, c.tokens, retry, func(tok string) error {
		return c.do(ctx, http.MethodPost, path, url.Values{"access_token": {tok}}, in, out)
	})
}
