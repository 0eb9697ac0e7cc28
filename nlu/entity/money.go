package entity

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

const moneyNum = `(\d+(?:\.\d+)?\s*[kKwW千万]?|[零〇一二两三四五六七八九十百千万]+)`

var (
	reMoneyRange = regexp.MustCompile(`(预算|价格|价位|价钱)?\s*(?:是|在|大概|大约|差不多)?\s*` + moneyNum + `\s*(元|块钱|块|rmb|RMB|yuan)?\s*(?:到|至|-|~|～|—|–)\s*` + moneyNum + `\s*(元|块钱|块|rmb|RMB|yuan|dollars)?`)
	reMoneyLimit = regexp.MustCompile(`(预算|价格|价位|价钱)?\s*(?:是|在|大概|大约|差不多)?\s*` + moneyNum + `\s*(元|块钱|块|rmb|RMB)?\s*(以内|之内|以下|以上|之上|左右|上下)`)
	reMoneyUnit  = regexp.MustCompile(`(?i)(¥|￥|rmb|人民币|cny)\s*(\d+(?:\.\d+)?)|` + moneyNum + `\s*(元|块钱|块|rmb|yuan|人民币)`)
	reMoneyCtx   = regexp.MustCompile(`(预算|价格|价位|价钱|转账|转|提现|提|充值|充|汇款|汇|付了|付|花了)\s*(?:是|在|大概|大约|差不多)?\s*` + moneyNum)
	reUSD        = regexp.MustCompile(`(?i)\$\s*(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?)\s*(?:dollars|usd|bucks)\b`)
	reEnLimit    = regexp.MustCompile(`(?i)\b(under|below|less than|within|up to|no more than|over|above|more than|around|about)\s+(?:\$|¥|rmb\s*)?(\d+(?:\.\d+)?k?)(?:\s*(?:yuan|rmb|dollars|bucks))?\b`)
	reEnBetween  = regexp.MustCompile(`(?i)\bbetween\s+(?:\$|¥)?(\d+(?:\.\d+)?k?)\s+and\s+(?:\$|¥)?(\d+(?:\.\d+)?k?)\b`)
)

// notMoney are units that make a number something else: 3到5天, 35码.
const notMoney = "天日号码点件个岁斤米人晚间节楼层分小时月年周次双条盒瓶套张台份包箱袋支只位笔张单kKgG%"

func isMoneyish(s string) bool {
	return strings.ContainsAny(s, "kKwW千万百") || !strings.ContainsAny(s, "0123456789")
}

// reBareAmount is a message that is only an amount ("500", "大概400吧"):
// money when the bot asked for one.
var reBareAmount = regexp.MustCompile(`^\s*(?:预算|就|大概|大约|差不多|最多)?\s*` + moneyNum + `\s*(?:吧|啦|呢|哈|的样子)?\s*[。.!！~～]*\s*$`)

func (x *Extractor) money(text string, dst []found, expected bool) []found {
	follows := func(end int) bool {
		r, _ := utf8.DecodeRuneInString(text[end:])
		return end < len(text) && strings.ContainsRune(notMoney, r)
	}
	for _, m := range reMoneyRange.FindAllStringSubmatchIndex(text, -1) {
		lo, ok1 := parseNumber(text[m[4]:m[5]])
		hi, ok2 := parseNumber(text[m[8]:m[9]])
		unit := m[6] >= 0 || m[10] >= 0
		ctx := m[2] >= 0
		if !ok1 || !ok2 || hi < lo || (!unit && follows(m[1])) {
			continue
		}
		// Bare numbers count as money only with a unit, a budget word, or
		// when written like amounts (三百到五百, 3k-5k).
		if !unit && !ctx && !expected && !(isMoneyish(text[m[4]:m[5]]) && isMoneyish(text[m[8]:m[9]])) {
			continue
		}
		s := m[4]
		if ctx {
			s = m[2]
		}
		dst = add(dst, text, s, m[1], "money_range", formatAmount(lo)+"-"+formatAmount(hi), prioPattern+1)
	}
	for _, m := range reMoneyLimit.FindAllStringSubmatchIndex(text, -1) {
		n, ok := parseNumber(text[m[4]:m[5]])
		unit := m[6] >= 0
		ctx := m[2] >= 0
		if !ok || (!unit && !ctx && !isMoneyish(text[m[4]:m[5]]) && n < 50) {
			continue
		}
		var v string
		switch text[m[8]:m[9]] {
		case "以内", "之内", "以下":
			v = "0-" + formatAmount(n)
		case "以上", "之上":
			v = formatAmount(n) + "-"
		default: // 左右, 上下: about ±10%
			v = formatAmount(n*0.9) + "-" + formatAmount(n*1.1)
		}
		s := m[4]
		if ctx {
			s = m[2]
		}
		dst = add(dst, text, s, m[1], "money_range", v, prioPattern+1)
	}
	if m := reBareAmount.FindStringSubmatchIndex(text); expected && m != nil && !follows(m[3]) {
		if n, ok := parseNumber(text[m[2]:m[3]]); ok && n > 0 {
			dst = add(dst, text, m[2], m[3], "money", "CNY "+formatAmount(n), prioBare)
		}
	}
	for _, m := range reMoneyUnit.FindAllStringSubmatchIndex(text, -1) {
		var ns string
		if m[4] >= 0 {
			ns = text[m[4]:m[5]]
		} else {
			ns = text[m[6]:m[7]]
		}
		if n, ok := parseNumber(ns); ok {
			dst = add(dst, text, m[0], m[1], "money", "CNY "+formatAmount(n), prioPattern)
		}
	}
	for _, m := range reMoneyCtx.FindAllStringSubmatchIndex(text, -1) {
		if follows(m[1]) {
			continue
		}
		verb := !strings.HasPrefix(text[m[2]:m[3]], "预算") && !strings.HasPrefix(text[m[2]:m[3]], "价")
		if n, ok := parseNumber(text[m[4]:m[5]]); ok && (!verb || n >= 10) { // 提一下 is no amount
			dst = add(dst, text, m[0], m[1], "money", "CNY "+formatAmount(n), prioPattern)
		}
	}
	for _, m := range reUSD.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[2], m[3]
		if s < 0 {
			s, e = m[4], m[5]
		}
		if n, ok := parseNumber(text[s:e]); ok {
			dst = add(dst, text, m[0], m[1], "money", "USD "+formatAmount(n), prioPattern)
		}
	}
	for _, m := range reEnLimit.FindAllStringSubmatchIndex(text, -1) {
		n, ok := parseNumber(text[m[4]:m[5]])
		if !ok {
			continue
		}
		var v string
		switch strings.ToLower(text[m[2]:m[3]]) {
		case "over", "above", "more than":
			v = formatAmount(n) + "-"
		case "around", "about":
			v = formatAmount(n*0.9) + "-" + formatAmount(n*1.1)
		default:
			v = "0-" + formatAmount(n)
		}
		dst = add(dst, text, m[0], m[1], "money_range", v, prioBare)
	}
	for _, m := range reEnBetween.FindAllStringSubmatchIndex(text, -1) {
		lo, ok1 := parseNumber(text[m[2]:m[3]])
		hi, ok2 := parseNumber(text[m[4]:m[5]])
		if ok1 && ok2 && lo <= hi {
			dst = add(dst, text, m[0], m[1], "money_range", formatAmount(lo)+"-"+formatAmount(hi), prioPattern)
		}
	}
	return dst
}
