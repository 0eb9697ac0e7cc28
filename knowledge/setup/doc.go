// Package setup assembles a knowledge base from configuration: the index
// backend (embedded in a data directory, or Qdrant), the optional Ollama
// embedding and chat models, the service, retriever and responder — and
// brings the index in line with the repository at start-up. It is the one
// place that knows every backend, so the appliance's wiring stays a few
// lines.
package setup
