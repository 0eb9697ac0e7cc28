package pii

import "testing"

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"我的手机号是13812345678，请回电", "我的手机号是138****5678，请回电"},
		{"电话 +86 138 1234 5678", "电话 +86 138****5678"},
		{"身份证110105199003071234", "身份证110105********1234"},
		{"ID: 11010519900307123X.", "ID: 110105********123X."},
		{"卡号 6222 0212 3456 7890 128 退款", "卡号 6222 **** **** 0128 退款"},
		{"card 4111111111111111", "card 4111 **** **** 1111"},
		// Not personal numbers: left as they are.
		{"订单号E202611230001", "订单号E202611230001"},
		{"物流单号SF1234567890123", "物流单号SF1234567890123"},
		{"金额 12345678 元", "金额 12345678 元"},
		{"卡号 4111111111111112 校验失败", "卡号 4111111111111112 校验失败"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"13812345678", "110105199003071234", "6222021234567890128", "订单E1", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		if Mask(m) != m {
			t.Errorf("Mask is not idempotent on %q: %q then %q", s, m, Mask(m))
		}
	})
}
