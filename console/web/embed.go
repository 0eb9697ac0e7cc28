// Package web embeds the built console UI (a Vue 3 + TypeScript app built by
// Vite into dist/). `make build` fills dist/; before that only a placeholder
// exists and the server says the UI was not built.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}
