package classifier

import (
	_ "embed"
	"unicode/utf8"
)

//go:generate go run gen_radicals.go

// radicals holds the Kangxi radical (1–214) of each CJK unified ideograph
// U+4E00–U+9FFF, from the Unicode Character Database's kRSUnicode field.
// A radical is the part of a character that hints at its meaning — 疒
// (sickness) in 病, 癌, 疸, 癜; 饣 (food) in 饺, 饼; 雨 (rain) in 雪, 雾 — so
// the classifier can place a name it never saw (a disease, a dish) near the
// ones it did.
//
//go:embed radicals.bin
var radicals []byte

// radical returns the radical of the first character of s, 0 when unknown.
func radical(s string) byte {
	r, _ := utf8.DecodeRuneInString(s)
	if r < 0x4E00 || r > 0x9FFF {
		return 0
	}
	return radicals[r-0x4E00]
}
