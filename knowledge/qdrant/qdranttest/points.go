package qdranttest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ---- service: points

type pointsService struct {
	qc.UnimplementedPointsServer
	s *Server
}

func (p *pointsService) CreateFieldIndex(ctx context.Context, r *qc.CreateFieldIndexCollection) (*qc.PointsOperationResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("CreateFieldIndex", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if r.GetFieldName() == "" {
		return nil, validation("[field_name: must not be empty]")
	}
	if r.FieldType == nil {
		return nil, badInput("field_type is required to create a payload index")
	}
	switch r.GetFieldType() {
	case qc.FieldType_FieldTypeKeyword, qc.FieldType_FieldTypeBool:
	default:
		return nil, status.Errorf(codes.Unimplemented, "qdranttest: field type %s is not modelled", r.GetFieldType())
	}
	col.indexes[r.GetFieldName()] = r.GetFieldType()
	return &qc.PointsOperationResponse{Result: p.s.done(), Time: time.Since(start).Seconds()}, nil
}

func canonicalID(id *qc.PointId) (string, error) {
	switch v := id.GetPointIdOptions().(type) {
	case *qc.PointId_Num:
		return fmt.Sprintf("n:%020d", v.Num), nil
	case *qc.PointId_Uuid:
		u, err := uuid.Parse(v.Uuid)
		if err != nil {
			return "", badInput("Unable to parse UUID: %s", v.Uuid)
		}
		return "u:" + u.String(), nil
	}
	return "", validation("[id: point id is required]")
}

func (p *pointsService) Upsert(ctx context.Context, r *qc.UpsertPoints) (*qc.PointsOperationResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("Upsert", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	var staged []*point
	for i, ps := range r.GetPoints() {
		key, err := canonicalID(ps.GetId())
		if err != nil {
			return nil, err
		}
		pt := &point{id: ps.GetId(), key: key, payload: ps.GetPayload(), dense: map[string][]float32{}, sparse: map[string]*qc.SparseVector{}}
		vs := ps.GetVectors()
		if vs.GetVector() != nil {
			if _, ok := col.dense[""]; !ok {
				return nil, badInput("Not existing vector name error: ")
			}
		}
		for name, v := range vs.GetVectors().GetVectors() {
			if err := col.putVector(pt, name, v, i); err != nil {
				return nil, err
			}
		}
		staged = append(staged, pt)
	}
	for _, pt := range staged {
		col.points[pt.key] = pt
	}
	return &qc.PointsOperationResponse{Result: p.s.done(), Time: time.Since(start).Seconds()}, nil
}

func (c *collection) putVector(pt *point, name string, v *qc.Vector, i int) error {
	var dense []float32
	var sp *qc.SparseVector
	switch x := v.GetVector().(type) {
	case *qc.Vector_Dense:
		dense = x.Dense.GetData()
	case *qc.Vector_Sparse:
		sp = x.Sparse
	case nil:
		// The deprecated encoding: data, with indices for a sparse vector.
		if v.GetIndices() != nil {
			sp = &qc.SparseVector{Indices: v.GetIndices().GetData(), Values: v.GetData()}
		} else {
			dense = v.GetData()
		}
	default:
		return status.Errorf(codes.Unimplemented, "qdranttest: vector kind %T is not modelled", x)
	}
	if sp != nil {
		if _, ok := c.sparse[name]; !ok {
			return badInput("Not existing vector name error: %s", name)
		}
		if len(sp.GetIndices()) != len(sp.GetValues()) {
			return validation("[points[%d].vectors.%s: indices and values must have the same length]", i, name)
		}
		seen := map[uint32]bool{}
		for _, ix := range sp.GetIndices() {
			if seen[ix] {
				return validation("[points[%d].vectors.%s: indices must be unique]", i, name)
			}
			seen[ix] = true
		}
		pt.sparse[name] = sp
		return nil
	}
	params, ok := c.dense[name]
	if !ok {
		return badInput("Not existing vector name error: %s", name)
	}
	if uint64(len(dense)) != params.GetSize() {
		return badInput("Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(dense))
	}
	for _, f := range dense {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return validation("[points[%d].vectors.%s: vector contains NaN or infinity]", i, name)
		}
	}
	if params.GetDistance() == qc.Distance_Cosine {
		dense = normalize(dense)
	}
	pt.dense[name] = dense
	return nil
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

func (p *pointsService) Delete(ctx context.Context, r *qc.DeletePoints) (*qc.PointsOperationResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("Delete", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	sel := r.GetPoints()
	switch {
	case sel.GetFilter() != nil:
		if err := col.validateFilter(sel.GetFilter()); err != nil {
			return nil, err
		}
		for k, pt := range col.points {
			if col.match(pt, sel.GetFilter()) {
				delete(col.points, k)
			}
		}
	case sel.GetPoints() != nil:
		for _, id := range sel.GetPoints().GetIds() {
			k, err := canonicalID(id)
			if err != nil {
				return nil, err
			}
			delete(col.points, k)
		}
	default:
		return nil, validation("[points: a points selector is required]")
	}
	return &qc.PointsOperationResponse{Result: p.s.done(), Time: time.Since(start).Seconds()}, nil
}

func (p *pointsService) Count(ctx context.Context, r *qc.CountPoints) (*qc.CountResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("Count", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if err := col.validateFilter(r.GetFilter()); err != nil {
		return nil, err
	}
	n := 0
	for _, pt := range col.points {
		if col.match(pt, r.GetFilter()) {
			n++
		}
	}
	return &qc.CountResponse{Result: &qc.CountResult{Count: uint64(n)}, Time: time.Since(start).Seconds()}, nil
}

func (p *pointsService) Scroll(ctx context.Context, r *qc.ScrollPoints) (*qc.ScrollResponse, error) {
	start := time.Now()
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if err := p.s.record("Scroll", r); err != nil {
		return nil, err
	}
	col, err := p.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if err := col.validateFilter(r.GetFilter()); err != nil {
		return nil, err
	}
	limit := 10
	if r.Limit != nil {
		if r.GetLimit() < 1 {
			return nil, validation("[limit: value 0 invalid, must be 1 or more]")
		}
		limit = int(r.GetLimit())
	}
	from := ""
	if r.Offset != nil {
		if from, err = canonicalID(r.GetOffset()); err != nil {
			return nil, err
		}
	}
	var keys []string
	for k, pt := range col.points {
		if k >= from && col.match(pt, r.GetFilter()) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	resp := &qc.ScrollResponse{}
	for i, k := range keys {
		if i == limit {
			resp.NextPageOffset = col.points[k].id
			break
		}
		pt := col.points[k]
		resp.Result = append(resp.Result, &qc.RetrievedPoint{Id: pt.id, Payload: selectPayload(pt.payload, r.GetWithPayload())})
	}
	resp.Time = time.Since(start).Seconds()
	return resp, nil
}

func selectPayload(p map[string]*qc.Value, sel *qc.WithPayloadSelector) map[string]*qc.Value {
	switch s := sel.GetSelectorOptions().(type) {
	case *qc.WithPayloadSelector_Enable:
		if s.Enable {
			return p
		}
		return nil
	case *qc.WithPayloadSelector_Include:
		out := map[string]*qc.Value{}
		for _, f := range s.Include.GetFields() {
			if v, ok := p[f]; ok {
				out[f] = v
			}
		}
		return out
	case *qc.WithPayloadSelector_Exclude:
		out := map[string]*qc.Value{}
		for k, v := range p {
			out[k] = v
		}
		for _, f := range s.Exclude.GetFields() {
			delete(out, f)
		}
		return out
	}
	return nil // Qdrant's default for Query and Scroll: no payload
}
