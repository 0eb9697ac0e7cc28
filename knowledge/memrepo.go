package knowledge

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MemoryRepository is a Repository held in memory: for tests, the demo
// and `kefu eval`. It deep-copies on the way in and out, as a database
// would, so callers cannot change stored data by accident.
type MemoryRepository struct {
	mu       sync.Mutex
	items    map[string]*Item
	versions map[string][]Version
	events   map[string][]Event
	nextID   int64
}

var _ Repository = (*MemoryRepository)(nil)

// NewMemoryRepository returns an empty repository.
func NewMemoryRepository() *MemoryRepository {
	return &MemoryRepository{items: map[string]*Item{}, versions: map[string][]Version{}, events: map[string][]Event{}}
}

func notFound(what string) error { return &Error{Code: CodeNotFound, Message: what + " not found"} }

// CreateItems implements Repository.
func (m *MemoryRepository) CreateItems(ctx context.Context, drafts []Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	for _, d := range drafts {
		if d.Item.ID == "" {
			return &Error{Code: CodeInvalid, Message: "an item needs an id"}
		}
		if m.items[d.Item.ID] != nil || seen[d.Item.ID] {
			return &Error{Code: CodeItemExists, Message: "item " + d.Item.ID + " already exists"}
		}
		seen[d.Item.ID] = true
	}
	for _, d := range drafts {
		it := cloneItem(d.Item)
		it.Version, it.Status = 1, StatusDraft
		v := cloneVersion(d.Version, true)
		v.ItemID, v.Number = it.ID, 1
		m.items[it.ID] = &it
		m.versions[it.ID] = []Version{v}
		m.record(Event{ItemID: it.ID, Version: 1, Action: ActionCreate, To: StatusDraft, Actor: v.Author, Note: v.Note, At: it.CreatedAt})
	}
	return nil
}

func (m *MemoryRepository) record(e Event) {
	m.nextID++
	e.ID = m.nextID
	m.events[e.ItemID] = append(m.events[e.ItemID], e)
}

// AddVersion implements Repository.
func (m *MemoryRepository) AddVersion(ctx context.Context, itemID string, expectVersion int, v Version) (*Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[itemID]
	if it == nil {
		return nil, notFound("item " + itemID)
	}
	if it.Version != expectVersion {
		return nil, &Error{Code: CodeVersionConflict, Message: "item " + itemID + " changed meanwhile"}
	}
	v = cloneVersion(v, true)
	v.ItemID, v.Number = itemID, it.Version+1
	from := it.Status
	it.Version, it.Status = v.Number, StatusDraft
	it.Title, it.Format, it.Source = v.Title, v.Format, v.Source
	it.Tags, it.Channels, it.Segments, it.Lang = clone(v.Tags), clone(v.Channels), clone(v.Segments), v.Lang
	it.UpdatedBy, it.UpdatedAt = v.Author, v.CreatedAt
	m.versions[itemID] = append(m.versions[itemID], v)
	m.record(Event{ItemID: itemID, Version: v.Number, Action: ActionEdit, From: from, To: StatusDraft, Actor: v.Author, Note: v.Note, At: v.CreatedAt})
	out := cloneItem(*it)
	return &out, nil
}

// ApplyStatus implements Repository.
func (m *MemoryRepository) ApplyStatus(ctx context.Context, c StatusChange) (*Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[c.ItemID]
	if it == nil {
		return nil, notFound("item " + c.ItemID)
	}
	if it.Status != c.FromStatus || it.Version != c.FromVersion || it.PublishedVersion != c.FromPublishedVersion {
		return nil, &Error{Code: CodeVersionConflict, Message: "item " + c.ItemID + " changed meanwhile"}
	}
	it.Status, it.PublishedVersion = c.To, c.PublishedVersion
	it.UpdatedBy, it.UpdatedAt = c.Event.Actor, c.Event.At
	e := c.Event
	e.ItemID, e.From, e.To = c.ItemID, c.FromStatus, c.To
	if e.Version == 0 {
		e.Version = it.Version
	}
	m.record(e)
	out := cloneItem(*it)
	return &out, nil
}

// Item implements Repository.
func (m *MemoryRepository) Item(ctx context.Context, id string) (*Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[id]
	if it == nil {
		return nil, notFound("item " + id)
	}
	out := cloneItem(*it)
	return &out, nil
}

// Items implements Repository.
func (m *MemoryRepository) Items(ctx context.Context, f ItemFilter) ([]Item, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var all []Item
	for _, it := range m.items {
		switch {
		case f.Kind != "" && it.Kind != f.Kind,
			f.Status != "" && it.Status != f.Status,
			q != "" && !strings.Contains(strings.ToLower(it.Title), q),
			f.Tag != "" && !slices.Contains(it.Tags, f.Tag),
			f.PublishedOnly && it.PublishedVersion == 0:
			continue
		}
		all = append(all, cloneItem(*it))
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt) {
			return all[i].UpdatedAt.After(all[j].UpdatedAt)
		}
		return all[i].ID < all[j].ID
	})
	total := len(all)
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	start := min(max(f.Offset, 0), total)
	return all[start:min(start+limit, total)], total, nil
}

// Version implements Repository.
func (m *MemoryRepository) Version(ctx context.Context, itemID string, number int) (*Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs := m.versions[itemID]
	if number < 1 || number > len(vs) {
		return nil, notFound("version " + itoa(number) + " of " + itemID)
	}
	v := cloneVersion(vs[number-1], true)
	return &v, nil
}

// Versions implements Repository.
func (m *MemoryRepository) Versions(ctx context.Context, itemID string) ([]Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs, ok := m.versions[itemID]
	if !ok {
		return nil, notFound("item " + itemID)
	}
	out := make([]Version, len(vs))
	for i, v := range vs {
		out[i] = cloneVersion(v, false)
	}
	return out, nil
}

// History implements Repository.
func (m *MemoryRepository) History(ctx context.Context, itemID string) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items[itemID] == nil {
		return nil, notFound("item " + itemID)
	}
	return slices.Clone(m.events[itemID]), nil
}

// Fingerprints implements Repository.
func (m *MemoryRepository) Fingerprints(ctx context.Context, kind ItemKind) ([]Fingerprint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Fingerprint
	for id, it := range m.items {
		if kind != "" && it.Kind != kind {
			continue
		}
		v := m.versions[id][it.Version-1]
		out = append(out, Fingerprint{ItemID: id, Version: v.Number, Hash: v.Hash, Sketch: slices.Clone(v.Sketch)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ItemID < out[j].ItemID })
	return out, nil
}

func clone(s []string) []string { return slices.Clone(s) }

func cloneItem(it Item) Item {
	it.Tags, it.Channels, it.Segments = clone(it.Tags), clone(it.Channels), clone(it.Segments)
	return it
}

func cloneVersion(v Version, chunks bool) Version {
	v.Tags, v.Channels, v.Segments = clone(v.Tags), clone(v.Channels), clone(v.Segments)
	v.Sketch = slices.Clone(v.Sketch)
	if v.FAQ != nil {
		f := *v.FAQ
		f.Similar, f.Tags, f.Channels, f.Segments = clone(f.Similar), clone(f.Tags), clone(f.Channels), clone(f.Segments)
		v.FAQ = &f
	}
	if chunks {
		cs := make([]Chunk, len(v.Chunks))
		for i, c := range v.Chunks {
			c.HeadingPath = clone(c.HeadingPath)
			cs[i] = c
		}
		v.Chunks = cs
	} else {
		v.Chunks = nil
	}
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }
