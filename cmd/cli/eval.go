package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"

	"kefu/nlu/catalogs"
	"kefu/nlu/classifier"
	"kefu/nlu/eval"
)

// runEval dispatches `kefu eval …`: offline measurements of the NLU (intents,
// oos) and of the knowledge base (retrieval, in evalcmd.go).
func runEval(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"eval: want retrieval, intents or oos"}
	}
	switch args[0] {
	case "intents":
		return runEvalIntents(env, args[1:])
	case "oos":
		return runEvalOOS(env, args[1:])
	case "retrieval":
		return runEvalRetrieval(env, args)
	}
	return usageError{fmt.Sprintf("eval: unknown subcommand %q: want retrieval, intents or oos", args[0])}
}

// runEvalIntents trains the local intent engine on one JSONL file and tests
// it on another: accuracy, macro-F1, confusion hot spots, latency, training
// time.
func runEvalIntents(env *Env, args []string) error {
	fs := flags(env, "eval intents")
	train := fs.String("train", "", "training examples, JSONL {\"text\",\"intent\"} (required)")
	test := fs.String("test", "", "test examples, JSONL {\"text\",\"intent\"} (required)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *train == "" || *test == "" {
		return usageError{"eval intents: --train and --test are required"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := eval.RunFiles(ctx, *train, *test, classifier.Options{})
	if err != nil {
		return err
	}
	if *asJSON {
		return r.WriteJSON(env.Stdout)
	}
	return r.WriteText(env.Stdout)
}

// runEvalOOS measures out-of-scope detection: a catalog's own examples
// (held out by cross-validation) against foreign questions it must refuse.
func runEvalOOS(env *Env, args []string) error {
	fs := flags(env, "eval oos")
	catName := fs.String("catalog", "", "shipped catalog name ("+strings.Join(catalogs.Names(), ", ")+") or YAML file (required)")
	foreign := fs.String("foreign", "", "foreign questions, JSONL {\"text\",\"intent\"} (required)")
	skip := fs.String("skip-intents", "", "comma-separated intents of the foreign file to leave out (e.g. chat)")
	folds := fs.Int("folds", 5, "cross-validation folds for the in-scope side")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *catName == "" || *foreign == "" {
		return usageError{"eval oos: --catalog and --foreign are required"}
	}
	if *folds < 2 {
		return usageError{"eval oos: --folds must be at least 2"}
	}
	cat, err := loadCatalog([]string{*catName})
	if err != nil {
		return err
	}
	var examples []classifier.Example
	for _, ex := range cat.Examples() {
		examples = append(examples, classifier.Example{Text: ex.Text, Intent: ex.Intent})
	}
	for _, text := range cat.OutOfScope.All() {
		examples = append(examples, classifier.Example{Text: text, Intent: classifier.Reject})
	}
	others, err := eval.ReadFile(*foreign)
	if err != nil {
		return err
	}
	skipped := strings.Split(*skip, ",")
	var texts []string
	for _, ex := range others {
		if !slices.Contains(skipped, ex.Intent) {
			texts = append(texts, ex.Text)
		}
	}
	if len(texts) == 0 {
		return usageError{"eval oos: no foreign questions left"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := eval.OutOfScope(ctx, examples, texts, *folds, classifier.Options{})
	if err != nil {
		return err
	}
	if *asJSON {
		return r.WriteJSON(env.Stdout)
	}
	return r.WriteText(env.Stdout, cat.Name)
}
