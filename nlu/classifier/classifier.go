package classifier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Reject labels examples of what is out of scope (weather, music, ...): the
// model learns them as a class of their own and reports a text it puts
// there as out of scope.
const Reject = "__out_of_scope__"

// Example is one labelled sentence.
type Example struct {
	Text   string `json:"text"`
	Intent string `json:"intent"`
}

// Options configure training. The zero value is the tuned default.
type Options struct {
	Features *Features // nil: the defaults
	// C is the SVM's inverse regularization; 0 means the default.
	C float64
	// MinDF drops features seen in fewer training texts; 0 means 1 (keep all).
	MinDF int
	// Folds is the number of cross-validation folds used to calibrate the
	// confidence and the out-of-scope thresholds; 0 means 4, 1 skips
	// calibration (confidence is then a plain softmax of the SVM scores).
	Folds int
	// InScopeRecall is the share of in-scope sentences (held out during
	// calibration) the out-of-scope detector must keep; 0 means 0.97.
	InScopeRecall float64
	// Seed makes training reproducible.
	Seed uint64
	// Workers bounds the goroutines that train in parallel; 0 means GOMAXPROCS.
	Workers int
	// PosWeight multiplies C for each intent's own examples against the rest; 0 means the default.
	PosWeight float64
}

// Chosen by cross-validation on BANKING77 train and on SMP2017 dev: an
// intent's own examples count more than the many negatives of one-vs-rest.
const (
	defaultC         = 1
	defaultPosWeight = 8
)

// Candidate is one scored label.
type Candidate struct {
	Intent string  `json:"intent"`
	Score  float64 `json:"score"` // calibrated probability
}

// Prediction is the classifier's verdict on one text.
type Prediction struct {
	// Intent is the best label, also when OutOfScope is set, so callers can
	// show what the closest intent would have been.
	Intent     string
	Confidence float64 // calibrated probability of Intent
	// OutOfScope is set when the text is unlike anything the model was
	// trained on: the best intent is too unlikely or too few of the text's
	// features are known.
	OutOfScope bool
	Coverage   float64     // share of the text's features the model knows
	Score      float64     // the raw SVM margin of Intent
	Reject     float64     // probability of the reject class, if trained
	Candidates []Candidate // the best labels, most likely first (at most 5)
}

// Model is a trained classifier. It is immutable and safe for concurrent use.
type Model struct {
	labels  []string
	ext     extractor
	weights [numGroups]float64
	vocab   *vocab
	lin     *linearModel
	// temp scales SVM scores before the softmax; fitted on held-out folds.
	temp float64
	// minConfidence, minCoverage and minScore are the out-of-scope
	// thresholds: on the calibrated probability, on the share of known
	// features, and on the best raw SVM margin (a text far from every intent
	// has no positive margin, whatever the softmax says).
	minConfidence, minCoverage, minScore float64

	fallback string    // the first label that is not Reject
	examples []Example // for Nearest
	vectors  []vector
	trained  time.Duration
}

// ErrNoExamples is returned when there is nothing to train on.
var ErrNoExamples = errors.New("classifier: need examples of at least two intents")

// Train fits a model. It honours ctx cancellation.
func Train(ctx context.Context, examples []Example, opts Options) (*Model, error) {
	start := time.Now()
	labels, ys := labelIndex(examples)
	if len(labels) < 2 {
		return nil, ErrNoExamples
	}
	if opts.Features == nil && len(examples) < fewShot*len(labels) {
		f := fewShotFeatures
		opts.Features = &f
	}
	opts = opts.withDefaults()
	m := &Model{labels: labels, ext: extractor{cfg: *opts.Features}, weights: opts.Features.weights(), temp: 1, minScore: math.Inf(-1)}
	bags := make([]bag, len(examples))
	for i, ex := range examples {
		bags[i] = m.ext.extract(ex.Text)
	}
	var warm [][]float64
	if opts.Folds > 1 {
		var err error
		if warm, err = m.calibrate(ctx, bags, ys, opts); err != nil {
			return nil, err
		}
	}
	m.vocab = buildVocab(bags, opts.MinDF)
	m.vectors = make([]vector, len(bags))
	for i, b := range bags {
		m.vectors[i], _ = m.vocab.vectorize(b, m.weights)
		sortVector(&m.vectors[i])
	}
	lin, _, err := trainSVM(ctx, m.vectors, ys, len(labels), len(m.vocab.idf), opts.svm(), warm)
	if err != nil {
		return nil, fmt.Errorf("classifier: training interrupted: %w", err)
	}
	m.lin = lin
	m.fallback = labels[0]
	for _, l := range labels {
		if l != Reject {
			m.fallback = l
			break
		}
	}
	m.examples = slices.Clone(examples)
	m.trained = time.Since(start)
	return m, nil
}

