package config

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// CronParser reads job schedules: five fields, an optional leading seconds
// field, or descriptors such as @daily. appliance/jobs parses with the same.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// validateJobs checks the jobs, QA and retention keys (issue 5).
func (c *Config) validateJobs() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if _, err := time.LoadLocation(c.Jobs.Timezone); err != nil || c.Jobs.Timezone == "" {
		return bad("jobs.timezone", "unknown time zone %q", c.Jobs.Timezone)
	}
	for key, spec := range map[string]string{"jobs.qa_audit": c.Jobs.QAAudit, "jobs.top_questions": c.Jobs.TopQuestions,
		"jobs.retention": c.Jobs.Retention, "jobs.integrity": c.Jobs.Integrity} {
		if _, err := cronParser.Parse(spec); err != nil {
			return bad(key, "not a cron schedule (%q): %v", spec, err)
		}
	}
	if c.QA.JudgeMax < 0 || c.QA.JudgeMax > 100000 {
		return bad("qa.judge_max", "must be between 0 and 100000")
	}
	if c.Retention.Days < 0 {
		return bad("retention.days", "must not be negative")
	}
	if c.Retention.Mode != "delete" && c.Retention.Mode != "anonymize" {
		return bad("retention.mode", "must be delete or anonymize, got %q", c.Retention.Mode)
	}
	return nil
}

// Location is the time zone of jobs and report days.
func (c *Config) Location() *time.Location {
	l, err := time.LoadLocation(c.Jobs.Timezone)
	if err != nil {
		return time.Local
	}
	return l
}
