package eval

import (
	"context"
	"fmt"
	"math/rand/v2"

	"kefu/nlu/classifier"
)

// CrossValidate estimates accuracy on data alone: each of k folds is
// classified by a model trained on the others. This is how the engine's
// hyper-parameters are chosen without looking at a test split.
func CrossValidate(ctx context.Context, examples []classifier.Example, k int, opts classifier.Options) (float64, error) {
	if k < 2 || len(examples) < k {
		return 0, fmt.Errorf("%w: need at least %d examples for %d folds", ErrInvalidData, k, k)
	}
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(examples))
	correct := 0
	for f := 0; f < k; f++ {
		var train, test []classifier.Example
		for i, j := range order {
			if i%k == f {
				test = append(test, examples[j])
			} else {
				train = append(train, examples[j])
			}
		}
		m, err := classifier.Train(ctx, train, opts)
		if err != nil {
			return 0, fmt.Errorf("eval: fold %d: %w", f, err)
		}
		for _, ex := range test {
			if m.Classify(ex.Text).Intent == ex.Intent {
				correct++
			}
		}
	}
	return float64(correct) / float64(len(examples)), nil
}
