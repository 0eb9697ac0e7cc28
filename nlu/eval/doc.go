// Package eval measures the local intent engine on labelled data: it reads
// JSONL files of {"text","intent"}, trains on one, tests on the other, and
// reports accuracy, macro-F1, the most frequent confusions, classification
// latency percentiles and training time, as a table or as one JSON object.
// It backs the `kefu eval intents` subcommand and the accuracy tests that
// keep the engine from regressing.
//
// It also measures out-of-scope detection: how well in-scope questions are
// kept and foreign ones (another business's, chit-chat) refused.
package eval
