package entity

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	reSizeNum    = regexp.MustCompile(`(\d{2}(?:\.5)?|[二三四五][十]?[一二三四五六七八九]?)\s*(?:码|号鞋|yards?\b)`)
	reSizeLetter = regexp.MustCompile(`(?i)(?:^|[^A-Za-z])(([2-6]?X{1,4}[LS])|XS|S|M|L)\s*(码|号)`)
	reSizeBare   = regexp.MustCompile(`(?:^|[^A-Za-z])([2-6]?X{1,4}[LS])(?:[^A-Za-z]|$)`)
	// reSizeAlone is a size said as a bare number ("35", "那36呢"), read
	// only when a size is what the bot asked for or the task is about.
	reSizeAlone  = regexp.MustCompile(`(?:^|[^\d.])(\d{2}(?:\.5)?)(?:[^\d.]|$)`)
	reSizeEn     = regexp.MustCompile(`(?i)\bsize\s+(\d{1,2}(?:\.5)?|[2-6]?x{1,4}[ls]|xs|s|m|l)\b`)
	reQuantity   = regexp.MustCompile(`(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*(件|个|双|条|盒|瓶|套|张|台|份|包|箱|袋|支|只|晚|间|位|节课|节|斤|公斤|kg|人)`)
	reQuantityEn = regexp.MustCompile(`(?i)\b(` + enCountPattern + `)\s+(pairs?|items?|pieces?|pcs|boxes|box|bottles?|nights?|rooms?|people|persons?|adults?|kids|children|lessons?|classes|class)\b`)
)

func (x *Extractor) measures(text string, dst []found, sizeExpected bool) []found {
	if sizeExpected {
		for _, m := range reSizeAlone.FindAllStringSubmatchIndex(text, -1) {
			v := text[m[2]:m[3]]
			if n := num(strings.TrimSuffix(v, ".5")); n < 15 || n > 60 {
				continue
			}
			if !strings.HasSuffix(v, ".5") {
				v = formatAmount(float64(num(v)))
			}
			dst = add(dst, text, m[2], m[3], "size", v, prioBare)
		}
	}
	for _, m := range reSizeNum.FindAllStringSubmatchIndex(text, -1) {
		n := num(text[m[2]:m[3]])
		v := text[m[2]:m[3]]
		if !strings.HasSuffix(v, ".5") {
			if n < 15 || n > 60 {
				continue
			}
			v = formatAmount(float64(n))
		}
		dst = add(dst, text, m[0], m[1], "size", v, prioPattern+1)
	}
	for _, m := range reSizeLetter.FindAllStringSubmatchIndex(text, -1) {
		dst = add(dst, text, m[2], m[1], "size", strings.ToUpper(text[m[2]:m[3]]), prioPattern+1)
	}
	for _, m := range reSizeBare.FindAllStringSubmatchIndex(text, -1) {
		dst = add(dst, text, m[2], m[3], "size", text[m[2]:m[3]], prioPattern)
	}
	for _, m := range reSizeEn.FindAllStringSubmatchIndex(text, -1) {
		dst = add(dst, text, m[0], m[1], "size", strings.ToUpper(text[m[2]:m[3]]), prioPattern+1)
	}
	for _, m := range reQuantity.FindAllStringSubmatchIndex(text, -1) {
		ns, unit := text[m[2]:m[3]], text[m[4]:m[5]]
		start := m[0]
		// In 三百五一晚 the count is the 一 after the price, not 五一.
		if prev, _ := utf8.DecodeLastRuneInString(text[:m[2]]); m[2] > 0 && strings.ContainsRune("零〇一二两三四五六七八九十百千万", prev) {
			_, size := utf8.DecodeLastRuneInString(ns)
			ns = ns[len(ns)-size:]
			start = m[3] - size
		}
		n := num(ns)
		if n <= 0 || (ns == "一" && unit == "个") {
			continue // 一个 is mostly an article: "问一个问题"
		}
		if strings.HasPrefix(text[m[1]:], "月") {
			continue // 三个月 is a duration
		}
		dst = add(dst, text, start, m[1], "quantity", formatAmount(float64(n))+" "+unit, prioBare+1)
	}
	for _, m := range reQuantityEn.FindAllStringSubmatchIndex(text, -1) {
		n, ok := parseEnNumber(text[m[2]:m[3]])
		if !ok || n <= 0 {
			continue
		}
		dst = add(dst, text, m[0], m[1], "quantity", formatAmount(float64(n))+" "+strings.ToLower(text[m[4]:m[5]]), prioBare+1)
	}
	return dst
}
