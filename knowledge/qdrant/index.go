package qdrant

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/google/uuid"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"kefu/knowledge"
)

// Vector names in the collection.
const (
	DenseVector  = "dense"
	SparseVector = "sparse"
)

// Payload fields; the filtered ones get payload indexes.
const (
	fieldID         = "id"
	fieldDocumentID = "document_id"
	fieldKind       = "kind"
	fieldVersion    = "version"
	fieldTitle      = "title"
	fieldHeadings   = "heading_path"
	fieldText       = "text"
	fieldQuestions  = "questions"
	fieldTags       = "tags"
	fieldChannels   = "channels"
	fieldSegments   = "segments"
	fieldLang       = "lang"
	fieldPublished  = "published"
)

// KeywordFields and BoolFields are the payload indexes the collection gets.
var (
	KeywordFields = []string{fieldDocumentID, fieldTags, fieldChannels, fieldSegments, fieldLang}
	BoolFields    = []string{fieldPublished}
)

// Config locates the collection.
type Config struct {
	Addr       string // Qdrant's gRPC address, host:port (usually port 6334)
	APIKey     string
	UseTLS     bool
	Collection string // one per knowledge base
	// DenseDims is the embedding size; 0 creates a sparse-only collection.
	DenseDims int
	// BatchSize bounds the points per upsert request; default 64.
	BatchSize int
	// Timeout bounds each call; default 10s.
	Timeout     time.Duration
	GrpcOptions []grpc.DialOption
}

// Index is a knowledge.Index backed by a Qdrant collection.
type Index struct {
	client *qc.Client
	cfg    Config
}

var _ knowledge.Index = (*Index)(nil)

// Open connects, creates the collection and its payload indexes when they
// are missing, and checks an existing collection has the vectors this
// configuration expects.
func Open(ctx context.Context, cfg Config) (*Index, error) {
	if cfg.Collection == "" {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: "qdrant: a collection name is required"}
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: "qdrant: address must be host:port", Err: err}
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: "qdrant: bad port in " + cfg.Addr, Err: err}
	}
	client, err := qc.NewClient(&qc.Config{Host: host, Port: port, APIKey: cfg.APIKey, UseTLS: cfg.UseTLS,
		GrpcOptions: cfg.GrpcOptions, PoolSize: 1, SkipCompatibilityCheck: true})
	if err != nil {
		return nil, unavailable("connect", err)
	}
	x := &Index{client: client, cfg: cfg}
	if err := x.ensureCollection(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return x, nil
}

func (x *Index) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, x.cfg.Timeout)
}

func (x *Index) ensureCollection(ctx context.Context) error {
	cctx, cancel := x.call(ctx)
	defer cancel()
	exists, err := x.client.CollectionExists(cctx, x.cfg.Collection)
	if err != nil {
		return unavailable("check the collection", err)
	}
	if exists {
		info, err := x.client.GetCollectionInfo(cctx, x.cfg.Collection)
		if err != nil {
			return unavailable("read the collection", err)
		}
		if err := x.checkVectors(info); err != nil {
			return err
		}
	} else {
		req := &qc.CreateCollection{CollectionName: x.cfg.Collection,
			SparseVectorsConfig: qc.NewSparseVectorsConfig(map[string]*qc.SparseVectorParams{
				SparseVector: {Modifier: qc.Modifier_Idf.Enum()}})}
		if x.cfg.DenseDims > 0 {
			req.VectorsConfig = qc.NewVectorsConfigMap(map[string]*qc.VectorParams{
				DenseVector: {Size: uint64(x.cfg.DenseDims), Distance: qc.Distance_Cosine}})
		}
		if err := x.client.CreateCollection(cctx, req); err != nil {
			return unavailable("create the collection", err)
		}
	}
	wait := true
	for _, f := range KeywordFields {
		if _, err := x.client.CreateFieldIndex(cctx, &qc.CreateFieldIndexCollection{CollectionName: x.cfg.Collection,
			Wait: &wait, FieldName: f, FieldType: qc.FieldType_FieldTypeKeyword.Enum()}); err != nil {
			return unavailable("index payload field "+f, err)
		}
	}
	for _, f := range BoolFields {
		if _, err := x.client.CreateFieldIndex(cctx, &qc.CreateFieldIndexCollection{CollectionName: x.cfg.Collection,
			Wait: &wait, FieldName: f, FieldType: qc.FieldType_FieldTypeBool.Enum()}); err != nil {
			return unavailable("index payload field "+f, err)
		}
	}
	return nil
}

