// Package lexicon finds Chinese names of a known class in text: places
// (provinces, cities, districts, countries, scenic spots), festivals,
// organizations and foods. The names come from the categorized dictionaries
// of the friso segmenter (Apache-2.0, see LICENSE): 3,262 places, 185
// festivals, 139 organizations and 12 foods. A name the training sentences
// or the catalog never held — 呼和浩特, 端午节 — is still known to be a place
// or a festival: the intent classifier uses the class as a feature and the
// entity extractor reports places.
package lexicon

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:generate go run gen_lexicon.go

// Classes of names.
const (
	Place    = "place"
	Festival = "festival"
	Org      = "org"
	Food     = "food"
)

//go:embed lexicon.txt
var text string

type entry struct {
	class     string
	canonical string // the name it is usually called by, "" when itself
}

var (
	names map[string]entry
	// longest is the longest name starting with each character, in bytes;
	// a character that starts no name is skipped with one lookup.
	longest map[rune]int
)

func init() {
	names, longest = map[string]entry{}, map[rune]int{}
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(fields) < 2 {
			continue
		}
		e := entry{class: fields[0]}
		if len(fields) > 2 {
			e.canonical = fields[2]
		}
		names[fields[1]] = e
		first, _ := utf8.DecodeRuneInString(fields[1])
		longest[first] = max(longest[first], len(fields[1]))
	}
}

// Match is a name found in a text, with its byte span.
type Match struct {
	Start, End int
	Name       string // text[Start:End]
	Class      string
}

// Find appends the names in s to dst, reading left to right and taking the
// longest name at each position, so 北京市 is one place rather than 北京
// followed by 市. It never fails: invalid UTF-8 is skipped byte by byte.
func Find(dst []Match, s string) []Match {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n := longest[r]
		if n == 0 {
			i += size
			continue
		}
		end := min(len(s), i+n)
		for end > i+size {
			if e, ok := names[s[i:end]]; ok {
				dst = append(dst, Match{Start: i, End: end, Name: s[i:end], Class: e.class})
				break
			}
			_, last := utf8.DecodeLastRuneInString(s[i:end])
			end -= last
		}
		if n := len(dst); n > 0 && dst[n-1].Start == i {
			i = dst[n-1].End
		} else {
			i += size
		}
	}
	return dst
}

// Canonical is the name a place is usually called by: a city or province
// without its 市, 省 or 自治区 (青岛市 → 青岛); counties and districts keep
// theirs, and a name the lexicon does not hold is returned as it is.
func Canonical(name string) string {
	if e := names[name]; e.canonical != "" {
		return e.canonical
	}
	return name
}

// Class returns the class of a name, "" when the lexicon does not hold it.
func Class(name string) string { return names[name].class }
