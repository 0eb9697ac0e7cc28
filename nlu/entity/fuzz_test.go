package entity

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kefu/nlu"
)

var fuzzSeeds = []string{
	"", " ", "我昨天买的鞋子啥时候到?", "明天18点前能到吗", "下周三 预算三百到五百", "5k以内", "订单号123456789012",
	"快递单号SF1234567890123", "身份证11010519491231002X", "卡号 6217 0000 1234 5678 907", "+86 139-1234-5678",
	"那雨靴有35码吗?", "XXL的有吗", "买了2双", "next Friday at 6pm under $500", "😀😀😀", "\xff\xfe无效", "三百五一晚",
	"12月1日至3日", "2月30日", "从北京市海淀区寄到呼和浩特", "青岛市市市", "双十一前", "除夕五一十一前", "去年的双十一买的能到吗", "今年十一月", "9999年春节", "明年明年3月5日", "春节中秋端午七夕", strings.Repeat("下周三", 50), "tomorrow到后天", "一万五千五百零五块", "零〇〇", "99999999999999999999999",
}

// checkEntities asserts the invariants every extraction keeps, whatever the input.
func checkEntities(t *testing.T, text string, got []nlu.Entity) {
	t.Helper()
	prevEnd := 0
	for _, e := range got {
		if e.Start < prevEnd || e.End <= e.Start || e.End > len(text) {
			t.Fatalf("%q: bad span [%d,%d) after %d", text, e.Start, e.End, prevEnd)
		}
		prevEnd = e.End
		if utf8.ValidString(text) && text[e.Start:e.End] != e.Text {
			t.Fatalf("%q: span text %q, entity text %q", text, text[e.Start:e.End], e.Text)
		}
		if e.Type == "" || e.Value == "" {
			t.Fatalf("%q: empty type or value in %+v", text, e)
		}
		switch e.Type {
		case "id_card":
			if !ValidIDCard(e.Value) {
				t.Fatalf("%q: id_card %q fails its checksum", text, e.Value)
			}
		case "bank_card":
			if !Luhn(e.Value) {
				t.Fatalf("%q: bank_card %q fails Luhn", text, e.Value)
			}
		case "date":
			if _, err := time.Parse("2006-01-02", e.Value); err != nil {
				t.Fatalf("%q: date %q: %v", text, e.Value, err)
			}
		}
	}
}

func fuzzWith(f *testing.F, run func(t *testing.T, x *Extractor, text string)) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	x := testExtractor(f)
	f.Fuzz(func(t *testing.T, text string) { run(t, x, text) })
}

func FuzzExtract(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) { checkEntities(t, text, x.Extract(text, ref)) })
}

// The per-extractor targets reach each one directly, so one extractor's
// candidates never hide another's bug behind overlap resolution.

func FuzzDatetimes(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) {
		checkEntities(t, text, resolve(x.datetimes(text, ref, nil)))
	})
}

func FuzzMoney(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) {
		checkEntities(t, text, resolve(x.money(text, nil, false)))
		checkEntities(t, text, resolve(x.money(text, nil, true))) // as the answer to "预算在多少？"
	})
}

func FuzzIdentifiers(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) {
		checkEntities(t, text, resolve(x.identifiers(text, nil)))
	})
}

func FuzzMeasures(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) {
		checkEntities(t, text, resolve(x.measures(text, nil, false)))
		checkEntities(t, text, resolve(x.measures(text, nil, true)))
	})
}

func FuzzTerms(f *testing.F) {
	fuzzWith(f, func(t *testing.T, x *Extractor, text string) {
		checkEntities(t, text, resolve(x.terms.find(text, nil)))
	})
}

func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"三百五", "一千二", "十五", "两万", "1.5万", "5k", "二〇二六", "一百零五", "万万万", "十十", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseNumber(s)
		if ok && n < 0 {
			t.Fatalf("parseNumber(%q) = %v, want non-negative", s, n)
		}
	})
}

func TestBadInput(t *testing.T) {
	x := testExtractor(t)
	long := strings.Repeat("我要退货 订单号123456789012 明天到 ", 400) // > 10,000 characters
	for _, text := range []string{"", "   \t\n", long, "😀🙏🎉", "abc中文mixed한국어テスト", "\xff\xfe\xfd", "订单\xff号123456789012"} {
		got := x.Extract(text, ref)
		if len(text) <= maxText {
			checkEntities(t, text, got)
		}
	}
	if got := x.Extract("订单\xff号123456789012", ref); len(got) != 1 || got[0].Value != "123456789012" {
		t.Errorf("invalid UTF-8 around an order number: got %+v, want the order number", got)
	}
}

func TestPatternsConfigurable(t *testing.T) {
	x, err := New(Config{OrderPatterns: []string{`\b(KF\d{8})\b`}})
	if err != nil {
		t.Fatal(err)
	}
	got := x.Extract("单号KF20261124", ref)
	if len(got) != 1 || got[0].Type != "order_no" || got[0].Value != "KF20261124" {
		t.Errorf("custom order pattern: got %+v, want order_no KF20261124", got)
	}
	if _, err := New(Config{TrackingPatterns: []string{`(`}}); err == nil {
		t.Errorf("bad pattern: got nil error")
	}
}

func BenchmarkExtract(b *testing.B) {
	x := testExtractor(b)
	for b.Loop() {
		x.Extract("我昨天买的儿童雨靴35码 订单号123456789012 明天18点前能到吗 预算三百到五百", ref)
	}
}
