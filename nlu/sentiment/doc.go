// Package sentiment reads negative sentiment and complaints from a customer
// message with a lexicon of Chinese and English cues. It is deliberately
// simple and explainable: QA can see which words triggered a hand-off.
package sentiment
