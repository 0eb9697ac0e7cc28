package eval

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"kefu/knowledge"
)

// KB is a knowledge base loaded and published from a directory.
type KB struct {
	Service   *knowledge.Service
	Index     knowledge.Index
	Synonyms  *knowledge.Synonyms
	Documents int
	FAQs      int
	Chunks    int
}

// SynonymsFile is the file in a knowledge-base directory that holds the
// synonym groups.
const SynonymsFile = "synonyms.txt"

// LoadKB ingests every file of fsys (FAQ sheets, documents, and
// synonyms.txt) through a service on a fresh in-memory repository and the
// given index, and publishes everything. A document's id is its file name
// without the extension; FAQ entries keep their sheet ids. Any unreadable
// file stops the load with its error.
func LoadKB(ctx context.Context, fsys fs.FS, index knowledge.Index, emb knowledge.Embedder) (*KB, error) {
	repo := knowledge.NewMemoryRepository()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc, err := knowledge.NewService(knowledge.ServiceConfig{Repository: repo, Index: index, Embedder: emb,
		Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		return nil, err
	}
	kb := &KB{Service: svc, Index: index}
	var files []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("eval: unable to list the knowledge base: %w", err)
	}
	sort.Strings(files)
	var ids []string
	for _, p := range files {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("eval: unable to read %s: %w", p, err)
		}
		name := path.Base(p)
		if name == SynonymsFile {
			if kb.Synonyms, err = knowledge.ParseSynonyms(strings.NewReader(string(data))); err != nil {
				return nil, err
			}
			continue
		}
		res, err := svc.Upload(ctx, knowledge.UploadRequest{Name: name, Data: data,
			ID: strings.TrimSuffix(name, path.Ext(name)), Actor: "eval", AllowDuplicate: true})
		if err != nil {
			return nil, err
		}
		if res.Format.IsSheet() {
			kb.FAQs += len(res.Items)
		} else {
			kb.Documents++
			kb.Chunks += res.Chunks
		}
		for _, it := range res.Items {
			ids = append(ids, it.ID)
		}
	}
	for _, id := range ids {
		for _, a := range []knowledge.Action{knowledge.ActionSubmit, knowledge.ActionPublish} {
			if _, err := svc.Transition(ctx, id, a, "eval", ""); err != nil {
				return nil, err
			}
		}
	}
	return kb, nil
}
