package entity

import (
	"regexp"
	"strings"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// A festival is a day customers name instead of a date: "国庆节前能到吗",
// "双十一买的鞋", "中秋节送到". Gregorian ones fall on the same day every
// year; the traditional ones follow the lunar calendar (github.com/6tail/
// lunar-go) and 清明 the solar terms.
type festival struct {
	names []string
	on    func(year int, loc *time.Location) (time.Time, bool)
}

func solarDay(m, d int) func(int, *time.Location) (time.Time, bool) {
	return func(y int, loc *time.Location) (time.Time, bool) {
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
	}
}

func lunarDay(m, d int) func(int, *time.Location) (time.Time, bool) {
	return func(y int, loc *time.Location) (time.Time, bool) {
		s := calendar.NewLunarFromYmd(y, m, d).GetSolar()
		return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, loc), true
	}
}

var festivals = []festival{
	{[]string{"元旦"}, solarDay(1, 1)},
	{[]string{"情人节"}, solarDay(2, 14)},
	{[]string{"三八妇女节", "妇女节", "女神节", "三八节"}, solarDay(3, 8)},
	{[]string{"植树节"}, solarDay(3, 12)},
	{[]string{"愚人节"}, solarDay(4, 1)},
	{[]string{"五一劳动节", "劳动节", "五一"}, solarDay(5, 1)},
	{[]string{"青年节"}, solarDay(5, 4)},
	{[]string{"六一儿童节", "儿童节", "六一"}, solarDay(6, 1)},
	{[]string{"教师节"}, solarDay(9, 10)},
	{[]string{"国庆节", "国庆", "十一"}, solarDay(10, 1)},
	{[]string{"双十一", "双11"}, solarDay(11, 11)},
	{[]string{"双十二", "双12"}, solarDay(12, 12)},
	{[]string{"平安夜"}, solarDay(12, 24)},
	{[]string{"圣诞节", "圣诞"}, solarDay(12, 25)},
	{[]string{"春节", "大年初一"}, lunarDay(1, 1)},
	{[]string{"元宵节", "元宵"}, lunarDay(1, 15)},
	{[]string{"端午节", "端午"}, lunarDay(5, 5)},
	{[]string{"七夕节", "七夕"}, lunarDay(7, 7)},
	{[]string{"中秋节", "中秋"}, lunarDay(8, 15)},
	{[]string{"重阳节", "重阳"}, lunarDay(9, 9)},
	{[]string{"腊八节", "腊八"}, lunarDay(12, 8)},
	{[]string{"除夕", "大年三十", "年三十"}, func(y int, loc *time.Location) (time.Time, bool) {
		// The eve of the next lunar year's first day: 腊月 has 29 or 30 days.
		t, _ := lunarDay(1, 1)(y+1, loc)
		return t.AddDate(0, 0, -1), true
	}},
	{[]string{"清明节", "清明"}, func(y int, loc *time.Location) (time.Time, bool) {
		s, ok := calendar.NewSolarFromYmd(y, 6, 1).GetLunar().GetJieQiTable()["清明"]
		if !ok {
			return time.Time{}, false
		}
		return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, loc), true
	}},
}

// bareNumeral festivals (五一, 六一, 十一) are also plain numbers: they count
// only with a word of time after them ("五一前", "十一放假", "六一当天").
var bareNumeral = map[string]bool{"五一": true, "六一": true, "十一": true}

var (
	reFestival   *regexp.Regexp
	festivalByNm = map[string]*festival{}
)

func init() {
	var names []string
	for i := range festivals {
		for _, n := range festivals[i].names {
			names = append(names, regexp.QuoteMeta(n))
			festivalByNm[n] = &festivals[i]
		}
	}
	// Longest first, so 三八妇女节 wins over 妇女节 and 双十一 over 十一.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && len(names[j]) > len(names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	reFestival = regexp.MustCompile(strings.Join(names, "|"))
}

// festivalPieces adds the festivals named in text. A year named before one
// ("去年双十一", "明年春节", "2025年国庆") picks that year's; without one, a
// message about something done ("双十一买的", "中秋节那天寄的") means the last
// occurrence, one asking what can still happen ("国庆节前能到吗", "春节发货吗")
// the next, and anything else the nearest (as nearYear places a month and a
// day).
func festivalPieces(text string, now time.Time, ps []piece) []piece {
	today := day(now)
	past, future := rePastTense.MatchString(text), reFutureTense.MatchString(text)
	for _, m := range reFestival.FindAllStringIndex(text, -1) {
		name := text[m[0]:m[1]]
		y, at, year := yearBefore(text, m[0], now)
		if bareNumeral[name] {
			// After a year (今年十一, 前年五一) a word of time is not needed,
			// but 今年十一月 and 去年十一点 are still numbers.
			before, after := text[:m[0]], text[m[1]:]
			if strings.HasSuffix(before, "双") || endsWithNumeral(before) || hasAnyPrefix(after, "月", "点", "时", "号", "日", "个", "岁", "分", "元", "块", "万", "千", "百", "%") ||
				!year && !hasAnyPrefix(after, "前", "后", "之前", "之后", "以前", "以后", "期间", "假", "放假", "长假", "黄金周", "当天", "那天", "节") {
				continue
			}
		}
		f := festivalByNm[name]
		start := m[0]
		var best time.Time
		if year {
			if t, ok := f.on(y, now.Location()); ok {
				best, start = t, at
			}
		} else {
			for y := now.Year() - 1; y <= now.Year()+1; y++ {
				t, ok := f.on(y, now.Location())
				switch {
				case !ok:
				case past && t.After(today), !past && future && t.Before(today):
				case best.IsZero(),
					past && t.After(best),
					!past && future && t.Before(best),
					!past && !future && absDuration(t.Sub(today)) < absDuration(best.Sub(today)):
					best = t
				}
			}
		}
		if !best.IsZero() {
			ps = append(ps, piece{start: start, end: m[1], kind: pDate, from: best})
		}
	}
	return ps
}

var (
	// rePastTense marks a message about something already done; it wins
	// over reFutureTense ("双十一买的能退吗" is about last November).
	rePastTense   = regexp.MustCompile(`买的|买了|下的单|下单的|下了单|收到的|寄的|寄了|发的货|那天|当时|上次`)
	reFutureTense = regexp.MustCompile(`能|可以|来得及|会不会|还发|发货吗|到吗|打算|计划|准备`)
	reYearBefore  = regexp.MustCompile(`(?:(今年|去年|明年|前年|后年)|(\d{4})\s*年)\s*的?\s*$`)
)

// yearBefore reads a year named just before text[end:] — 今年, 去年, 明年,
// 前年, 后年 or "2025年", optionally followed by 的 — and where it starts.
func yearBefore(text string, end int, now time.Time) (year, start int, ok bool) {
	m := reYearBefore.FindStringSubmatchIndex(text[:end])
	if m == nil {
		return 0, 0, false
	}
	if m[2] >= 0 {
		return now.Year() + map[string]int{"今年": 0, "去年": -1, "明年": 1, "前年": -2, "后年": 2}[text[m[2]:m[3]]], m[0], true
	}
	if y := num(text[m[4]:m[5]]); y >= 1900 && y <= 2200 {
		return y, m[0], true
	}
	return 0, 0, false
}

func endsWithNumeral(s string) bool {
	for _, n := range []string{"零", "〇", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "万"} {
		if strings.HasSuffix(s, n) {
			return true
		}
	}
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
