// Package demo holds the demo knowledge base that `kefu serve --demo` and
// `kefu eval retrieval --demo` load: FAQ entries and policy documents in
// Chinese for the demo enterprise (a shop selling baby products, shoes and
// rain boots; a finance service; courses; hotels), English FAQ entries for
// the common questions, and its synonym list.
// It is product content, not a test fixture.
package demo

import "embed"

// FS holds faq.csv, faq-en.csv (English entries, lang en), synonyms.txt and docs/*.md.
//
//go:embed faq.csv faq-en.csv synonyms.txt docs/*.md
var FS embed.FS
