// Package channeltest is the contract suite every channel adapter passes,
// and a fake Receiver that stands in for the appliance's engine in adapter
// tests: idempotent on channel, identity and message id like the engine, with
// replies scripted by the test, delivering pending replies through the
// adapter's Channel the way the engine does.
package channeltest
