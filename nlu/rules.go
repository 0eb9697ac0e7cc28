package nlu

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rules is the minimal deterministic engine: it recognises the built-in
// intents by phrase and leaves everything else to the knowledge base.
type Rules struct{}

var builtinPhrases = []struct {
	intent  string
	phrases []string
}{
	{IntentHandoff, []string{"转人工", "人工客服", "人工服务", "找人工", "真人", "客服人员", "talk to a human", "human agent", "real person", "speak to someone", "agent please"}},
	{IntentGreeting, []string{"在吗", "在么", "你好", "您好", "哈喽", "hello", "hi", "hey"}},
	{IntentThanks, []string{"谢谢", "多谢", "感谢", "thank"}},
	{IntentGoodbye, []string{"再见", "拜拜", "bye"}},
}

// Parse implements Engine.
func (Rules) Parse(_ context.Context, in Input) (Result, error) {
	start := time.Now()
	text := strings.ToLower(strings.TrimSpace(in.Text))
	res := Result{Trace: Trace{Engine: "rules"}}
	for _, b := range builtinPhrases {
		for _, p := range b.phrases {
			if b.intent == IntentHandoff && !containsPhrase(text, p) {
				continue
			}
			// Greetings, thanks and goodbyes only count when they open a short
			// message: "你好，我的订单到哪了" is a question, not a greeting.
			if b.intent != IntentHandoff && (!hasPhrasePrefix(text, p) || utf8.RuneCountInString(text) > utf8.RuneCountInString(p)+4) {
				continue
			}
			res.Intent, res.Confidence = b.intent, 1
			res.Trace.Candidates = []Candidate{{Intent: b.intent, Score: 1}}
			res.Trace.Latency = time.Since(start)
			return res, nil
		}
	}
	// Only emoji, stickers' alt text or punctuation ("😀😀", "？？？", "👍"):
	// nothing to answer, and no reason to say so — the bot greets and asks
	// what it can do, and the turn is no failure to understand. While the
	// bot waits for an answer ("请问是哪个订单？" → "？") it asks again instead.
	waiting := in.State != nil && len(in.State.Missing) > 0
	if text != "" && !waiting && !strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		res.Intent, res.Confidence = IntentGreeting, 1
		res.Trace.Candidates = []Candidate{{Intent: IntentGreeting, Score: 1}}
	}
	res.Trace.Latency = time.Since(start)
	return res, nil
}

// bareAnswers answer a question the bot asks in a flow (提交 the return,
// 确认 the refund): a playbook reads them there; alone they ask for nothing,
// and a classifier would read them as the nearest intent (提交 as 提现).
var bareAnswers = []string{"提交", "提交吧", "确认", "确认提交", "确定", "是的", "是", "对", "对的", "不是", "不对",
	"submit", "confirm", "yes", "no"}

// cancelWords withdraw what the customer asked for.
var cancelWords = []string{"取消", "算了", "不用了", "不要了", "不需要了", "先不了", "不办了", "cancel", "never mind", "nevermind", "forget it"}

