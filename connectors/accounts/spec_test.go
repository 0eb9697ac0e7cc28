package accounts

import (
	"strings"
	"testing"
)

func TestParseLines(t *testing.T) {
	got, err := parseLines("ORDER_STATUS = 我的订单到哪了\n\n# 注释\nSHIPPING=运费怎么算\n")
	if err != nil || len(got) != 2 || got["ORDER_STATUS"] != "我的订单到哪了" || got["SHIPPING"] != "运费怎么算" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"ORDER", "=x", "k="} {
		if _, err := parseLines(bad); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}

func TestMaskGivesNothingAway(t *testing.T) {
	for _, s := range []string{"abc", "spamtest", "0123456789abcde"} {
		if m := mask(s); m != "••••" {
			t.Errorf("mask(%q) = %q, want •••• for short secrets", s, m)
		}
	}
	if m := mask("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"); m != "••••DEFG" {
		t.Errorf("long secret: got %q", m)
	}
}

func TestAllowedBase(t *testing.T) {
	allowed := []string{"https://api.weixin.qq.com", "http://127.0.0.1:9000/gw/"}
	for base, want := range map[string]bool{
		"https://api.weixin.qq.com/":         true,
		"HTTPS://API.WEIXIN.QQ.COM":          true,
		"http://127.0.0.1:9000/gw":           true,
		"http://127.0.0.1:9000":              false,
		"https://api.weixin.qq.com.evil.com": false,
		"https://user@api.weixin.qq.com":     false,
		"ftp://api.weixin.qq.com":            false,
		"https://api.weixin.qq.com/../x":     false,
		"":                                   false,
	} {
		if got := allowedBase(base, allowed); got != want {
			t.Errorf("allowedBase(%q) = %v, want %v", base, got, want)
		}
	}
}

func FuzzParseLines(f *testing.F) {
	for _, s := range []string{"A=b", "ORDER_STATUS=我的订单到哪了\nX=y", "#c\n\n", "=", "a=b=c", "\xff=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseLines(s)
		if err != nil {
			return
		}
		for k, v := range m {
			if k == "" || v == "" || strings.ContainsAny(k, "\n") || strings.ContainsAny(v, "\n") {
				t.Fatalf("parsed %q into %q=%q", s, k, v)
			}
		}
	})
}
