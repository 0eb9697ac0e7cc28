package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"kefu/appliance/config"
)

// Version, Commit and BuildDate are set at build time with -ldflags -X.
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

const usage = `kefu — on-premise omnichannel customer service

Usage:
  kefu serve [--demo] [--config FILE]       start the appliance (--demo loads demo data)
  kefu migrate [--config FILE]              apply database migrations and exit
  kefu config print [--config FILE]         print the effective configuration (secrets masked)
  kefu config keys [--markdown]             list every configuration key with its default
  kefu admin create-user --username U --role R [--password-file F] [--display-name N]
  kefu doctor [--config FILE]               check every configured dependency
  kefu bench app [--requests N] [--concurrency C] [--db sqlite|mysql] [--sqlite-sync full|normal]
  kefu eval intents --train FILE --test FILE [--json]
                                            train the local intent engine on one JSONL file, test on another
  kefu eval oos --catalog NAME|FILE --foreign FILE [--skip-intents A,B] [--json]
                                            out-of-scope precision/recall of a catalog against foreign questions
  kefu bench index [--chunks 10000,100000,300000] [--dims N] [--qdrant HOST:PORT] [--json]
  kefu eval retrieval (--kb DIR | --demo) [--queries FILE] [--json] [--misses]
  kefu bench wechat [--requests N] [--concurrency C] [--mode safe|plaintext] [--db sqlite|mysql]
  kefu bench handoff [--customers N] [--agents A] [--open O] [--db sqlite|mysql]
  kefu bench audit --conversations N        time the nightly QA audit on a seeded MariaDB day
  kefu job list [--config FILE]             scheduled jobs with schedule and last run
  kefu job run NAME [--date YYYY-MM-DD]     run qa-audit, top-questions, retention or integrity now
  kefu verify-record FILE                   recompute the message chain of an exported conversation record (JSON)
  kefu version

The configuration file can also be named by KEFU_CONFIG; every key can be set
with KEFU_<KEY> (e.g. KEFU_HTTP_ADDR), secrets also with KEFU_<KEY>_FILE.
`

// Main runs one subcommand and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	env := &Env{Stdout: stdout, Stderr: stderr, Getenv: getenv}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(env, args[1:])
	case "migrate":
		err = runMigrate(env, args[1:])
	case "config":
		err = runConfig(env, args[1:])
	case "admin":
		err = runAdmin(env, args[1:])
	case "doctor":
		err = runDoctor(env, args[1:])
	case "bench":
		err = runBench(env, args[1:])
	case "eval":
		err = runEval(env, args[1:])
	case "job":
		err = runJobCommand(env, args[1:])
	case "verify-record":
		err = runVerifyRecord(env, args[1:])
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "kefu %s (commit %s, built %s)\n", Version, Commit, BuildDate)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "kefu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "kefu: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "kefu: %v\n", err)
		return 1
	}
	return 0
}

// Env is what a subcommand may touch of the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// flags returns a FlagSet that reports errors instead of exiting.
func flags(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("kefu "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}

func loadConfig(env *Env, path string) (*config.Config, error) {
	if path == "" {
		path = env.Getenv("KEFU_CONFIG")
	}
	return config.Load(path, env.Getenv)
}

func runServe(env *Env, args []string) error {
	fs := flags(env, "serve")
	demo := fs.Bool("demo", false, "load the demo data (idempotent) before serving")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &Program{Config: cfg, Demo: *demo, Out: env.Stdout, LogOut: env.Stderr}
	if err := p.Open(ctx); err != nil {
		p.Close()
		return err
	}
	p.PrintBanner()
	err = p.Run(ctx)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	return err
}

func runMigrate(env *Env, args []string) error {
	fs := flags(env, "migrate")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	encrypt := fs.Bool("encrypt-existing", false, "also encrypt what was stored in clear before database.encrypt was on, and again under secret_key what secret_key_previous encrypted (safe while serving)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	s, err := openStore(context.Background(), cfg, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	ran, err := s.Migrate(context.Background())
	if err != nil {
		return err
	}
	if len(ran) == 0 {
		fmt.Fprintln(env.Stdout, "database is up to date")
	}
	for _, v := range ran {
		fmt.Fprintf(env.Stdout, "applied %s\n", v)
	}
	if *encrypt {
		box, err := loadBox(cfg)
		if err != nil {
			return err
		}
		counts := map[string]int64{}
		var n int64
		if cfg.Database.Encrypt {
			if n, err = s.EncryptExisting(context.Background(), func(table string, n int64) { counts[table] += n }); err != nil {
				return err
			}
		}
		creds, err := s.ResealCredentials(context.Background(), box)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "encrypted %d rows under secret_key (messages %d, dialogue states %d, tickets %d, ticket notes %d, conversation summaries %d, customers %d, channel identities %d, merges %d, audit details %d, QA alerts %d, QA report hits %d and judgements %d, analytics reports %d); credentials sealed again: %d\n",
			n, counts["messages"], counts["dialogue_states"], counts["tickets"], counts["ticket_events"], counts["conversations"], counts["customers"],
			counts["identities"], counts["customer_merges"], counts["audit_log"], counts["qa_alerts"], counts["qa_report_hits"], counts["qa_report_items"], counts["analytics_reports"], creds)
	}
	return nil
}

func runConfig(env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{"config: want print or keys"}
	}
	switch args[0] {
	case "print":
		fs := flags(env, "config print")
		cfgPath := fs.String("config", "", "configuration file (YAML)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		cfg, err := loadConfig(env, *cfgPath)
		if err != nil {
			return err
		}
		config.Print(cfg, env.Stdout)
		return nil
	case "keys":
		if len(args) > 1 && args[1] == "--markdown" {
			fmt.Fprint(env.Stdout, ConfigMarkdown())
			return nil
		}
		for _, k := range config.Keys() {
			secret := ""
			if k.Secret {
				secret = " (secret; also " + k.Env + "_FILE)"
			}
			fmt.Fprintf(env.Stdout, "%-32s %-36s default %q%s\n    %s\n", k.Path, k.Env, k.Default, secret, k.Help)
		}
		return nil
	}
	return usageError{fmt.Sprintf("config: unknown subcommand %q", args[0])}
}

// ConfigMarkdown renders the configuration reference table of the README.
func ConfigMarkdown() string {
	var b strings.Builder
	b.WriteString("| key | environment | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, k := range config.Keys() {
		def := "`" + k.Default + "`"
		if k.Default == "" {
			def = ""
		}
		help := k.Help
		if k.Secret {
			help += " (secret: also `" + k.Env + "_FILE`)"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", k.Path, k.Env, def, strings.ReplaceAll(help, "|", "\\|"))
	}
	return b.String()
}
