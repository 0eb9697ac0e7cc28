// Package catalogs holds the intent catalogs Kefu ships for its industry
// playbooks — e-commerce, finance, education and travel — and the built-in
// intents every catalog includes. They are product content, embedded in the
// binary; deployments edit copies of them in the console.
package catalogs
