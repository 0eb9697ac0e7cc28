package knowledge

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"
)

// RetrieverConfig assembles a retriever. Only Index is required.
type RetrieverConfig struct {
	Index    Index
	Embedder Embedder  // nil: lexical only
	Synonyms *Synonyms // nil: no query expansion
	// TopK is how many passages a query returns when it does not say; 5.
	TopK int
	// EmbedTimeout bounds embedding a query; past it the search runs
	// lexical only rather than keep the customer waiting. Default 2s.
	EmbedTimeout time.Duration
	// MatchWeight blends Match (the share of the question's topical terms
	// a passage covers) into the ranking: score = fused/best fused +
	// MatchWeight × match. Default 0: the index's fused ranking alone,
	// which did better on the demo set's development half.
	MatchWeight float64
	// DenseWeight weighs the dense leg against the lexical one in the
	// fusion; 0 means equal weight.
	DenseWeight float64
}

// Retriever finds the published passages that answer a query: lexical
// always, dense when an embedder is configured, fused by the index.
type Retriever struct {
	index    Index
	embedder Embedder
	synonyms *Synonyms
	topK     int
	timeout  time.Duration
	matchW   float64
	denseW   float64
	stats    TermStats // nil: relevance without term rarity
}

// NewRetriever returns a retriever.
func NewRetriever(cfg RetrieverConfig) (*Retriever, error) {
	if cfg.Index == nil {
		return nil, errors.New("knowledge: a retriever needs an index")
	}
	if cfg.TopK <= 0 {
		cfg.TopK = 5
	}
	if cfg.EmbedTimeout <= 0 {
		cfg.EmbedTimeout = 2 * time.Second
	}
	cfg.MatchWeight = max(cfg.MatchWeight, 0)
	stats, _ := cfg.Index.(TermStats)
	return &Retriever{index: cfg.Index, embedder: cfg.Embedder, synonyms: cfg.Synonyms, topK: cfg.TopK,
		timeout: cfg.EmbedTimeout, matchW: cfg.MatchWeight, denseW: cfg.DenseWeight, stats: stats}, nil
}

// Dense reports whether the retriever runs a dense leg.
func (r *Retriever) Dense() bool { return r.embedder != nil }

// Retrieval is the outcome of one query.
type Retrieval struct {
	Passages []Passage     `json:"passages"`
	Notes    []string      `json:"notes,omitempty"` // e.g. "embed_unavailable": dense leg skipped
	Latency  time.Duration `json:"latency_ns"`
}

// synonymWeight discounts expansion terms against the customer's own words.
const synonymWeight = 0.6

// Retrieve runs the query. Passages come best first; each carries its
// fused score and, under Scores, "lexical", "dense", "fused" and "match".
func (r *Retriever) Retrieve(ctx context.Context, q Query) (Retrieval, error) {
	start := time.Now()
	var out Retrieval
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return out, nil
	}
	limit := q.TopK
	if limit <= 0 {
		limit = r.topK
	}
	// A question is searched among the entries in its language and those
	// in none (an English entry never answers a Chinese question).
	lang := q.Lang
	if lang == "" {
		lang = DetectLang(text)
	}
	req := SearchRequest{
		Sparse:      QueryVector(text, r.synonyms.Expand(text), synonymWeight),
		Filter:      Filter{Tags: q.Tags, Channel: q.Channel, Segment: q.Segment, Lang: lang},
		Limit:       limit,
		DenseWeight: r.denseW,
	}
	if r.matchW > 0 {
		req.Limit = limit * 3 // the Match blend may reorder them
	}
	if r.embedder != nil {
		ectx, cancel := context.WithTimeout(ctx, r.timeout)
		vs, err := r.embedder.Embed(ectx, []string{text})
		cancel()
		switch {
		case err == nil && len(vs) == 1:
			req.Dense = vs[0]
		case ctx.Err() != nil:
			return out, ctx.Err()
		default:
			out.Notes = append(out.Notes, CodeEmbedUnavailable)
		}
	}
	hits, err := r.index.Search(ctx, req)
	if err != nil {
		var ke *Error
		if errors.As(err, &ke) || ctx.Err() != nil {
			return out, err
		}
		return out, &Error{Code: CodeIndexUnavailable, Message: "the index search failed", Err: err}
	}
	best := 0.0
	for _, h := range hits {
		best = max(best, h.Score)
	}
	w, cache := rarity(r.stats, lang), newTextCache()
	variants := []prepared{prepare(text, w, cache)}
	for _, v := range r.synonyms.Rewrites(text, 8) {
		variants = append(variants, prepare(v, w, cache))
	}
	for _, h := range hits {
		p := passageFromHit(variants, h)
		if best > 0 {
			p.Score = h.Score/best + r.matchW*p.Scores["match"]
		}
		out.Passages = append(out.Passages, p)
	}
	sort.SliceStable(out.Passages, func(i, j int) bool { return out.Passages[i].Score > out.Passages[j].Score })
	if len(out.Passages) > limit {
		out.Passages = out.Passages[:limit]
	}
	out.Latency = time.Since(start)
	return out, nil
}

// passageFromHit turns a hit into a passage; its match is the best over
// the query and its synonym rewrites.
func passageFromHit(variants []prepared, h Hit) Passage {
	rec := h.Record
	p := Passage{ID: rec.ID, DocumentID: rec.DocumentID, Kind: rec.Kind, Version: rec.Version, Title: rec.Title,
		HeadingPath: rec.HeadingPath, Text: rec.Text, Questions: rec.Questions, Score: h.Score,
		Scores: map[string]float64{"fused": h.Score}}
	if h.Lexical != 0 {
		p.Scores["lexical"] = h.Lexical
	}
	if h.Dense != 0 {
		p.Scores["dense"] = h.Dense
	}
	m := 0.0
	if rec.Kind == KindFAQ {
		answer := variants[0].texts.termSet(rec.Text)
		for _, q := range variants {
			m = max(m, q.phrasings(rec.Questions), 0.9*coverage(q.inf, answer))
		}
	} else {
		have := termSet(strings.Join(rec.HeadingPath, " ") + " " + rec.Title + " " + rec.Text)
		for _, q := range variants {
			m = max(m, coverage(q.inf, have))
		}
	}
	p.Scores["match"] = m
	return p
}
