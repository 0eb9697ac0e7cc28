// Package classifier is Kefu's local intent engine: a text classifier with no
// neural model and no LLM that trains from a few thousand labelled sentences
// in seconds and classifies one in microseconds.
//
// A sentence becomes a sparse vector of hashed features — stemmed English
// words and word pairs, character n-grams inside words, and Chinese character
// n-grams — weighted by TF-IDF. One linear support vector machine per intent
// (squared hinge loss, solved in the dual by coordinate descent) scores it;
// the scores become a calibrated probability through a temperature fitted on
// held-out folds, and a sentence that is far from everything the model was
// taught is reported out of scope instead of being forced into the nearest
// intent.
//
// The package knows nothing of catalogs or dialogue: it maps text to labels.
// nlu/cascade builds it from a catalog and swaps models atomically when the
// catalog changes.
package classifier
