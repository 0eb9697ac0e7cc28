package nlu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAML returns the catalog as a YAML document that ParseCatalog reads back
// into the same catalog: the form a catalog is versioned and edited in.
func (c *Catalog) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("nlu: encoding catalog %q: %w", c.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("nlu: encoding catalog %q: %w", c.Name, err)
	}
	return b.Bytes(), nil
}

// ParseCatalogJSON reads one catalog from its JSON form (what the console's
// structured editor sends) and validates it like ParseCatalog; source names
// it in errors. Unknown fields are errors.
func ParseCatalogJSON(data []byte, source string) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &CatalogError{File: source, Msg: "the catalog is empty"}
		}
		return nil, &CatalogError{File: source, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	}
	if dec.More() {
		return nil, &CatalogError{File: source, Msg: "unexpected data after the catalog"}
	}
	if err := c.validate(source); err != nil {
		return nil, err
	}
	return &c, nil
}

// Counts returns how many intents and example utterances the catalog has.
func (c *Catalog) Counts() (intents, examples int) {
	if c == nil {
		return 0, 0
	}
	for _, in := range c.Intents {
		examples += len(in.Examples.Zh) + len(in.Examples.En)
	}
	return len(c.Intents), examples
}
