package knowledge

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/ollama/ollama/api"
)

// ChatClient is the part of the Ollama client generation uses;
// *api.Client satisfies it.
type ChatClient interface {
	Chat(ctx context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error
}

// ResponderConfig assembles a responder. Only Retriever is required; zero
// thresholds take the defaults, tuned on the demo knowledge base's
// development half.
type ResponderConfig struct {
	Retriever *Retriever
	Chat      ChatClient // nil: no generation, extractive answers
	Model     string     // the chat model
	// Tone describes the deployment's voice for generated answers, e.g.
	// "亲切、简洁、专业". Empty: a neutral, polite tone.
	Tone string
	// Timeout bounds generation; past it the answer degrades to
	// extractive. Default 20s.
	Timeout time.Duration
	// FAQThreshold is the Match from which the best FAQ entry's curated
	// answer is returned verbatim. Default 0.6.
	FAQThreshold float64
	// MinMatch is the Match the top-ranked passage needs to be answered
	// from. Default 0.35.
	MinMatch float64
	// RunnerUpMatch is the Match a passage ranked second or third needs to
	// be answered from when the top one falls short; when none clears its
	// bar, the answer is Kind none. Default 0.5. Both were calibrated on
	// the development half of knowledge/testdata/demo-eval.jsonl, its
	// out-of-scope questions included.
	RunnerUpMatch float64
	// MaxPassages is how many passages the model sees. Default 4.
	MaxPassages int
	// MinSupport is the share of a generated sentence's topical terms that
	// must appear in the passages it cites. Default 0.5.
	MinSupport float64
}

// Responder is the knowledge base's Answerer: verbatim FAQ, grounded
// generation with citations, or the best passage — and it says so when it
// does not know.
type Responder struct {
	cfg ResponderConfig
}

var _ Answerer = (*Responder)(nil)

// NewResponder returns a responder.
func NewResponder(cfg ResponderConfig) (*Responder, error) {
	if cfg.Retriever == nil {
		return nil, errors.New("knowledge: a responder needs a retriever")
	}
	if cfg.Chat != nil && cfg.Model == "" {
		return nil, errors.New("knowledge: a chat client needs a model name")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.FAQThreshold <= 0 {
		cfg.FAQThreshold = 0.6
	}
	if cfg.MinMatch <= 0 {
		cfg.MinMatch = 0.35
	}
	if cfg.RunnerUpMatch <= 0 {
		cfg.RunnerUpMatch = 0.5
	}
	if cfg.MaxPassages <= 0 {
		cfg.MaxPassages = 4
	}
	if cfg.MinSupport <= 0 {
		cfg.MinSupport = 0.5
	}
	return &Responder{cfg: cfg}, nil
}

// Answer implements Answerer.
func (a *Responder) Answer(ctx context.Context, q Query) (Answer, error) {
	lang := q.Lang
	if lang == "" {
		lang = DetectLang(q.Text)
	}
	ret, err := a.cfg.Retriever.Retrieve(ctx, q)
	if err != nil {
		return Answer{Kind: AnswerNone, Lang: lang}, err
	}
	ans := Answer{Kind: AnswerNone, Lang: lang, Passages: ret.Passages, Notes: ret.Notes}
	relevant := a.relevant(ret.Passages)
	if len(relevant) == 0 {
		ans.Notes = append(ans.Notes, "no_relevant_passage")
		if len(ret.Passages) > 0 {
			ans.Confidence = ret.Passages[0].Scores["match"]
		}
		return ans, nil
	}
	best := relevant[0]
	if best.Kind == KindFAQ && best.Scores["match"] >= a.cfg.FAQThreshold {
		ans.Kind, ans.Text, ans.Confidence = AnswerFAQ, best.Text, best.Scores["match"]
		ans.Citations = []Citation{citation(best)}
		return ans, nil
	}
	if a.cfg.Chat != nil {
		gen, note := a.generate(ctx, q.Text, lang, relevant)
		if note != "" {
			ans.Notes = append(ans.Notes, note)
		}
		switch {
		case gen != nil:
			gen.Passages, gen.Notes, gen.Lang = ans.Passages, ans.Notes, lang
			return *gen, nil
		case note == noteUnsupported || note == noteNoAnswer:
			return ans, nil // the model could not ground an answer: say so
		case ctx.Err() != nil:
			return ans, ctx.Err()
		}
		// A timeout or an error: fall through to the extractive answer.
	}
	ans.Kind, ans.Confidence = AnswerExtractive, best.Scores["match"]
	ans.Text = extract(q.Text, best)
	ans.Citations = []Citation{citation(best)}
	return ans, nil
}

// relevant keeps the passages an answer may rest on, in rank order: the
// top one when its Match clears MinMatch, the next ones (down to
// relevantDepth) only when they clear the higher RunnerUpMatch, since the
// ranking put something else first. A passage that ranked well only
// through the dense leg needs a strong cosine instead. Nothing further
// down counts: a weak match deep in the list is how an unrelated passage
// ("基金几点前买入") ends up answering a question the knowledge base does
// not cover ("鞋子啥时候到").
func (a *Responder) relevant(ps []Passage) []Passage {
	var out []Passage
	for i, p := range ps[:min(len(ps), relevantDepth)] {
		bar := a.cfg.MinMatch
		if i > 0 {
			bar = max(bar, a.cfg.RunnerUpMatch)
		}
		if p.Scores["match"] >= bar || p.Scores["dense"] >= 0.8 {
			out = append(out, p)
		}
	}
	return out
}

const relevantDepth = 3

func citation(p Passage) Citation {
	return Citation{PassageID: p.ID, DocumentID: p.DocumentID, Title: p.Title}
}

// extract trims a passage to what the question asks about: the FAQ answer
// whole (it is curated), otherwise the sentences sharing the most topical
// terms with the question, in their original order, at most three.
func extract(query string, p Passage) string {
	if p.Kind == KindFAQ {
		return p.Text
	}
	sents := Sentences(p.Text)
	if len(sents) <= 2 {
		return strings.TrimSpace(p.Text)
	}
	type scoredSent struct {
		i int
		s float64
	}
	var ss []scoredSent
	for i, s := range sents {
		ss = append(ss, scoredSent{i, Match(query, s)})
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].s > ss[j].s })
	if ss[0].s == 0 {
		return strings.Join(sents[:2], "")
	}
	keep := map[int]bool{}
	for _, s := range ss[:min(3, len(ss))] {
		if s.s >= ss[0].s/2 {
			keep[s.i] = true
			// A sentence ending in a colon introduces what follows.
			if strings.HasSuffix(sents[s.i], "：") && s.i+1 < len(sents) {
				keep[s.i+1] = true
			}
		}
	}
	var b strings.Builder
	for i, s := range sents {
		if keep[i] {
			if b.Len() > 0 && !strings.HasPrefix(s, "- ") {
				if r, _ := lastRune(b.String()); !isCJK(r) && !unicode.IsPunct(r) {
					b.WriteByte(' ')
				}
			}
			if strings.HasPrefix(s, "- ") && b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// DetectLang says "zh" when the text has any Han character, else "en".
func DetectLang(text string) string {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return "en"
}
