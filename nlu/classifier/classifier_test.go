package classifier

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"kefu/nlu/lexicon"
)

func toy() []Example {
	var out []Example
	add := func(intent string, texts ...string) {
		for _, s := range texts {
			out = append(out, Example{Text: s, Intent: intent})
		}
	}
	add("order_status", "我的快递到哪了", "订单到哪里了", "查一下物流", "包裹什么时候到", "物流怎么不动了", "where is my order", "track my parcel", "快递几天能到")
	add("refund", "退款状态", "钱什么时候退回来", "退款怎么还没到账", "查一下退款进度", "refund not received", "退款多久能到", "where is my refund money", "退回原路吗")
	add("card_lost", "卡丢了", "银行卡挂失", "我的卡被偷了", "冻结我的卡", "I lost my card", "card stolen", "怎么挂失", "卡找不到了")
	add(Reject, "今天天气怎么样", "放首歌", "讲个笑话", "明天会下雨吗", "tell me a joke", "play music")
	return out
}

func train(t testing.TB, ex []Example, opts Options) *Model {
	t.Helper()
	m, err := Train(context.Background(), ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClassify(t *testing.T) {
	m := train(t, toy(), Options{Folds: 3})
	for text, want := range map[string]string{
		"我的包裹到哪里了":           "order_status",
		"退款还没到":              "refund",
		"信用卡丢了怎么办":           "card_lost",
		"my card was stolen": "card_lost",
	} {
		p := m.Classify(text)
		if p.Intent != want || p.OutOfScope {
			t.Errorf("%q: got %q (%.2f, out of scope %v), want %q", text, p.Intent, p.Confidence, p.OutOfScope, want)
		}
		if p.Confidence <= 0 || p.Confidence > 1 || len(p.Candidates) == 0 || p.Candidates[0].Intent != p.Intent {
			t.Errorf("%q: inconsistent prediction %+v", text, p)
		}
		for _, c := range p.Candidates {
			if c.Intent == Reject {
				t.Errorf("%q: the reject class leaked into the candidates", text)
			}
		}
	}
	if got := m.Labels(); !slices.Contains(got, "refund") || len(got) != 4 {
		t.Errorf("Labels() = %v, want the 3 intents and the reject class", got)
	}
}

func TestRejectClass(t *testing.T) {
	m := train(t, toy(), Options{Folds: 3})
	for _, text := range []string{"明天天气好吗", "给我放一首歌"} {
		if p := m.Classify(text); !p.OutOfScope || p.Intent == Reject {
			t.Errorf("%q: got %+v, want out of scope with a real intent as the closest", text, p)
		}
	}
}

func TestBadInput(t *testing.T) {
	m := train(t, toy(), Options{Folds: 3})
	for _, text := range []string{"", "   ", "😀😀", "\xff\xfe", strings.Repeat("退款", 5000), "!!!???", "مرحبا"} {
		p := m.Classify(text)
		if !p.OutOfScope && text != strings.Repeat("退款", 5000) {
			t.Errorf("%.12q: got in scope %+v, want out of scope", text, p)
		}
		if p.Intent == Reject || p.Intent == "" || math.IsNaN(p.Confidence) {
			t.Errorf("%.12q: got %+v, want a real intent and a number", text, p)
		}
	}
	if _, err := Train(context.Background(), []Example{{Text: "a", Intent: "x"}}, Options{}); err == nil {
		t.Errorf("one intent: got nil error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, toy(), Options{}); err == nil {
		t.Errorf("cancelled: got nil error")
	}
}

func TestDeterministic(t *testing.T) {
	a, b := train(t, toy(), Options{}), train(t, toy(), Options{})
	for _, text := range []string{"退款到账没", "卡不见了", "物流"} {
		if pa, pb := a.Classify(text), b.Classify(text); pa.Intent != pb.Intent || pa.Confidence != pb.Confidence {
			t.Errorf("%q: two trainings disagree: %+v vs %+v", text, pa, pb)
		}
	}
}

func TestConcurrentClassify(t *testing.T) {
	m := train(t, toy(), Options{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if p := m.Classify("我的快递到哪了"); p.Intent != "order_status" {
					t.Errorf("got %q", p.Intent)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNearest(t *testing.T) {
	m := train(t, toy(), Options{Folds: 1})
	got := m.Nearest("退款还没有到账", 3)
	if len(got) != 3 || got[0].Intent != "refund" || got[0].Similarity < got[1].Similarity {
		t.Errorf("got %+v, want 3 neighbours, the first a refund example, most similar first", got)
	}
	if m.Nearest("", 3) != nil || m.Nearest("退款", 0) != nil {
		t.Errorf("empty text or k=0: want no neighbours")
	}
}

func TestTokenize(t *testing.T) {
	got := []string{}
	for _, tok := range tokenize(normalize("I can't find my ＣＡＲＤ，退款123")) {
		got = append(got, tok.text)
	}
	want := []string{"i", "can", "not", "find", "my", "card", "退", "款", "123"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize: got %v, want %v", got, want)
	}
	// Codes are numbers by shape; short letter-digit words stay words.
	for text, kind := range map[string]tokenKind{"E202611080032": kindNumber, "SF1234567": kindNumber, "5G": kindWord, "iphone15": kindWord} {
		if toks := tokenize(normalize(text)); len(toks) != 1 || toks[0].kind != kind {
			t.Errorf("tokenize(%q) = %+v, want one token of kind %d", text, toks, kind)
		}
	}
}

// TestCalibration checks on real data that the confidence means what it
// says: in each confidence bin, accuracy is close to the mean confidence
// (expected calibration error), on SMP2017 dev with a model trained on train.
func TestCalibration(t *testing.T) {
	m := train(t, readJSONL(t, datasetPath(t, "smp2017_ecdt_task1", "train.jsonl")), Options{})
	dev := readJSONL(t, datasetPath(t, "smp2017_ecdt_task1", "dev.jsonl"))
	const bins = 10
	var n, hit [bins]float64
	var conf [bins]float64
	for _, ex := range dev {
		p := m.Classify(ex.Text)
		b := min(int(p.Confidence*bins), bins-1)
		n[b]++
		conf[b] += p.Confidence
		if p.Intent == ex.Intent {
			hit[b]++
		}
	}
	var ece float64
	for b := range bins {
		if n[b] > 0 {
			ece += n[b] / float64(len(dev)) * math.Abs(hit[b]/n[b]-conf[b]/n[b])
		}
	}
	t.Logf("SMP2017 dev expected calibration error: %.3f", ece)
	if ece > 0.08 {
		t.Errorf("expected calibration error: got %.3f, want at most 0.08", ece)
	}
}

func TestShape(t *testing.T) {
	e := extractor{cfg: Features{Shape: 1}}
	has := func(text string, h uint64) bool { return slices.Contains(e.extract(text)[groupShape], h) }
	question, endsQ := mix(21, 1), mix(23, '?')
	for _, s := range []string{"头疼吃什么药？", "头疼吃什么药?", "is my card blocked?"} {
		if !has(s, question) || !has(s, endsQ) {
			t.Errorf("%q: want the question and final-? shape features, got %v", s, e.extract(s)[groupShape])
		}
	}
	if !has("明天去吗", question) || has("明天去吗", endsQ) {
		t.Errorf("明天去吗: 吗 asks a question, but the text ends with no punctuation")
	}
	if !has("帮我放一首周杰伦的歌。", mix(23, '。')) {
		t.Errorf("帮我放一首周杰伦的歌。: want the final-。 feature")
	}
	// Two bare names of the same length share their whole shape.
	if a, b := e.extract("贵州茅台")[groupShape], e.extract("北京天气")[groupShape]; !slices.Equal(a, b) || len(a) != 2 {
		t.Errorf("shapes of two four-character names: %v and %v", a, b)
	}
	if a, b := e.extract("贵州茅台")[groupShape], e.extract("贵州茅台酒股份有限公司")[groupShape]; slices.Equal(a, b) {
		t.Errorf("a short and a long text should differ in length bucket")
	}
	// Shape is known for any text, so it must not count as coverage.
	m := train(t, toy(), Options{Folds: 1, Features: &Features{Unit: 1, Shape: 1}})
	if p := m.Classify("xyzzy plugh"); p.Coverage != 0 {
		t.Errorf("unknown words: coverage %.2f, want 0", p.Coverage)
	}
}

func TestLexicon(t *testing.T) {
	e := extractor{cfg: Features{Unit: 1, Lexicon: 1}}
	place, festival := lexiconFeature(lexicon.Place), lexiconFeature(lexicon.Festival)
	for _, c := range []struct {
		text string
		want []uint64
	}{
		{"从武汉到北京市海淀区", []uint64{place, place, place}},
		{"端午节是哪一天", []uint64{festival}},
		{"where is beijing", nil},
		{"😀😀😀", nil},
	} {
		if got := e.extract(c.text)[groupLexicon]; !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
	// The classifier looks at the first maxRunes characters only.
	if got := e.extract(strings.Repeat("去杭州", 5000))[groupLexicon]; len(got) != maxRunes/3 {
		t.Errorf("15,000 characters: %d place features, want %d", len(got), maxRunes/3)
	}

	// A place the examples never named is still a place: trained on bare
	// city names for one intent and bare stock names for another, the model
	// puts unseen cities with the cities only when the lexicon is on.
	var ex []Example
	for _, s := range []string{"杭州", "成都", "武汉", "广州", "南京", "西安", "天津", "重庆"} {
		ex = append(ex, Example{Text: s, Intent: "weather"})
	}
	for _, s := range []string{"茅台", "万科", "格力", "比亚迪", "宁德时代", "五粮液", "招商银行", "中信证券"} {
		ex = append(ex, Example{Text: s, Intent: "stock"})
	}
	unseen := []string{"洛阳", "呼和浩特", "乌鲁木齐", "齐齐哈尔", "拉萨", "哈尔滨"}
	score := func(f Features) int {
		m := train(t, ex, Options{Folds: 1, Features: &f})
		n := 0
		for _, s := range unseen {
			if m.Classify(s).Intent == "weather" {
				n++
			}
		}
		return n
	}
	with, without := defaultFeatures, defaultFeatures
	without.Lexicon = 0
	if got := score(with); got != len(unseen) {
		t.Errorf("with the lexicon: %d of %d unseen cities classed with the cities", got, len(unseen))
	}
	if got := score(without); got == len(unseen) {
		t.Errorf("without the lexicon all %d unseen cities were classed with the cities: the test shows nothing", got)
	}
}
