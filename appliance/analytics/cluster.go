package analytics

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Gap is a cluster of similar questions the bot could not answer: a topic
// the knowledge base is missing.
type Gap struct {
	Label    string   `json:"label"` // the first question of the cluster
	Count    int      `json:"count"`
	Examples []string `json:"examples"` // up to 5 distinct phrasings
}

// similarity is the Jaccard overlap of character bigrams above which a
// question joins a cluster; with fillers dropped, "积分怎么兑换" and
// "积分能兑换什么" meet (0.4) while "积分怎么兑换" and "发票怎么开" do not (0).
const similarity = 0.3

// fillers are dropped before comparing questions: they say nothing of the topic.
var fillers = strings.NewReplacer("请问", "", "你好", "", "您好", "", "一下", "", "怎么", "", "如何", "", "可以", "", "什么", "",
	"能不能", "", "是不是", "", "我想", "", "我要", "", "吗", "", "呢", "", "啊", "", "吧", "", "的", "", "了", "")

// clusterer groups questions by leader clustering: each question joins the
// first cluster whose leader it resembles, or leads a new one. At most max
// clusters are kept; later questions that resemble none are counted as other.
type clusterer struct {
	max      int
	clusters []*cluster
	other    int
}

type cluster struct {
	Gap
	leader []uint32 // sorted bigram hashes of the first question
}

func newClusterer(max int) *clusterer { return &clusterer{max: max} }

func (c *clusterer) add(text string) {
	text = strings.TrimSpace(text)
	grams := bigrams(text)
	if len(grams) == 0 {
		return
	}
	best, bestSim := -1, similarity
	for i, cl := range c.clusters {
		if s := jaccard(grams, cl.leader); s >= bestSim {
			best, bestSim = i, s
		}
	}
	if best < 0 {
		if len(c.clusters) >= c.max {
			c.other++
			return
		}
		c.clusters = append(c.clusters, &cluster{Gap: Gap{Label: text, Count: 1, Examples: []string{text}}, leader: grams})
		return
	}
	cl := c.clusters[best]
	cl.Count++
	if len(cl.Examples) < 5 && !slices.Contains(cl.Examples, text) {
		cl.Examples = append(cl.Examples, text)
	}
}

// top returns the n largest clusters with more than one question, or all
// clusters when none repeats.
func (c *clusterer) top(n int) []Gap {
	list := slices.Clone(c.clusters)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Count > list[j].Count })
	out := []Gap{}
	for _, cl := range list {
		if len(out) == n {
			break
		}
		out = append(out, cl.Gap)
	}
	return out
}

// bigrams returns the sorted, distinct hashes of a question's character
// bigrams after folding case and dropping punctuation and fillers.
func bigrams(text string) []uint32 {
	var rs []rune
	for _, r := range fillers.Replace(strings.ToLower(text)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 1 {
		rs = append(rs, ' ')
	}
	var out []uint32
	for i := 0; i+1 < len(rs); i++ {
		h := fnv.New32a()
		h.Write([]byte(string(rs[i : i+2])))
		out = append(out, h.Sum32())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func jaccard(a, b []uint32) float64 {
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
