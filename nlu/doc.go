// Package nlu understands customer messages: intent classification with a
// calibrated confidence and out-of-scope detection, entity extraction for
// Chinese and English, and the per-customer dialogue state that carries
// context from one message (and one channel) to the next.
//
// nlu never imports the appliance; the appliance consumes it through the
// small Engine interface and the types defined here.
package nlu
