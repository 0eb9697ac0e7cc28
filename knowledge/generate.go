package knowledge

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ollama/ollama/api"
)

// Notes a generation attempt can leave on an answer.
const (
	noteTimeout     = "llm_timeout"            // generation took too long: extractive instead
	noteLLMError    = "llm_error"              // the model failed: extractive instead
	noteUnsupported = "unsupported_generation" // the model's answer was not grounded: none
	noteNoAnswer    = "llm_no_answer"          // the model said the passages do not answer: none
	noteCrossLang   = "support_checked_by_citation_and_numbers_only"
	noAnswerMarker  = "NO_ANSWER"
)

const systemPromptZH = `你是企业的在线客服。只能根据下面编号的资料回答客户的问题，不得使用资料以外的任何知识，不得编造政策、金额、时间或数字。
每句话后面用方括号标注所依据的资料编号，例如 [1] 或 [1][2]。
如果资料不足以回答，只回复 NO_ANSWER，不要写别的内容。
用%s回答。语气：%s。回答简短，不超过三句话。`

const systemPromptEN = `You are the company's customer-service agent. Answer the customer's question using only the numbered passages below; never use outside knowledge and never invent policies, amounts, dates or numbers.
After each sentence, cite the passages it relies on in square brackets, e.g. [1] or [1][2].
If the passages do not answer the question, reply with exactly NO_ANSWER and nothing else.
Answer in %s. Tone: %s. Keep it short: at most three sentences.`

func langName(lang string, zhPrompt bool) string {
	switch {
	case lang == "en" && zhPrompt:
		return "英文"
	case lang == "en":
		return "English"
	case zhPrompt:
		return "简体中文"
	}
	return "Simplified Chinese"
}

// generate asks the model for an answer grounded in the passages and
// verifies it. It returns the answer, or nil and a note saying why not.
func (a *Responder) generate(ctx context.Context, question, lang string, passages []Passage) (*Answer, string) {
	ps := passages[:min(len(passages), a.cfg.MaxPassages)]
	tone := a.cfg.Tone
	prompt := fmt.Sprintf(systemPromptZH, langName(lang, true), orDefault(tone, "礼貌、简洁、专业"))
	if lang == "en" {
		prompt = fmt.Sprintf(systemPromptEN, langName(lang, false), orDefault(tone, "polite, concise, professional"))
	}
	var user strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&user, "[%d] %s", i+1, p.Title)
		if len(p.HeadingPath) > 0 {
			fmt.Fprintf(&user, " > %s", strings.Join(p.HeadingPath, " > "))
		}
		fmt.Fprintf(&user, "\n%s\n\n", p.Text)
	}
	if lang == "en" {
		fmt.Fprintf(&user, "Customer question: %s", question)
	} else {
		fmt.Fprintf(&user, "客户问题：%s", question)
	}
	stream := false
	req := &api.ChatRequest{Model: a.cfg.Model, Stream: &stream,
		Messages: []api.Message{{Role: "system", Content: prompt}, {Role: "user", Content: user.String()}},
		Options:  map[string]any{"temperature": 0}}
	gctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	var reply strings.Builder
	err := a.cfg.Chat.Chat(gctx, req, func(r api.ChatResponse) error {
		reply.WriteString(r.Message.Content)
		return nil
	})
	switch {
	case err != nil && ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || gctx.Err() != nil):
		return nil, noteTimeout
	case err != nil:
		return nil, noteLLMError
	}
	text := strings.TrimSpace(reply.String())
	if text == "" || strings.Contains(text, noAnswerMarker) {
		return nil, noteNoAnswer
	}
	cited, ok := Verify(text, lang, ps, a.cfg.MinSupport)
	if !ok {
		return nil, noteUnsupported
	}
	ans := &Answer{Kind: AnswerGenerated, Text: text}
	conf := 0.0
	for _, i := range cited {
		ans.Citations = append(ans.Citations, citation(ps[i]))
		conf = max(conf, ps[i].Scores["match"])
	}
	ans.Confidence = conf
	if lang == "en" && DetectLang(passagesText(ps)) == "zh" {
		ans.Notes = append(ans.Notes, noteCrossLang)
	}
	return ans, ""
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

func passagesText(ps []Passage) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	citationRE = regexp.MustCompile(`\[(\d+)\]|［(\d+)］|【(\d+)】`)
	numberRE   = regexp.MustCompile(`\d+(?:[.,:：]\d+)*%?`)
)

// Verify checks a generated answer against the passages it was given:
// it must cite, every citation must name a given passage, every number it
// states must appear in the passages, and each sentence's topical terms
// must be found, to at least minSupport, in the passages that sentence
// cites (or the answer cites, for a sentence without its own). For an
// answer in another language than the passages, only citations and
// numbers can be checked. It returns the 0-based passages cited.
func Verify(text, lang string, ps []Passage, minSupport float64) ([]int, bool) {
	all := citationRE.FindAllStringSubmatch(text, -1)
	if len(all) == 0 {
		return nil, false
	}
	var cited []int
	seen := map[int]bool{}
	for _, m := range all {
		n, _ := strconv.Atoi(m[1] + m[2] + m[3])
		if n < 1 || n > len(ps) {
			return nil, false
		}
		if !seen[n-1] {
			seen[n-1] = true
			cited = append(cited, n-1)
		}
	}
	source := Normalize(passagesText(ps))
	plain := citationRE.ReplaceAllString(Normalize(text), " ")
	for _, num := range numberRE.FindAllString(plain, -1) {
		if !strings.Contains(strings.ReplaceAll(source, " ", ""), strings.ReplaceAll(num, "：", ":")) {
			return nil, false
		}
	}
	if lang != DetectLang(source) {
		return cited, true
	}
	for _, s := range Sentences(text) {
		own := citationRE.FindAllStringSubmatch(s, -1)
		body := strings.TrimSpace(citationRE.ReplaceAllString(s, ""))
		if len(informative(body)) < 3 {
			continue // greetings and short connectives carry no claim
		}
		var support strings.Builder
		if len(own) > 0 {
			for _, m := range own {
				n, _ := strconv.Atoi(m[1] + m[2] + m[3])
				support.WriteString(ps[n-1].Title + " " + ps[n-1].Text + "\n")
			}
		} else {
			for _, i := range cited {
				support.WriteString(ps[i].Title + " " + ps[i].Text + "\n")
			}
		}
		if Match(body, support.String()) < minSupport {
			return nil, false
		}
	}
	return cited, true
}
