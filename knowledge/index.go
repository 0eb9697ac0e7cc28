package knowledge

import (
	"context"
	"slices"
)

// ItemKind says whether an item is a document or an FAQ entry.
type ItemKind string

const (
	KindDocument ItemKind = "document"
	KindFAQ      ItemKind = "faq"
)

// Record is what an index stores for one retrievable unit: a document chunk
// or a whole FAQ entry, with the metadata filters apply to and its vectors.
type Record struct {
	ID          string       `json:"id"`          // chunk id, or the FAQ entry id
	DocumentID  string       `json:"document_id"` // the item (document or FAQ entry) it belongs to
	Kind        ItemKind     `json:"kind"`
	Version     int          `json:"version"`
	Title       string       `json:"title"`
	HeadingPath []string     `json:"heading_path,omitempty"`
	Text        string       `json:"text"`                // the chunk, or the FAQ answer
	Questions   []string     `json:"questions,omitempty"` // FAQ entries: the question and its similar questions
	Tags        []string     `json:"tags,omitempty"`
	Channels    []string     `json:"channels,omitempty"` // empty: every channel
	Segments    []string     `json:"segments,omitempty"` // empty: every segment
	Lang        string       `json:"lang,omitempty"`     // empty: any language
	Published   bool         `json:"published"`
	Sparse      SparseVector `json:"sparse"`
	Dense       []float32    `json:"dense,omitempty"`
}

// Filter restricts a search. Content with no channels (segments, language)
// set is for every channel (segment, language); tags match when a record
// has any of them. Unpublished records never match unless asked for.
type Filter struct {
	Tags               []string `json:"tags,omitempty"`
	Channel            string   `json:"channel,omitempty"`
	Segment            string   `json:"segment,omitempty"`
	Lang               string   `json:"lang,omitempty"`
	IncludeUnpublished bool     `json:"include_unpublished,omitempty"`
}

// Match applies the filter to a record; every backend must agree with it.
func (f Filter) Match(r *Record) bool {
	if !r.Published && !f.IncludeUnpublished {
		return false
	}
	if len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(r.Tags, t) }) {
		return false
	}
	open := func(want string, have []string) bool {
		return want == "" || len(have) == 0 || slices.Contains(have, want)
	}
	return open(f.Channel, r.Channels) && open(f.Segment, r.Segments) &&
		(f.Lang == "" || r.Lang == "" || r.Lang == f.Lang)
}

// SearchRequest is one hybrid query. Dense may be nil (no embedding model):
// the search is then lexical only.
type SearchRequest struct {
	Sparse SparseVector
	Dense  []float32
	Filter Filter
	Limit  int
	// DenseWeight weighs the dense leg in the fusion against the lexical
	// leg's 1 (weighted reciprocal rank fusion); 0 means 1.
	DenseWeight float64
}

// Hit is one search result. Score is the fused score (reciprocal rank
// fusion of the legs that ran); Lexical and Dense are the legs' own scores
// where the backend reports them (zero when a leg did not find the record).
type Hit struct {
	Record  Record  `json:"record"` // without vectors
	Score   float64 `json:"score"`
	Lexical float64 `json:"lexical,omitempty"`
	Dense   float64 `json:"dense,omitempty"`
}

// Index stores records and searches them. Implementations: the embedded
// index (knowledge/embedded) and Qdrant (knowledge/qdrant); both pass
// knowledgetest.TestIndex.
type Index interface {
	// Upsert adds or replaces records by ID.
	Upsert(ctx context.Context, records []Record) error
	// DeleteDocument removes every record of a document or FAQ entry.
	DeleteDocument(ctx context.Context, documentID string) error
	// Search runs a hybrid query and returns at most Limit hits, best first.
	Search(ctx context.Context, req SearchRequest) ([]Hit, error)
	// Documents lists the indexed items with the version indexed, so a
	// service can bring the index in line with the repository at start-up.
	Documents(ctx context.Context) (map[string]int, error)
	// Count returns the number of records.
	Count(ctx context.Context) (int, error)
	Close() error
}

// TermStats is what an index may tell about its vocabulary: how many
// records contain each term (by the ids sparse vectors use) and how many
// records a question in lang is searched among (its language's and those
// of no language; all for ""). The retriever uses it, when the index
// offers it, to weigh a question's words by how rare they are in the
// knowledge base when it judges relevance; the embedded index offers it.
type TermStats interface {
	DocFreqs(ids []uint32, lang string) (df []int, records int)
}

// RRFK is the rank constant of reciprocal rank fusion, the value Qdrant
// uses, so both backends fuse alike.
const RRFK = 60

// RRF returns the reciprocal-rank-fusion contribution of a 0-based rank.
func RRF(rank int) float64 { return 1 / float64(RRFK+rank+1) }
