// Package knowledgetest holds the contract suites every implementation of
// knowledge.Index and knowledge.Repository must pass — the embedded index
// and Qdrant, the in-memory repository and the GORM store — plus small
// helpers to build records the way the service does.
package knowledgetest
