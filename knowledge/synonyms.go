package knowledge

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Synonyms expand a query with the other members of each group it touches,
// so "邮费" also finds "运费". Groups are curated content, like FAQ entries.
type Synonyms struct {
	groups [][]string
	byWord map[string][]int
}

// ParseSynonyms reads one group per line, members separated by commas (or
// Chinese commas, 、 or spaces); # starts a comment.
func ParseSynonyms(r io.Reader) (*Synonyms, error) {
	s := &Synonyms{byWord: map[string][]int{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		members := strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(",，、 \t;；", r) })
		if len(members) == 0 {
			continue
		}
		if len(members) == 1 {
			return nil, errorf(CodeInvalid, "", "synonyms line %d: a group needs at least two members", n)
		}
		s.add(members)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: unable to read synonyms: %w", err)
	}
	return s, nil
}

func (s *Synonyms) add(members []string) {
	g := len(s.groups)
	var norm []string
	for _, m := range members {
		m = Normalize(strings.TrimSpace(m))
		norm = append(norm, m)
		s.byWord[m] = append(s.byWord[m], g)
	}
	s.groups = append(s.groups, norm)
}

// Expand returns the synonyms of every group member found in text.
func (s *Synonyms) Expand(text string) []string {
	if s == nil {
		return nil
	}
	t := Normalize(text)
	seen := map[string]bool{}
	var out []string
	for w, gs := range s.byWord {
		if !strings.Contains(t, w) {
			continue
		}
		for _, g := range gs {
			for _, m := range s.groups[g] {
				if m != w && !seen[m] && !strings.Contains(t, m) {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// Rewrites returns the text with one group member at a time replaced by
// each of its synonyms, so relevance checks credit "邮费" for "运费".
// At most limit rewrites are returned.
func (s *Synonyms) Rewrites(text string, limit int) []string {
	if s == nil {
		return nil
	}
	t := Normalize(text)
	var out []string
	words := make([]string, 0, len(s.byWord))
	for w := range s.byWord {
		words = append(words, w)
	}
	sort.Strings(words) // deterministic choice when the limit cuts
	for _, w := range words {
		if !strings.Contains(t, w) {
			continue
		}
		for _, g := range s.byWord[w] {
			for _, m := range s.groups[g] {
				if m != w && len(out) < limit {
					out = append(out, strings.ReplaceAll(t, w, m))
				}
			}
		}
	}
	return out
}
