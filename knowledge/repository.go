package knowledge

import (
	"context"
	"time"
)

// Status is where an item's latest version stands in the editors' workflow.
type Status string

const (
	StatusDraft       Status = "draft"
	StatusReview      Status = "review"
	StatusPublished   Status = "published"
	StatusUnpublished Status = "unpublished"
)

// Item is a document or an FAQ entry. Its latest version goes through the
// workflow; PublishedVersion is the version customers are answered from
// (0: none), which stays in place while a newer draft is edited.
type Item struct {
	ID               string    `json:"id"`
	Kind             ItemKind  `json:"kind"`
	Title            string    `json:"title"` // the document title or the FAQ question
	Status           Status    `json:"status"`
	Version          int       `json:"version"` // the latest version
	PublishedVersion int       `json:"published_version"`
	Format           Format    `json:"format,omitempty"` // documents
	Source           string    `json:"source,omitempty"` // the uploaded file name
	Tags             []string  `json:"tags,omitempty"`
	Channels         []string  `json:"channels,omitempty"`
	Segments         []string  `json:"segments,omitempty"`
	Lang             string    `json:"lang,omitempty"`
	CreatedBy        string    `json:"created_by"`
	UpdatedBy        string    `json:"updated_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Version is one immutable version of an item's content.
type Version struct {
	ItemID   string   `json:"item_id"`
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Format   Format   `json:"format,omitempty"`
	Source   string   `json:"source,omitempty"`
	Size     int64    `json:"size,omitempty"`
	Text     string   `json:"text"`          // the document's text, or the FAQ answer
	FAQ      *FAQ     `json:"faq,omitempty"` // FAQ entries: question, similar questions, answer
	Tags     []string `json:"tags,omitempty"`
	Channels []string `json:"channels,omitempty"`
	Segments []string `json:"segments,omitempty"`
	Lang     string   `json:"lang,omitempty"`
	Hash     string   `json:"hash"`
	Sketch   []uint32 `json:"sketch,omitempty"`
	Chunks   []Chunk  `json:"chunks,omitempty"` // documents
	Author   string   `json:"author"`
	Note     string   `json:"note,omitempty"`
	// CreatedAt is set by the caller (the service's clock).
	CreatedAt time.Time `json:"created_at"`
}

// Event is one line of an item's history: who did what, when.
type Event struct {
	ID      int64     `json:"id"`
	ItemID  string    `json:"item_id"`
	Version int       `json:"version"`
	Action  Action    `json:"action"`
	From    Status    `json:"from,omitempty"`
	To      Status    `json:"to"`
	Actor   string    `json:"actor"`
	Note    string    `json:"note,omitempty"`
	At      time.Time `json:"at"`
}

// Draft is a new item with its first version.
type Draft struct {
	Item    Item
	Version Version
}

// StatusChange moves an item through the workflow if, and only if, it is
// still in the state the caller saw (compare-and-set on status, version
// and published version).
type StatusChange struct {
	ItemID               string
	FromStatus           Status
	FromVersion          int
	FromPublishedVersion int
	To                   Status
	PublishedVersion     int // the published version after the change (0: none)
	Event                Event
}

// ItemFilter selects items for the editors' lists.
type ItemFilter struct {
	Kind   ItemKind // empty: both
	Status Status   // empty: any
	// Query matches a substring of the title (document title or FAQ
	// question), case-insensitively.
	Query         string
	Tag           string
	PublishedOnly bool // only items with a published version
	Limit         int  // 0: 50
	Offset        int
}

// Repository stores items, their versions (with chunks) and their
// history. The in-memory implementation is NewMemoryRepository; the GORM
// store implements it for SQLite and MySQL. Both pass
// knowledgetest.TestRepository. Errors are *Error with CodeNotFound,
// CodeItemExists or CodeVersionConflict where those apply.
type Repository interface {
	// CreateItems stores new items, each at version 1 with its first
	// version and a "create" event — all of them or none.
	CreateItems(ctx context.Context, drafts []Draft) error
	// AddVersion stores v as version expectVersion+1, sets the item to
	// draft and records an "edit" event; CodeVersionConflict when the
	// item's latest version is no longer expectVersion.
	AddVersion(ctx context.Context, itemID string, expectVersion int, v Version) (*Item, error)
	// ApplyStatus applies a workflow step and records its event.
	ApplyStatus(ctx context.Context, c StatusChange) (*Item, error)
	Item(ctx context.Context, id string) (*Item, error)
	// Items lists items, most recently updated first, with the total
	// number matching the filter.
	Items(ctx context.Context, f ItemFilter) ([]Item, int, error)
	// Version returns one version with its chunks.
	Version(ctx context.Context, itemID string, number int) (*Version, error)
	// Versions lists an item's versions, oldest first, without chunks.
	Versions(ctx context.Context, itemID string) ([]Version, error)
	// History lists an item's events, oldest first.
	History(ctx context.Context, itemID string) ([]Event, error)
	// Fingerprints returns the fingerprint of every item's latest version
	// of the given kind, for duplicate detection.
	Fingerprints(ctx context.Context, kind ItemKind) ([]Fingerprint, error)
}

// CodeItemExists: an item with that id already exists.
const CodeItemExists = "item_exists"
