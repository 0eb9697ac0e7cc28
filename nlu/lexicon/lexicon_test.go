package lexicon

import (
	"slices"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	type m = Match
	for _, c := range []struct {
		text string
		want []Match
	}{
		// Longest name first: 北京市 and 海淀区, not 北京 then nothing.
		{"从武汉到北京市海淀区", []m{{3, 9, "武汉", Place}, {12, 21, "北京市", Place}, {21, 30, "海淀区", Place}}},
		{"端午节是哪一天", []m{{0, 9, "端午节", Festival}}},
		{"CCTV春节联欢晚会", []m{{4, 10, "春节", Festival}}},
		{"去呼和浩特出差", []m{{3, 15, "呼和浩特", Place}}},
		{"where is beijing", nil},
		{"😀😀😀", nil},
		{"", nil},
		{"\xff\xfe武汉", []m{{2, 8, "武汉", Place}}},
		{"市", nil},
	} {
		if got := Find(nil, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
	for _, got := range Find(nil, strings.Repeat("去杭州", 2000)) {
		if got.Name != "杭州" || got.Class != Place {
			t.Fatalf("repeated text: %+v", got)
		}
	}
	if n := len(Find(nil, strings.Repeat("去杭州", 2000))); n != 2000 {
		t.Errorf("repeated text: %d matches, want 2000", n)
	}
}

// TestFindPlaces: the entity extractor's places hold every district and
// county; the classifier's features (Find) stay as they were measured.
func TestFindPlaces(t *testing.T) {
	const text = "寄到深圳市南山区，再去东营市"
	want := []Match{{6, 15, "深圳市", Place}, {15, 24, "南山区", Place}, {33, 42, "东营市", Place}}
	if got := FindPlaces(nil, text); !slices.Equal(got, want) {
		t.Errorf("FindPlaces: got %v, want %v", got, want)
	}
	if got := Find(nil, text); slices.ContainsFunc(got, func(m Match) bool { return m.Name == "南山区" }) {
		t.Errorf("Find knows 南山区: %v", got)
	}
	if Canonical("东营市") != "东营" || Canonical("宝安区") != "宝安区" || Class("龙岗区") != Place {
		t.Errorf("divisions: 东营市 → %q, 宝安区 → %q, class of 龙岗区 %q", Canonical("东营市"), Canonical("宝安区"), Class("龙岗区"))
	}
	// A name gives way to a longer one starting inside it: not 和龙 (a city).
	if got := FindPlaces(nil, "宝安区和龙岗区"); !slices.Equal(got, []Match{{0, 9, "宝安区", Place}, {12, 21, "龙岗区", Place}}) {
		t.Errorf("宝安区和龙岗区: %v", got)
	}
	if got := FindPlaces(nil, "去和龙市"); !slices.Equal(got, []Match{{3, 12, "和龙市", Place}}) {
		t.Errorf("去和龙市: %v", got)
	}
	// Two-character divisions are words more often than places.
	if got := FindPlaces(nil, "城区和郊区都能送"); len(got) != 0 {
		t.Errorf("generic names found as places: %v", got)
	}
}

func TestCanonical(t *testing.T) {
	for name, want := range map[string]string{
		"青岛市": "青岛", "青岛": "青岛", "广东省": "广东", "北京市": "北京",
		"海淀区":  "海淀区", // districts keep their suffix
		"不是地名": "不是地名",
	} {
		if got := Canonical(name); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
	if Class("洛阳") != Place || Class("国庆节") != Festival || Class("你好") != "" {
		t.Errorf("classes: 洛阳 %q, 国庆节 %q, 你好 %q", Class("洛阳"), Class("国庆节"), Class("你好"))
	}
}

func BenchmarkFindPlaces(b *testing.B) {
	text := "我想从呼和浩特坐火车去北京市海淀区，国庆节那天能到吗"
	var dst []Match
	for b.Loop() {
		dst = FindPlaces(dst[:0], text)
	}
}

func BenchmarkFind(b *testing.B) {
	text := "我想从呼和浩特坐火车去北京市海淀区，国庆节那天能到吗"
	var dst []Match
	for b.Loop() {
		dst = Find(dst[:0], text)
	}
}

// FuzzFind: whatever the text, matches are in order, do not overlap, and
// name what the text holds at their span.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"宝安区和龙岗区", "从武汉到北京市海淀区", "去和龙市", "\xff北京", "城区郊区", strings.Repeat("龙岗区和", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, find := range map[string]func([]Match, string) []Match{"Find": Find, "FindPlaces": FindPlaces} {
			end := 0
			for _, m := range find(nil, s) {
				if m.Start < end || m.End <= m.Start || m.End > len(s) || s[m.Start:m.End] != m.Name || Class(m.Name) != m.Class {
					t.Fatalf("%s(%q): bad match %+v after %d", name, s, m, end)
				}
				end = m.End
			}
		}
	})
}
