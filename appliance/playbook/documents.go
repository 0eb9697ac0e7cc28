package playbook

import (
	"context"
	"strings"
	"sync"
	"time"

	"kefu/appliance"
)

// DocStore keeps edited documents; appliance/store implements it.
type DocStore interface {
	PlaybookDocuments(ctx context.Context) ([]*appliance.PlaybookDocument, error)
	SavePlaybookDocument(ctx context.Context, d *appliance.PlaybookDocument) error
}

// Documents are the configuration documents admins edit in the console —
// the playbooks, the business actions, the ticket types — grouped by what
// applies them. An edit is validated by applying it (nothing changes when it
// is refused), then stored, so it survives a restart.
type Documents struct {
	store  DocStore
	mu     sync.Mutex
	order  []string
	docs   map[string]*Document
	groups map[string]func(bodies [][]byte) error
}

// Document is one document as the console shows it.
type Document struct {
	Name      string    `json:"name"`
	Group     string    `json:"group"` // playbooks, actions, tickets
	Body      string    `json:"body"`
	Version   int       `json:"version"`
	Edited    bool      `json:"edited"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// NewDocuments returns an empty set.
func NewDocuments(store DocStore) *Documents {
	return &Documents{store: store, docs: map[string]*Document{}, groups: map[string]func([][]byte) error{}}
}

// Group registers how a group's documents are applied, all together.
func (d *Documents) Group(name string, apply func(bodies [][]byte) error) { d.groups[name] = apply }

// Add registers a document with its current (shipped or file) body.
func (d *Documents) Add(group, name string, body []byte) {
	d.order = append(d.order, name)
	d.docs[name] = &Document{Name: name, Group: group, Body: string(body)}
}

// Load applies the stored edits over the registered bodies.
func (d *Documents) Load(ctx context.Context) error {
	stored, err := d.store.PlaybookDocuments(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	touched := map[string]bool{}
	for _, s := range stored {
		if doc, ok := d.docs[s.Name]; ok {
			doc.Body, doc.Version, doc.Edited, doc.UpdatedBy, doc.UpdatedAt = s.Body, s.Version, true, s.UpdatedBy, s.UpdatedAt
			touched[doc.Group] = true
		}
	}
	for g := range touched {
		if err := d.groups[g](d.bodies(g, "", nil)); err != nil {
			return err
		}
	}
	return nil
}

func (d *Documents) bodies(group, replace string, with []byte) [][]byte {
	var out [][]byte
	for _, n := range d.order {
		doc := d.docs[n]
		if doc.Group != group {
			continue
		}
		if n == replace {
			out = append(out, with)
		} else {
			out = append(out, []byte(doc.Body))
		}
	}
	return out
}

// List returns every document.
func (d *Documents) List() []Document {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Document, 0, len(d.order))
	for _, n := range d.order {
		out = append(out, *d.docs[n])
	}
	return out
}

// Save validates and applies an edit, then stores it. version is the
// version the editor started from; a stale one is an ECONFLICT.
func (d *Documents) Save(ctx context.Context, name, body string, version int, by string) (*Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	doc, ok := d.docs[name]
	if !ok {
		return nil, appliance.Errorf(appliance.ENOTFOUND, "document_not_found", "there is no document %q", name)
	}
	if strings.TrimSpace(body) == "" {
		return nil, appliance.Errorf(appliance.EINVALID, "empty_document", "the document is empty")
	}
	if version != doc.Version {
		return nil, appliance.Errorf(appliance.ECONFLICT, "document_changed", "the document was changed by someone else; reload it")
	}
	apply := d.groups[doc.Group]
	if err := apply(d.bodies(doc.Group, name, []byte(body))); err != nil {
		return nil, &appliance.Error{Kind: appliance.EINVALID, Code: "invalid_document", Message: err.Error(), Err: err}
	}
	rec := &appliance.PlaybookDocument{Name: name, Body: body, Version: version + 1, UpdatedBy: by, UpdatedAt: time.Now().UTC()}
	if err := d.store.SavePlaybookDocument(ctx, rec); err != nil {
		_ = apply(d.bodies(doc.Group, "", nil)) // keep running what is stored
		return nil, err
	}
	doc.Body, doc.Version, doc.Edited, doc.UpdatedBy, doc.UpdatedAt = body, rec.Version, true, by, rec.UpdatedAt
	out := *doc
	return &out, nil
}

// Check validates a document without applying it.
func (d *Documents) Check(name, body string) error {
	d.mu.Lock()
	doc, ok := d.docs[name]
	d.mu.Unlock()
	if !ok {
		return appliance.Errorf(appliance.ENOTFOUND, "document_not_found", "there is no document %q", name)
	}
	var err error
	switch doc.Group {
	case "playbooks":
		_, err = Parse([]byte(body))
	default:
		return nil
	}
	if err != nil {
		return &appliance.Error{Kind: appliance.EINVALID, Code: "invalid_document", Message: err.Error(), Err: err}
	}
	return nil
}
