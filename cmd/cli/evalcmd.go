package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"kefu/knowledge"
	"kefu/knowledge/demo"
	"kefu/knowledge/eval"
)

// demoQueries is where the demo evaluation set lives in a source checkout;
// it is test data and never part of the binary.
const demoQueries = "knowledge/testdata/demo-eval.jsonl"

func runEvalRetrieval(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "retrieval" {
		return usageError{"eval: want retrieval"}
	}
	fl := flags(env, "eval retrieval")
	kbDir := fl.String("kb", "", "knowledge-base directory: FAQ sheets, documents and synonyms.txt")
	queries := fl.String("queries", "", "evaluation set (JSONL: {\"text\",\"expected\":[ids],\"split\"})")
	useDemo := fl.Bool("demo", false, "evaluate the demo knowledge base (queries default to "+demoQueries+")")
	asJSON := fl.Bool("json", false, "print one JSON object")
	misses := fl.Bool("misses", false, "list the questions whose expected entry was not ranked first")
	cfgPath := fl.String("config", "", "configuration file (YAML): ollama.url and ollama.embed_model add the hybrid run")
	if err := parse(fl, args[1:]); err != nil {
		return err
	}
	var kb fs.FS
	switch {
	case *useDemo && *kbDir != "":
		return usageError{"eval retrieval: give --kb or --demo, not both"}
	case *useDemo:
		kb = demo.FS
		if *queries == "" {
			*queries = demoQueries
		}
	case *kbDir != "":
		if st, err := os.Stat(*kbDir); err != nil || !st.IsDir() {
			return fmt.Errorf("eval retrieval: --kb %s is not a directory", *kbDir)
		}
		kb = os.DirFS(*kbDir)
	default:
		return usageError{"eval retrieval: --kb DIR or --demo is required"}
	}
	if *queries == "" {
		return usageError{"eval retrieval: --queries FILE is required"}
	}
	f, err := os.Open(*queries)
	if err != nil {
		return fmt.Errorf("eval retrieval: unable to open the queries: %w", err)
	}
	qs, err := eval.ReadQueries(f)
	f.Close()
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	opts := eval.Options{KB: kb, Queries: qs, Misses: *misses}
	client, err := ollamaClient(cfg)
	if err != nil {
		return err
	}
	if client != nil {
		opts.Embedder = knowledge.NewOllamaEmbedder(client, cfg.Ollama.EmbedModel, 0)
	}
	res, err := eval.Retrieval(context.Background(), opts)
	if err != nil {
		var ke *knowledge.Error
		if errors.As(err, &ke) {
			return fmt.Errorf("eval retrieval: %w", err)
		}
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	return res.WriteText(env.Stdout)
}
