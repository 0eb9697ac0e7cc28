package eval

import (
	"context"
	"testing"

	"kefu/nlu/catalogs"
	"kefu/nlu/classifier"
)

// TestShippedCatalogs cross-validates the local engine on each shipped
// catalog's own examples, so an edit that makes two intents
// indistinguishable fails here rather than in a customer's conversation.
func TestShippedCatalogs(t *testing.T) {
	for _, name := range catalogs.Names() {
		cat, err := catalogs.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		var examples []classifier.Example
		for _, ex := range cat.Examples() {
			examples = append(examples, classifier.Example{Text: ex.Text, Intent: ex.Intent})
		}
		acc, err := CrossValidate(context.Background(), examples, 5, classifier.Options{Folds: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d examples, %d intents, 5-fold accuracy %.3f", name, len(examples), len(cat.Intents), acc)
		if acc < 0.7 {
			t.Errorf("%s: 5-fold accuracy %.3f, want at least 0.7", name, acc)
		}
	}
}
