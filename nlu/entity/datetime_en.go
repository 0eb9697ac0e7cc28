package entity

import (
	"regexp"
	"strings"
	"time"
)

// English dates: "tomorrow", "next Friday", "this weekend", "in 3 days",
// "March 5", "the 5th of December".
var (
	reEnRel     = regexp.MustCompile(`(?i)\b(the day after tomorrow|the day before yesterday|day after tomorrow|today|tonight|tomorrow|yesterday)\b`)
	reEnWeekday = regexp.MustCompile(`(?i)\b(?:(next|last|this|coming)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(next|last|this|coming)\s+(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b`)
	reEnPeriod  = regexp.MustCompile(`(?i)\b(next|last|this)\s+(week|weekend|month)\b`)
	reEnIn      = regexp.MustCompile(`(?i)\bin\s+` + `(` + enNumPattern + `)` + `\s+(days?|weeks?)\b`)
	reEnAgo     = regexp.MustCompile(`(?i)\b(` + enNumPattern + `)\s+(days?|weeks?)\s+ago\b`)
	reEnMD      = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b`)
	reEnDM      = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:,?\s+(\d{4}))?\b`)
)

var enMonths = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

var enWeekdays = map[string]time.Weekday{"mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday}

func enDates(text string, now time.Time, ps []piece) []piece {
	today := day(now)
	for _, m := range reEnRel.FindAllStringIndex(text, -1) {
		ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: today.AddDate(0, 0, relDays[strings.ToLower(text[m[0]:m[1]])])})
	}
	for _, m := range reEnWeekday.FindAllStringSubmatchIndex(text, -1) {
		prefix, name := "", ""
		if m[4] >= 0 {
			if m[2] >= 0 {
				prefix = text[m[2]:m[3]]
			}
			name = text[m[4]:m[5]]
		} else {
			prefix, name = text[m[6]:m[7]], text[m[8]:m[9]]
		}
		name = strings.ToLower(name)
		wd, ok := enWeekdays[name[:min(len(name), 3)]]
		if len(name) > 3 {
			wd, ok = enWeekdays[name[:3]]
		}
		if !ok {
			continue
		}
		idx := (int(wd) + 6) % 7
		var t time.Time
		switch strings.ToLower(prefix) {
		case "next", "last":
			// "next Friday" is the Friday of next week, as 下周五.
			t = monday(now).AddDate(0, 0, 7*weekOffset(prefix)+idx)
		default:
			// A bare or "this"/"coming" weekday is the next one from today.
			t = today.AddDate(0, 0, (idx-(int(now.Weekday())+6)%7+7)%7)
		}
		ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: t})
	}
	for _, m := range reEnPeriod.FindAllStringSubmatchIndex(text, -1) {
		off := weekOffset(text[m[2]:m[3]])
		switch strings.ToLower(text[m[4]:m[5]]) {
		case "week":
			mon := monday(now).AddDate(0, 0, 7*off)
			ps = append(ps, piece{start: m[0], end: m[1], kind: pRange, from: mon, to: mon.AddDate(0, 0, 6)})
		case "weekend":
			mon := monday(now).AddDate(0, 0, 7*off)
			ps = append(ps, piece{start: m[0], end: m[1], kind: pRange, from: mon.AddDate(0, 0, 5), to: mon.AddDate(0, 0, 6)})
		case "month":
			first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, off, 0)
			ps = append(ps, piece{start: m[0], end: m[1], kind: pRange, from: first, to: first.AddDate(0, 1, -1), month: true})
		}
	}
	offset := func(m []int, sign int) {
		n, ok := parseEnNumber(text[m[2]:m[3]])
		if !ok || n > 400 {
			return
		}
		d := n
		if strings.HasPrefix(strings.ToLower(text[m[4]:m[5]]), "week") {
			d = 7 * n
		}
		ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: today.AddDate(0, 0, sign*d)})
	}
	for _, m := range reEnIn.FindAllStringSubmatchIndex(text, -1) {
		offset(m, 1)
	}
	for _, m := range reEnAgo.FindAllStringSubmatchIndex(text, -1) {
		offset(m, -1)
	}
	md := func(m []int, mo string, d string) {
		month := enMonths[strings.ToLower(mo)[:3]]
		if strings.HasPrefix(strings.ToLower(mo), "sept") {
			month = 9
		}
		dn := num(d)
		if m[6] >= 0 {
			y := num(text[m[6]:m[7]])
			t := time.Date(y, month, dn, 0, 0, 0, 0, now.Location())
			if t.Day() == dn && dn >= 1 {
				ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: t})
			}
			return
		}
		if t, ok := nearYear(now, int(month), dn); ok {
			ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: t})
		}
	}
	for _, m := range reEnMD.FindAllStringSubmatchIndex(text, -1) {
		md(m, text[m[2]:m[3]], text[m[4]:m[5]])
	}
	for _, m := range reEnDM.FindAllStringSubmatchIndex(text, -1) {
		md(m, text[m[4]:m[5]], text[m[2]:m[3]])
	}
	return ps
}
