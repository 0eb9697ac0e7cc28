package setup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// indexMeta records what the vectors in a persisted embedded index were
// made with. Vectors from another embedding model (or none) cannot be
// searched with this one's queries, so a change empties the index and the
// start-up sync rebuilds it from the repository.
type indexMeta struct {
	EmbedModel string `json:"embed_model"`
	Dims       int    `json:"dims"`
}

const metaFile = "meta.json"

// prepareIndexDir empties dir when its index was built with other vectors
// than want, and records want. It reports whether it emptied the index.
func prepareIndexDir(dir string, want indexMeta) (bool, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return false, fmt.Errorf("setup: unable to create the index directory: %w", err)
	}
	path := filepath.Join(dir, metaFile)
	reset := false
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// A new directory, or one from before the metadata: only an index
		// without dense vectors can have been written without it.
		reset = want.EmbedModel != ""
	case err != nil:
		return false, fmt.Errorf("setup: unable to read %s: %w", path, err)
	default:
		var have indexMeta
		reset = json.Unmarshal(data, &have) != nil || have != want
	}
	if reset {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return false, fmt.Errorf("setup: unable to list the index directory: %w", err)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return false, fmt.Errorf("setup: unable to empty the index directory: %w", err)
			}
		}
	}
	out, _ := json.Marshal(want)
	if err := os.WriteFile(path, out, 0o640); err != nil {
		return false, fmt.Errorf("setup: unable to write %s: %w", path, err)
	}
	return reset, nil
}
