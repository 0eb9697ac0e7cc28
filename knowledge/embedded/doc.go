// Package embedded is the default, in-process knowledge index: an inverted
// index over the sparse (BM25) vectors with IDF computed at query time, a
// flat dense-vector scan, and reciprocal rank fusion of the two — persisted
// to a directory as a snapshot plus a write-ahead log, so a restart reloads
// it instead of re-embedding everything. It is sized for a few hundred
// thousand chunks on one machine; beyond that, use Qdrant.
package embedded