func (x *Index) checkVectors(info *qc.CollectionInfo) error {
	params := info.GetConfig().GetParams()
	if _, ok := params.GetSparseVectorsConfig().GetMap()[SparseVector]; !ok {
		return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("qdrant: collection %s has no sparse vector %q", x.cfg.Collection, SparseVector)}
	}
	dense := params.GetVectorsConfig().GetParamsMap().GetMap()[DenseVector]
	have := 0
	if dense != nil {
		have = int(dense.GetSize())
	}
	if have != x.cfg.DenseDims {
		return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf(
			"qdrant: collection %s has %d-dimension dense vectors, the embedding model gives %d; use a new collection or re-create it",
			x.cfg.Collection, have, x.cfg.DenseDims)}
	}
	return nil
}

// PointID maps a record id to the UUID Qdrant stores it under.
func PointID(recordID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("kefu:"+recordID)).String()
}

func strList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Upsert implements knowledge.Index, in batches of BatchSize points.
func (x *Index) Upsert(ctx context.Context, records []knowledge.Record) error {
	points := make([]*qc.PointStruct, 0, len(records))
	for i := range records {
		r := &records[i]
		if r.ID == "" || r.DocumentID == "" {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %d has no id or document id", i)}
		}
		if len(r.Sparse.Indices) != len(r.Sparse.Values) {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %s: sparse indices and values differ in length", r.ID)}
		}
		if len(r.Dense) > 0 && len(r.Dense) != x.cfg.DenseDims {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("record %s: dense vector has %d dimensions, the collection has %d", r.ID, len(r.Dense), x.cfg.DenseDims)}
		}
		payload := map[string]any{fieldID: r.ID, fieldDocumentID: r.DocumentID, fieldKind: string(r.Kind),
			fieldVersion: r.Version, fieldTitle: r.Title, fieldText: r.Text, fieldPublished: r.Published}
		// Empty lists and strings are left out: Qdrant's is_empty matches
		// a missing field, which is what "for every channel" means.
		for k, v := range map[string][]string{fieldHeadings: r.HeadingPath, fieldQuestions: r.Questions,
			fieldTags: r.Tags, fieldChannels: r.Channels, fieldSegments: r.Segments} {
			if len(v) > 0 {
				payload[k] = strList(v)
			}
		}
		if r.Lang != "" {
			payload[fieldLang] = r.Lang
		}
		vp, err := qc.TryValueMap(payload)
		if err != nil {
			return &knowledge.Error{Code: knowledge.CodeInvalid, Message: "record " + r.ID + ": bad payload", Err: err}
		}
		vectors := map[string]*qc.Vector{}
		if len(r.Sparse.Indices) > 0 {
			vectors[SparseVector] = qc.NewVectorSparse(r.Sparse.Indices, r.Sparse.Values)
		}
		if len(r.Dense) > 0 {
			vectors[DenseVector] = qc.NewVectorDense(r.Dense)
		}
		points = append(points, &qc.PointStruct{Id: qc.NewID(PointID(r.ID)), Payload: vp, Vectors: qc.NewVectorsMap(vectors)})
	}
	wait := true
	for start := 0; start < len(points); start += x.cfg.BatchSize {
		batch := points[start:min(start+x.cfg.BatchSize, len(points))]
		cctx, cancel := x.call(ctx)
		_, err := x.client.Upsert(cctx, &qc.UpsertPoints{CollectionName: x.cfg.Collection, Wait: &wait, Points: batch})
		cancel()
		if err != nil {
			return fail("upsert", err)
		}
	}
	return nil
}

