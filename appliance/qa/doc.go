// Package qa is quality assurance of what agents say: supervisors' rules
// (forbidden, discouraged and required phrases, personal numbers sent in
// clear, first-response and reply-gap limits, rude wording) checked in real
// time on every agent message — a Watcher sits on the notifier path, so
// AgentSend is never slowed — and again by the nightly audit, which walks
// every conversation of a day in pages (memory does not grow with the day),
// scores them (resolution, response times, CSAT, an optional LLM judge),
// and writes a versioned, sealed report with a content hash, exportable as
// CSV, XLSX and a printable HTML page.
package qa
