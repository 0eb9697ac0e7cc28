package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"strings"
	"time"

	"kefu/knowledge"
	"kefu/knowledge/embedded"
)

// Query is one line of an evaluation set. Expected holds the ids of the
// documents or FAQ entries that answer it; an empty list marks a question
// the knowledge base must not answer. Split ("dev", "test") lets a set keep
// a held-out half.
type Query struct {
	Text     string   `json:"text"`
	Expected []string `json:"expected"`
	Split    string   `json:"split,omitempty"`
}

// ReadQueries reads a JSONL evaluation set.
func ReadQueries(r io.Reader) ([]Query, error) {
	var out []Query
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Query
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("queries line %d is not JSON", n), Err: err}
		}
		if strings.TrimSpace(q.Text) == "" {
			return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: fmt.Sprintf("queries line %d has no text", n)}
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: unable to read queries: %w", err)
	}
	if len(out) == 0 {
		return nil, &knowledge.Error{Code: knowledge.CodeInvalid, Message: "the queries file is empty"}
	}
	return out, nil
}

// Options configure a retrieval evaluation.
type Options struct {
	KB      fs.FS   // the knowledge-base directory (see LoadKB)
	Queries []Query // the evaluation set
	// Embedder, when set, adds a hybrid run (lexical + dense) next to the
	// lexical-only one.
	Embedder knowledge.Embedder
	TopK     int // passages retrieved per query; default 5
	// MatchWeight is passed to the retriever (see knowledge.RetrieverConfig).
	MatchWeight float64
	// DenseWeight is passed to the retriever (see knowledge.RetrieverConfig).
	DenseWeight float64
	Misses      bool // list the queries whose expected entry was not first
	// Responder sets the responder's thresholds (its Retriever is
	// ignored); zero values take the responder's defaults.
	Responder knowledge.ResponderConfig
}

// Scores are the metrics over a set of queries.
type Scores struct {
	Queries int     `json:"queries"`
	Hit1    float64 `json:"hit1"`
	Hit5    float64 `json:"hit5"`
	MRR     float64 `json:"mrr"`
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
	// Answered is the share of these (answerable) queries the responder
	// answers without a language model rather than saying it does not know;
	// AnsweredWrong the share it answers from an entry that is not among
	// the expected ones (worse than not answering).
	Answered      float64 `json:"answered"`
	AnsweredWrong float64 `json:"answered_wrong"`
	// OutOfScope counts the questions with no expected entry, and Refused
	// the share of them the responder declined to answer.
	OutOfScope int     `json:"out_of_scope"`
	Refused    float64 `json:"refused"`
}

// Miss is a query whose expected entry was not ranked first, or that was
// answered from an entry not expected (Answered names it; for a question
// the knowledge base must not answer, Expected is empty).
type Miss struct {
	Text     string   `json:"text"`
	Expected []string `json:"expected"`
	Got      []string `json:"got,omitempty"` // the top items retrieved
	Answered string   `json:"answered,omitempty"`
	Split    string   `json:"split,omitempty"`
}

// Report is one mode's results: overall, per split, and on the
// out-of-scope questions.
type Report struct {
	Mode string `json:"mode"` // "lexical" or "hybrid"
	Scores
	Splits map[string]Scores `json:"splits,omitempty"`
	Misses []Miss            `json:"misses,omitempty"`
}

// Result is what `kefu eval retrieval --json` prints: the headline scores
// (hybrid when it ran, else lexical) at the top level, and both reports.
type Result struct {
	Scores
	Documents int     `json:"documents"`
	FAQs      int     `json:"faqs"`
	Chunks    int     `json:"chunks"`
	Lexical   Report  `json:"lexical"`
	Hybrid    *Report `json:"hybrid,omitempty"`
}

// Retrieval loads the knowledge base into embedded in-memory indexes and
// runs the queries, lexical only and, with an embedder, hybrid.
func Retrieval(ctx context.Context, o Options) (*Result, error) {
	if o.TopK <= 0 {
		o.TopK = 5
	}
	res := &Result{}
	run := func(mode string, emb knowledge.Embedder) (*Report, error) {
		kb, err := LoadKB(ctx, o.KB, embedded.New(), emb)
		if err != nil {
			return nil, err
		}
		res.Documents, res.FAQs, res.Chunks = kb.Documents, kb.FAQs, kb.Chunks
		ret, err := knowledge.NewRetriever(knowledge.RetrieverConfig{Index: kb.Index, Embedder: emb, Synonyms: kb.Synonyms, TopK: o.TopK,
			MatchWeight: o.MatchWeight, DenseWeight: o.DenseWeight})
		if err != nil {
			return nil, err
		}
		rc := o.Responder
		rc.Retriever, rc.Chat = ret, nil
		resp, err := knowledge.NewResponder(rc)
		if err != nil {
			return nil, err
		}
		return evaluate(ctx, mode, ret, resp, o)
	}
	lex, err := run("lexical", nil)
	if err != nil {
		return nil, err
	}
	res.Lexical, res.Scores = *lex, lex.Scores
	if o.Embedder != nil {
		hyb, err := run("hybrid", o.Embedder)
		if err != nil {
			return nil, err
		}
		res.Hybrid, res.Scores = hyb, hyb.Scores
	}
	return res, nil
}