// DeleteDocument implements knowledge.Index.
func (x *Index) DeleteDocument(ctx context.Context, documentID string) error {
	cctx, cancel := x.call(ctx)
	defer cancel()
	wait := true
	_, err := x.client.Delete(cctx, &qc.DeletePoints{CollectionName: x.cfg.Collection, Wait: &wait,
		Points: qc.NewPointsSelectorFilter(&qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword(fieldDocumentID, documentID)}})})
	if err != nil {
		return fail("delete", err)
	}
	return nil
}

// filter translates a knowledge.Filter into Qdrant's filter.
func filter(f knowledge.Filter) *qc.Filter {
	var must []*qc.Condition
	if !f.IncludeUnpublished {
		must = append(must, qc.NewMatchBool(fieldPublished, true))
	}
	if len(f.Tags) > 0 {
		must = append(must, qc.NewMatchKeywords(fieldTags, f.Tags...))
	}
	open := func(field, want string) {
		if want != "" {
			must = append(must, qc.NewFilterAsCondition(&qc.Filter{Should: []*qc.Condition{
				qc.NewIsEmpty(field), qc.NewMatchKeyword(field, want)}}))
		}
	}
	open(fieldChannels, f.Channel)
	open(fieldSegments, f.Segment)
	open(fieldLang, f.Lang)
	if len(must) == 0 {
		return nil
	}
	return &qc.Filter{Must: must}
}

// Search implements knowledge.Index. With both vectors it sends one Query
// with a sparse and a dense prefetch fused by RRF on the server; with one,
// a plain nearest query on that vector.
func (x *Index) Search(ctx context.Context, req knowledge.SearchRequest) ([]knowledge.Hit, error) {
	if len(req.Dense) > 0 && len(req.Dense) != x.cfg.DenseDims {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("query vector has %d dimensions, the collection has %d", len(req.Dense), x.cfg.DenseDims)}
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	depth := uint64(max(limit*4, 40))
	flt := filter(req.Filter)
	q := &qc.QueryPoints{CollectionName: x.cfg.Collection, Limit: qc.PtrOf(uint64(limit)), WithPayload: qc.NewWithPayload(true)}
	sparse := len(req.Sparse.Indices) > 0
	dense := len(req.Dense) > 0 && x.cfg.DenseDims > 0
	switch {
	case sparse && dense:
		dw := float32(req.DenseWeight)
		if dw <= 0 {
			dw = 1
		}
		q.Prefetch = []*qc.PrefetchQuery{
			{Query: qc.NewQuerySparse(req.Sparse.Indices, req.Sparse.Values), Using: qc.PtrOf(SparseVector), Filter: flt, Limit: &depth},
			{Query: qc.NewQueryDense(req.Dense), Using: qc.PtrOf(DenseVector), Filter: flt, Limit: &depth},
		}
		q.Query = qc.NewQueryRRF(&qc.Rrf{K: qc.PtrOf(uint32(knowledge.RRFK)), Weights: []float32{1, dw}})
	case sparse:
		q.Query, q.Using, q.Filter = qc.NewQuerySparse(req.Sparse.Indices, req.Sparse.Values), qc.PtrOf(SparseVector), flt
	case dense:
		q.Query, q.Using, q.Filter = qc.NewQueryDense(req.Dense), qc.PtrOf(DenseVector), flt
	default:
		return nil, nil
	}
	cctx, cancel := x.call(ctx)
	defer cancel()
	points, err := x.client.Query(cctx, q)
	if err != nil {
		return nil, fail("query", err)
	}
	hits := make([]knowledge.Hit, 0, len(points))
	for rank, p := range points {
		h := knowledge.Hit{Record: recordFromPayload(p.GetPayload())}
		switch {
		case sparse && dense:
			h.Score = float64(p.GetScore()) // fused on the server; the legs' own scores are not returned
		case sparse:
			h.Score, h.Lexical = knowledge.RRF(rank), float64(p.GetScore())
		default:
			h.Score, h.Dense = knowledge.RRF(rank), float64(p.GetScore())
		}
		hits = append(hits, h)
	}
	return hits, nil
}

