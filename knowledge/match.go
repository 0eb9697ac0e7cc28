package knowledge

import (
	"math"
	"strings"
)

// fillerRunes are the characters of chat filler — pronouns, particles,
// question words, directional complements. Chinese has no spaces, so a
// bigram touching one of them (我想, 想退, 的运, 费谁) is mostly a seam
// between words rather than a word, and says nothing about the topic;
// relevance checks ignore it. Characters that also start common topical
// words (会员, 还款, 申请, 下单, 地址) are deliberately not listed.
const fillerRunes = "我你您他她它们的得了吗呢吧啊呀哦噢嗯哈么嘛就也都很太想问一个那这是在有没和跟把被给让能可以怎样什如何为啥咋谁哪些呃额哎诶喂亲麻烦谢多少去来"

func fillerBigram(t string) bool {
	if !strings.HasPrefix(t, "b") {
		return false
	}
	for _, r := range t[1:] {
		if strings.ContainsRune(fillerRunes, r) {
			return true
		}
	}
	return false
}

// frameWords are the words customers wrap a question in — when, how
// long, how come, can I, today — longest first. They say what kind of
// answer is wanted, not what it is about, and as character bigrams they
// also make seams with the words next to them ("什么时候到" gives 时候
// and 候到, which "收益什么时候到" shares with "鞋子什么时候到"). Relevance
// checks cut them out before taking terms, on both sides.
var frameWords = []string{
	"什么时候", "啥时候", "多长时间", "多少时间", "怎么回事", "怎么办", "怎么样", "可不可以", "能不能", "是不是",
	"有没有", "会不会", "要不要", "还是", "为什么", "为啥", "咋回事", "咋办", "咋样", "怎么", "如何", "什么",
	"时候", "多久", "几天", "请问", "一下", "的话", "现在", "已经", "一直", "还没", "昨天", "今天", "明天",
	"前天", "刚才", "刚刚", "哪里", "哪儿", "在哪", "啥",
}

var frameCutter = func() *strings.Replacer {
	var pairs []string
	for _, w := range frameWords {
		pairs = append(pairs, w, " ")
	}
	return strings.NewReplacer(pairs...)
}()

// topical is text with the frame words cut out.
func topical(text string) string { return frameCutter.Replace(Normalize(text)) }

// informative returns the query's topical terms with their weights.
func informative(text string) map[string]float64 {
	out := map[string]float64{}
	ts := Terms(topical(text))
	for i, t := range ts {
		if t.Text[0] == 'u' {
			// A single character is too weak to show relevance, unless
			// cutting the frame words left it standing alone: in
			// "鞋子什么时候到", 到 is what is asked about the shoes.
			if r := t.Text[1:]; !strings.Contains(fillerRunes, r) && isolated(ts, i) {
				out[t.Text] = isolatedWeight
			}
			continue
		}
		if fillerBigram(t.Text) {
			continue
		}
		if t.Text[0] == 'w' {
			w, ok := englishTerm(t.Text)
			if !ok {
				continue
			}
			out[w] = max(out[w], t.Weight)
			continue
		}
		out[t.Text] = t.Weight
	}
	return out
}

