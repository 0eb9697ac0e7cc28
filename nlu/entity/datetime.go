package entity

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type pieceKind uint8

const (
	pDate    pieceKind = iota // one day
	pRange                    // several days (a week, a weekend, a month)
	pDayOnly                  // "8号": a day of a month given elsewhere
	pTime                     // a time of day
	pVoid                     // looked like a date but is none (2月30日): hides its parts
)

type piece struct {
	start, end int
	kind       pieceKind
	from, to   time.Time // the day (from) or the days (from..to); for pTime the clock on from
	day        int       // pDayOnly
	month      bool      // a month range ("下个月"), which a following day number narrows
}

const cnNum = `(?:\d{1,4}|[零〇一二两三四五六七八九十]{1,4})`

var (
	reISODate  = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`)
	reMonthDay = regexp.MustCompile(`(` + cnNum + `)\s*月\s*(` + cnNum + `)\s*[日号]?`)
	reDayOnly  = regexp.MustCompile(`(` + cnNum + `)\s*[日号]`)
	reRelDay   = regexp.MustCompile(`大前天|大后天|前天|昨天|昨日|昨晚|昨儿|今天|今日|今晚|今早|今儿|明天|明日|明早|明晚|明儿|后天`)
	reWeekday  = regexp.MustCompile(`(上上|下下|上|这|本|下)?\s*个?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7末])`)
	reWeek     = regexp.MustCompile(`(上上|下下|上|这|本|下)\s*个?\s*(?:周|星期|礼拜)`)
	reMonth    = regexp.MustCompile(`(上|这|本|下)\s*个?\s*月`)
	reOffset   = regexp.MustCompile(`(` + cnNum + `|半)\s*(天|日|周|个?星期|个?礼拜|个月)\s*(后|之后|以后|前|之前|以前)`)
	reClock    = regexp.MustCompile(`(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*(` + cnNum + `)\s*(?:点|时)\s*(半|(` + cnNum + `)\s*分?)?`)
	reColon    = regexp.MustCompile(`(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*\b(\d{1,2})[:：](\d{2})\b`)

	reEnClock = regexp.MustCompile(`(?i)\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)`)
	reEnNoon  = regexp.MustCompile(`(?i)\b(noon|midnight)\b`)
)

var relDays = map[string]int{"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "昨儿": -1, "今天": 0, "今日": 0, "今晚": 0,
	"今早": 0, "今儿": 0, "明天": 1, "明日": 1, "明早": 1, "明晚": 1, "明儿": 1, "后天": 2, "大后天": 3,
	"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "the day after tomorrow": 2, "day after tomorrow": 2, "the day before yesterday": -2}

func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// monday returns the Monday of t's week (weeks start on Monday in China).
func monday(t time.Time) time.Time {
	off := (int(t.Weekday()) + 6) % 7
	return day(t).AddDate(0, 0, -off)
}

func num(s string) int {
	f, ok := parseNumber(s)
	if !ok {
		return -1
	}
	return int(f)
}

// nearYear places a month and day in the year that brings it closest to now,
// so in November "3月5日" is next March and "10月1日" the past October.
func nearYear(now time.Time, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(now.Year(), time.Month(m), d, 0, 0, 0, 0, now.Location())
	if t.Day() != d {
		return time.Time{}, false
	}
	switch diff := t.Sub(day(now)); {
	case diff < -183*24*time.Hour:
		t = t.AddDate(1, 0, 0)
	case diff > 183*24*time.Hour:
		t = t.AddDate(-1, 0, 0)
	}
	return t, true
}

func weekOffset(prefix string) int {
	switch strings.ToLower(prefix) {
	case "上", "last":
		return -1
	case "上上":
		return -2
	case "下", "next":
		return 1
	case "下下":
		return 2
	}
	return 0
}

func cnWeekday(s string) (int, bool) { // 0 = Monday ... 6 = Sunday, 7 = weekend
	switch s {
	case "一", "1":
		return 0, true
	case "二", "2":
		return 1, true
	case "三", "3":
		return 2, true
	case "四", "4":
		return 3, true
	case "五", "5":
		return 4, true
	case "六", "6":
		return 5, true
	case "日", "天", "7":
		return 6, true
	case "末":
		return 7, true
	}
	return 0, false
}

func (x *Extractor) datetimes(text string, now time.Time, dst []found) []found {
	today := day(now)
	var ps []piece
	addP := func(p piece) { ps = append(ps, p) }
	for _, m := range reISODate.FindAllStringSubmatchIndex(text, -1) {
		y, mo, d := num(text[m[2]:m[3]]), num(text[m[4]:m[5]]), num(text[m[6]:m[7]])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, now.Location())
		if mo >= 1 && mo <= 12 && t.Day() == d && y >= 1900 && y <= 2200 {
			addP(piece{start: m[0], end: m[1], kind: pDate, from: t})
		} else {
			addP(piece{start: m[0], end: m[1], kind: pVoid})
		}
	}
	for _, m := range reMonthDay.FindAllStringSubmatchIndex(text, -1) {
		mo, d := num(text[m[2]:m[3]]), num(text[m[4]:m[5]])
		if y, start, ok := yearBefore(text, m[0], now); ok {
			// "明年3月5日", "去年的12月1号"
			if t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, now.Location()); mo >= 1 && mo <= 12 && t.Day() == d {
				addP(piece{start: start, end: m[1], kind: pDate, from: t})
				continue
			}
		}
		if t, ok := nearYear(now, mo, d); ok {
			addP(piece{start: m[0], end: m[1], kind: pDate, from: t})
		} else {
			addP(piece{start: m[0], end: m[1], kind: pVoid})
		}
	}
	for _, m := range reDayOnly.FindAllStringSubmatchIndex(text, -1) {
		d := num(text[m[2]:m[3]])
		next, _ := utf8.DecodeRuneInString(text[m[1]:])
		if d < 1 || d > 31 || strings.ContainsRune("鞋码楼线房门床位车", next) {
			continue
		}
		t := time.Date(now.Year(), now.Month(), d, 0, 0, 0, 0, now.Location())
		if t.Day() != d {
			continue
		}
		addP(piece{start: m[0], end: m[1], kind: pDayOnly, from: t, day: d})
	}
	for _, m := range reRelDay.FindAllStringIndex(text, -1) {
		addP(piece{start: m[0], end: m[1], kind: pDate, from: today.AddDate(0, 0, relDays[text[m[0]:m[1]]])})
	}
	for _, m := range reWeekday.FindAllStringSubmatchIndex(text, -1) {
		prefix := ""
		if m[2] >= 0 {
			prefix = text[m[2]:m[3]]
		}
		wd, ok := cnWeekday(text[m[4]:m[5]])
		if !ok {
			continue
		}
		mon := monday(now).AddDate(0, 0, 7*weekOffset(prefix))
		if wd == 7 {
			addP(piece{start: m[0], end: m[1], kind: pRange, from: mon.AddDate(0, 0, 5), to: mon.AddDate(0, 0, 6)})
			continue
		}
		addP(piece{start: m[0], end: m[1], kind: pDate, from: mon.AddDate(0, 0, wd)})
	}
	for _, m := range reWeek.FindAllStringSubmatchIndex(text, -1) {
		mon := monday(now).AddDate(0, 0, 7*weekOffset(text[m[2]:m[3]]))
		addP(piece{start: m[0], end: m[1], kind: pRange, from: mon, to: mon.AddDate(0, 0, 6)})
	}
	for _, m := range reMonth.FindAllStringSubmatchIndex(text, -1) {
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, weekOffset(text[m[2]:m[3]]), 0)
		addP(piece{start: m[0], end: m[1], kind: pRange, from: first, to: first.AddDate(0, 1, -1), month: true})
	}
	for _, m := range reOffset.FindAllStringSubmatchIndex(text, -1) {
		n := num(text[m[2]:m[3]])
		unit, dir := text[m[4]:m[5]], text[m[6]:m[7]]
		sign := 1
		if strings.HasSuffix(dir, "前") {
			sign = -1
		}
		var t time.Time
		switch {
		case text[m[2]:m[3]] == "半" && unit == "个月":
			t = today.AddDate(0, 0, sign*15)
		case n < 0 || n > 400:
			continue
		case unit == "天" || unit == "日":
			t = today.AddDate(0, 0, sign*n)
		case unit == "个月":
			t = today.AddDate(0, sign*n, 0)
		default: // weeks
			t = today.AddDate(0, 0, sign*7*n)
		}
		addP(piece{start: m[0], end: m[1], kind: pDate, from: t})
	}
	ps = festivalPieces(text, now, ps)
	ps = x.clocks(text, now, ps)
	ps = enDates(text, now, ps)
	ps = dedupePieces(ps)
	return combine(text, now, ps, dst)
}

// clocks finds times of day. "一点" also means "a little" (快一点), so a
// Chinese-numeral hour needs a time of day, a date, or 半/分/前/后 next to it.
func (x *Extractor) clocks(text string, now time.Time, ps []piece) []piece {
	mk := func(s, e int, period string, h, mi int) {
		switch period {
		case "下午", "傍晚", "晚上", "夜里", "pm", "p.m.":
			if h < 12 {
				h += 12
			}
		case "中午":
			if h < 11 {
				h += 12
			}
		case "凌晨", "am", "a.m.":
			if h == 12 {
				h = 0
			}
		}
		if h < 0 || h > 24 || mi < 0 || mi > 59 {
			return
		}
		ps = append(ps, piece{start: s, end: e, kind: pTime, from: time.Date(now.Year(), now.Month(), now.Day(), h, mi, 0, 0, now.Location())})
	}
	for _, m := range reClock.FindAllStringSubmatchIndex(text, -1) {
		period := ""
		if m[2] >= 0 {
			period = text[m[2]:m[3]]
		}
		hs := text[m[4]:m[5]]
		h := num(hs)
		mi := 0
		if m[6] >= 0 {
			if text[m[6]:m[7]] == "半" {
				mi = 30
			} else if m[8] >= 0 {
				mi = num(text[m[8]:m[9]])
			}
		}
		if !allDigits(hs) && period == "" && m[6] < 0 {
			after := text[m[1]:]
			before := strings.TrimRight(text[:m[0]], " ")
			okAfter := hasAnyPrefix(after, "前", "之前", "以前", "后", "之后", "以后", "钟", "左右", "到")
			okBefore := reRelDay.MatchString(lastRunes(before, 3)) || strings.HasSuffix(before, "号") || strings.HasSuffix(before, "日")
			if !okAfter && !okBefore {
				continue
			}
		}
		mk(m[0], m[1], period, h, mi)
	}
	for _, m := range reColon.FindAllStringSubmatchIndex(text, -1) {
		period := ""
		if m[2] >= 0 {
			period = text[m[2]:m[3]]
		}
		mk(m[0], m[1], period, num(text[m[4]:m[5]]), num(text[m[6]:m[7]]))
	}
	for _, m := range reEnClock.FindAllStringSubmatchIndex(text, -1) {
		mi := 0
		if m[4] >= 0 {
			mi = num(text[m[4]:m[5]])
		}
		mk(m[0], m[1], strings.ToLower(text[m[6]:m[7]]), num(text[m[2]:m[3]]), mi)
	}
	for _, m := range reEnNoon.FindAllStringIndex(text, -1) {
		h := 12
		if strings.EqualFold(text[m[0]:m[1]], "midnight") {
			h = 0
		}
		mk(m[0], m[1], "", h, 0)
	}
	return ps
}

// dedupePieces keeps the longest of overlapping pieces.
func dedupePieces(ps []piece) []piece {
	slices.SortStableFunc(ps, func(a, b piece) int {
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return lb - la
		}
		return a.start - b.start
	})
	var kept []piece
	for _, p := range ps {
		ok := true
		for _, k := range kept {
			if p.start < k.end && k.start < p.end {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, p)
		}
	}
	slices.SortFunc(kept, func(a, b piece) int { return a.start - b.start })
	return kept
}

var (
	reJoinDT    = regexp.MustCompile(`(?i)^\s*(?:的|at|@|,)?\s*$`)
	reRangeSep  = regexp.MustCompile(`(?i)^\s*(?:到|至|-|~|～|—|–|until|to|through|till)\s*$`)
	beforeWords = []string{"之前", "以前", "前"}
	afterWords  = []string{"之后", "以后", "后"}
)

// combine joins adjacent pieces — a day and a time, two days around 到 —
// and turns them into entities.
func combine(text string, now time.Time, ps []piece, dst []found) []found {
	const dateFmt = "2006-01-02"
	const dtFmt = "2006-01-02T15:04"
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		start, end := p.start, p.end
		// A month followed by a day number: 下个月5号.
		if p.month && i+1 < len(ps) && ps[i+1].kind == pDayOnly && strings.TrimSpace(text[p.end:ps[i+1].start]) == "" {
			q := ps[i+1]
			t := time.Date(p.from.Year(), p.from.Month(), q.day, 0, 0, 0, 0, now.Location())
			if t.Day() == q.day {
				p = piece{start: p.start, end: q.end, kind: pDate, from: t}
				start, end = p.start, p.end
				i++
			}
		}
		// A range: two days around 到, the second possibly a bare day number.
		if (p.kind == pDate || p.kind == pDayOnly) && i+1 < len(ps) && reRangeSep.MatchString(text[p.end:ps[i+1].start]) {
			q := ps[i+1]
			to := q.from
			if q.kind == pDayOnly {
				to = time.Date(p.from.Year(), p.from.Month(), q.day, 0, 0, 0, 0, now.Location())
			}
			if (q.kind == pDate || q.kind == pDayOnly) && !to.Before(p.from) {
				dst = add(dst, text, start, q.end, "date_range", p.from.Format(dateFmt)+"/"+to.Format(dateFmt), prioPattern)
				i++
				continue
			}
		}
		// A day and a time: 明天18点, tomorrow at 6pm, 6pm tomorrow.
		if (p.kind == pDate || p.kind == pDayOnly) && i+1 < len(ps) && ps[i+1].kind == pTime && reJoinDT.MatchString(text[p.end:ps[i+1].start]) {
			q := ps[i+1]
			dt := time.Date(p.from.Year(), p.from.Month(), p.from.Day(), q.from.Hour(), q.from.Minute(), 0, 0, now.Location())
			dst = timed(dst, text, start, q.end, dt, dtFmt)
			i++
			continue
		}
		if p.kind == pTime && i+1 < len(ps) && (ps[i+1].kind == pDate) && reJoinDT.MatchString(text[p.end:ps[i+1].start]) {
			q := ps[i+1]
			dt := time.Date(q.from.Year(), q.from.Month(), q.from.Day(), p.from.Hour(), p.from.Minute(), 0, 0, now.Location())
			dst = timed(dst, text, start, q.end, dt, dtFmt)
			i++
			continue
		}
		switch p.kind {
		case pDate, pDayOnly:
			dst = add(dst, text, start, end, "date", p.from.Format(dateFmt), prioPattern)
		case pRange:
			dst = add(dst, text, start, end, "date_range", p.from.Format(dateFmt)+"/"+p.to.Format(dateFmt), prioPattern)
		case pTime:
			if hasAnyPrefix(text[end:], beforeWords...) || hasAnyPrefix(text[end:], afterWords...) || enBefore(text[:start]) || enAfter(text[:start]) {
				dst = timed(dst, text, start, end, p.from, dtFmt)
				continue
			}
			dst = add(dst, text, start, end, "time", p.from.Format("15:04"), prioPattern)
		}
	}
	return dst
}

// timed adds a datetime, or an open range when 前/后 follows or "by/before"
// precedes it: 明天18点前 is "../2026-11-25T18:00".
func timed(dst []found, text string, start, end int, dt time.Time, layout string) []found {
	v := dt.Format(layout)
	for _, w := range beforeWords {
		if strings.HasPrefix(text[end:], w) {
			return add(dst, text, start, end+len(w), "datetime_range", "../"+v, prioPattern)
		}
	}
	for _, w := range afterWords {
		if strings.HasPrefix(text[end:], w) {
			return add(dst, text, start, end+len(w), "datetime_range", v+"/..", prioPattern)
		}
	}
	if enBefore(text[:start]) {
		return add(dst, text, start, end, "datetime_range", "../"+v, prioPattern)
	}
	if enAfter(text[:start]) {
		return add(dst, text, start, end, "datetime_range", v+"/..", prioPattern)
	}
	return add(dst, text, start, end, "datetime", v, prioPattern)
}

func enBefore(prefix string) bool {
	p := strings.ToLower(strings.TrimRight(prefix, " "))
	return strings.HasSuffix(p, " by") || strings.HasSuffix(p, "before") || p == "by"
}

func enAfter(prefix string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimRight(prefix, " ")), "after")
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func lastRunes(s string, n int) string {
	i := len(s)
	for k := 0; k < n && i > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}
