package qdrant

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	qc "github.com/qdrant/go-client/qdrant"

	"kefu/knowledge"
	"kefu/knowledge/knowledgetest"
	"kefu/knowledge/qdrant/qdranttest"
)

var seq atomic.Int64

func collectionFor(t *testing.T) string {
	name := regexp.MustCompile(`[^a-zA-Z0-9_]+`).ReplaceAllString(t.Name(), "_")
	return fmt.Sprintf("kefu_test_%d_%s", seq.Add(1), strings.ToLower(name))
}

func opener(addr string, dims, batch int) func(t *testing.T) knowledge.Index {
	return func(t *testing.T) knowledge.Index {
		t.Helper()
		x, err := Open(context.Background(), Config{Addr: addr, Collection: collectionFor(t), DenseDims: dims, BatchSize: batch})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			_ = x.DropCollection(context.Background())
			x.Close()
		})
		return x
	}
}

func TestContractAgainstFake(t *testing.T) {
	srv := qdranttest.Start(t)
	t.Run("sparse only", func(t *testing.T) {
		knowledgetest.TestIndex(t, opener(srv.Addr, 0, 64), knowledgetest.IndexOptions{})
	})
	t.Run("hybrid", func(t *testing.T) {
		knowledgetest.TestIndex(t, opener(srv.Addr, 64, 64), knowledgetest.IndexOptions{Dims: 64})
	})
}

// The same suite against a real Qdrant: KEFU_TEST_QDRANT=host:port (gRPC).
func TestContractAgainstRealQdrant(t *testing.T) {
	addr := os.Getenv("KEFU_TEST_QDRANT")
	if addr == "" {
		t.Skip("set KEFU_TEST_QDRANT=host:port to run against a real Qdrant")
	}
	t.Run("sparse only", func(t *testing.T) {
		knowledgetest.TestIndex(t, opener(addr, 0, 64), knowledgetest.IndexOptions{})
	})
	t.Run("hybrid", func(t *testing.T) {
		knowledgetest.TestIndex(t, opener(addr, 64, 64), knowledgetest.IndexOptions{Dims: 64})
	})
}

func TestCollectionSetup(t *testing.T) {
	srv := qdranttest.Start(t)
	ctx := context.Background()
	x, err := Open(ctx, Config{Addr: srv.Addr, Collection: "kb_main", DenseDims: 32})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	creates := srv.Requests("Create")
	if len(creates) != 1 {
		t.Fatalf("Create calls: got %d, want 1", len(creates))
	}
	c := creates[0].Msg.(*qc.CreateCollection)
	dense := c.GetVectorsConfig().GetParamsMap().GetMap()[DenseVector]
	if dense.GetSize() != 32 || dense.GetDistance() != qc.Distance_Cosine {
		t.Errorf("dense vector params: got %v", dense)
	}
	if sp := c.GetSparseVectorsConfig().GetMap()[SparseVector]; sp.GetModifier() != qc.Modifier_Idf {
		t.Errorf("sparse vector params: got %v, want the IDF modifier", sp)
	}
	indexed := map[string]qc.FieldType{}
	for _, r := range srv.Requests("CreateFieldIndex") {
		m := r.Msg.(*qc.CreateFieldIndexCollection)
		indexed[m.GetFieldName()] = m.GetFieldType()
	}
	for _, f := range []string{"published", "tags", "channels", "segments", "lang", "document_id"} {
		if _, ok := indexed[f]; !ok {
			t.Errorf("no payload index on %s: %v", f, indexed)
		}
	}
	if indexed["published"] != qc.FieldType_FieldTypeBool || indexed["tags"] != qc.FieldType_FieldTypeKeyword {
		t.Errorf("index types: %v", indexed)
	}
	// Reopening finds the collection and does not create it again.
	y, err := Open(ctx, Config{Addr: srv.Addr, Collection: "kb_main", DenseDims: 32})
	if err != nil {
		t.Fatal(err)
	}
	y.Close()
	if n := len(srv.Requests("Create")); n != 1 {
		t.Errorf("Create calls after reopening: %d, want 1", n)
	}
	// A different embedding size is refused with a clear error.
	_, err = Open(ctx, Config{Addr: srv.Addr, Collection: "kb_main", DenseDims: 768})
	if knowledge.ErrorCode(err) != knowledge.CodeInvalid || !strings.Contains(err.Error(), "768") {
		t.Errorf("dimension change: got %v, want invalid_input naming 768", err)
	}
}

