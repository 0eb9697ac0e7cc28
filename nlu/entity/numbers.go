package entity

import (
	"math"
	"strconv"
	"strings"
)

// cnDigits maps Chinese digits to their value.
var cnDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '俩': 2, '三': 3, '四': 4, '五': 5,
	'六': 6, '七': 7, '八': 8, '九': 9}

var cnUnits = map[rune]int64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000}

// numPattern matches a number as customers write it: Arabic digits with an
// optional decimal part, Chinese numerals, and the k/w/千/万 multipliers.
const numPattern = `(?:\d+(?:\.\d+)?\s*(?:[kKwW千万](?:块|元)?)?|[零〇一二两俩三四五六七八九十拾百佰千仟万]+)`

// parseNumber reads a number in any of the forms numPattern accepts.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "块"), "元")
	if s == "" {
		return 0, false
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "w"), strings.HasSuffix(s, "W"):
		mult, s = 1e4, s[:len(s)-1]
	}
	s = strings.TrimSpace(s)
	if plainDecimal(s) {
		f, err := strconv.ParseFloat(s, 64)
		return f * mult, err == nil
	}
	// Arabic digits followed by 千 or 万: "3千", "1.5万".
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"千", 1e3}, {"万", 1e4}} {
		if head, ok := strings.CutSuffix(s, u.suffix); ok {
			if head = strings.TrimSpace(head); plainDecimal(head) {
				f, err := strconv.ParseFloat(head, 64)
				return f * u.m * mult, err == nil
			}
		}
	}
	n, ok := parseChinese(s)
	return float64(n) * mult, ok
}

// parseChinese reads a Chinese numeral: 十五, 三百, 三百五 (350), 一千二
// (1200), 两万, 一百零五, 二〇二六 (digit by digit).
func parseChinese(s string) (int64, bool) {
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 12 {
		return 0, false
	}
	// Digit-by-digit form: 二〇二六.
	plain := true
	for _, r := range rs {
		if _, ok := cnDigits[r]; !ok {
			plain = false
			break
		}
	}
	if plain && len(rs) > 1 {
		var n int64
		for _, r := range rs {
			n = n*10 + cnDigits[r]
		}
		return n, true
	}
	var total, section, digit int64
	lastUnit := int64(1)
	hasDigit := false
	for i, r := range rs {
		if d, ok := cnDigits[r]; ok {
			digit = d
			hasDigit = true
			if i == len(rs)-1 && lastUnit >= 100 && rs[i-1] != '零' {
				// 三百五 means 350, 一千二 means 1200: a trailing digit counts
				// in the next unit down.
				section += d * lastUnit / 10
				digit = 0
			}
			continue
		}
		if u, ok := cnUnits[r]; ok {
			if digit == 0 && !hasDigit && u == 10 {
				digit = 1 // 十五: an implicit one
			}
			section += digit * u
			digit, hasDigit, lastUnit = 0, false, u
			continue
		}
		switch r {
		case '万':
			total += (section + digit) * 10000
			section, digit, hasDigit, lastUnit = 0, 0, false, 10000
		default:
			return 0, false
		}
	}
	total += section + digit
	if total > math.MaxInt32 {
		return 0, false
	}
	return total, true
}

// enNumbers are English number words customers type.
var enNumbers = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a couple of": 2, "couple of": 2}

const enNumPattern = `(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an?)`

// enCountPattern is enNumPattern without the articles: "a room" is no quantity.
const enCountPattern = `(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)`

func parseEnNumber(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := enNumbers[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func formatAmount(f float64) string {
	f = math.Round(f*100) / 100
	if f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// plainDecimal reports whether s is digits with at most one decimal point:
// strconv would also take signs, exponents, "Inf" and "NaN".
func plainDecimal(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
		case s[i] == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return s != ""
}
