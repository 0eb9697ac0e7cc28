package sentiment

import "testing"

func TestDetect(t *testing.T) {
	cases := []struct {
		text      string
		negative  bool // Negative >= 0.5
		complaint bool
	}{
		{"我要投诉你们", true, true},
		{"服务太差了", true, false},
		{"什么垃圾东西", true, false},
		{"你们就是骗子", true, false},
		{"再不处理我就打12315", true, true},
		{"this is ridiculous", true, false},
		{"I want to file a complaint", true, true},
		{"worst service ever!!!", true, false},
		{"我的快递到哪了", false, false},
		{"谢谢 很满意", false, false},
		{"东西不错", false, false},
		{"不垃圾 挺好用", false, false},
		{"hello", false, false},
		{"", false, false},
		{"😀", false, false},
	}
	for _, c := range cases {
		got := Detect(c.text)
		if (got.Negative >= 0.5) != c.negative || got.Complaint != c.complaint {
			t.Errorf("Detect(%q) = negative %.2f complaint %v (cues %v), want negative>=0.5 %v complaint %v",
				c.text, got.Negative, got.Complaint, got.Cues, c.negative, c.complaint)
		}
		if got.Negative < 0 || got.Negative > 1 {
			t.Errorf("Detect(%q).Negative = %v, want within [0,1]", c.text, got.Negative)
		}
	}
	if a, b := Detect("太慢了"), Detect("太慢了！！！气死我了"); b.Negative <= a.Negative {
		t.Errorf("more anger scored %.2f, not above %.2f", b.Negative, a.Negative)
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"我要投诉", "不垃圾", "WHAT THE HELL!!!", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Detect(s)
		if got.Negative < 0 || got.Negative > 1 {
			t.Fatalf("Detect(%q).Negative = %v", s, got.Negative)
		}
	})
}
