package actions

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"kefu/nlu"
)

// Config is the actions document (actions.yaml).
type Config struct {
	// Endpoints are the business systems, by name.
	Endpoints map[string]Endpoint `yaml:"endpoints" json:"endpoints"`
	// Allow lists further origins (scheme://host[:port]) that actions with an
	// absolute URL may call. Nothing else is reachable.
	Allow []string `yaml:"allow" json:"allow,omitempty"`
	// Secrets says where each named secret is read from (environment or
	// file); secret values never live in this document.
	Secrets map[string]SecretRef `yaml:"secrets" json:"secrets,omitempty"`
	Actions []Action             `yaml:"actions" json:"actions"`
	// Profile lists the actions that make up a customer's business profile.
	Profile []ProfileSource `yaml:"profile" json:"profile,omitempty"`
	// Failure is the default reply when a backend fails.
	Failure Text `yaml:"failure" json:"failure"`
}

// Endpoint is one business system.
type Endpoint struct {
	BaseURL string        `yaml:"base_url" json:"base_url"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
	Auth    *Auth         `yaml:"auth" json:"auth,omitempty"`
}

// Auth puts a secret into a request header: Header: Prefix + secret.
type Auth struct {
	Header string `yaml:"header" json:"header"`
	Prefix string `yaml:"prefix" json:"prefix,omitempty"`
	Secret string `yaml:"secret" json:"secret"`
}

// SecretRef names where a secret is read: an environment variable or a file.
type SecretRef struct {
	Env  string `yaml:"env" json:"env,omitempty"`
	File string `yaml:"file" json:"file,omitempty"`
}

// Text is a reply template in Chinese and English.
type Text = nlu.Text

// Action is one declarative HTTP call.
type Action struct {
	Name     string `yaml:"name" json:"name"`
	Endpoint string `yaml:"endpoint" json:"endpoint,omitempty"`
	Method   string `yaml:"method" json:"method"`
	// Path is appended to the endpoint's base URL; URL is an absolute URL
	// template instead (its origin must be allowed). Values are
	// path-escaped when substituted.
	Path    string            `yaml:"path" json:"path,omitempty"`
	URL     string            `yaml:"url" json:"url,omitempty"`
	Query   map[string]string `yaml:"query" json:"query,omitempty"`
	Body    map[string]string `yaml:"body" json:"body,omitempty"` // JSON object of rendered strings
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	Timeout time.Duration     `yaml:"timeout" json:"timeout,omitempty"`
	// Needs lists the values without which the call is not made
	// ("slots.order_no", "customer.user_id"); Missing is said instead.
	Needs    []string `yaml:"needs" json:"needs,omitempty"`
	Missing  Text     `yaml:"missing" json:"missing,omitzero"`
	Response Response `yaml:"response" json:"response"`
	// NotFound is the reply to a 404 (order number unknown, ...).
	NotFound Text    `yaml:"not_found" json:"not_found,omitzero"`
	Failure  Failure `yaml:"on_failure" json:"on_failure,omitzero"`
}

// Response maps a JSON response into fields and a reply.
type Response struct {
	// Fields maps names to dotted paths into the JSON (order.carrier,
	// hotels.0.name, hotels.#); "." is the whole document.
	Fields map[string]string `yaml:"fields" json:"fields,omitempty"`
	// Replies are tried in order; the first whose condition holds is said.
	Replies []Reply `yaml:"replies" json:"replies,omitempty"`
	// Text is said when no reply matched.
	Text  Text    `yaml:"text" json:"text,omitzero"`
	Focus []Focus `yaml:"focus" json:"focus,omitempty"`
}

// Reply is a reply chosen by a field's value.
type Reply struct {
	When Condition `yaml:"when" json:"when"`
	Text Text      `yaml:"text" json:"text"`
	// Declined marks the reply as the business system's refusal: what the
	// playbook would do after a success (open a ticket) is not done.
	Declined bool `yaml:"declined" json:"declined,omitempty"`
}

// Condition tests a mapped field: equals a value, or is empty / non-empty.
type Condition struct {
	Field  string `yaml:"field" json:"field"`
	Equals string `yaml:"equals" json:"equals,omitempty"`
	Empty  *bool  `yaml:"empty" json:"empty,omitempty"`
}

// Focus remembers a mapped field as an entity in the dialogue state, so
// "能催吗?" after an order lookup means that order.
type Focus struct {
	Role  string `yaml:"role" json:"role"`
	Type  string `yaml:"type" json:"type"`
	Field string `yaml:"field" json:"field"`
}

// Failure is what the customer hears when the backend fails.
type Failure struct {
	Text    Text `yaml:"text" json:"text,omitzero"`
	Handoff bool `yaml:"handoff" json:"handoff,omitempty"`
}

// ProfileSource turns one action's list response into business records.
type ProfileSource struct {
	Action string `yaml:"action" json:"action"`
	Kind   string `yaml:"kind" json:"kind"`   // order, purchase, course, account
	Items  string `yaml:"items" json:"items"` // path of the array ("." for a single object)
	// Record maps BusinessRecord fields (id, title, status, amount, date) to
	// paths inside one item; Detail lists further item fields to keep.
	Record map[string]string `yaml:"record" json:"record"`
	Detail []string          `yaml:"detail" json:"detail,omitempty"`
}

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// Parse reads and validates an actions document.
func Parse(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the document and names the first problem.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("actions: "+format, args...) }
	for name, ep := range c.Endpoints {
		if ep.BaseURL != "" {
			if err := checkOrigin(ep.BaseURL); err != nil {
				return bad("endpoint %s: base_url %v", name, err)
			}
		}
		if ep.Auth != nil {
			if ep.Auth.Header == "" || ep.Auth.Secret == "" {
				return bad("endpoint %s: auth needs header and secret", name)
			}
			if _, ok := c.Secrets[ep.Auth.Secret]; !ok {
				return bad("endpoint %s: auth secret %q is not declared under secrets", name, ep.Auth.Secret)
			}
		}
		if ep.Timeout < 0 {
			return bad("endpoint %s: timeout must not be negative", name)
		}
	}
	for _, a := range c.Allow {
		if err := checkOrigin(a); err != nil {
			return bad("allow %q: %v", a, err)
		}
	}
	for name, s := range c.Secrets {
		if (s.Env == "") == (s.File == "") {
			return bad("secret %s: give exactly one of env or file", name)
		}
	}
	seen := map[string]bool{}
	for i, a := range c.Actions {
		where := fmt.Sprintf("action %d (%s)", i+1, a.Name)
		if !nameRe.MatchString(a.Name) {
			return bad("%s: name must be lower_snake words joined by dots", where)
		}
		if seen[a.Name] {
			return bad("%s: duplicate name", where)
		}
		seen[a.Name] = true
		switch strings.ToUpper(a.Method) {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			return bad("%s: method must be GET, POST, PUT, PATCH or DELETE", where)
		}
		switch {
		case a.URL != "" && (a.Path != "" || a.Endpoint != ""):
			return bad("%s: give url, or endpoint and path, not both", where)
		case a.URL == "" && a.Endpoint == "":
			return bad("%s: an endpoint (with path) or a url is required", where)
		case a.Endpoint != "":
			if _, ok := c.Endpoints[a.Endpoint]; !ok {
				return bad("%s: unknown endpoint %q", where, a.Endpoint)
			}
		}
		if a.Timeout < 0 || a.Timeout > time.Minute {
			return bad("%s: timeout must be between 0 and 1m", where)
		}
		for _, tpl := range a.templates() {
			if _, err := template.New("").Option("missingkey=zero").Parse(tpl); err != nil {
				return bad("%s: template %q: %v", where, tpl, err)
			}
		}
		for _, r := range a.Response.Replies {
			if r.When.Field == "" {
				return bad("%s: a reply condition needs a field", where)
			}
		}
		for _, f := range a.Response.Focus {
			if f.Role == "" || f.Type == "" || f.Field == "" {
				return bad("%s: focus needs role, type and field", where)
			}
		}
	}
	for i, p := range c.Profile {
		if !seen[p.Action] {
			return bad("profile %d: unknown action %q", i+1, p.Action)
		}
		if p.Kind == "" || p.Items == "" || p.Record["id"] == "" {
			return bad("profile %d: kind, items and record.id are required", i+1)
		}
	}
	return nil
}

// templates lists every template string of the action, for validation.
func (a Action) templates() []string {
	out := []string{a.Path, a.URL}
	for _, m := range []map[string]string{a.Query, a.Body, a.Headers} {
		for _, v := range m {
			out = append(out, v)
		}
	}
	texts := []Text{a.Missing, a.NotFound, a.Failure.Text, a.Response.Text}
	for _, r := range a.Response.Replies {
		texts = append(texts, r.Text)
	}
	for _, t := range texts {
		out = append(out, t.Zh, t.En)
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func checkOrigin(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", raw)
	}
	return nil
}

func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }
