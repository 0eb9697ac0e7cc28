// Package cascade is Kefu's NLU engine: it implements nlu.Engine by asking,
// in order, the built-in rules (转人工, 你好), the dialogue (a message that
// only answers the question the bot asked continues the task), the local
// intent engine, and — only when the local engine is unsure — the LLM
// through nlu/ollama. Pleasantries around a question ("谢谢，那运费怎么算")
// are stripped before classification, and a built-in intent the local
// engine only guesses counts as none, so small talk never swallows a
// question. When
// the LLM is not configured, down, slow or says something invalid, the local
// answer is used and the reason is recorded in Result.Trace.Degraded.
// Entities and sentiment are always extracted locally.
//
// The engine is built from a catalog and retrains when the catalog changes:
// Reload trains a new model off to the side and swaps it in atomically, so
// classification never waits for training.
package cascade
