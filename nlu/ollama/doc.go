// Package ollama asks a local LLM, served by Ollama, what a customer means
// when the local intent engine is unsure.
//
// The model is constrained twice: the request's Format is a JSON schema
// whose intent is an enum of the catalog's intents, and every reply is
// validated against that same schema (and against the catalog) before it is
// used. A reply that is not JSON, names an unknown intent or has the wrong
// types is rejected with a stable error code, logged, and never acted upon.
// Calls run under a strict timeout; the cascade falls back to the local
// engine whenever this package returns an error.
package ollama
