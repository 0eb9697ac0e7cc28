package embedded

import (
	"cmp"
	"slices"

	"kefu/knowledge"
)

func sortScored(s []scored) {
	slices.SortFunc(s, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.slot, b.slot)
	})
}

// sortHits orders by fused score, then lexical, then id, so equal scores
// come out in the same order every time.
func sortHits(h []knowledge.Hit) {
	slices.SortStableFunc(h, func(a, b knowledge.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Lexical, a.Lexical); c != 0 {
			return c
		}
		return cmp.Compare(a.Record.ID, b.Record.ID)
	})
}
