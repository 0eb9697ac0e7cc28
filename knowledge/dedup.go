package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
)

// ContentHash identifies text regardless of spacing, punctuation, case and
// character width: two uploads of the same policy with different line
// breaks hash the same.
func ContentHash(text string) string {
	h := sha256.Sum256([]byte(compact(text)))
	return hex.EncodeToString(h[:])
}

// SketchSize is the number of MinHash values in a Sketch.
const SketchSize = 64

// Sketch is a MinHash signature over character 3-grams: the share of equal
// positions in two sketches estimates the Jaccard similarity of the texts,
// which stays meaningful for a two-line FAQ answer as for a long policy.
func Sketch(text string) []uint32 {
	rs := []rune(compact(text))
	out := make([]uint32, SketchSize)
	for i := range out {
		out[i] = ^uint32(0)
	}
	if len(rs) == 0 {
		return out
	}
	n := max(len(rs)-2, 1)
	for i := 0; i < n; i++ {
		h := fnv.New64a()
		h.Write([]byte(string(rs[i:min(i+3, len(rs))])))
		g := h.Sum64()
		for k := range out {
			if v := uint32(splitmix(g ^ uint64(k)*0x9E3779B97F4A7C15)); v < out[k] {
				out[k] = v
			}
		}
	}
	return out
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// Similarity estimates the Jaccard similarity of two sketches' texts.
func Similarity(a, b []uint32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}

// NearDuplicate is the estimated similarity from which two texts count as
// near duplicates (a few words changed).
const NearDuplicate = 0.75

// Fingerprint identifies an item version's content for duplicate detection.
type Fingerprint struct {
	ItemID  string   `json:"item_id"`
	Version int      `json:"version"`
	Hash    string   `json:"hash"`
	Sketch  []uint32 `json:"sketch"`
}

// NewFingerprint fingerprints text.
func NewFingerprint(itemID string, version int, text string) Fingerprint {
	return Fingerprint{ItemID: itemID, Version: version, Hash: ContentHash(text), Sketch: Sketch(text)}
}

// Duplicate says an upload repeats existing content.
type Duplicate struct {
	ItemID     string  `json:"item_id"`
	Version    int     `json:"version"`
	Exact      bool    `json:"exact"`
	Similarity float64 `json:"similarity"`
}

// FindDuplicates compares a fingerprint against existing ones.
func FindDuplicates(f Fingerprint, existing []Fingerprint) []Duplicate {
	var out []Duplicate
	for _, e := range existing {
		if e.ItemID == f.ItemID && f.ItemID != "" {
			continue
		}
		if e.Hash == f.Hash {
			out = append(out, Duplicate{ItemID: e.ItemID, Version: e.Version, Exact: true, Similarity: 1})
		} else if s := Similarity(e.Sketch, f.Sketch); s >= NearDuplicate {
			out = append(out, Duplicate{ItemID: e.ItemID, Version: e.Version, Similarity: s})
		}
	}
	return out
}
