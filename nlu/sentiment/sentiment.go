package sentiment

import (
	"math"
	"strings"
	"unicode"

	"kefu/nlu"
)

// cue is a lexicon entry: its weight adds to the negative score; complaint
// cues also set Complaint.
type cue struct {
	text      string
	weight    float64
	complaint bool
}

var lexicon = []cue{
	// Complaints and escalation threats.
	{"投诉", 1.2, true}, {"举报", 1.2, true}, {"12315", 1.5, true}, {"消协", 1.5, true}, {"消费者协会", 1.5, true},
	{"曝光", 1.0, true}, {"起诉", 1.5, true}, {"律师", 1.0, true}, {"维权", 1.2, true}, {"工商局", 1.2, true},
	{"市场监管", 1.2, true}, {"银保监", 1.2, true}, {"金融监管", 1.2, true}, {"差评", 1.0, true}, {"报警", 1.2, true},
	{"complain", 1.2, true}, {"complaint", 1.2, true}, {"report you", 1.2, true}, {"lawyer", 1.0, true}, {"sue you", 1.5, true},
	{"bad review", 1.0, true}, {"regulator", 1.0, true},
	// Negative sentiment.
	{"太差", 1.0, false}, {"差劲", 1.0, false}, {"很差", 0.9, false}, {"真差", 0.9, false}, {"垃圾", 1.1, false},
	{"骗子", 1.3, false}, {"骗人", 1.1, false}, {"诈骗", 1.2, false}, {"欺诈", 1.2, false}, {"坑人", 1.0, false},
	{"坑爹", 0.9, false}, {"黑心", 1.0, false}, {"奸商", 1.1, false}, {"气死", 1.0, false}, {"生气", 0.8, false},
	{"愤怒", 1.0, false}, {"失望", 0.7, false}, {"无语", 0.6, false}, {"恶心", 0.9, false}, {"离谱", 0.8, false},
	{"什么破", 0.9, false}, {"破玩意", 1.0, false}, {"烂透", 1.0, false}, {"不满意", 0.7, false}, {"恶劣", 1.0, false},
	{"敷衍", 0.8, false}, {"忽悠", 0.9, false}, {"搞什么", 0.7, false}, {"有病", 1.0, false}, {"滚", 0.8, false},
	{"退钱", 0.6, false}, {"还钱", 0.7, false}, {"再也不买", 1.0, false}, {"拉黑", 0.8, false}, {"态度差", 1.0, false},
	{"太慢了", 0.6, false}, {"等了半天", 0.5, false}, {"到底", 0.3, false}, {"怎么回事", 0.3, false}, {"受不了", 0.8, false},
	{"服了", 0.5, false}, {"崩溃", 0.7, false}, {"过分", 0.8, false}, {"不靠谱", 0.7, false}, {"忍无可忍", 1.2, false},
	{"terrible", 1.0, false}, {"awful", 1.0, false}, {"worst", 1.0, false}, {"ridiculous", 1.0, false},
	{"useless", 0.9, false}, {"angry", 0.9, false}, {"disappointed", 0.7, false}, {"unacceptable", 1.0, false},
	{"disgusting", 1.0, false}, {"rubbish", 1.0, false}, {"garbage", 1.0, false}, {"scam", 1.2, false},
	{"fraud", 1.2, false}, {"what the hell", 1.0, false}, {"wtf", 1.0, false}, {"furious", 1.1, false},
	{"fed up", 0.9, false}, {"pathetic", 1.0, false}, {"never again", 0.9, false}, {"refund my money", 0.6, false},
}

// negators before a cue cancel it: 不垃圾, "not terrible".
var negators = []string{"不", "没", "别", "not ", "isn't ", "wasn't ", "no "}

// Detect scores text.
func Detect(text string) nlu.Sentiment {
	lower := strings.ToLower(text)
	var s nlu.Sentiment
	var sum float64
	for _, c := range lexicon {
		from := 0
		for {
			i := strings.Index(lower[from:], c.text)
			if i < 0 {
				break
			}
			i += from
			from = i + len(c.text)
			if negated(lower[:i]) && !c.complaint {
				continue
			}
			sum += c.weight
			s.Complaint = s.Complaint || c.complaint
			s.Cues = append(s.Cues, c.text)
			break
		}
	}
	if sum > 0 {
		sum *= 1 + intensity(text)
	}
	s.Negative = math.Round((1-math.Exp(-sum))*1000) / 1000
	return s
}

func negated(before string) bool {
	for _, n := range negators {
		if strings.HasSuffix(before, n) {
			return true
		}
	}
	return false
}

// intensity grows with exclamation and question marks in a row, shouting
// in capitals, and 太/非常/简直.
func intensity(text string) float64 {
	var x float64
	run, upper, letters := 0, 0, 0
	for _, r := range text {
		switch r {
		case '!', '！', '?', '？':
			run++
			if run >= 2 {
				x += 0.1
			}
		default:
			run = 0
		}
		if unicode.IsLetter(r) && r < unicode.MaxASCII {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= 8 && upper*10 >= letters*7 {
		x += 0.3
	}
	for _, w := range []string{"太", "非常", "简直", "真的是", "so "} {
		if strings.Contains(text, w) {
			x += 0.1
		}
	}
	return math.Min(x, 0.6)
}
