package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/width"
)

// tokenKind tells how a token was written.
type tokenKind uint8

const (
	kindWord   tokenKind = iota // a run of Latin (or other non-Han) letters
	kindNumber                  // a run of digits
	kindHan                     // one Chinese character
)

type token struct {
	text string // lower-cased, width-folded surface form
	kind tokenKind
	// gap is set when punctuation or a script change separates this token
	// from the previous one; n-grams never cross a gap between words.
	gap bool
}

// maxRunes bounds the text a classifier looks at: intents are decided by the
// first sentences, and a 10,000-character paste must not cost milliseconds.
const maxRunes = 512

// normalize folds full-width forms to their ASCII equivalents (Ｑ１２ → q12),
// lower-cases and drops invalid UTF-8.
func normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	if utf8.RuneCountInString(s) > maxRunes {
		n := 0
		for i := range s {
			if n == maxRunes {
				s = s[:i]
				break
			}
			n++
		}
	}
	return strings.ToLower(width.Fold.String(s))
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// minCodeDigits is how many digits make a mixed letter-digit token a code
// rather than a word ("5g" and "iphone15" stay words).
const minCodeDigits = 4

// tokenize splits normalized text into words, numbers and Han characters.
// English contractions are expanded so "can't" and "cannot" meet at "not".
func tokenize(s string) []token {
	var out []token
	gap := false
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHan(r):
			out = append(out, token{text: s[i : i+n], kind: kindHan, gap: gap})
			gap = false
			i += n
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			digits, nd := true, 0
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isHan(r2) || !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '\'' || r2 == '’') {
					break
				}
				if !unicode.IsDigit(r2) {
					digits = false
				} else {
					nd++
				}
				j += n2
			}
			w := strings.ReplaceAll(s[i:j], "’", "'")
			i = j
			// An order, tracking or account code (E202611080032, SF1234567)
			// is a number by shape: its letters and digits say nothing about
			// the intent, and their character n-grams would be unknown.
			if digits || nd >= minCodeDigits {
				out = append(out, token{text: w, kind: kindNumber, gap: gap})
				gap = false
				continue
			}
			for _, part := range expand(w) {
				out = append(out, token{text: part, kind: kindWord, gap: gap})
				gap = false
			}
		case unicode.IsSpace(r):
			i += n
		default:
			gap = true
			i += n
		}
	}
	return out
}

// expand splits an English word with an apostrophe into its parts.
func expand(w string) []string {
	k := strings.IndexByte(w, '\'')
	if k < 0 {
		return []string{w}
	}
	head, tail := w[:k], strings.Trim(w[k+1:], "'")
	switch tail {
	case "t":
		switch head {
		case "can":
			return []string{"can", "not"}
		case "won":
			return []string{"will", "not"}
		}
		if strings.HasSuffix(head, "n") {
			return []string{head[:len(head)-1], "not"}
		}
	case "m":
		return []string{head, "am"}
	case "re":
		return []string{head, "are"}
	case "ve":
		return []string{head, "have"}
	case "ll":
		return []string{head, "will"}
	case "d":
		return []string{head, "would"}
	case "s", "":
		if head == "" {
			return nil
		}
		return []string{head}
	}
	out := []string{}
	if head != "" {
		out = append(out, head)
	}
	if tail != "" {
		out = append(out, tail)
	}
	return out
}

// stem reduces an English word to its Porter2 stem; other scripts pass
// through unchanged.
func stem(w string) string {
	for _, r := range w {
		if r > unicode.MaxASCII {
			return w
		}
	}
	if len(w) <= 2 {
		return w
	}
	return english.Stem(w, false)
}
