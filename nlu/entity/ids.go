package entity

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var defaultOrderPatterns = []string{
	`(?i)(?:订单号|订单编号|订单|单号|order\s*(?:no\.?|number|id|#)?)\s*(?:是|为|:|：|#)?\s*([A-Za-z]{0,4}\d[A-Za-z0-9-]{5,30})`,
}

var defaultTrackingPatterns = []string{
	`(?i)(?:快递单号|运单号|物流单号|快递号|tracking\s*(?:no\.?|number|#)?)\s*(?:是|为|:|：)?\s*([A-Za-z]{0,4}\d{8,24})`,
	`\b((?:SF|YT|JT|JDV?|ZTO|STO|YD|EMS|DPK)\d{10,15})\b`,
}

// Priorities among candidates of the same length.
const (
	prioBare     = 1 // a bare run of digits guessed to be an order number
	prioPattern  = 5
	prioKeyword  = 8 // a number introduced by its name: 订单号 123..., 快递单号 ...
	prioChecksum = 7 // ID and bank cards: the checksum vouches for them
)

// digitRun matches digits possibly grouped with spaces or hyphens
// (6222 0212 3456 7890 128, 139-1234-5678), and an optional +86.
var digitRun = regexp.MustCompile(`(?:\+?86[ -]?)?\d(?:[ -]?\d){5,22}[Xx]?`)

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

var landline = regexp.MustCompile(`\b0\d{2,3}-\d{7,8}\b`)

func (x *Extractor) identifiers(text string, dst []found) []found {
	for _, re := range x.tracking {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			s, e := group(m)
			dst = add(dst, text, s, e, "tracking_no", strings.ToUpper(text[s:e]), prioKeyword+1)
		}
	}
	for _, re := range x.orders {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			s, e := group(m)
			dst = add(dst, text, s, e, "order_no", strings.ToUpper(strings.TrimRight(text[s:e], "-")), prioKeyword)
		}
	}
	for _, m := range emailRe.FindAllStringIndex(text, -1) {
		dst = add(dst, text, m[0], m[1], "email", strings.ToLower(text[m[0]:m[1]]), prioPattern)
	}
	for _, m := range landline.FindAllStringIndex(text, -1) {
		dst = add(dst, text, m[0], m[1], "phone", text[m[0]:m[1]], prioPattern)
	}
	for _, m := range digitRun.FindAllStringIndex(text, -1) {
		s, e := m[0], m[1]
		// A run glued to letters or more digits is part of something else
		// (a model number, a longer code).
		if r, _ := utf8.DecodeLastRuneInString(text[:s]); s > 0 && (r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(text[e:]); e < len(text) && r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		raw := text[s:e]
		digits := strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '+' {
				return -1
			}
			return unicode.ToUpper(r)
		}, raw)
		grouped := len(digits) != len(raw)
		switch {
		case len(digits) == 13 && strings.HasPrefix(digits, "86") && isMobile(digits[2:]):
			dst = add(dst, text, s, e, "phone", digits[2:], prioChecksum)
		case len(digits) == 11 && isMobile(digits):
			dst = add(dst, text, s, e, "phone", digits, prioChecksum)
		case len(digits) == 18 && validIDCard(digits):
			dst = add(dst, text, s, e, "id_card", digits, prioChecksum)
		case len(digits) >= 16 && len(digits) <= 19 && !strings.HasSuffix(digits, "X") && luhn(digits):
			dst = add(dst, text, s, e, "bank_card", digits, prioChecksum)
		case len(digits) >= 12 && !grouped && !strings.HasSuffix(digits, "X"):
			dst = add(dst, text, s, e, "order_no", digits, prioBare)
		}
	}
	return dst
}

func group(m []int) (int, int) {
	if len(m) >= 4 && m[2] >= 0 {
		return m[2], m[3]
	}
	return m[0], m[1]
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && allDigits(d)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidIDCard reports whether s is a well-formed 18-digit resident ID number:
// a plausible birth date and the ISO 7064 MOD 11-2 check character.
func ValidIDCard(s string) bool { return validIDCard(strings.ToUpper(s)) }

func validIDCard(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * weights[i]
	}
	if "10X98765432"[sum%11] != s[17] {
		return false
	}
	birth, err := time.Parse("20060102", s[6:14])
	return err == nil && birth.Year() >= 1900 && birth.Year() <= 2100
}

// Luhn reports whether the digits pass the Luhn check used by bank cards.
func Luhn(s string) bool { return allDigits(s) && luhn(s) }

func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