func TestUpsertBatchesAndHybridQueryShape(t *testing.T) {
	srv := qdranttest.Start(t)
	ctx := context.Background()
	x, err := Open(ctx, Config{Addr: srv.Addr, Collection: "kb", DenseDims: 16, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var recs []knowledge.Record
	for i := 0; i < 25; i++ {
		recs = append(recs, knowledgetest.Rec(fmt.Sprintf("r%d", i), fmt.Sprintf("d%d", i%5), fmt.Sprintf("第%d条 退货运费说明", i), 16))
	}
	if err := x.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, r := range srv.Requests("Upsert") {
		u := r.Msg.(*qc.UpsertPoints)
		sizes = append(sizes, len(u.GetPoints()))
		if !u.GetWait() {
			t.Errorf("upsert without wait: the next search could miss the points")
		}
		p := u.GetPoints()[0]
		if _, ok := p.GetVectors().GetVectors().GetVectors()[SparseVector]; !ok {
			t.Errorf("point without the named sparse vector: %v", p.GetVectors())
		}
		if p.GetId().GetUuid() != PointID(p.GetPayload()["id"].GetStringValue()) {
			t.Errorf("point id %v is not derived from the record id", p.GetId())
		}
	}
	if fmt.Sprint(sizes) != "[10 10 5]" {
		t.Errorf("upsert batches: got %v, want [10 10 5]", sizes)
	}
	q := knowledgetest.Query("退货运费", 16, knowledge.Filter{Channel: "wechat", Tags: []string{"售后"}})
	q.DenseWeight = 0.5
	if _, err := x.Search(ctx, q); err != nil {
		t.Fatal(err)
	}
	qs := srv.Requests("Query")
	req := qs[len(qs)-1].Msg.(*qc.QueryPoints)
	rrf := req.GetQuery().GetRrf()
	if rrf == nil || rrf.GetK() != knowledge.RRFK || fmt.Sprint(rrf.GetWeights()) != "[1 0.5]" {
		t.Fatalf("fusion: got %v, want RRF k=%d weights [1 0.5]", req.GetQuery(), knowledge.RRFK)
	}
	if len(req.GetPrefetch()) != 2 || req.GetPrefetch()[0].GetUsing() != SparseVector || req.GetPrefetch()[1].GetUsing() != DenseVector {
		t.Fatalf("prefetches: got %v", req.GetPrefetch())
	}
	for _, pf := range req.GetPrefetch() {
		f := pf.GetFilter()
		if len(f.GetMust()) != 3 {
			t.Errorf("prefetch filter: got %v, want published, tags and the channel clause", f)
		}
	}
	if err := x.DeleteDocument(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	del := srv.Requests("Delete")[0].Msg.(*qc.DeletePoints)
	if c := del.GetPoints().GetFilter().GetMust(); len(c) != 1 || c[0].GetField().GetKey() != "document_id" {
		t.Errorf("delete by document: got %v", del.GetPoints())
	}
	if n, _ := x.Count(ctx); n != 20 {
		t.Errorf("Count after deleting d1: got %d, want 20", n)
	}
}

// The fake refuses what a real Qdrant refuses, so a broken adapter cannot
// pass against it.
func TestFakeRefusesMalformedRequests(t *testing.T) {
	srv := qdranttest.Start(t)
	ctx := context.Background()
	client, err := qc.NewClient(&qc.Config{Host: strings.Split(srv.Addr, ":")[0], Port: port(srv.Addr), SkipCompatibilityCheck: true, PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	wait := true
	if _, err := client.Upsert(ctx, &qc.UpsertPoints{CollectionName: "missing", Wait: &wait}); err == nil || !strings.Contains(err.Error(), "doesn't exist") {
		t.Errorf("upsert into a missing collection: %v", err)
	}
	x, err := Open(ctx, Config{Addr: srv.Addr, Collection: "kb", DenseDims: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	bad := []*qc.PointStruct{
		{Id: qc.NewIDNum(1), Vectors: qc.NewVectorsMap(map[string]*qc.Vector{DenseVector: qc.NewVectorDense(make([]float32, 9))})},
		{Id: qc.NewIDNum(2), Vectors: qc.NewVectorsMap(map[string]*qc.Vector{SparseVector: qc.NewVectorSparse([]uint32{1, 2}, []float32{1})})},
		{Id: qc.NewIDNum(3), Vectors: qc.NewVectorsMap(map[string]*qc.Vector{SparseVector: qc.NewVectorSparse([]uint32{1, 1}, []float32{1, 2})})},
		{Id: qc.NewIDNum(4), Vectors: qc.NewVectorsMap(map[string]*qc.Vector{"other": qc.NewVectorDense(make([]float32, 8))})},
		{Id: qc.NewID("not-a-uuid"), Vectors: qc.NewVectorsMap(map[string]*qc.Vector{})},
	}
	for i, p := range bad {
		if _, err := client.Upsert(ctx, &qc.UpsertPoints{CollectionName: "kb", Wait: &wait, Points: []*qc.PointStruct{p}}); err == nil {
			t.Errorf("bad point %d accepted", i)
		}
	}
	// A filter on a field without a payload index.
	_, err = client.Query(ctx, &qc.QueryPoints{CollectionName: "kb", Query: qc.NewQuerySparse([]uint32{1}, []float32{1}),
		Using: qc.PtrOf(SparseVector), Filter: &qc.Filter{Must: []*qc.Condition{qc.NewMatchKeyword("title", "x")}}})
	if err == nil || !strings.Contains(err.Error(), "Index required") {
		t.Errorf("unindexed filter: %v", err)
	}
	// A sparse query against the dense vector, and RRF weights that do not match the prefetches.
	if _, err := client.Query(ctx, &qc.QueryPoints{CollectionName: "kb", Query: qc.NewQuerySparse([]uint32{1}, []float32{1}), Using: qc.PtrOf(DenseVector)}); err == nil {
		t.Errorf("sparse query on the dense vector accepted")
	}
	_, err = client.Query(ctx, &qc.QueryPoints{CollectionName: "kb", Query: qc.NewQueryRRF(&qc.Rrf{Weights: []float32{1}}),
		Prefetch: []*qc.PrefetchQuery{{Query: qc.NewQuerySparse([]uint32{1}, []float32{1}), Using: qc.PtrOf(SparseVector)},
			{Query: qc.NewQueryDense(make([]float32, 8)), Using: qc.PtrOf(DenseVector)}}})
	if err == nil {
		t.Errorf("RRF with one weight for two prefetches accepted")
	}
	// The adapter maps an invalid request to invalid_input.
	if _, err := x.Search(ctx, knowledge.SearchRequest{Dense: make([]float32, 3), Limit: 1}); knowledge.ErrorCode(err) != knowledge.CodeInvalid {
		t.Errorf("wrong query size: got %v, want invalid_input", err)
	}
}

func port(addr string) int {
	var p int
	fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &p)
	return p
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{{Addr: "localhost:6334"}, {Addr: "no-port", Collection: "x"}} {
		if _, err := Open(ctx, c); knowledge.ErrorCode(err) != knowledge.CodeInvalid {
			t.Errorf("%+v: got %v, want invalid_input", c, err)
		}
	}
}
