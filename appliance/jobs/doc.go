// Package jobs runs the appliance's scheduled jobs (the nightly QA audit,
// the analytics reports, retention) on robfig/cron: jobs are registered by
// name with a default schedule that configuration may override, a job never
// overlaps itself, a panic fails the run instead of the process, every run is
// recorded for the admin page, a run can be started by hand, and a nightly
// run missed while the appliance was down is caught up at the next start.
//
// With several nodes on one MySQL database a job runs once per scheduled
// slot: each run first takes the job's named database lock (GET_LOCK), then
// claims the slot with a unique row; the node that loses either step skips.
package jobs
