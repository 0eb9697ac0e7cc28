// Package qdranttest is a fake Qdrant gRPC server for tests, built on the
// go-client's generated service interfaces and served with
// google.golang.org/grpc on a local listener. It validates requests the way
// Qdrant documents them — collection existence, vector names and sizes,
// sparse indices/values shape, filter shapes on indexed fields (as a
// strict-mode Qdrant does), RRF weights, request size — and answers with
// well-formed responses computed from what it stores: sparse scores with
// the IDF modifier, cosine for dense vectors, reciprocal rank fusion of
// prefetches. It keeps a log of requests so tests can check batching and
// query shapes.
package qdranttest