// englishFiller are the English words a question is framed with (what,
// how long, can I, my): like the frame words in Chinese they say what kind
// of answer is wanted, not what it is about.
var englishFiller = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the this that these those it its i me my mine you your we our us they their them he she his her
		is am are was were be been being do does did done doing have has had having will would shall should can could may might must
		what when where which who whom whose why how long soon much many often
		to of in on at by for from with about into out up down off over under again than then there here so too very just also
		and or but if not no yes please hi hello thanks thank ok okay get got still yet now today any some
		want need like let know tell take happen`) {
		m[w], m[stem(w)] = true, true
	}
	return m
}()

// englishTerm is a word term as relevance checks compare it: filler
// dropped, a plural or verb ending taken off (refunds and refund, shipped and
// ship, arriving and arrive come out alike).
func englishTerm(t string) (string, bool) {
	w := t[1:]
	st := stem(w)
	if englishFiller[w] || englishFiller[st] || len(w) < 2 {
		return "", false
	}
	return "w" + st, true
}

// stem is a light suffix stripper for matching English words, not a
// linguistic stemmer: both sides of a comparison go through it.
func stem(w string) string {
	if !isASCIIWord(w) {
		return w
	}
	switch n := len(w); {
	case n > 5 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = w[:n-2]
	case n > 4 && (strings.HasSuffix(w, "ses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		w = w[:n-1]
	}
	// shipp(ed) → ship; arrive, arriv(ed) and arriv(ing) → arriv.
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiousl", rune(w[n-1])) {
		w = w[:n-1]
	}
	if len(w) > 3 {
		w = strings.TrimSuffix(w, "e")
	}
	return w
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// isolatedWeight is the weight of a lone character among a question's
// topical terms.
const isolatedWeight = 0.5

// isolated reports whether the unigram ts[i] belongs to no bigram: its
// run of CJK characters is one character long.
func isolated(ts []Term, i int) bool {
	c := ts[i].Text[1:]
	if i > 0 && ts[i-1].Text[0] == 'b' && strings.HasSuffix(ts[i-1].Text, c) {
		return false
	}
	return !(i+1 < len(ts) && ts[i+1].Text[0] == 'b' && strings.HasPrefix(ts[i+1].Text[1:], c))
}

// termSet is the set of a text's terms.
func termSet(text string) map[string]bool {
	have := map[string]bool{}
	for _, t := range Terms(topical(text)) {
		if t.Text[0] == 'w' {
			if w, ok := englishTerm(t.Text); ok {
				have[w] = true
			}
			continue
		}
		have[t.Text] = true
	}
	return have
}

// Match is the share (0..1) of the topical terms of query that text
// contains, weighted. It is a calibrated, backend-independent relevance
// signal: fused ranks say which passage is best, Match says whether the
// best is good enough to answer from.
func Match(query, text string) float64 {
	return coverage(informative(query), termSet(text))
}

// coverage is Match on prepared sets. One shared term out of several is
// weak evidence ("明天天气" vs "明天能发吗"): for a query with three or
// more topical terms, sharing only one halves the score.
func coverage(q map[string]float64, have map[string]bool) float64 {
	if len(q) == 0 {
		return 0
	}
	var num, den float64
	matched := 0
	for t, w := range q {
		den += w
		if have[t] {
			num += w
			matched++
		}
	}
	share := num / den
	if matched < 2 && (len(q) >= 3 || len(q) == 2 && allWords(q)) {
		share /= 2
	}
	return share
}

// allWords reports whether every term is a word of a spaced script: two
// English content words are the whole topic, and sharing one of them
// ("sell laptops" and "sell my fund") is weak evidence.
func allWords(q map[string]float64) bool {
	for t := range q {
		if t[0] != 'w' {
			return false
		}
	}
	return true
}

// weigher scales topical terms' weights in place (by rarity); nil leaves
// them as they are.
type weigher func(terms map[string]float64)

func (w weigher) apply(terms map[string]float64) map[string]float64 {
	if w != nil {
		w(terms)
	}
	return terms
}

// prepared is a query made ready for repeated relevance checks.
type prepared struct {
	inf map[string]float64
	set map[string]bool
	w   weigher
	// texts caches the prepared phrasings and passages of one query: a
	// query and its synonym rewrites check the same hits.
	texts *textCache
}

type textCache struct {
	inf map[string]map[string]float64
	set map[string]map[string]bool
}

func newTextCache() *textCache {
	return &textCache{inf: map[string]map[string]float64{}, set: map[string]map[string]bool{}}
}

func (c *textCache) informative(text string, w weigher) map[string]float64 {
	m, ok := c.inf[text]
	if !ok {
		m = w.apply(informative(text))
		c.inf[text] = m
	}
	return m
}

func (c *textCache) termSet(text string) map[string]bool {
	m, ok := c.set[text]
	if !ok {
		m = termSet(text)
		c.set[text] = m
	}
	return m
}

func prepare(query string, w weigher, c *textCache) prepared {
	if c == nil {
		c = newTextCache()
	}
	return prepared{w.apply(informative(query)), termSet(query), w, c}
}

// matchPhrasings is the best Match of query against any of the phrasings.
// A long question that contains a short phrasing whole also counts, but
// the less a phrasing says (fewer topical terms), the less containing it
// proves: "运费怎么算" is inside many questions about other fees.
func matchPhrasings(query string, phrasings []string) float64 {
	return prepare(query, nil, nil).phrasings(phrasings)
}

func (q prepared) phrasings(phrasings []string) float64 {
	best := 0.0
	for _, p := range phrasings {
		pi := q.texts.informative(p, q.w)
		m := coverage(q.inf, q.texts.termSet(p))
		switch back := coverage(pi, q.set); {
		case back > m:
			m += (back - m) * 0.8 * min(1, float64(len(pi))/3)
		case back < m:
			// The phrasing asks about more than the question says: 鞋子
			// is all of "鞋子到" but a third of "鞋子尺码怎么选".
			m = math.Sqrt(m * back)
		}
		best = max(best, m)
	}
	return best
}

// rarity returns a weigher that multiplies each term's weight by its BM25
// inverse document frequency in the index, so that "信用卡年费" is judged
// by 年费, which the knowledge base never mentions, more than by 信用卡,
// which it mentions often. Terms the index has never seen count as if
// they occurred once. Lookups are cached for the weigher's lifetime (one
// query).
func rarity(stats TermStats, lang string) weigher {
	if stats == nil {
		return nil
	}
	cache := map[string]float64{}
	return func(terms map[string]float64) {
		var miss []string
		var ids []uint32
		for t := range terms {
			if _, ok := cache[t]; !ok {
				miss = append(miss, t)
				ids = append(ids, termID(t))
			}
		}
		if len(ids) > 0 {
			df, n := stats.DocFreqs(ids, lang)
			for i, t := range miss {
				d := float64(max(df[i], unseenDF))
				cache[t] = math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
			}
		}
		for t := range terms {
			terms[t] *= max(cache[t], 0.05)
		}
	}
}

// unseenDF is the document frequency assumed for a term the index does
// not hold: a typo or a word the knowledge base never uses should weigh
// like a rare word, not outweigh everything else.
const unseenDF = 1
