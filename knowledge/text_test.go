package knowledge

import (
	"strings"
	"testing"
)

func termTexts(ts []Term) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Text)
	}
	return strings.Join(s, " ")
}

func TestTerms(t *testing.T) {
	got := termTexts(Terms("ＶＩＰ会员，满99元"))
	want := "wvip u会 b会员 u员 u满 w99 u元"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestQueryVectorExpansionsWeighLess(t *testing.T) {
	syn, err := ParseSynonyms(strings.NewReader("# 运费\n运费, 邮费，快递费\n雨靴 雨鞋\n"))
	if err != nil {
		t.Fatal(err)
	}
	exp := syn.Expand("邮费多少")
	if strings.Join(exp, "|") != "运费|快递费" && strings.Join(exp, "|") != "快递费|运费" {
		t.Fatalf("Expand: got %v, want 运费 and 快递费", exp)
	}
	v := QueryVector("邮费多少", exp, 0.5)
	w := map[uint32]float32{}
	for i, id := range v.Indices {
		w[id] = v.Values[i]
	}
	if w[termID("b邮费")] != 1 || w[termID("b运费")] != 0.5 {
		t.Errorf("weights: own term %v, expansion %v; want 1 and 0.5", w[termID("b邮费")], w[termID("b运费")])
	}
	if _, err := ParseSynonyms(strings.NewReader("孤单\n")); ErrorCode(err) != CodeInvalid {
		t.Errorf("a one-member group: got %v, want invalid_input", err)
	}
}

func TestDocumentVectorSaturates(t *testing.T) {
	one := DocumentVector("退货")
	many := DocumentVector(strings.Repeat("退货", 20))
	weight := func(v SparseVector) float32 {
		for i, id := range v.Indices {
			if id == termID("b退货") {
				return v.Values[i]
			}
		}
		return 0
	}
	if !(weight(many) > weight(one)) || weight(many) > bm25K1+1 {
		t.Errorf("BM25 term weight: once %v, twenty times %v; want growth bounded by k1+1", weight(one), weight(many))
	}
}

func TestMatchIgnoresFiller(t *testing.T) {
	if m := Match("请问一下你们那个运费怎么算啊", "运费：满 99 元包邮"); m < 0.5 {
		t.Errorf("filler words diluted the match: %v", m)
	}
	if m := Match("明天天气怎么样", "今天下单明天能发吗"); m >= 0.3 {
		t.Errorf("an off-topic question matched: %v", m)
	}
}

// English questions are compared on their content words, with plural and
// verb endings taken off: the words a question is framed with (how long,
// does, my) prove nothing, and one content word of two is weak evidence.
func TestMatchEnglish(t *testing.T) {
	for _, tc := range []struct {
		query, text string
		min, max    float64
	}{
		{"How long do refunds take?", "how long does a refund take", 0.99, 1},
		{"when was my parcel shipped", "when will my parcels ship", 0.99, 1},
		{"how long does a refund take", "how long does shipping take", 0, 0.01},
		{"do you sell laptops", "how to sell my fund", 0, 0.3},
		{"Is breakfast included?", "does the room include breakfast", 0.99, 1},
		{"退款 refund 多久", "退款多久到账", 0.3, 1}, // mixed: the Chinese carries it
	} {
		if m := Match(tc.query, tc.text); m < tc.min || m > tc.max {
			t.Errorf("Match(%q, %q) = %.3f, want in [%v, %v]", tc.query, tc.text, m, tc.min, tc.max)
		}
	}
	for w, want := range map[string]string{"refunds": "refund", "shipped": "ship", "shipping": "ship", "deliveries": "delivery",
		"addresses": "address", "arrive": "arriv", "arriving": "arriv", "class": "class", "iPhone": "iPhone"} {
		if got := stem(w); got != want {
			t.Errorf("stem(%q) = %q, want %q", w, got, want)
		}
	}
}
