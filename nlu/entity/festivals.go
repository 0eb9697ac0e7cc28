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

// festivalPieces adds the festivals named in text, each on the occurrence
// nearest to now (this year's, last year's or next year's), as nearYear
// places a month and a day.
func festivalPieces(text string, now time.Time, ps []piece) []piece {
	today := day(now)
	for _, m := range reFestival.FindAllStringIndex(text, -1) {
		name := text[m[0]:m[1]]
		if bareNumeral[name] {
			before, after := text[:m[0]], text[m[1]:]
			if strings.HasSuffix(before, "双") || endsWithNumeral(before) ||
				!hasAnyPrefix(after, "前", "后", "之前", "之后", "以前", "以后", "期间", "假", "放假", "长假", "黄金周", "当天", "那天", "节") {
				continue
			}
		}
		f := festivalByNm[name]
		var best time.Time
		for y := now.Year() - 1; y <= now.Year()+1; y++ {
			t, ok := f.on(y, now.Location())
			if ok && (best.IsZero() || absDuration(t.Sub(today)) < absDuration(best.Sub(today))) {
				best = t
			}
		}
		if !best.IsZero() {
			ps = append(ps, piece{start: m[0], end: m[1], kind: pDate, from: best})
		}
	}
	return ps
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
