package ticket

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

//go:embed types.yaml
var defaultTypes []byte

// DefaultTypes returns the shipped ticket types document.
func DefaultTypes() []byte { return defaultTypes }

// Config is the ticket types document.
type Config struct {
	Departments map[string]Department `yaml:"departments" json:"departments"`
	Types       []Type                `yaml:"types" json:"types"`
}

// Department is told of ticket steps by webhook.
type Department struct {
	Title   string `yaml:"title" json:"title"`
	Webhook string `yaml:"webhook" json:"webhook,omitempty"` // empty: not notified
}

// Text is a text in Chinese and English.
type Text struct {
	Zh string `yaml:"zh" json:"zh,omitempty"`
	En string `yaml:"en" json:"en,omitempty"`
}

// Type is a ticket type and its workflow.
type Type struct {
	Name           string       `yaml:"name" json:"name"`
	Title          Text         `yaml:"title" json:"title"`
	Initial        string       `yaml:"initial" json:"initial"`
	NotifyOnCreate []string     `yaml:"notify_on_create" json:"notify_on_create,omitempty"`
	States         []State      `yaml:"states" json:"states"`
	Transitions    []Transition `yaml:"transitions" json:"transitions"`
}

// State is one state of a workflow.
type State struct {
	Name   string   `yaml:"name" json:"name"`
	En     string   `yaml:"en" json:"en,omitempty"`
	Final  bool     `yaml:"final" json:"final,omitempty"`
	Notify []string `yaml:"notify" json:"notify,omitempty"` // departments told on entering it
	Tell   Text     `yaml:"tell" json:"tell,omitzero"`      // what the customer is told on entering it
}

// Transition lists the states reachable from one state.
type Transition struct {
	From string   `yaml:"from" json:"from"`
	To   []string `yaml:"to" json:"to"`
}

// Parse reads and validates a ticket types document.
func Parse(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("ticket: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the workflows: known states, an initial state, no
// transition out of a final state, known departments, parseable texts.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("ticket: "+format, args...) }
	for name, d := range c.Departments {
		if d.Webhook != "" {
			u, err := url.Parse(d.Webhook)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return bad("department %s: webhook must be an absolute http(s) URL", name)
			}
		}
	}
	seen := map[string]bool{}
	for _, t := range c.Types {
		if t.Name == "" || strings.ContainsAny(t.Name, " \t") {
			return bad("a type needs a name without spaces")
		}
		if seen[t.Name] {
			return bad("type %s is defined twice", t.Name)
		}
		seen[t.Name] = true
		if _, ok := t.State(t.Initial); !ok {
			return bad("type %s: initial state %q is not among its states", t.Name, t.Initial)
		}
		names := map[string]bool{}
		for _, s := range t.States {
			if s.Name == "" || names[s.Name] {
				return bad("type %s: state names must be non-empty and unique", t.Name)
			}
			names[s.Name] = true
			for _, d := range s.Notify {
				if _, ok := c.Departments[d]; !ok {
					return bad("type %s state %s: unknown department %q", t.Name, s.Name, d)
				}
			}
			for _, tpl := range []string{s.Tell.Zh, s.Tell.En} {
				if _, err := template.New("").Parse(tpl); err != nil {
					return bad("type %s state %s: tell: %v", t.Name, s.Name, err)
				}
			}
		}
		for _, d := range t.NotifyOnCreate {
			if _, ok := c.Departments[d]; !ok {
				return bad("type %s: unknown department %q", t.Name, d)
			}
		}
		for _, tr := range t.Transitions {
			from, ok := t.State(tr.From)
			if !ok {
				return bad("type %s: transition from unknown state %q", t.Name, tr.From)
			}
			if from.Final {
				return bad("type %s: final state %s cannot have transitions", t.Name, tr.From)
			}
			for _, to := range tr.To {
				if !names[to] || to == tr.From {
					return bad("type %s: transition %s → %q goes to an unknown state or to itself", t.Name, tr.From, to)
				}
			}
		}
	}
	return nil
}

// Type returns the named type.
func (c *Config) Type(name string) (*Type, bool) {
	for i := range c.Types {
		if c.Types[i].Name == name {
			return &c.Types[i], true
		}
	}
	return nil, false
}

// State returns the named state.
func (t *Type) State(name string) (*State, bool) {
	for i := range t.States {
		if t.States[i].Name == name {
			return &t.States[i], true
		}
	}
	return nil, false
}

// Next lists the states a ticket in state from may move to.
func (t *Type) Next(from string) []string {
	for _, tr := range t.Transitions {
		if tr.From == from {
			return slices.Clone(tr.To)
		}
	}
	return nil
}
