// Package widget holds the embeddable web chat widget (plain JavaScript, no
// build step) and its demo page.
package widget

import _ "embed"

// Script is widget.js, served at /widget.js.
//
//go:embed widget.js
var Script []byte

// DemoPage is the demo shop page that embeds the widget, served at /widget/demo.
//
//go:embed demo.html
var DemoPage []byte
