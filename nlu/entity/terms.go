package entity

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/nlu"
)

// termIndex finds catalog terms by any of their names, longest match first.
type termIndex struct {
	byFirst map[rune][]termName
}

type termName struct {
	name  string
	typ   string
	value string
	ascii bool // matched on word boundaries
}

func newTermIndex(terms []nlu.Term) *termIndex {
	ix := &termIndex{byFirst: map[rune][]termName{}}
	for _, t := range terms {
		for _, n := range append([]string{t.Value}, t.Aliases...) {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			r, _ := utf8.DecodeRuneInString(n)
			r = unicode.ToLower(r)
			ascii := true
			for _, c := range n {
				if c >= utf8.RuneSelf {
					ascii = false
					break
				}
			}
			ix.byFirst[r] = append(ix.byFirst[r], termName{name: n, typ: t.Type, value: t.Value, ascii: ascii})
		}
	}
	for r := range ix.byFirst {
		slices.SortStableFunc(ix.byFirst[r], func(a, b termName) int { return len(b.name) - len(a.name) })
	}
	return ix
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (ix *termIndex) find(text string, dst []found) []found {
	if len(ix.byFirst) == 0 {
		return dst
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		cands := ix.byFirst[unicode.ToLower(r)]
		matched := 0
		for _, c := range cands {
			end := i + len(c.name)
			if end > len(text) || !strings.EqualFold(text[i:end], c.name) {
				continue
			}
			if c.ascii && ((i > 0 && isWordByte(text[i-1])) || (end < len(text) && isWordByte(text[end]))) {
				continue
			}
			dst = add(dst, text, i, end, c.typ, c.value, prioPattern+1)
			matched = len(c.name)
			break
		}
		if matched > 0 {
			i += matched
			continue
		}
		i += size
	}
	return dst
}
