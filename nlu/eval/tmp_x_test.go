package eval

import (
	"context"
	"math/rand/v2"
	"testing"

	"kefu/nlu/catalogs"
	"kefu/nlu/classifier"
)

func TestTmpX(t *testing.T) {
	cat, _ := catalogs.Load("ecommerce")
	var examples []classifier.Example
	for _, ex := range cat.Examples() {
		examples = append(examples, classifier.Example{Text: ex.Text, Intent: ex.Intent})
	}
	k := 5
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(examples))
	for f := 0; f < k; f++ {
		var train, test []classifier.Example
		for i, j := range order {
			if i%k == f {
				test = append(test, examples[j])
			} else {
				train = append(train, examples[j])
			}
		}
		m, _ := classifier.Train(context.Background(), train, classifier.Options{Folds: 1})
		for _, ex := range test {
			if got := m.Classify(ex.Text).Intent; got != ex.Intent {
				t.Logf("%s: %s -> %s", ex.Intent, ex.Text, got)
			}
		}
	}
}
