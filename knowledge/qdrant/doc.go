// Package qdrant stores the knowledge index in Qdrant over gRPC
// (github.com/qdrant/go-client): one collection per knowledge base with a
// named dense vector ("dense", cosine) and a named sparse vector
// ("sparse", with Qdrant's IDF modifier so the BM25 weights the service
// computes become BM25 scores), keyword/bool payload indexes for every
// filtered field, batched upserts, deletes by document, and hybrid queries
// fused server-side (Query API: two prefetches and reciprocal rank fusion).
//
// It passes the same contract suite as the embedded index
// (knowledgetest.TestIndex) against the gRPC fake in qdranttest, and
// against a real Qdrant when KEFU_TEST_QDRANT=host:port is set.
package qdrant
