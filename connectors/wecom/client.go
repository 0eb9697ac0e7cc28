package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
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
var tokenCodes = []int{40014, 42001, 41001}

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

// post calls an API taking access_token, retrying with a fresh token when
// the token is refused and when the API could not be reached at all.
func (c *client) post(ctx context.Context, path string, in, out any) error {
	backoff := 200 * time.Millisecond
	var err error
	for i := 0; i < 4; i++ {
		if i > 0 {
			select {
			case <-time.After(backoff):
				backoff *= 2
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			}
		}
		var tok string
		if tok, err = c.tokens.Token(ctx); err != nil {
			if connectors.APICode(err) != 0 || errors.Is(err, connectors.ErrHostNotAllowed) {
				return err
			}
			continue
		}
		err = c.do(ctx, http.MethodPost, path, url.Values{"access_token": {tok}}, in, out)
		switch {
		case err == nil:
			return nil
		case slices.Contains(tokenCodes, connectors.APICode(err)):
			c.tokens.Invalidate(tok)
		case connectors.APICode(err) == -1 || dialError(err):
		default:
			return err
		}
	}
	return err
}

func dialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
