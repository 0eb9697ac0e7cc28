// Package pii finds and masks personal numbers — mainland phone numbers,
// 18-digit resident ID numbers and bank-card numbers — in free text, for
// logs and for console users whose role may not see them.
package pii

import (
	"regexp"
	"strings"
)

var (
	// Digits runs are matched whole (not inside longer runs or words) so an
	// order number such as E202611230001 is left alone.
	phoneRe = regexp.MustCompile(`(^|[^0-9A-Za-z])(\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})($|[^0-9A-Za-z])`)
	idRe    = regexp.MustCompile(`(^|[^0-9A-Za-z])([1-9][0-9]{5})((?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})([0-9Xx])($|[^0-9A-Za-z])`)
	cardRe  = regexp.MustCompile(`(^|[^0-9A-Za-z])([0-9](?:[ -]?[0-9]){15,18})($|[^0-9A-Za-z])`)
)

// Mask hides the middle of phone, ID-card and bank-card numbers in s:
// 138****5678, 110105********123X, 6222 **** **** 1234.
func Mask(s string) string {
	if !hasDigitRun(s, 11) {
		return s
	}
	s = replaceAll(idRe, s, func(m []string) string {
		return m[1] + m[2] + "********" + m[3][8:] + m[4] + m[5]
	})
	s = replaceAll(phoneRe, s, func(m []string) string {
		return m[1] + m[2] + m[3] + "****" + m[5] + m[6]
	})
	s = replaceAll(cardRe, s, func(m []string) string {
		digits := onlyDigits(m[2])
		if !luhn(digits) {
			return m[0]
		}
		return m[1] + digits[:4] + " **** **** " + digits[len(digits)-4:] + m[3]
	})
	return s
}

// Contains reports whether s holds a number Mask would hide.
func Contains(s string) bool { return Mask(s) != s }

// replaceAll is like ReplaceAllStringFunc with submatches, applied twice so
// that matches sharing a separator character are all found.
func replaceAll(re *regexp.Regexp, s string, f func([]string) string) string {
	for range 2 {
		s = re.ReplaceAllStringFunc(s, func(m string) string { return f(re.FindStringSubmatch(m)) })
	}
	return s
}

func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if run++; run >= n {
				return true
			}
		case c == ' ' || c == '-':
		default:
			run = 0
		}
	}
	return false
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// luhn reports whether a card number passes the Luhn checksum.
func luhn(d string) bool {
	if len(d) < 16 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := range len(d) {
		x := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			if x *= 2; x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}
