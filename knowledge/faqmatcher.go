package knowledge

import (
	"context"
)

// FAQMatcher is the zero-configuration answerer the engine falls back to
// when no knowledge base is wired: it compares a question with the FAQ
// phrasings directly (no index) and returns a curated answer verbatim
// when one matches closely enough. Fine for tens of entries; a real
// deployment uses a Responder.
type FAQMatcher struct {
	entries []FAQ
	// Threshold is the Match from which an entry answers; default 0.6.
	Threshold float64
}

var _ Answerer = (*FAQMatcher)(nil)

// NewFAQMatcher returns a matcher over the entries.
func NewFAQMatcher(entries []FAQ) *FAQMatcher {
	return &FAQMatcher{entries: entries, Threshold: 0.6}
}

// Answer implements Answerer.
func (m *FAQMatcher) Answer(_ context.Context, q Query) (Answer, error) {
	best, bestScore := -1, 0.0
	for i, e := range m.entries {
		if s := matchPhrasings(q.Text, e.Phrasings()); s > bestScore {
			best, bestScore = i, s
		}
	}
	lang := q.Lang
	if lang == "" {
		lang = DetectLang(q.Text)
	}
	if best < 0 || bestScore < m.Threshold {
		return Answer{Kind: AnswerNone, Confidence: bestScore, Lang: lang, Notes: []string{"no_relevant_passage"}}, nil
	}
	e := m.entries[best]
	p := Passage{ID: e.ID, DocumentID: e.ID, Kind: KindFAQ, Title: e.Question, Text: e.Answer, Questions: e.Phrasings(),
		Score: bestScore, Scores: map[string]float64{"match": bestScore}}
	return Answer{Kind: AnswerFAQ, Text: e.Answer, Confidence: bestScore, Lang: lang,
		Citations: []Citation{citation(p)}, Passages: []Passage{p}}, nil
}
