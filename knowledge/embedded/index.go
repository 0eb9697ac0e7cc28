package embedded

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"sync"

	"kefu/knowledge"
)

// Index is the embedded index. It is safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	recs     []*knowledge.Record // by slot; nil once deleted
	terms    [][]uint32          // by slot: the record's term ids, to correct document frequencies on delete
	byID     map[string]int32
	byDoc    map[string][]int32
	post     map[uint32]*postings
	df       map[uint32]int32
	alive    int
	byLang   map[string]int // live records by language ("" for any)
	dead     int
	dims     int
	dense    []float32 // dims floats per slot; zeros where a record has none
	hasDense []bool
	// scratch is a pointer so the runtime's list of pools does not keep a
	// dropped index alive.
	scratch *sync.Pool

	store *store // nil: in memory only
}

// postings are parallel slices: slot and BM25 term weight.
type postings struct {
	slots   []int32
	weights []float32
}

// New returns an empty index that lives only in memory.
func New() *Index {
	return &Index{byID: map[string]int32{}, byDoc: map[string][]int32{}, post: map[uint32]*postings{}, df: map[uint32]int32{},
		byLang: map[string]int{}, scratch: &sync.Pool{}}
}

var _ knowledge.Index = (*Index)(nil)

// Upsert implements knowledge.Index.
func (x *Index) Upsert(ctx context.Context, records []knowledge.Record) error {
	for i := range records {
		r := &records[i]
		if r.ID == "" || r.DocumentID == "" {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %d has no id or document id", i)}
		}
		if len(r.Sparse.Indices) != len(r.Sparse.Values) {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %s: sparse indices and values differ in length", r.ID)}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := range records {
		if d := len(records[i].Dense); d > 0 && x.dims > 0 && d != x.dims {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %s: dense vector has %d dimensions, the index has %d", records[i].ID, d, x.dims)}
		}
	}
	if x.store != nil {
		if err := x.store.logUpsert(records); err != nil {
			return err
		}
	}
	for i := range records {
		x.insert(records[i])
	}
	return x.maybeCompact()
}

func (x *Index) insert(r knowledge.Record) {
	if old, ok := x.byID[r.ID]; ok {
		x.remove(old)
	}
	slot := int32(len(x.recs))
	sparse := r.Sparse
	r.Sparse = knowledge.SparseVector{} // kept in the postings only
	dense := r.Dense
	r.Dense = nil
	x.recs = append(x.recs, &r)
	x.terms = append(x.terms, sparse.Indices)
	x.byID[r.ID] = slot
	x.byDoc[r.DocumentID] = append(x.byDoc[r.DocumentID], slot)
	for i, id := range sparse.Indices {
		p := x.post[id]
		if p == nil {
			p = &postings{}
			x.post[id] = p
		}
		p.slots = append(p.slots, slot)
		p.weights = append(p.weights, sparse.Values[i])
		x.df[id]++
	}
	if len(dense) > 0 && x.dims == 0 {
		x.dims = len(dense)
		x.dense = make([]float32, x.dims*len(x.recs))
		x.hasDense = make([]bool, len(x.recs))
	}
	if x.dims > 0 {
		x.dense = append(x.dense, make([]float32, x.dims)...)[:x.dims*len(x.recs)]
		x.hasDense = append(x.hasDense, false)[:len(x.recs)]
		if len(dense) == x.dims {
			copy(x.dense[int(slot)*x.dims:], normalize(dense))
			x.hasDense[slot] = true
		}
	}
	x.alive++
	x.byLang[r.Lang]++
}

// remove marks a slot dead. Its postings stay until compaction, skipped at
// query time; document frequencies are corrected at once, since IDF must
// count live records only.
func (x *Index) remove(slot int32) {
	r := x.recs[slot]
	if r == nil {
		return
	}
	for _, id := range x.terms[slot] {
		if x.df[id]--; x.df[id] <= 0 {
			delete(x.df, id)
		}
	}
	x.terms[slot] = nil
	delete(x.byID, r.ID)
	slots := x.byDoc[r.DocumentID]
	for i, s := range slots {
		if s == slot {
			slots = append(slots[:i], slots[i+1:]...)
			break
		}
	}
	if len(slots) == 0 {
		delete(x.byDoc, r.DocumentID)
	} else {
		x.byDoc[r.DocumentID] = slots
	}
	x.recs[slot] = nil
	x.alive--
	x.byLang[r.Lang]--
	x.dead++
}

// DeleteDocument implements knowledge.Index.
func (x *Index) DeleteDocument(ctx context.Context, documentID string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.byDoc[documentID]; !ok {
		return nil
	}
	if x.store != nil {
		if err := x.store.logDelete(documentID); err != nil {
			return err
		}
	}
	for _, s := range append([]int32(nil), x.byDoc[documentID]...) {
		x.remove(s)
	}
	return x.maybeCompact()
}

// maybeCompact rebuilds the slots once a quarter of them are dead.
func (x *Index) maybeCompact() error {
	if x.dead > 1000 && x.dead*4 > len(x.recs) {
		x.compact()
	}
	if x.store != nil {
		return x.store.checkpoint()
	}
	return nil
}

func (x *Index) compact() {
	old := x.snapshotRecords(true)
	x.recs, x.terms, x.byID, x.byDoc = nil, nil, map[string]int32{}, map[string][]int32{}
	x.post, x.df = map[uint32]*postings{}, map[uint32]int32{}
	x.alive, x.dead, x.dims, x.dense, x.hasDense = 0, 0, 0, nil, nil
	x.byLang = map[string]int{}
	for _, r := range old {
		x.insert(r)
	}
}

// snapshotRecords rebuilds the live records with their vectors from the
// postings and the dense slab.
func (x *Index) snapshotRecords(withVectors bool) []knowledge.Record {
	out := make([]knowledge.Record, len(x.recs))
	if withVectors {
		for id, p := range x.post {
			for i, s := range p.slots {
				if x.recs[s] != nil {
					out[s].Sparse.Indices = append(out[s].Sparse.Indices, id)
					out[s].Sparse.Values = append(out[s].Sparse.Values, p.weights[i])
				}
			}
		}
	}
	live := out[:0]
	for s, r := range x.recs {
		if r == nil {
			continue
		}
		rec := *r
		rec.Sparse = out[s].Sparse
		if withVectors && x.dims > 0 && x.hasDense[s] {
			rec.Dense = append([]float32(nil), x.dense[s*x.dims:(s+1)*x.dims]...)
		}
		live = append(live, rec)
	}
	return live
}

// Documents implements knowledge.Index.
func (x *Index) Documents(ctx context.Context) (map[string]int, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string]int, len(x.byDoc))
	for doc, slots := range x.byDoc {
		out[doc] = x.recs[slots[0]].Version
	}
	return out, nil
}