func recordFromPayload(p map[string]*qc.Value) knowledge.Record {
	str := func(k string) string { return p[k].GetStringValue() }
	list := func(k string) []string {
		var out []string
		for _, v := range p[k].GetListValue().GetValues() {
			out = append(out, v.GetStringValue())
		}
		return out
	}
	return knowledge.Record{ID: str(fieldID), DocumentID: str(fieldDocumentID), Kind: knowledge.ItemKind(str(fieldKind)),
		Version: int(p[fieldVersion].GetIntegerValue()), Title: str(fieldTitle), HeadingPath: list(fieldHeadings),
		Text: str(fieldText), Questions: list(fieldQuestions), Tags: list(fieldTags), Channels: list(fieldChannels),
		Segments: list(fieldSegments), Lang: str(fieldLang), Published: p[fieldPublished].GetBoolValue()}
}

// Documents implements knowledge.Index by scrolling through the payloads.
func (x *Index) Documents(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	var offset *qc.PointId
	for {
		cctx, cancel := x.call(ctx)
		points, next, err := x.client.ScrollAndOffset(cctx, &qc.ScrollPoints{CollectionName: x.cfg.Collection,
			Offset: offset, Limit: qc.PtrOf(uint32(512)), WithPayload: qc.NewWithPayloadInclude(fieldDocumentID, fieldVersion)})
		cancel()
		if err != nil {
			return nil, fail("scroll", err)
		}
		for _, p := range points {
			out[p.GetPayload()[fieldDocumentID].GetStringValue()] = int(p.GetPayload()[fieldVersion].GetIntegerValue())
		}
		if next == nil || len(points) == 0 {
			return out, nil
		}
		offset = next
	}
}

// Count implements knowledge.Index.
func (x *Index) Count(ctx context.Context) (int, error) {
	cctx, cancel := x.call(ctx)
	defer cancel()
	n, err := x.client.Count(cctx, &qc.CountPoints{CollectionName: x.cfg.Collection, Exact: qc.PtrOf(true)})
	if err != nil {
		return 0, fail("count", err)
	}
	return int(n), nil
}

// DropCollection deletes the collection (tests and re-creation after a
// change of embedding model).
func (x *Index) DropCollection(ctx context.Context) error {
	cctx, cancel := x.call(ctx)
	defer cancel()
	if err := x.client.DeleteCollection(cctx, x.cfg.Collection); err != nil {
		return fail("drop the collection", err)
	}
	return nil
}

// Close implements knowledge.Index.
func (x *Index) Close() error { return x.client.Close() }

func unavailable(what string, err error) error {
	return &knowledge.Error{Code: knowledge.CodeIndexUnavailable, Message: "qdrant: unable to " + what, Err: err}
}

// fail maps a gRPC error: a request Qdrant refused as invalid is ours to
// fix (invalid_input); anything else means Qdrant is unavailable.
func fail(what string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if s, ok := status.FromError(errors.Unwrap(err)); ok && s.Code() == codes.InvalidArgument {
		return &knowledge.Error{Code: knowledge.CodeInvalid, Message: "qdrant refused the " + what, Err: err}
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.InvalidArgument {
		return &knowledge.Error{Code: knowledge.CodeInvalid, Message: "qdrant refused the " + what, Err: err}
	}
	return unavailable(what, err)
}
