// Package analytics computes the managers' and editors' reports for a day or
// a week: top intents and the clusters of questions the bot could not answer
// (knowledge gaps, with example questions), peak hours as a weekday × hour
// heat map, volume by channel, bot resolution and hand-off rates, average and
// p90 first-response times, and the CSAT distribution. Conversations and
// messages are streamed page by page; clusters and counters are bounded, so
// memory does not grow with the period's volume. The top-questions job
// stores each report for the console, which charts and exports it.
package analytics