var _ knowledge.TermStats = (*Index)(nil)

// DocFreqs implements knowledge.TermStats.
func (x *Index) DocFreqs(ids []uint32, lang string) ([]int, int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(x.df[id])
	}
	return out, x.records(lang)
}

// records is how many live records a question in lang is searched among:
// those in its language and those in none. English entries added to a
// Chinese knowledge base leave the rarity of Chinese words as it was.
func (x *Index) records(lang string) int {
	if lang == "" {
		return x.alive
	}
	return x.byLang[lang] + x.byLang[""]
}

// Count implements knowledge.Index.
func (x *Index) Count(ctx context.Context) (int, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.alive, nil
}

// Search implements knowledge.Index.
func (x *Index) Search(ctx context.Context, req knowledge.SearchRequest) ([]knowledge.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	// Each leg returns more than asked so fusion has something to agree on.
	depth := max(limit*4, 40)
	x.mu.RLock()
	defer x.mu.RUnlock()
	if len(req.Dense) > 0 && x.dims > 0 && len(req.Dense) != x.dims {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("query vector has %d dimensions, the index has %d", len(req.Dense), x.dims)}
	}
	lex := x.searchLexical(req.Sparse, req.Filter, depth)
	var den []scored
	if len(req.Dense) > 0 && x.dims > 0 {
		den = x.searchDense(normalize(req.Dense), req.Filter, depth)
	}
	fused := map[int32]*knowledge.Hit{}
	var order []int32
	dw := req.DenseWeight
	if dw <= 0 {
		dw = 1
	}
	add := func(list []scored, dense bool) {
		for rank, s := range list {
			h := fused[s.slot]
			if h == nil {
				h = &knowledge.Hit{Record: *x.recs[s.slot]}
				fused[s.slot] = h
				order = append(order, s.slot)
			}
			if dense {
				h.Score += dw * knowledge.RRF(rank)
				h.Dense = float64(s.score)
			} else {
				h.Score += knowledge.RRF(rank)
				h.Lexical = float64(s.score)
			}
		}
	}
	add(lex, false)
	add(den, true)
	out := make([]knowledge.Hit, 0, len(order))
	for _, s := range order {
		out = append(out, *fused[s])
	}
	sortHits(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

type scored struct {
	slot  int32
	score float32
}

// topK keeps the k best scores in a min-heap.
type topK []scored

func (h topK) Len() int { return len(h) }
func (h topK) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].slot > h[j].slot
}
func (h topK) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(v any)   { *h = append(*h, v.(scored)) }
func (h *topK) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

