package entity

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/nlu"
	"kefu/nlu/lexicon"
)

// China Standard Time. China has had no daylight saving since 1991, so a
// fixed zone is exact and needs no tzdata on the host.
var shanghai = time.FixedZone("CST", 8*3600)

// Shanghai is the reference time zone for relative dates.
func Shanghai() *time.Location { return shanghai }

// Config configures an Extractor.
type Config struct {
	// Terms is the catalog dictionary (product, course, ... names).
	Terms []nlu.Term
	// OrderPatterns and TrackingPatterns are regular expressions for the
	// deployment's order and tracking numbers. A pattern with a capturing
	// group takes the group as the number. Nil means the defaults: an order
	// number is 10–24 letters/digits after 订单/单号/order, or a bare run of
	// 12–24 digits that is no phone, ID-card or bank-card number; tracking
	// numbers are the common Chinese carriers' formats (SF, YT, JD, ZTO, ...).
	OrderPatterns    []string
	TrackingPatterns []string
	// Location is the customers' time zone; nil means China Standard Time.
	Location *time.Location
}

// Extractor finds entities. It is immutable and safe for concurrent use.
type Extractor struct {
	loc      *time.Location
	terms    *termIndex
	orders   []*regexp.Regexp
	tracking []*regexp.Regexp
}

// DefaultOrderPatterns are the built-in order number patterns, for a
// deployment that adds its own to them.
func DefaultOrderPatterns() []string { return slices.Clone(defaultOrderPatterns) }

// DefaultTrackingPatterns are the built-in tracking number patterns.
func DefaultTrackingPatterns() []string { return slices.Clone(defaultTrackingPatterns) }

// New returns an extractor; a bad pattern is an error naming it.
func New(cfg Config) (*Extractor, error) {
	x := &Extractor{loc: cfg.Location, terms: newTermIndex(cfg.Terms)}
	if x.loc == nil {
		x.loc = shanghai
	}
	orders, tracking := cfg.OrderPatterns, cfg.TrackingPatterns
	if orders == nil {
		orders = defaultOrderPatterns
	}
	if tracking == nil {
		tracking = defaultTrackingPatterns
	}
	for _, p := range orders {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("entity: order pattern %q: %w", p, err)
		}
		x.orders = append(x.orders, re)
	}
	for _, p := range tracking {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("entity: tracking pattern %q: %w", p, err)
		}
		x.tracking = append(x.tracking, re)
	}
	return x, nil
}

// maxText bounds the text scanned: entities sit in the first few sentences,
// and a 10,000-character paste must stay cheap.
const maxText = 2000

// found is a candidate entity with a priority for overlap resolution.
type found struct {
	nlu.Entity
	prio int // higher wins among equally long candidates
}

// Extract returns the entities in text, in order of appearance, resolving
// relative dates against now. Overlapping candidates are resolved in favour
// of the longest, then the most specific.
func (x *Extractor) Extract(text string, now time.Time) []nlu.Entity {
	return x.extract(text, now, false, false)
}

// ExtractExpecting is Extract for the answer to a question the bot asked:
// expect lists the entity types asked for, and an amount asked for is read
// more generously — a bare "300-500" or "500吧" is money when the bot has
// just asked for a budget, though not in a message out of the blue.
func (x *Extractor) ExtractExpecting(text string, now time.Time, expect []string) []nlu.Entity {
	money := slices.Contains(expect, "money") || slices.Contains(expect, "money_range")
	return x.extract(text, now, money, slices.Contains(expect, "size"))
}

func (x *Extractor) extract(text string, now time.Time, moneyExpected, sizeExpected bool) []nlu.Entity {
	if !utf8.ValidString(text) {
		// Keep byte offsets meaningful: replace each invalid byte with a
		// single space rather than dropping it.
		text = sanitize(text)
	}
	if len(text) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	now = now.In(x.loc)
	var cands []found
	cands = x.identifiers(text, cands)
	cands = x.datetimes(text, now, cands)
	cands = x.money(text, cands, moneyExpected)
	cands = x.measures(text, cands, sizeExpected)
	cands = x.terms.find(text, cands)
	cands = places(text, cands)
	cands = placesEn(text, cands)
	return resolve(cands)
}

// places adds the places the lexicon knows (provinces, cities, districts,
// countries, scenic spots), valued by the name they are usually called by:
// 青岛市 and 青岛 are both place=青岛. They yield to anything else found on
// the same characters — a catalog term, a date.
func places(text string, dst []found) []found {
	for _, m := range lexicon.FindPlaces(nil, text) {
		if m.Class == lexicon.Place {
			dst = add(dst, text, m.Start, m.End, "place", lexicon.Canonical(m.Name), prioBare-1)
		}
	}
	return dst
}

func sanitize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(' ')
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// resolve keeps non-overlapping candidates, longest (then highest priority)
// first, and returns them in text order.
func resolve(cands []found) []nlu.Entity {
	slices.SortStableFunc(cands, func(a, b found) int {
		la, lb := a.End-a.Start, b.End-b.Start
		if la != lb {
			return lb - la
		}
		if a.prio != b.prio {
			return b.prio - a.prio
		}
		return a.Start - b.Start
	})
	var kept []nlu.Entity
	for _, c := range cands {
		if c.Start < 0 || c.End <= c.Start {
			continue
		}
		overlap := false
		for _, k := range kept {
			if c.Start < k.End && k.Start < c.End {
				overlap = true
				break
			}
		}
		if !overlap {
			kept = append(kept, c.Entity)
		}
	}
	slices.SortFunc(kept, func(a, b nlu.Entity) int { return a.Start - b.Start })
	return kept
}

func add(dst []found, text string, start, end int, typ, value string, prio int) []found {
	return append(dst, found{Entity: nlu.Entity{Type: typ, Text: text[start:end], Start: start, End: end, Value: value}, prio: prio})
}