func (o Options) withDefaults() Options {
	if o.Features == nil {
		f := defaultFeatures
		o.Features = &f
	}
	if o.C <= 0 {
		o.C = defaultC
	}
	if o.PosWeight <= 0 {
		o.PosWeight = defaultPosWeight
	}
	if o.MinDF <= 0 {
		o.MinDF = 1
	}
	if o.Folds == 0 {
		o.Folds = 4
	}
	if o.InScopeRecall <= 0 || o.InScopeRecall > 1 {
		o.InScopeRecall = 0.97
	}
	return o
}

func (o Options) svm() svmParams {
	return svmParams{C: o.C, Eps: 1, MaxIter: 50, Seed: o.Seed, Workers: o.Workers, PosWeight: o.PosWeight}
}

func labelIndex(examples []Example) ([]string, []int32) {
	idx := map[string]int32{}
	var labels []string
	for _, ex := range examples {
		if _, ok := idx[ex.Intent]; !ok && strings.TrimSpace(ex.Intent) != "" {
			idx[ex.Intent] = 0
			labels = append(labels, ex.Intent)
		}
	}
	slices.Sort(labels)
	for i, l := range labels {
		idx[l] = int32(i)
	}
	ys := make([]int32, len(examples))
	for i, ex := range examples {
		ys[i] = idx[ex.Intent]
	}
	return labels, ys
}

// Labels returns the labels the model knows, sorted.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// TrainTime is how long Train took, calibration included.
func (m *Model) TrainTime() time.Duration { return m.trained }

// Classify scores one text. It never fails: empty or unreadable text is out
// of scope with zero confidence.
func (m *Model) Classify(text string) Prediction {
	v, cover := m.vocab.vectorize(m.ext.extract(text), m.weights)
	if len(v.idx) == 0 {
		return Prediction{Intent: m.fallback, OutOfScope: true}
	}
	scores := m.lin.scores(v, make([]float64, 0, len(m.labels)))
	probs := softmax(scores, m.temp)
	p := Prediction{Coverage: cover}
	order := topK(probs, 6)
	rejected := m.labels[order[0]] == Reject
	for _, c := range order {
		if m.labels[c] == Reject {
			p.Reject = probs[c]
			continue
		}
		if len(p.Candidates) < 5 {
			p.Candidates = append(p.Candidates, Candidate{Intent: m.labels[c], Score: probs[c]})
		}
	}
	if len(p.Candidates) == 0 { // only the reject class was trained
		return Prediction{Intent: Reject, OutOfScope: true, Coverage: cover}
	}
	p.Intent, p.Confidence = p.Candidates[0].Intent, p.Candidates[0].Score
	p.Score = scores[slices.Index(m.labels, p.Intent)]
	p.OutOfScope = rejected || p.Confidence < m.minConfidence || cover < m.minCoverage || p.Score < m.minScore
	return p
}

func softmax(scores []float64, temp float64) []float64 {
	out := make([]float64, len(scores))
	mx := math.Inf(-1)
	for _, s := range scores {
		mx = max(mx, s*temp)
	}
	var sum float64
	for i, s := range scores {
		out[i] = math.Exp(s*temp - mx)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func topK(xs []float64, k int) []int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case xs[a] > xs[b]:
			return -1
		case xs[a] < xs[b]:
			return 1
		}
		return 0
	})
	return idx[:min(k, len(idx))]
}
