package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"kefu/knowledge"
)

// SynonymsFile is the demo synonym list's name in FS.
const SynonymsFile = "synonyms.txt"

// Synonyms returns the demo synonym list.
func Synonyms() (*knowledge.Synonyms, error) {
	f, err := FS.Open(SynonymsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return knowledge.ParseSynonyms(f)
}

// Import loads the demo knowledge base into svc and publishes it. Content
// already imported is left alone, so importing twice changes nothing.
func Import(ctx context.Context, svc *knowledge.Service, actor string) (created int, err error) {
	var files []string
	err = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && path.Base(p) != SynonymsFile && !strings.HasSuffix(p, ".go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo: unable to list the demo knowledge base: %w", err)
	}
	for _, p := range files {
		data, err := fs.ReadFile(FS, p)
		if err != nil {
			return created, err
		}
		name := path.Base(p)
		res, err := svc.Upload(ctx, knowledge.UploadRequest{Name: name, Data: data, Actor: actor,
			ID: strings.TrimSuffix(name, path.Ext(name)), AllowDuplicate: true, Note: "演示数据 demo data"})
		var kerr *knowledge.Error
		if errors.As(err, &kerr) && kerr.Code == knowledge.CodeItemExists {
			continue // imported before
		}
		if err != nil {
			return created, fmt.Errorf("demo: %s: %w", p, err)
		}
		for _, it := range res.Items {
			for _, a := range []knowledge.Action{knowledge.ActionSubmit, knowledge.ActionPublish} {
				if _, err := svc.Transition(ctx, it.ID, a, actor, "演示数据 demo data"); err != nil {
					return created, fmt.Errorf("demo: publishing %s: %w", it.ID, err)
				}
			}
			created++
		}
	}
	return created, nil
}
