package qdranttest

import (
	"context"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// MaxRequestBytes is Qdrant's default limit on one request
// (service.max_request_size_mb = 32).
const MaxRequestBytes = 32 << 20

// Server is a running fake.
type Server struct {
	Addr string

	mu          sync.Mutex
	collections map[string]*collection
	log         []Request
	opID        uint64
	grpc        *grpc.Server
}

// Request is one logged call.
type Request struct {
	Method string
	Msg    proto.Message
}

type collection struct {
	dense   map[string]*qc.VectorParams       // named dense vectors
	sparse  map[string]*qc.SparseVectorParams // named sparse vectors
	indexes map[string]qc.FieldType
	points  map[string]*point // by canonical id
}

type point struct {
	id      *qc.PointId
	key     string
	payload map[string]*qc.Value
	dense   map[string][]float32 // normalized for cosine
	sparse  map[string]*qc.SparseVector
}

// Start serves a fake on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: lis.Addr().String(), collections: map[string]*collection{}}
	s.grpc = grpc.NewServer(grpc.MaxRecvMsgSize(MaxRequestBytes + 1<<20))
	qc.RegisterQdrantServer(s.grpc, &qdrantService{s: s})
	qc.RegisterCollectionsServer(s.grpc, &collectionsService{s: s})
	qc.RegisterPointsServer(s.grpc, &pointsService{s: s})
	go s.grpc.Serve(lis)
	t.Cleanup(s.grpc.Stop)
	return s
}

// Requests returns the logged calls whose method has the given name
// ("Upsert", "Query", ...); all calls when name is empty.
func (s *Server) Requests(name string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.log {
		if name == "" || r.Method == name {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) record(method string, m proto.Message) error {
	if n := proto.Size(m); n > MaxRequestBytes {
		return status.Errorf(codes.ResourceExhausted, "Payload error: JSON payload (%d bytes) is larger than allowed (limit: %d bytes)", n, MaxRequestBytes)
	}
	s.log = append(s.log, Request{Method: method, Msg: proto.Clone(m)})
	return nil
}

func badInput(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, "Wrong input: "+format, args...)
}

func validation(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, "Validation error in body: "+format, args...)
}

var collectionName = regexp.MustCompile(`^[^<>:"/\\|?*\x00-\x1f]{1,255}$`)

func (s *Server) get(name string) (*collection, error) {
	if name == "" || !collectionName.MatchString(name) {
		return nil, validation("[collection_name: invalid collection name %q]", name)
	}
	c := s.collections[name]
	if c == nil {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

func (s *Server) done() *qc.UpdateResult {
	s.opID++
	id := s.opID
	return &qc.UpdateResult{OperationId: &id, Status: qc.UpdateStatus_Completed}
}

// ---- service: health

type qdrantService struct {
	qc.UnimplementedQdrantServer
	s *Server
}

func (q *qdrantService) HealthCheck(context.Context, *qc.HealthCheckRequest) (*qc.HealthCheckReply, error) {
	return &qc.HealthCheckReply{Title: "qdrant - vector search engine", Version: "1.17.0"}, nil
}

// ---- service: collections

type collectionsService struct {
	qc.UnimplementedCollectionsServer
	s *Server
}

func (c *collectionsService) CollectionExists(ctx context.Context, r *qc.CollectionExistsRequest) (*qc.CollectionExistsResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.record("CollectionExists", r); err != nil {
		return nil, err
	}
	_, ok := c.s.collections[r.GetCollectionName()]
	return &qc.CollectionExistsResponse{Result: &qc.CollectionExists{Exists: ok}}, nil
}

func (c *collectionsService) Create(ctx context.Context, r *qc.CreateCollection) (*qc.CollectionOperationResponse, error) {
	start := time.Now()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.record("Create", r); err != nil {
		return nil, err
	}
	name := r.GetCollectionName()
	if name == "" || !collectionName.MatchString(name) {
		return nil, validation("[collection_name: invalid collection name %q]", name)
	}
	if c.s.collections[name] != nil {
		return nil, badInput("Collection `%s` already exists!", name)
	}
	col := &collection{dense: map[string]*qc.VectorParams{}, sparse: map[string]*qc.SparseVectorParams{},
		indexes: map[string]qc.FieldType{}, points: map[string]*point{}}
	vc := r.GetVectorsConfig()
	if p := vc.GetParams(); p != nil {
		col.dense[""] = p
	}
	for n, p := range vc.GetParamsMap().GetMap() {
		col.dense[n] = p
	}
	for n, p := range col.dense {
		if p.GetSize() < 1 || p.GetSize() > 65536 {
			return nil, validation("[vectors_config.%s.size: value %d invalid, must be from 1 to 65536]", n, p.GetSize())
		}
		if p.GetDistance() == qc.Distance_UnknownDistance {
			return nil, validation("[vectors_config.%s.distance: distance is required]", n)
		}
	}
	for n, p := range r.GetSparseVectorsConfig().GetMap() {
		if _, clash := col.dense[n]; clash {
			return nil, badInput("vector name %s is used for both a dense and a sparse vector", n)
		}
		col.sparse[n] = p
	}
	c.s.collections[name] = col
	return &qc.CollectionOperationResponse{Result: true, Time: time.Since(start).Seconds()}, nil
}

func (c *collectionsService) Get(ctx context.Context, r *qc.GetCollectionInfoRequest) (*qc.GetCollectionInfoResponse, error) {
	start := time.Now()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.record("Get", r); err != nil {
		return nil, err
	}
	col, err := c.s.get(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	n := uint64(len(col.points))
	schema := map[string]*qc.PayloadSchemaInfo{}
	for f, t := range col.indexes {
		dt := qc.PayloadSchemaType_Keyword
		if t == qc.FieldType_FieldTypeBool {
			dt = qc.PayloadSchemaType_Bool
		}
		schema[f] = &qc.PayloadSchemaInfo{DataType: dt, Points: &n}
	}
	params := &qc.CollectionParams{ShardNumber: 1, SparseVectorsConfig: &qc.SparseVectorConfig{Map: col.sparse}}
	if len(col.dense) > 0 {
		params.VectorsConfig = qc.NewVectorsConfigMap(col.dense)
	}
	return &qc.GetCollectionInfoResponse{Time: time.Since(start).Seconds(), Result: &qc.CollectionInfo{
		Status: qc.CollectionStatus_Green, SegmentsCount: 1, PointsCount: &n, PayloadSchema: schema,
		Config: &qc.CollectionConfig{Params: params}}}, nil
}

func (c *collectionsService) Delete(ctx context.Context, r *qc.DeleteCollection) (*qc.CollectionOperationResponse, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.record("DeleteCollection", r); err != nil {
		return nil, err
	}
	_, ok := c.s.collections[r.GetCollectionName()]
	delete(c.s.collections, r.GetCollectionName())
	return &qc.CollectionOperationResponse{Result: ok}, nil
}
