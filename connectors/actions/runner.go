package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"kefu/appliance"
	"kefu/connectors"
	"kefu/nlu"
)

// Failure reasons, as stored in the decision path.
const (
	FailTimeout     = "timeout"
	FailHostRefused = "host_not_allowed"
	FailUnreachable = "unreachable"
	FailBadJSON     = "bad_json"
	FailTooLarge    = "too_large"
	FailNotFound    = "not_found"
	FailSecret      = "secret_missing"
	FailNoEndpoint  = "endpoint_not_configured"
	FailMissing     = "missing_input"
)

// maxResponse bounds a backend response body.
const maxResponse = 1 << 20

// defaultTimeout applies when neither the action nor its endpoint sets one.
const defaultTimeout = 5 * time.Second

var defaultFailure = Text{
	Zh: "抱歉，系统暂时无法查询，请稍后再试，或回复“转人工”由人工客服为您处理。",
	En: "Sorry, I can't look that up right now. Please try again later, or say \"talk to a human\".",
}

// Options configure a Runner.
type Options struct {
	// Secret reads a secret; nil reads the environment variable or file the
	// reference names.
	Secret func(SecretRef) (string, error)
	// BaseURLs overrides endpoints' base URLs by name (the demo points them
	// at its in-process systems).
	BaseURLs map[string]string
	Logger   *slog.Logger
}

// Runner runs the configured actions. Load swaps in a new document
// atomically: calls in flight finish on the old one.
type Runner struct {
	opts Options
	log  *slog.Logger
	cur  atomic.Pointer[loaded]
}

type loaded struct {
	cfg    *Config
	doc    []byte
	client *http.Client
	byName map[string]*Action
}

