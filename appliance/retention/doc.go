// Package retention enforces how long conversations are kept: a nightly job
// deletes or anonymizes closed conversations whose last message is older than
// the configured retention, in small batches, and records the count in the
// job run and in the audit log. QA reports are kept: they are the compliance
// record, and they hold message texts only masked. The same job deletes the
// dialogue states idle past the dialogue's memory (nlu.focus_timeout), so
// what a task collected — an order number, an ID-card number given for
// real-name verification — does not outlive its use.
package retention
