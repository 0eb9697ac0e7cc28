package classifier

import "slices"

// Neighbour is a training example with its cosine similarity to a text.
type Neighbour struct {
	Example
	Similarity float64
}

// Nearest returns the k training examples most similar to text, most similar
// first, skipping duplicates. It scans every example, so it is meant for
// small catalogs and for the slow path (prompting an LLM), not for
// classification.
func (m *Model) Nearest(text string, k int) []Neighbour {
	v, _ := m.vocab.vectorize(m.ext.extract(text), m.weights)
	if len(v.idx) == 0 || k <= 0 {
		return nil
	}
	sortVector(&v)
	all := make([]Neighbour, 0, len(m.vectors))
	for i, x := range m.vectors {
		if s := cosine(v, x); s > 0 {
			all = append(all, Neighbour{Example: m.examples[i], Similarity: s})
		}
	}
	slices.SortStableFunc(all, func(a, b Neighbour) int {
		switch {
		case a.Similarity > b.Similarity:
			return -1
		case a.Similarity < b.Similarity:
			return 1
		}
		return 0
	})
	var out []Neighbour
	seen := map[string]bool{}
	for _, n := range all {
		if len(out) == k {
			break
		}
		if !seen[n.Text] {
			seen[n.Text] = true
			out = append(out, n)
		}
	}
	return out
}

// cosine of two L2-normalized sparse vectors with sorted indices.
func cosine(a, b vector) float64 {
	var s float64
	i, j := 0, 0
	for i < len(a.idx) && j < len(b.idx) {
		switch {
		case a.idx[i] == b.idx[j]:
			s += float64(a.val[i]) * float64(b.val[j])
			i++
			j++
		case a.idx[i] < b.idx[j]:
			i++
		default:
			j++
		}
	}
	return s
}
