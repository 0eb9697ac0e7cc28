package catalogs

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"kefu/nlu"
)

//go:embed *.yaml
var files embed.FS

// Files returns the embedded catalog files, for tools that list or export them.
func Files() fs.FS { return files }

// Builtin is the file of built-in intents merged into every catalog.
const Builtin = "builtin.yaml"

// Names lists the shipped industry catalogs.
func Names() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && e.Name() != Builtin {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Load returns the named industry catalog with the built-in intents merged in.
func Load(name string) (*nlu.Catalog, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("catalogs: unknown catalog %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return nlu.LoadCatalog(files, name+".yaml", Builtin)
}
