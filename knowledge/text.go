package knowledge

import (
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Normalize folds full-width forms to half-width and lower-cases, so that
// "ＶＩＰ" and "vip" or "１２３" and "123" meet in the index.
func Normalize(s string) string {
	return strings.ToLower(width.Fold.String(s))
}

// isCJK reports whether r is written without spaces between words (Han,
// kana, hangul): such runs are indexed as character bigrams.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// Term weights inside a query. Bigrams carry Chinese meaning; single
// characters only help when a customer's typo broke every bigram around
// them, so they count little.
const (
	weightBigram  = 1.0
	weightUnigram = 0.8
	weightWord    = 1.2
)

// Term is one lexical unit with its weight.
type Term struct {
	Text   string
	Weight float64
}

// Terms splits text into index terms: overlapping bigrams and single
// characters for CJK runs, whole words for letters and digits. Term texts
// carry a one-letter prefix so a bigram and a word never collide.
func Terms(text string) []Term {
	s := Normalize(text)
	var out []Term
	var run []rune
	flushCJK := func() {
		for i, r := range run {
			out = append(out, Term{"u" + string(r), weightUnigram})
			if i+1 < len(run) {
				out = append(out, Term{"b" + string(run[i:i+2]), weightBigram})
			}
		}
		run = run[:0]
	}
	var word strings.Builder
	flushWord := func() {
		if word.Len() > 0 {
			out = append(out, Term{"w" + word.String(), weightWord})
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case isCJK(r):
			flushWord()
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushCJK()
			word.WriteRune(r)
		default:
			flushCJK()
			flushWord()
		}
	}
	flushCJK()
	flushWord()
	return out
}

// SparseVector is a bag of hashed terms with weights, the shape both index
// backends store (Qdrant's sparse vectors take uint32 indices).
type SparseVector struct {
	Indices []uint32  `json:"indices"`
	Values  []float32 `json:"values"`
}

// Len returns the number of non-zero entries.
func (v SparseVector) Len() int { return len(v.Indices) }

// termID hashes a term into the sparse index space.
func termID(t string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(t))
	return h.Sum32()
}

// BM25 parameters for the document side. The average length is a constant,
// not a corpus statistic, so a chunk's vector never changes when others are
// added: that is what lets Qdrant store it once and apply IDF itself.
const (
	bm25K1     = 1.2
	bm25B      = 0.5
	bm25AvgLen = 250.0
)

// DocumentVector encodes text for the index: per term, the BM25 saturated
// term frequency (IDF is applied by the index at query time).
func DocumentVector(text string) SparseVector {
	terms := Terms(text)
	tf := map[uint32]float64{}
	length := 0.0
	for _, t := range terms {
		tf[termID(t.Text)] += t.Weight
		length += t.Weight
	}
	norm := bm25K1 * (1 - bm25B + bm25B*length/bm25AvgLen)
	return fromMap(tf, func(f float64) float64 { return f * (bm25K1 + 1) / (f + norm) })
}

// QueryVector encodes a query: each distinct term once, with its weight.
// Expansions (synonyms) are added with the given weight factor.
func QueryVector(text string, expansions []string, expansionWeight float64) SparseVector {
	w := map[uint32]float64{}
	add := func(s string, factor float64) {
		for _, t := range Terms(s) {
			id := termID(t.Text)
			w[id] = math.Max(w[id], t.Weight*factor)
		}
	}
	add(text, 1)
	for _, e := range expansions {
		add(e, expansionWeight)
	}
	return fromMap(w, func(f float64) float64 { return f })
}

func fromMap(m map[uint32]float64, f func(float64) float64) SparseVector {
	v := SparseVector{Indices: make([]uint32, 0, len(m)), Values: make([]float32, 0, len(m))}
	for id := range m {
		v.Indices = append(v.Indices, id)
	}
	sort.Slice(v.Indices, func(i, j int) bool { return v.Indices[i] < v.Indices[j] })
	for _, id := range v.Indices {
		v.Values = append(v.Values, float32(f(m[id])))
	}
	return v
}

// sentenceEnd holds the punctuation that closes a sentence in Chinese and
// English text.
func sentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';', '…':
		return true
	}
	return false
}

// Sentences splits text after sentence punctuation and at line breaks,
// keeping the punctuation with its sentence. A full stop counts only when
// followed by a space or the end, so "3.5" and "v1.2" stay whole.
func Sentences(text string) []string {
	var out []string
	var cur strings.Builder
	rs := []rune(text)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	pending := false // a sentence ended; closing quotes may still follow
	for i, r := range rs {
		if pending && !strings.ContainsRune("”’」』）)\"'", r) {
			flush()
			pending = false
		}
		if r == '\n' {
			flush()
			pending = false
			continue
		}
		cur.WriteRune(r)
		if sentenceEnd(r) || (r == '.' && (i+1 == len(rs) || unicode.IsSpace(rs[i+1]))) {
			pending = true
		}
	}
	flush()
	return out
}

// RuneLen counts characters, the unit chunk sizes are given in.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }

// compact drops everything but letters and digits and normalizes, for
// hashing and near-duplicate comparison.
func compact(s string) string {
	var b strings.Builder
	for _, r := range Normalize(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