// CancelsTask reports whether text only withdraws the request in progress:
// a short message saying one of the cancel words ("算了，不用了", "cancel").
func CancelsTask(text string) bool {
	t := bareText(text)
	if t == "" || utf8.RuneCountInString(t) > 12 {
		return false
	}
	for _, w := range cancelWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// bareText is text in lower case without the spaces and punctuation
// around it: what a one-word answer is compared as.
func bareText(text string) string {
	return strings.ToLower(strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
}

// BareCancel reports whether text is only the word cancel ("取消", "cancel"),
// which names nothing to cancel.
func BareCancel(text string) bool {
	t := bareText(text)
	return t == "取消" || t == "cancel" || t == "取消一下"
}

// BareAnswer reports whether text is only such an answer.
func BareAnswer(text string) bool {
	t := bareText(text)
	return t != "" && slices.Contains(bareAnswers, t)
}

// isWordRune reports whether r continues a Latin word: "hi" is a greeting,
// "hide" is not.
func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// latin reports whether p is written in Latin letters, whose words must
// match whole.
func latin(p string) bool {
	r, _ := utf8.DecodeRuneInString(p)
	return r < utf8.RuneSelf
}

// hasPhrasePrefix reports whether text opens with the phrase p, as a whole
// word when p is Latin ("thank" also opens "thanks" and "thank you").
func hasPhrasePrefix(text, p string) bool {
	if !strings.HasPrefix(text, p) {
		return false
	}
	if !latin(p) || len(text) == len(p) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[len(p):])
	return !isWordRune(next) || (p == "thank" && next == 's')
}

// containsPhrase reports whether p occurs in text, as whole words when p is
// Latin ("agent please" but not "reagent pleased").
func containsPhrase(text, p string) bool {
	if !latin(p) {
		return strings.Contains(text, p)
	}
	for i := 0; ; {
		k := strings.Index(text[i:], p)
		if k < 0 {
			return false
		}
		k += i
		before, _ := utf8.DecodeLastRuneInString(text[:k])
		after, _ := utf8.DecodeRuneInString(text[k+len(p):])
		if (k == 0 || !isWordRune(before)) && (k+len(p) == len(text) || !isWordRune(after)) {
			return true
		}
		i = k + 1
	}
}

// Pleasantries that open or close a message without changing what it asks:
// "你好，退货运费谁出", "谢谢，那运费怎么算", "运费怎么算 谢谢". Longest first.
var (
	openers = []string{"谢谢你们", "谢谢你", "谢谢啦", "谢谢亲", "非常感谢", "好的谢谢", "好的好的", "你好呀", "您好呀", "在不在",
		"在吗", "在么", "你好", "您好", "哈喽", "亲亲", "谢谢", "多谢", "感谢", "好的", "好嘞", "嗯嗯", "哦哦", "嗨", "亲", "嗯", "哦", "喂",
		"thank you", "thanks", "hello", "hi there", "hey there", "hi", "hey", "ok", "okay"}
	closers = []string{"谢谢你们", "谢谢你", "谢谢啦", "谢谢亲", "谢谢", "多谢", "谢啦", "thank you", "thanks", "please"}
)

// separator reports whether r may follow an opener or precede a closer:
// spaces, punctuation and the particles that end a pleasantry (好的呢, 你好呀).
func separator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || strings.ContainsRune("啊呀哈呢吧啦哦嘛", r)
}

// bound reports whether an opener ends before rest: "谢谢你们的帮助" is one
// thanks, not "谢谢你们" followed by a question.
func bound(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return !strings.ContainsRune("的了得", r)
}

// StripPleasantries returns the question in a message once the greetings and
// thanks around it are removed: "谢谢，那运费怎么算" → "那运费怎么算". It returns
// "" when nothing but pleasantries is left, so the caller can tell a
// greeting from a question that opens with one.
func StripPleasantries(text string) string {
	s := strings.TrimSpace(text)
	low := asciiLower(s)
	for changed := true; changed && s != ""; {
		changed = false
		for _, p := range openers {
			if !hasPhrasePrefix(low, p) {
				continue
			}
			if bound(s[len(p):]) { // the longest opener decides: 谢谢你们|的帮助 is no 谢谢你|们的帮助
				rest := strings.TrimLeftFunc(s[len(p):], separator)
				s, low, changed = rest, asciiLower(rest), true
			}
			break
		}
	}
	for changed := true; changed && s != ""; {
		changed = false
		trimmed := strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
		low = asciiLower(trimmed)
		for _, p := range closers {
			if !strings.HasSuffix(low, p) {
				continue
			}
			head := trimmed[:len(trimmed)-len(p)]
			if latin(p) && head != "" {
				if r, _ := utf8.DecodeLastRuneInString(head); isWordRune(r) {
					continue
				}
			}
			s, changed = strings.TrimRightFunc(head, separator), true
			break
		}
	}
	if utf8.RuneCountInString(s) < 2 {
		return "" // "好的 嗯", "谢谢 哈": one particle is no question
	}
	return s
}

// asciiLower lower-cases ASCII letters only, so byte offsets into the result
// are offsets into s (strings.ToLower may change the length of other letters).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// questionWords mark a message as a question rather than a statement.
var questionWords = []string{"吗", "么", "多久", "多少", "怎么", "为什么", "如何", "什么", "哪", "几天", "几点", "几号", "是否", "有没有", "能不能", "可不可以", "是不是"}

// IsQuestion reports whether text asks something: a question mark, a
// Chinese question word, or an English question opening.
func IsQuestion(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if strings.ContainsAny(t, "?？") {
		return true
	}
	for _, w := range questionWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	first, _, _ := strings.Cut(t, " ")
	switch first {
	case "how", "what", "when", "where", "why", "who", "which", "can", "could", "do", "does", "is", "are", "will", "should":
		return true
	}
	return false
}