func (h *topK) offer(s scored, k int) {
	if len(*h) < k {
		heap.Push(h, s)
	} else if s.score > (*h)[0].score || (s.score == (*h)[0].score && s.slot < (*h)[0].slot) {
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

func (h topK) sorted() []scored {
	out := append([]scored(nil), h...)
	sortScored(out)
	return out
}

type accumulator struct {
	scores  []float32
	touched []int32
}

func (x *Index) searchLexical(q knowledge.SparseVector, f knowledge.Filter, k int) []scored {
	if len(q.Indices) == 0 || x.alive == 0 {
		return nil
	}
	acc, _ := x.scratch.Get().(*accumulator)
	if acc == nil {
		acc = &accumulator{}
	}
	if len(acc.scores) < len(x.recs) {
		acc.scores = make([]float32, len(x.recs))
	}
	n := float64(x.records(f.Lang))
	for i, id := range q.Indices {
		p := x.post[id]
		if p == nil {
			continue
		}
		df := float64(x.df[id])
		// BM25's IDF as Qdrant computes it for its IDF modifier.
		w := q.Values[i] * float32(math.Log(1+(n-df+0.5)/(df+0.5)))
		for j, s := range p.slots {
			if acc.scores[s] == 0 {
				acc.touched = append(acc.touched, s)
			}
			acc.scores[s] += w * p.weights[j]
		}
	}
	h := make(topK, 0, k)
	for _, s := range acc.touched {
		sc := acc.scores[s]
		acc.scores[s] = 0
		r := x.recs[s]
		if r == nil || sc <= 0 {
			continue
		}
		if len(h) == k && sc < h[0].score {
			continue // cheaper than the filter
		}
		if !f.Match(r) {
			continue
		}
		h.offer(scored{s, sc}, k)
	}
	acc.touched = acc.touched[:0]
	x.scratch.Put(acc)
	return h.sorted()
}

func (x *Index) searchDense(q []float32, f knowledge.Filter, k int) []scored {
	h := make(topK, 0, k)
	d := x.dims
	for s, r := range x.recs {
		if r == nil || !x.hasDense[s] {
			continue
		}
		sc := dot(q, x.dense[s*d:(s+1)*d])
		if len(h) == k && sc < h[0].score {
			continue
		}
		if !f.Match(r) {
			continue
		}
		h.offer(scored{int32(s), sc}, k)
	}
	return h.sorted()
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	n := len(a) &^ 3
	b = b[:len(a)]
	for i := 0; i < n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for i := n; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// normalize scales v to unit length so a dot product is the cosine
// similarity, the distance Qdrant is configured with.
func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(n))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

// Close implements knowledge.Index: a persisted index writes a snapshot so
// the next start does not replay the log.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.store == nil {
		return nil
	}
	err := x.store.snapshot(x.snapshotRecords(true))
	if cerr := x.store.close(); err == nil {
		err = cerr
	}
	x.store = nil
	return err
}
