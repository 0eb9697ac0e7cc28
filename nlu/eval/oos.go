package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"

	"kefu/nlu/classifier"
)

// OOSReport measures out-of-scope detection; "positive" means flagged out of scope.
type OOSReport struct {
	InScope    int `json:"in_scope"`     // held-out in-scope questions
	OutOfScope int `json:"out_of_scope"` // foreign questions
	// Precision: of the questions flagged, the share that were foreign.
	// Recall: of the foreign questions, the share flagged.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// FalseRejects is the share of in-scope questions refused.
	FalseRejects float64 `json:"false_rejects"`
	// InScopeAccuracy is the intent accuracy on the in-scope questions kept.
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
}

// OutOfScope measures detection honestly: the in-scope side is the
// catalog's own examples, each classified by a model trained on the other
// folds (examples labelled classifier.Reject stay in every fold's training
// data and are never tested); the out-of-scope side is foreign text,
// classified by the model trained on everything.
func OutOfScope(ctx context.Context, examples []classifier.Example, foreign []string, folds int, opts classifier.Options) (*OOSReport, error) {
	if folds < 2 {
		folds = 5
	}
	var reject, intents []classifier.Example
	for _, ex := range examples {
		if ex.Intent == classifier.Reject {
			reject = append(reject, ex)
		} else {
			intents = append(intents, ex)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := rng.Perm(len(intents))
	r := &OOSReport{InScope: len(intents), OutOfScope: len(foreign)}
	var tp, fp, kept, keptRight int
	for k := 0; k < folds; k++ {
		var train, test []classifier.Example
		for i, j := range order {
			if i%folds == k {
				test = append(test, intents[j])
			} else {
				train = append(train, intents[j])
			}
		}
		m, err := classifier.Train(ctx, append(train, reject...), opts)
		if err != nil {
			return nil, fmt.Errorf("eval: fold %d: %w", k, err)
		}
		for _, ex := range test {
			p := m.Classify(ex.Text)
			if p.OutOfScope {
				fp++
				continue
			}
			kept++
			if p.Intent == ex.Intent {
				keptRight++
			}
		}
	}
	m, err := classifier.Train(ctx, examples, opts)
	if err != nil {
		return nil, err
	}
	for _, text := range foreign {
		if m.Classify(text).OutOfScope {
			tp++
		}
	}
	if tp+fp > 0 {
		r.Precision = float64(tp) / float64(tp+fp)
	}
	if len(foreign) > 0 {
		r.Recall = float64(tp) / float64(len(foreign))
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	if len(intents) > 0 {
		r.FalseRejects = float64(fp) / float64(len(intents))
	}
	if kept > 0 {
		r.InScopeAccuracy = float64(keptRight) / float64(kept)
	}
	return r, nil
}

// WriteJSON writes the report as one JSON object.
func (r *OOSReport) WriteJSON(w io.Writer) error { return json.NewEncoder(w).Encode(r) }

// WriteText writes the report as a readable table; catalog names the
// catalog measured.
func (r *OOSReport) WriteText(w io.Writer, catalog string) error {
	_, err := fmt.Fprintf(w, `catalog            %s
in-scope held out  %d
foreign questions  %d
precision          %.3f  (of the questions refused, the share that were foreign)
recall             %.3f  (of the foreign questions, the share refused)
F1                 %.3f
false rejects      %.3f  (in-scope questions refused)
in-scope accuracy  %.3f  (intent accuracy on the in-scope questions kept)
`, catalog, r.InScope, r.OutOfScope, r.Precision, r.Recall, r.F1, r.FalseRejects, r.InScopeAccuracy)
	return err
}
