package classifier

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:generate go run gen_lexicon.go

// lexiconText lists Chinese names by class (place, festival, org, food),
// from the friso segmenter's categorized dictionaries (Apache-2.0): 3,262
// places — provinces, cities, districts, countries, scenic spots — 185
// festivals, 139 organizations and 12 foods. A name the training sentences
// never held ("从武汉到呼和浩特", "端午节是哪一天") still tells the
// classifier it is a place or a festival, which the characters alone do not.
//
//go:embed lexicon.txt
var lexiconText string

// lexicon maps each name to the feature of its class; maxLexicon is the
// longest name in bytes.
var (
	lexicon    map[string]uint64
	maxLexicon int
)

func init() {
	lexicon = map[string]uint64{}
	for line := range strings.Lines(lexiconText) {
		class, name, ok := strings.Cut(strings.TrimRight(line, "\n"), "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		lexicon[name] = lexiconFeature(class)
		maxLexicon = max(maxLexicon, len(name))
	}
}

// lexiconFeature is the hashed feature of a class, stable whatever else the
// lexicon holds.
func lexiconFeature(class string) uint64 { return mix(12, hashString(fnvOffset, class)) }

// lexiconMatches appends a feature for the class of each name found in
// norm, reading left to right and taking the longest name at each position
// (so 北京市 is one place, not 北京 and then 市).
func lexiconMatches(dst []uint64, norm string) []uint64 {
	for i := 0; i < len(norm); {
		r, size := utf8.DecodeRuneInString(norm[i:])
		if !isHan(r) {
			i += size
			continue
		}
		matched := 0
		// Candidate ends are rune boundaries, longest first.
		end := min(len(norm), i+maxLexicon)
		for end > i+size {
			if c, ok := lexicon[norm[i:end]]; ok {
				dst = append(dst, c)
				matched = end - i
				break
			}
			_, last := utf8.DecodeLastRuneInString(norm[i:end])
			end -= last
		}
		if matched > 0 {
			i += matched
		} else {
			i += size
		}
	}
	return dst
}