type outcome struct {
	rank       int // 1-based rank of the first expected item; 0 if not in the top k
	latency    time.Duration
	answered   bool
	wrong      bool // answered from an entry not expected
	outOfScope bool
}

func evaluate(ctx context.Context, mode string, ret *knowledge.Retriever, resp *knowledge.Responder, o Options) (*Report, error) {
	rep := &Report{Mode: mode, Splits: map[string]Scores{}}
	bySplit := map[string][]outcome{}
	var all []outcome
	for _, q := range o.Queries {
		start := time.Now()
		r, err := ret.Retrieve(ctx, knowledge.Query{Text: q.Text, TopK: o.TopK * 3})
		if err != nil {
			return nil, err
		}
		lat := time.Since(start)
		ans, err := resp.Answer(ctx, knowledge.Query{Text: q.Text})
		if err != nil {
			return nil, err
		}
		oc := outcome{latency: lat, answered: ans.Kind != knowledge.AnswerNone, outOfScope: len(q.Expected) == 0}
		if oc.answered && len(ans.Citations) > 0 && !contains(q.Expected, ans.Citations[0].DocumentID) {
			oc.wrong = true
		}
		if oc.wrong && o.Misses {
			rep.Misses = append(rep.Misses, Miss{Text: q.Text, Expected: q.Expected, Answered: ans.Citations[0].DocumentID, Split: q.Split})
		}
		if oc.outOfScope {
			all = append(all, oc)
			bySplit[q.Split] = append(bySplit[q.Split], oc)
			continue
		}
		items := distinctItems(r.Passages)
		for i, id := range items {
			if i >= o.TopK {
				break
			}
			if contains(q.Expected, id) {
				oc.rank = i + 1
				break
			}
		}
		if oc.rank != 1 && o.Misses {
			rep.Misses = append(rep.Misses, Miss{Text: q.Text, Expected: q.Expected, Got: items[:min(len(items), 3)], Split: q.Split})
		}
		all = append(all, oc)
		if q.Split != "" {
			bySplit[q.Split] = append(bySplit[q.Split], oc)
		}
	}
	rep.Scores = score(all)
	for s, ocs := range bySplit {
		rep.Splits[s] = score(ocs)
	}
	return rep, nil
}

// distinctItems lists the documents and FAQ entries behind the passages in
// rank order, each once: several chunks of one document count as one hit.
func distinctItems(ps []knowledge.Passage) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.DocumentID] {
			seen[p.DocumentID] = true
			out = append(out, p.DocumentID)
		}
	}
	return out
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func score(all []outcome) Scores {
	var ocs []outcome
	var s Scores
	refused := 0
	for _, o := range all {
		if o.outOfScope {
			s.OutOfScope++
			if !o.answered {
				refused++
			}
		} else {
			ocs = append(ocs, o)
		}
	}
	if s.OutOfScope > 0 {
		s.Refused = round(float64(refused) / float64(s.OutOfScope))
	}
	s.Queries = len(ocs)
	if len(ocs) == 0 {
		return s
	}
	var lats []float64
	answered, wrong := 0, 0
	for _, o := range ocs {
		if o.rank == 1 {
			s.Hit1++
		}
		if o.rank >= 1 && o.rank <= 5 {
			s.Hit5++
		}
		if o.rank > 0 {
			s.MRR += 1 / float64(o.rank)
		}
		if o.answered {
			answered++
		}
		if o.wrong {
			wrong++
		}
		lats = append(lats, float64(o.latency)/float64(time.Millisecond))
	}
	n := float64(len(ocs))
	s.Hit1, s.Hit5, s.MRR = round(s.Hit1/n), round(s.Hit5/n), round(s.MRR/n)
	s.Answered, s.AnsweredWrong = round(float64(answered)/n), round(float64(wrong)/n)
	s.P50ms, s.P99ms = round(Percentile(lats, 50)), round(Percentile(lats, 99))
	return s
}

// Percentile returns the p-th percentile (nearest rank) of xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func round(x float64) float64 { return math.Round(x*10000) / 10000 }
