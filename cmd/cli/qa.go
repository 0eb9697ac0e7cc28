package cli

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // job schedules and report days use named zones on any host

	"github.com/ollama/ollama/api"

	"kefu/appliance"
	"kefu/appliance/analytics"
	"kefu/appliance/config"
	"kefu/appliance/jobs"
	"kefu/appliance/qa"
	"kefu/appliance/retention"
	"kefu/appliance/store"
	"kefu/console"
)

// Job names (issue 5).
const (
	JobQAAudit      = "qa-audit"
	JobTopQuestions = "top-questions"
	JobRetention    = "retention"
	JobIntegrity    = "integrity"
)

// QAParts are the QA, scheduled-jobs and analytics components.
type QAParts struct {
	Watcher  *qa.Watcher // nil when qa.realtime is off
	Auditor  *qa.Auditor
	Reporter *analytics.Reporter
	Jobs     *jobs.Scheduler
	loc      *time.Location
	store    *store.Store
}

// buildQA assembles the QA parts. alerts receives the real-time alerts (the
// console hub); csat may be nil.
func buildQA(cfg *config.Config, st *store.Store, client *api.Client, alerts appliance.Notifier, csat appliance.CSATSource, log *slog.Logger) (*QAParts, error) {
	loc := cfg.Location()
	q := &QAParts{loc: loc, store: st}
	if cfg.QA.Realtime && alerts != nil {
		q.Watcher = qa.NewWatcher(qa.WatcherOptions{Store: st, Next: alerts, Logger: log})
	}
	var judge qa.Judge
	if client != nil && cfg.QA.Judge && cfg.QA.JudgeMax > 0 {
		j, err := qa.NewOllamaJudge(client, cfg.Ollama.ChatModel, 4*cfg.Ollama.Timeout)
		if err != nil {
			return nil, err
		}
		judge = j
	}
	q.Auditor = qa.NewAuditor(qa.AuditorOptions{Store: st, CSAT: csat, Judge: judge, JudgeMax: cfg.QA.JudgeMax, Location: loc, Logger: log})
	q.Reporter = analytics.New(analytics.Options{Store: st, CSAT: csat, Location: loc})
	q.Jobs = jobs.New(jobs.Options{Store: st, Location: loc, Logger: log, Schedules: map[string]string{
		JobQAAudit: cfg.Jobs.QAAudit, JobTopQuestions: cfg.Jobs.TopQuestions, JobRetention: cfg.Jobs.Retention,
		JobIntegrity: cfg.Jobs.Integrity}})
	policy := retention.Policy{Days: cfg.Retention.Days, Mode: cfg.Retention.Mode, StateTTL: cfg.NLU.FocusTimeout}
	for _, j := range []jobs.Job{
		{Name: JobQAAudit, Schedule: "0 2 * * *", CatchUp: true,
			Description: "质检：审核前一天的全部会话 Nightly QA audit of every conversation of the previous day",
			Func: func(ctx context.Context, r *jobs.Run) error {
				_, err := q.Auditor.Audit(ctx, r.Date, r.ID, r.Add)
				return err
			}},
		{Name: JobTopQuestions, Schedule: "30 2 * * *", CatchUp: true,
			Description: "报表：前一天的日报与所在周的周报 Daily report of the previous day and the report of its week",
			Func: func(ctx context.Context, r *jobs.Run) error {
				day, err := q.Reporter.Save(ctx, analytics.Day, r.Date, r.ID)
				if err != nil {
					return err
				}
				r.Add("conversations", int64(day.Conversations))
				r.Add("customer_messages", int64(day.Messages))
				r.Add("unanswered", int64(day.Unanswered))
				_, err = q.Reporter.Save(ctx, analytics.Week, r.Date, r.ID)
				return err
			}},
		{Name: JobRetention, Schedule: "0 3 * * *", CatchUp: true,
			Description: "保留期限：匿名化或删除过期会话，清除闲置的对话状态 Anonymize or delete conversations past the retention period; delete idle dialogue states",
			Func: func(ctx context.Context, r *jobs.Run) error {
				_, err := retention.Run(ctx, st, policy, time.Now(), r.Add)
				return err
			}},
		{Name: JobIntegrity, Schedule: "15 3 * * *", CatchUp: true,
			Description: "完整性：校验前一天有消息的会话的哈希链 Verify the message chains of the previous day's conversations",
			Func: func(ctx context.Context, r *jobs.Run) error {
				_, err := appliance.CheckIntegrity(ctx, st, alerts, r.Date, r.Add)
				return err
			}},
	} {
		if err := q.Jobs.Register(j); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Observe hears the engine's events (through the hand-off relay) and
// queues agent messages for the real-time check.
func (q *QAParts) Observe(e appliance.Event) {
	if q.Watcher != nil {
		q.Watcher.Observe(e)
	}
}

// ConsoleOptions wire the console's QA pages.
func (q *QAParts) ConsoleOptions() console.QAOptions {
	o := console.QAOptions{Store: q.store, Verifier: q.Auditor, Jobs: q.Jobs, Reports: q.Reporter, Location: q.loc}
	if q.Watcher != nil {
		o.RulesChanged = q.Watcher.Reload
	}
	return o
}

// Start runs the watcher and, unless disabled, the scheduler.
func (q *QAParts) Start(schedule bool) error {
	if q.Watcher != nil {
		q.Watcher.Start()
	}
	if schedule {
		return q.Jobs.Start()
	}
	return nil
}

// Stop waits for running jobs (cancelling them when ctx ends) and drains
// the watcher.
func (q *QAParts) Stop(ctx context.Context) error {
	err := q.Jobs.Stop(ctx)
	if q.Watcher != nil {
		q.Watcher.Stop()
	}
	return err
}

// runJobCommand is `kefu job list` and `kefu job run NAME [--date D]`.
func runJobCommand(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"job: want list or run"}
	}
	fs := flags(env, "job "+args[0])
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	date := fs.String("date", "", "the day the run covers (YYYY-MM-DD); default yesterday")
	rest := args[1:]
	name := ""
	if args[0] == "run" {
		if len(rest) == 0 || rest[0] == "" || rest[0][0] == '-' {
			return usageError{"job run: name the job (qa-audit, top-questions, retention)"}
		}
		name, rest = rest[0], rest[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	log := NewLogger(env.Stderr, cfg.Log.Level, cfg.Log.Format)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	client, err := ollamaClient(cfg)
	if err != nil {
		return err
	}
	q, err := buildQA(cfg, st, client, nil, nil, log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		list, err := q.Jobs.Jobs(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT\tLAST RUN\tSTATUS\tCOUNTS")
		for _, j := range list {
			last, status, counts := "-", "-", ""
			if r := j.LastRun; r != nil {
				last, status, counts = r.StartedAt.In(q.loc).Format("2006-01-02 15:04:05"), r.Status, fmt.Sprint(r.Counts)
			}
			next := ""
			if j.Next != nil {
				next = j.Next.In(q.loc).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, next, last, status, counts)
		}
		return tw.Flush()
	case "run":
		var day time.Time
		if *date != "" {
			if day, err = time.ParseInLocation(time.DateOnly, *date, q.loc); err != nil {
				return usageError{"job run: --date must be YYYY-MM-DD"}
			}
		}
		start := time.Now()
		run, err := q.Jobs.RunNow(ctx, name, day)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s for %s: %s in %s %v\n", run.Job, run.ForDate, run.Status, time.Since(start).Round(time.Millisecond), run.Counts)
		if run.Status != appliance.JobSucceeded {
			return fmt.Errorf("job %s %s: %s", run.Job, run.Status, run.Error)
		}
		return nil
	}
	return usageError{fmt.Sprintf("job: unknown subcommand %q", args[0])}
}
