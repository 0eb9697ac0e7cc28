package classifier

import (
	"math"
	"strings"
	"testing"

	"kefu/nlu/lexicon"
)

// FuzzClassify holds the classifier's promises for any input: no panic, a
// known intent, probabilities in [0, 1], and lexicon features only of the
// lexicon's classes.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", " ", "我的快递到哪了", "从呼和浩特到北京市海淀区", "端午节", "😀😀😀", "\xff\xfe武汉",
		"ＣＣＴＶ春节联欢晚会", "where is my refund", strings.Repeat("去杭州", 100), "北京北京北京市市市"} {
		f.Add(s)
	}
	m := train(f, toy(), Options{Folds: 2, Features: &defaultFeatures})
	known := map[uint64]bool{}
	for _, c := range []string{lexicon.Place, lexicon.Festival, lexicon.Org, lexicon.Food} {
		known[lexiconFeature(c)] = true
	}
	f.Fuzz(func(t *testing.T, text string) {
		p := m.Classify(text)
		if p.Intent == "" || math.IsNaN(p.Confidence) || p.Confidence < 0 || p.Confidence > 1 || p.Coverage < 0 || p.Coverage > 1 {
			t.Fatalf("%q: %+v", text, p)
		}
		for _, h := range m.ext.extract(text)[groupLexicon] {
			if !known[h] {
				t.Fatalf("%q: lexicon feature %x is no class's", text, h)
			}
		}
	})
}
