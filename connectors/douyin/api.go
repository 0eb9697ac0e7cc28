package douyin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"kefu/connectors"
)

// Token errors: access_token 无效 / 过期.
var retry = connectors.Retry{TokenCodes: []int{2190002, 2190008}}

type apiClient struct {
	base   string
	http   *http.Client
	tokens TokenSource
}

// envelope is Douyin's answer: data (with error_code/description) and extra.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Extra struct {
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
	} `json:"extra"`
}

func (c *apiClient) call(ctx context.Context, method, path string, q url.Values, header http.Header, body io.Reader, ctype string, out any) error {
	u := connectors.JoinURL(c.base, path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("douyin: %s: %w", path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("douyin: %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("douyin: %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("douyin: %s: HTTP %d", path, resp.StatusCode)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("douyin: %s: malformed response: %w", path, err)
	}
	var data struct {
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
	}
	json.Unmarshal(env.Data, &data)
	code, msg := data.ErrorCode, data.Description
	if code == 0 {
		code, msg = env.Extra.ErrorCode, env.Extra.Description
	}
	if code != 0 {
		return &connectors.APIError{Platform: "douyin", Op: path, Code: code, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return fmt.Errorf("douyin: %s: malformed data: %w", path, err)
		}
	}
	return nil
}

// post calls an API with the account's access token (see
// connectors.CallWithToken).
func (c *apiClient) post(ctx context.Context, path string, q url.Values, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return connectors.CallWithToken(ctx, c.tokens, retry, func(tok string) error {
		return c.call(ctx, http.MethodPost, path, q, http.Header{"Access-Token": {tok}}, bytes.NewReader(b), "application/json", out)
	})
}

// Token is an OAuth token pair of the enterprise account.
type Token struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
}

// TokenStore persists the account's tokens (encrypted, by the appliance).
type TokenStore interface {
	LoadToken(ctx context.Context) (Token, error)
	SaveToken(ctx context.Context, t Token) error
}

// Refresher is a TokenSource that refreshes the access token with
// /oauth/refresh_token/ before it expires and saves the result.
type Refresher struct {
	api       *apiClient
	clientKey string
	store     TokenStore
	now       func() time.Time

	mu  sync.Mutex
	cur Token
}

// NewRefresher returns a refresher; httpClient should be the allowlisted
// client of the adapter.
func NewRefresher(apiBase, clientKey string, httpClient *http.Client, store TokenStore, now func() time.Time) *Refresher {
	if apiBase == "" {
		apiBase = DefaultAPIBase
	}
	if now == nil {
		now = time.Now
	}
	return &Refresher{api: &apiClient{base: apiBase, http: httpClient}, clientKey: clientKey, store: store, now: now}
}

// Token returns a valid access token, refreshing it within a day of expiry.
// Holding the lock during the refresh makes it single-flight.
func (r *Refresher) Token(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.AccessToken == "" {
		t, err := r.store.LoadToken(ctx)
		if err != nil {
			return "", fmt.Errorf("douyin: loading the account token: %w", err)
		}
		r.cur = t
	}
	if r.cur.AccessToken != "" && r.now().Add(24*time.Hour).Before(r.cur.ExpiresAt) {
		return r.cur.AccessToken, nil
	}
	if r.cur.RefreshToken == "" {
		return "", errors.New("douyin: the account must authorize the app again (no refresh token)")
	}
	form := url.Values{"client_key": {r.clientKey}, "grant_type": {"refresh_token"}, "refresh_token": {r.cur.RefreshToken}}
	var out struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := r.api.call(ctx, http.MethodPost, "oauth/refresh_token/", nil, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", &out); err != nil {
		return "", err
	}
	t := Token{AccessToken: out.AccessToken, RefreshToken: r.cur.RefreshToken, ExpiresAt: r.now().Add(time.Duration(out.ExpiresIn) * time.Second)}
	if out.RefreshToken != "" {
		t.RefreshToken = out.RefreshToken
	}
	if err := r.store.SaveToken(ctx, t); err != nil {
		return "", fmt.Errorf("douyin: saving the account token: %w", err)
	}
	r.cur = t
	return t.AccessToken, nil
}

// Invalidate forces a refresh when token is the current one.
func (r *Refresher) Invalidate(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.AccessToken == token {
		r.cur.ExpiresAt = time.Time{}
	}
}
