// Package retention enforces how long conversations are kept: a nightly job
// deletes or anonymizes closed conversations whose last message is older than
// the configured retention, in small batches, and records the count in the
// job run and in the audit log. QA reports are kept: they are the compliance
// record, and they hold message texts only masked.
package retention