// New returns a runner with the given actions document.
func New(opts Options, doc []byte) (*Runner, error) {
	r := &Runner{opts: opts, log: opts.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if err := r.Load(doc); err != nil {
		return nil, err
	}
	return r, nil
}

// Load validates an actions document and makes it current.
func (r *Runner) Load(doc []byte) error {
	cfg, err := Parse(doc)
	if err != nil {
		return err
	}
	for name, base := range r.opts.BaseURLs {
		if ep, ok := cfg.Endpoints[name]; ok {
			ep.BaseURL = base
			cfg.Endpoints[name] = ep
		}
	}
	var origins []string
	for _, ep := range cfg.Endpoints {
		if ep.BaseURL != "" {
			origins = append(origins, ep.BaseURL)
		}
	}
	origins = append(origins, cfg.Allow...)
	// Deadlines are per call (context); the client's own is a backstop.
	client, err := connectors.NewHTTPClient(time.Minute, origins...)
	if err != nil {
		return fmt.Errorf("actions: %w", err)
	}
	l := &loaded{cfg: cfg, doc: append([]byte(nil), doc...), client: client, byName: map[string]*Action{}}
	for i := range cfg.Actions {
		l.byName[cfg.Actions[i].Name] = &cfg.Actions[i]
	}
	r.cur.Store(l)
	return nil
}

// Document returns the current actions document as loaded.
func (r *Runner) Document() []byte { return r.cur.Load().doc }

// Config returns the current configuration (read-only).
func (r *Runner) Config() *Config { return r.cur.Load().cfg }

// Has reports whether an action is configured.
func (r *Runner) Has(name string) bool { _, ok := r.cur.Load().byName[name]; return ok }

// Run implements appliance.Actions: the action's inputs are the turn's slots.
func (r *Runner) Run(ctx context.Context, name string, t *appliance.Turn) (*appliance.ActionResult, error) {
	return r.Call(ctx, name, appliance.ActionInput{Customer: t.Customer, Lang: t.Lang, Slots: t.Dialogue.Filled, Context: t.Context})
}

// Call runs one action. Backend failures are not errors: the result carries
// the polite reply and the reason in Failure. Only an unknown action is an
// error.
func (r *Runner) Call(ctx context.Context, name string, in appliance.ActionInput) (*appliance.ActionResult, error) {
	res, _, err := r.call(ctx, name, in)
	return res, err
}

// timing splits a call's duration into the backend's share and the rest.
type timing struct {
	total, backend time.Duration
}

func (r *Runner) call(ctx context.Context, name string, in appliance.ActionInput) (*appliance.ActionResult, timing, error) {
	start := time.Now()
	l := r.cur.Load()
	a, ok := l.byName[name]
	if !ok {
		return nil, timing{}, appliance.Errorf(appliance.ENOTFOUND, "action_not_found", "no business action named %q is configured", name)
	}
	data := templateData(in)
	res := &appliance.ActionResult{Detail: map[string]any{"action": name}}
	lang := in.Lang
	fail := func(reason string, status int) {
		res.Failure, res.Fields = reason, nil
		res.Detail["outcome"] = reason
		if status != 0 {
			res.Detail["status"] = status
		}
		text := a.Failure.Text
		if text.Empty() {
			text = l.cfg.Failure
		}
		if text.Empty() {
			text = defaultFailure
		}
		res.Text = render(text.Get(lang), data)
		res.Handoff = a.Failure.Handoff
	}

	for _, need := range a.Needs {
		if lookupString(data, need) == "" {
			res.Failure, res.Detail["outcome"], res.Detail["missing"] = FailMissing, FailMissing, need
			res.Text = render(a.Missing.Get(lang), data)
			return res, timing{total: time.Since(start)}, nil
		}
	}
	raw, status, backend, reason := r.fetch(ctx, l, a, data)
	t := timing{backend: backend}
	finish := func() timing {
		t.total = time.Since(start)
		res.Detail["latency_ms"] = float64(t.total.Microseconds()) / 1000
		res.Detail["backend_ms"] = float64(t.backend.Microseconds()) / 1000
		return t
	}
	if reason != "" {
		if reason == FailNotFound && !a.NotFound.Empty() {
			res.Failure, res.Detail["outcome"], res.Detail["status"] = FailNotFound, FailNotFound, status
			res.Text = render(a.NotFound.Get(lang), data)
			return res, finish(), nil
		}
		r.log.Warn("business action failed", slog.String("action", name), slog.String("reason", reason), slog.Int("status", status))
		fail(reason, status)
		return res, finish(), nil
	}
	res.Detail["outcome"], res.Detail["status"] = "ok", status
	res.Fields = map[string]any{}
	for field, path := range a.Response.Fields {
		if v, ok := lookup(raw, path); ok {
			res.Fields[field] = v
		}
	}
	reply := data
	for k, v := range res.Fields {
		reply[k] = v
	}
	text := a.Response.Text
	for _, rp := range a.Response.Replies {
		if rp.When.holds(res.Fields) {
			text, res.Declined = rp.Text, rp.Declined
			break
		}
	}
	if res.Declined {
		res.Detail["outcome"] = "declined"
	}
	res.Text = render(text.Get(lang), reply)
	for _, f := range a.Response.Focus {
		if v := toString(res.Fields[f.Field]); v != "" {
			if res.Focus == nil {
				res.Focus = map[string]nlu.Entity{}
			}
			res.Focus[f.Role] = nlu.Entity{Type: f.Type, Text: v, Value: v}
		}
	}
	return res, finish(), nil
}

func (c Condition) holds(fields map[string]any) bool {
	v := toString(fields[c.Field])
	if c.Empty != nil {
		return (v == "" || v == "0") == *c.Empty
	}
	return v == c.Equals
}

// fetch makes the HTTP call and decodes the JSON answer. It returns the
// failure reason, empty on success.
func (r *Runner) fetch(ctx context.Context, l *loaded, a *Action, data map[string]any) (any, int, time.Duration, string) {
	var ep Endpoint
	target := ""
	if a.Endpoint != "" {
		ep = l.cfg.Endpoints[a.Endpoint]
		if ep.BaseURL == "" {
			return nil, 0, 0, FailNoEndpoint
		}
		target = connectors.JoinURL(ep.BaseURL, renderPath(a.Path, data))
	} else {
		target = renderPath(a.URL, data)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, 0, 0, FailUnreachable
	}
	if len(a.Query) > 0 {
		q := u.Query()
		for k, tpl := range a.Query {
			if v := render(tpl, data); v != "" {
				q.Set(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	var body io.Reader
	if len(a.Body) > 0 {
		obj := map[string]string{}
		for k, tpl := range a.Body {
			obj[k] = render(tpl, data)
		}
		b, _ := json.Marshal(obj)
		body = bytes.NewReader(b)
	}
	timeout := a.Timeout
	if timeout == 0 {
		timeout = ep.Timeout
	}
	if timeout == 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(a.Method), u.String(), body)
	if err != nil {
		return nil, 0, 0, FailUnreachable
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, tpl := range a.Headers {
		req.Header.Set(k, render(tpl, data))
	}
	if ep.Auth != nil {
		secret, err := r.secret(l.cfg.Secrets[ep.Auth.Secret])
		if err != nil || secret == "" {
			r.log.Warn("business action secret unavailable", slog.String("secret", ep.Auth.Secret), slog.Any("error", err))
			return nil, 0, 0, FailSecret
		}
		req.Header.Set(ep.Auth.Header, ep.Auth.Prefix+secret)
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, 0, time.Since(start), classify(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	backend := time.Since(start)
	if err != nil {
		return nil, resp.StatusCode, backend, classify(err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, resp.StatusCode, backend, FailNotFound
	case resp.StatusCode >= 300:
		return nil, resp.StatusCode, backend, "status_" + strconv.Itoa(resp.StatusCode)
	case len(b) > maxResponse:
		return nil, resp.StatusCode, backend, FailTooLarge
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, resp.StatusCode, backend, FailBadJSON
	}
	return normalize(v), resp.StatusCode, backend, ""
}

func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, connectors.ErrHostNotAllowed):
		return FailHostRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return FailTimeout
	}
	return FailUnreachable
}

func (r *Runner) secret(ref SecretRef) (string, error) {
	if r.opts.Secret != nil {
		return r.opts.Secret(ref)
	}
	if ref.Env != "" {
		return os.Getenv(ref.Env), nil
	}
	b, err := os.ReadFile(ref.File)
	if err != nil {
		return "", fmt.Errorf("actions: unable to read secret file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
