// Package eval measures the knowledge base: retrieval quality on a set of
// customer questions with their expected entries (hit@1, hit@5, MRR,
// latency; lexical only and hybrid), and the embedded index's indexing
// throughput, query latency and memory at scale. `kefu eval retrieval` and
// `kefu bench index` are thin wrappers around Retrieval and BenchIndex.
package eval
