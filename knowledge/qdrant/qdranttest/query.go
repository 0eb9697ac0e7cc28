package qdranttest

import (
	"context"
	"math"
	"sort"
	"time"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ---- query

func (p *pointsService) Query(ctx context.Context, r *qc.QueryPoints) (*qc.QueryResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("Query", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	limit := uint64(10)
	if r.Limit != nil {
		limit = r.GetLimit()
	}
	res, err := col.query(r.GetPrefetch(), r.GetQuery(), r.GetUsing(), r.GetFilter(), limit)
	if err != nil {
		return nil, err
	}
	out := &qc.QueryResponse{}
	for _, sp := range res {
		out.Result = append(out.Result, &qc.ScoredPoint{Id: sp.pt.id, Score: sp.score, Version: 1,
			Payload: selectPayload(sp.pt.payload, r.GetWithPayload())})
	}
	out.Time = time.Since(start).Seconds()
	return out, nil
}

type scoredPoint struct {
	pt    *point
	score float32
}

func (c *collection) query(prefetch []*qc.PrefetchQuery, q *qc.Query, using string, f *qc.Filter, limit uint64) ([]scoredPoint, error) {
	if err := c.validateFilter(f); err != nil {
		return nil, err
	}
	var lists [][]scoredPoint
	for _, pf := range prefetch {
		pl := uint64(10)
		if pf.Limit != nil {
			pl = pf.GetLimit()
		}
		l, err := c.query(pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), pf.GetFilter(), pl)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	switch v := q.GetVariant().(type) {
	case *qc.Query_Rrf:
		if len(prefetch) == 0 {
			return nil, badInput("Fusion queries need at least one prefetch")
		}
		if w := v.Rrf.GetWeights(); len(w) > 0 && len(w) != len(prefetch) {
			return nil, badInput("RRF weights length (%d) must match the number of prefetches (%d)", len(w), len(prefetch))
		}
		k := uint32(2) // Qdrant's default
		if v.Rrf.K != nil {
			k = v.Rrf.GetK()
		}
		return fuse(lists, v.Rrf.GetWeights(), float32(k), f, c, limit), nil
	case *qc.Query_Fusion:
		if v.Fusion != qc.Fusion_RRF {
			return nil, status.Errorf(codes.Unimplemented, "qdranttest: fusion %s is not modelled", v.Fusion)
		}
		return fuse(lists, nil, 2, f, c, limit), nil
	case *qc.Query_Nearest:
		return c.nearest(v.Nearest, using, f, limit, prefetch, lists)
	case nil:
		return nil, badInput("a query is required")
	default:
		return nil, status.Errorf(codes.Unimplemented, "qdranttest: query %T is not modelled", v)
	}
}

func fuse(lists [][]scoredPoint, weights []float32, k float32, f *qc.Filter, c *collection, limit uint64) []scoredPoint {
	acc := map[string]*scoredPoint{}
	var order []string
	for i, l := range lists {
		w := float32(1)
		if len(weights) > 0 {
			w = weights[i]
		}
		for rank, sp := range l {
			if !c.match(sp.pt, f) {
				continue
			}
			a := acc[sp.pt.key]
			if a == nil {
				a = &scoredPoint{pt: sp.pt}
				acc[sp.pt.key] = a
				order = append(order, sp.pt.key)
			}
			a.score += w / (k + float32(rank+1))
		}
	}
	out := make([]scoredPoint, 0, len(order))
	for _, key := range order {
		out = append(out, *acc[key])
	}
	return top(out, limit)
}

func top(s []scoredPoint, limit uint64) []scoredPoint {
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].score != s[j].score {
			return s[i].score > s[j].score
		}
		return s[i].pt.key < s[j].pt.key
	})
	if uint64(len(s)) > limit {
		s = s[:limit]
	}
	return s
}

func (c *collection) nearest(in *qc.VectorInput, using string, f *qc.Filter, limit uint64, prefetch []*qc.PrefetchQuery, lists [][]scoredPoint) ([]scoredPoint, error) {
	// With prefetches, a nearest query rescores their union only.
	var candidates []*point
	if len(prefetch) > 0 {
		seen := map[string]bool{}
		for _, l := range lists {
			for _, sp := range l {
				if !seen[sp.pt.key] {
					seen[sp.pt.key] = true
					candidates = append(candidates, sp.pt)
				}
			}
		}
	} else {
		for _, pt := range c.points {
			candidates = append(candidates, pt)
		}
	}
	var out []scoredPoint
	switch v := in.GetVariant().(type) {
	case *qc.VectorInput_Dense:
		params, ok := c.dense[using]
		if !ok {
			if _, sparse := c.sparse[using]; sparse {
				return nil, badInput("Conversion between sparse and regular vectors failed")
			}
			return nil, badInput("Not existing vector name error: %s", using)
		}
		q := v.Dense.GetData()
		if uint64(len(q)) != params.GetSize() {
			return nil, badInput("Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(q))
		}
		if params.GetDistance() == qc.Distance_Cosine {
			q = normalize(q)
		}
		for _, pt := range candidates {
			d, ok := pt.dense[using]
			if !ok || !c.match(pt, f) {
				continue
			}
			var s float32
			for i := range q {
				s += q[i] * d[i]
			}
			out = append(out, scoredPoint{pt, s})
		}
	case *qc.VectorInput_Sparse:
		params, ok := c.sparse[using]
		if !ok {
			if _, dense := c.dense[using]; dense {
				return nil, badInput("Conversion between sparse and regular vectors failed")
			}
			return nil, badInput("Not existing vector name error: %s", using)
		}
		q := v.Sparse
		if len(q.GetIndices()) != len(q.GetValues()) {
			return nil, validation("[query.sparse: indices and values must have the same length]")
		}
		idf := c.idf(using, params, q.GetIndices())
		for _, pt := range candidates {
			d, ok := pt.sparse[using]
			if !ok || !c.match(pt, f) {
				continue
			}
			dv := map[uint32]float32{}
			for i, ix := range d.GetIndices() {
				dv[ix] = d.GetValues()[i]
			}
			var s float32
			hit := false
			for i, ix := range q.GetIndices() {
				if w, ok := dv[ix]; ok {
					s += q.GetValues()[i] * w * idf[ix]
					hit = true
				}
			}
			if hit { // sparse search returns only points sharing an index
				out = append(out, scoredPoint{pt, s})
			}
		}
	default:
		return nil, status.Errorf(codes.Unimplemented, "qdranttest: vector input %T is not modelled", v)
	}
	return top(out, limit), nil
}

// idf is Qdrant's IDF modifier: ln((N - n + 0.5) / (n + 0.5) + 1) over
// the points that have the sparse vector.
func (c *collection) idf(name string, params *qc.SparseVectorParams, indices []uint32) map[uint32]float32 {
	out := map[uint32]float32{}
	if params.GetModifier() != qc.Modifier_Idf {
		for _, ix := range indices {
			out[ix] = 1
		}
		return out
	}
	n := 0
	df := map[uint32]int{}
	want := map[uint32]bool{}
	for _, ix := range indices {
		want[ix] = true
	}
	for _, pt := range c.points {
		sv, ok := pt.sparse[name]
		if !ok {
			continue
		}
		n++
		for _, ix := range sv.GetIndices() {
			if want[ix] {
				df[ix]++
			}
		}
	}
	for _, ix := range indices {
		d := float64(df[ix])
		out[ix] = float32(math.Log((float64(n)-d+0.5)/(d+0.5) + 1))
	}
	return out
}
