package knowledge

import "context"

// Query is a customer question to answer.
type Query struct {
	Text    string
	Lang    string // "zh", "en", "" to detect
	Channel string // only content published for this channel (empty: any)
	Segment string // customer segment filter (empty: any)
	Tags    []string
	TopK    int // passages to retrieve; 0 means the answerer's default
}

// Passage is one retrieved piece of approved content with its scores.
type Passage struct {
	ID          string             `json:"id"`          // chunk or FAQ entry id
	DocumentID  string             `json:"document_id"` // the document or FAQ entry it belongs to
	Kind        ItemKind           `json:"kind,omitempty"`
	Version     int                `json:"version,omitempty"`
	Title       string             `json:"title"`
	HeadingPath []string           `json:"heading_path,omitempty"`
	Text        string             `json:"text"`
	Questions   []string           `json:"questions,omitempty"` // FAQ entries: the phrasings matched against
	Score       float64            `json:"score"`
	Scores      map[string]float64 `json:"scores,omitempty"` // per signal: lexical, dense, fused, match
}

// AnswerKind says where an answer came from.
type AnswerKind string

const (
	AnswerFAQ        AnswerKind = "faq"        // a curated FAQ answer, verbatim
	AnswerGenerated  AnswerKind = "generated"  // written by the LLM from the passages only
	AnswerExtractive AnswerKind = "extractive" // the best passage itself
	AnswerNone       AnswerKind = "none"       // nothing relevant: the bot must say it does not know
)

// Citation points an answer at the passage that supports it.
type Citation struct {
	PassageID  string `json:"passage_id"`
	DocumentID string `json:"document_id"`
	Title      string `json:"title"`
}

// Answer is what the knowledge base says to a query, with the evidence.
type Answer struct {
	Kind       AnswerKind `json:"kind"`
	Text       string     `json:"text"`
	Confidence float64    `json:"confidence"`
	Citations  []Citation `json:"citations,omitempty"`
	Passages   []Passage  `json:"passages,omitempty"` // what was retrieved, with scores, kept with the answer
	Lang       string     `json:"lang,omitempty"`
	// Notes say what degraded or why nothing was said, as stable codes:
	// llm_timeout, llm_error, unsupported_generation, no_relevant_passage, ...
	Notes []string `json:"notes,omitempty"`
}

// Answerer answers questions from the knowledge base.
type Answerer interface {
	Answer(ctx context.Context, q Query) (Answer, error)
}
