package nlu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CatalogError is a problem in a catalog file, naming where it is.
type CatalogError struct {
	File   string // the file it came from
	Intent string // the intent, empty for catalog-level problems
	Field  string // e.g. "slots[1].entity"
	Msg    string
}

// Code is the stable error code the console shows.
func (e *CatalogError) Code() string { return "invalid_catalog" }

func (e *CatalogError) Error() string {
	var b strings.Builder
	b.WriteString("nlu: ")
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Intent != "" {
		fmt.Fprintf(&b, "intent %q: ", e.Intent)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// EntityTypes are the entity types the extractor produces; catalog slots may
// use these or a term type of their own dictionary.
var EntityTypes = []string{"date", "date_range", "time", "datetime", "money", "money_range", "order_no", "tracking_no",
	"phone", "id_card", "bank_card", "size", "quantity", "email", "place"}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ParseCatalog reads one catalog from YAML; source names it in errors.
// Unknown fields are errors, so a typo ("requires_verificaton") is caught
// instead of silently ignored.
func ParseCatalog(data []byte, source string) (*Catalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &CatalogError{File: source, Msg: "the file is empty"}
		}
		return nil, &CatalogError{File: source, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if err := c.validate(source); err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadCatalog reads and merges catalog files from fsys: the first names the
// catalog, later files add intents and terms (a file of shared built-in
// intents, say). An intent defined twice is an error.
func LoadCatalog(fsys fs.FS, paths ...string) (*Catalog, error) {
	if len(paths) == 0 {
		return nil, &CatalogError{Msg: "no catalog files given"}
	}
	var out *Catalog
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("nlu: reading catalog: %w", err)
		}
		c, err := ParseCatalog(data, p)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = c
			continue
		}
		if out, err = Merge(out, c); err != nil {
			var ce *CatalogError
			if errors.As(err, &ce) && ce.File == "" {
				ce.File = p
			}
			return nil, err
		}
	}
	return out, nil
}

// Merge returns a catalog with the intents and terms of both; base keeps its
// name and title. An intent defined in both is an error.
func Merge(base, more *Catalog) (*Catalog, error) {
	out := &Catalog{Name: base.Name, Title: base.Title}
	out.Intents = append(append(out.Intents, base.Intents...), more.Intents...)
	out.Terms = append(append(out.Terms, base.Terms...), more.Terms...)
	out.OutOfScope = Examples{Zh: append(slices.Clone(base.OutOfScope.Zh), more.OutOfScope.Zh...),
		En: append(slices.Clone(base.OutOfScope.En), more.OutOfScope.En...)}
	if out.Name == "" {
		out.Name, out.Title = more.Name, more.Title
	}
	if err := out.validate(""); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Catalog) validate(file string) error {
	fail := func(intent, field, format string, args ...any) error {
		return &CatalogError{File: file, Intent: intent, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(c.Name) == "" {
		return fail("", "name", "a catalog needs a name")
	}
	if len(c.Intents) == 0 {
		return fail("", "intents", "a catalog needs at least one intent")
	}
	termTypes := map[string]bool{}
	seenTerm := map[string]string{}
	for i, t := range c.Terms {
		field := fmt.Sprintf("terms[%d]", i)
		if !namePattern.MatchString(t.Type) {
			return fail("", field+".type", "type %q must be lower_snake_case", t.Type)
		}
		if strings.TrimSpace(t.Value) == "" {
			return fail("", field+".value", "a term needs a value")
		}
		termTypes[t.Type] = true
		for _, name := range append([]string{t.Value}, t.Aliases...) {
			k := t.Type + "\x00" + strings.ToLower(name)
			if prev, ok := seenTerm[k]; ok && prev != t.Value {
				return fail("", field, "%q names both %q and %q", name, prev, t.Value)
			}
			seenTerm[k] = t.Value
		}
	}
	known := map[string]bool{}
	for _, t := range EntityTypes {
		known[t] = true
	}
	c.byName = make(map[string]int, len(c.Intents))
	exampleOwner := map[string]string{}
	for i := range c.Intents {
		in := &c.Intents[i]
		if !namePattern.MatchString(in.Name) {
			return fail(in.Name, fmt.Sprintf("intents[%d].name", i), "name %q must be lower_snake_case", in.Name)
		}
		if _, dup := c.byName[in.Name]; dup {
			return fail(in.Name, "name", "the intent is defined twice")
		}
		c.byName[in.Name] = i
		all := in.Examples.All()
		if len(all) < 2 {
			return fail(in.Name, "examples", "an intent needs at least 2 examples, got %d", len(all))
		}
		for k, ex := range all {
			key := strings.ToLower(strings.TrimSpace(ex))
			if key == "" {
				return fail(in.Name, fmt.Sprintf("examples[%d]", k), "an example is empty")
			}
			if owner, ok := exampleOwner[key]; ok && owner != in.Name {
				return fail(in.Name, "examples", "example %q is also an example of %q", ex, owner)
			}
			exampleOwner[key] = in.Name
		}
		slotNames := map[string]bool{}
		for k, s := range in.Slots {
			field := fmt.Sprintf("slots[%d]", k)
			if !namePattern.MatchString(s.Name) {
				return fail(in.Name, field+".name", "name %q must be lower_snake_case", s.Name)
			}
			if slotNames[s.Name] {
				return fail(in.Name, field+".name", "slot %q is defined twice", s.Name)
			}
			slotNames[s.Name] = true
			if !known[s.Entity] && !termTypes[s.Entity] {
				return fail(in.Name, field+".entity", "unknown entity type %q (known: %s, or a term type of this catalog)",
					s.Entity, strings.Join(EntityTypes, ", "))
			}
			if s.Required && strings.TrimSpace(s.Ask.Zh) == "" {
				return fail(in.Name, field+".ask.zh", "a required slot needs a question to ask")
			}
		}
		for k, s := range in.Slots {
			for _, other := range s.SatisfiedBy {
				if !slotNames[other] || other == s.Name {
					return fail(in.Name, fmt.Sprintf("slots[%d].satisfied_by", k), "%q is not another slot of this intent", other)
				}
			}
		}
		switch in.Fulfilment.Kind {
		case FulfilKnowledge, FulfilHandoff:
		case FulfilAction, FulfilFlow:
			if strings.TrimSpace(in.Fulfilment.Action) == "" {
				return fail(in.Name, "fulfilment.action", "a %s needs an action name", in.Fulfilment.Kind)
			}
		case "":
			return fail(in.Name, "fulfilment.kind", "missing (one of knowledge, action, handoff, flow)")
		default:
			return fail(in.Name, "fulfilment.kind", "unknown kind %q (one of knowledge, action, handoff, flow)", in.Fulfilment.Kind)
		}
		if in.Fulfilment.Kind == FulfilHandoff {
			in.Handoff = true
		}
	}
	for i := range c.Intents {
		in := &c.Intents[i]
		for k, a := range in.After {
			if _, ok := c.byName[a]; !ok || a == in.Name {
				return fail(in.Name, fmt.Sprintf("after[%d]", k), "%q is not another intent of this catalog", a)
			}
		}
	}
	for k, ex := range c.OutOfScope.All() {
		key := strings.ToLower(strings.TrimSpace(ex))
		if key == "" {
			return fail("", fmt.Sprintf("out_of_scope[%d]", k), "an example is empty")
		}
		if owner, ok := exampleOwner[key]; ok {
			return fail("", "out_of_scope", "example %q is also an example of %q", ex, owner)
		}
	}
	return nil
}
