package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/qdrant/go-client/qdrant"

	"kefu/appliance/config"
)

// check is one dependency doctor tries.
type check struct {
	name string
	run  func(ctx context.Context) (string, error) // what it reached, or why not
}

func runDoctor(env *Env, args []string) error {
	fs := flags(env, "doctor")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	failed := 0
	for _, c := range doctorChecks(cfg) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		detail, err := c.run(ctx)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(env.Stdout, "FAIL  %-10s %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(env.Stdout, "ok    %-10s %s\n", c.name, detail)
	}
	if failed > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", failed)
	}
	return nil
}

func doctorChecks(cfg *config.Config) []check {
	checks := []check{
		{"data_dir", func(context.Context) (string, error) {
			if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
				return "", err
			}
			probe := filepath.Join(cfg.DataDir, ".doctor")
			if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
				return "", fmt.Errorf("%s is not writable: %w", cfg.DataDir, err)
			}
			os.Remove(probe)
			abs, _ := filepath.Abs(cfg.DataDir)
			return abs + " is writable", nil
		}},
		{"secret_key", func(context.Context) (string, error) {
			if _, err := loadBox(cfg); err != nil {
				return "", err
			}
			if cfg.SecretKey != "" {
				return "configured", nil
			}
			return "generated key in " + filepath.Join(cfg.DataDir, "secret.key"), nil
		}},
		{"database", func(ctx context.Context) (string, error) {
			s, err := openStore(ctx, cfg, nil)
			if err != nil {
				return "", err
			}
			defer s.Close()
			where := cfg.SQLitePath()
			if cfg.Database.DSN != "" {
				where = redactDSN(cfg.Database.DSN)
			}
			pending, err := s.Pending(ctx)
			if err != nil {
				return fmt.Sprintf("%s %s reached; schema not created yet (run kefu migrate)", s.Dialect(), where), nil
			}
			if len(pending) > 0 {
				return fmt.Sprintf("%s %s reached; %d migration(s) pending (applied at start-up)", s.Dialect(), where, len(pending)), nil
			}
			return fmt.Sprintf("%s %s reached; schema up to date", s.Dialect(), where), nil
		}},
	}
	checks = append(checks, check{"encryption", func(ctx context.Context) (string, error) { return checkEncryption(ctx, cfg) }})
	checks = append(checks, check{"cluster", func(ctx context.Context) (string, error) { return checkCluster(ctx, cfg) }})
	if cfg.Qdrant.Addr == "" {
		checks = append(checks, check{"qdrant", func(context.Context) (string, error) {
			return "not configured: the embedded index is used", nil
		}})
	} else {
		checks = append(checks, check{"qdrant", func(ctx context.Context) (string, error) { return checkQdrant(ctx, cfg) }})
	}
	if cfg.Ollama.URL == "" {
		checks = append(checks, check{"ollama", func(context.Context) (string, error) {
			return "not configured: local NLU and curated/extractive answers only", nil
		}})
	} else {
		checks = append(checks, check{"ollama", func(ctx context.Context) (string, error) { return checkOllama(ctx, cfg) }})
	}
	return checks
}

// checkEncryption says whether what was said is encrypted at rest and
// whether the newest encrypted messages open with this master key: a node
// given another secret_key than the one they were written with fails here,
// before agents see ciphertext.
func checkEncryption(ctx context.Context, cfg *config.Config) (string, error) {
	s, err := openStore(ctx, cfg, nil)
	if err != nil {
		return "not checked: the database is not reachable (see database)", nil
	}
	defer s.Close()
	state := "on: messages, dialogue states, tickets, summaries, customer profiles and identities, and live events are encrypted (AES-256-GCM); back up the master key"
	if !cfg.Database.Encrypt {
		state = "off (database.encrypt): new messages are stored in clear"
	}
	sm, err := s.SampleMessages(ctx, 200)
	if err != nil {
		return state + "; no messages to check (run kefu migrate)", nil
	}
	if sm.Unreadable > 0 {
		return "", fmt.Errorf("%d of the newest %d encrypted messages do not decrypt with this master key: secret_key (or data_dir/secret.key) is not the one they were written with (after a rotation, set the old one as secret_key_previous)", sm.Unreadable, sm.Encrypted)
	}
	if sm.Messages == 0 {
		return state + "; no messages yet", nil
	}
	msg := fmt.Sprintf("%s; the newest %d messages: %d encrypted, all readable", state, sm.Messages, sm.Encrypted)
	if sm.Previous > 0 {
		msg += fmt.Sprintf(", %d under secret_key_previous (kefu migrate --encrypt-existing encrypts them under secret_key)", sm.Previous)
	}
	if n, err := s.ClearIdentities(ctx); err == nil && n > 0 && cfg.Database.Encrypt {
		msg += fmt.Sprintf("; %d channel identities written before encryption are in clear (kefu migrate --encrypt-existing encrypts them)", n)
	}
	return msg, nil
}

// checkCluster names the nodes alive on the database and the one routing.
func checkCluster(ctx context.Context, cfg *config.Config) (string, error) {
	if !cfg.Cluster.Enabled {
		return "not enabled: one node", nil
	}
	s, err := openStore(ctx, cfg, nil)
	if err != nil {
		return "", err
	}
	defer s.Close()
	nodes, err := s.Nodes(ctx)
	if err != nil {
		return "", fmt.Errorf("the cluster's tables are not readable (run kefu migrate): %w", err)
	}
	alive := time.Now().Add(-3 * cfg.Cluster.Heartbeat)
	var up, down []string
	for _, n := range nodes {
		name := n.Node
		if n.Routing {
			name += " (routing)"
		}
		if n.HeartbeatAt.Before(alive) {
			down = append(down, name)
		} else {
			up = append(up, name)
		}
	}
	msg := fmt.Sprintf("enabled; %d node(s) alive", len(up))
	if len(up) > 0 {
		msg += ": " + strings.Join(up, ", ")
	}
	if len(down) > 0 {
		msg += fmt.Sprintf("; not heard from: %s", strings.Join(down, ", "))
	}
	return msg, nil
}

func checkQdrant(ctx context.Context, cfg *config.Config) (string, error) {
	host, portStr, err := net.SplitHostPort(cfg.Qdrant.Addr)
	if err != nil {
		return "", err
	}
	port, _ := strconv.Atoi(portStr)
	client, err := qdrant.NewClient(&qdrant.Config{Host: host, Port: port, APIKey: cfg.Qdrant.APIKey,
		UseTLS: cfg.Qdrant.TLS, SkipCompatibilityCheck: true, PoolSize: 1})
	if err != nil {
		return "", fmt.Errorf("qdrant at %s: %w", cfg.Qdrant.Addr, err)
	}
	defer client.Close()
	h, err := client.HealthCheck(ctx)
	if err != nil {
		return "", fmt.Errorf("qdrant at %s did not answer the health check: %w", cfg.Qdrant.Addr, err)
	}
	return fmt.Sprintf("qdrant %s at %s reached", h.GetVersion(), cfg.Qdrant.Addr), nil
}

func checkOllama(ctx context.Context, cfg *config.Config) (string, error) {
	u, err := url.Parse(cfg.Ollama.URL)
	if err != nil {
		return "", err
	}
	client := api.NewClient(u, &http.Client{Timeout: 10 * time.Second})
	version, err := client.Version(ctx)
	if err != nil {
		return "", fmt.Errorf("ollama at %s did not answer: %w", cfg.Ollama.URL, err)
	}
	list, err := client.List(ctx)
	if err != nil {
		return "", fmt.Errorf("ollama at %s: unable to list models: %w", cfg.Ollama.URL, err)
	}
	var have []string
	for _, m := range list.Models {
		have = append(have, m.Name, m.Model)
	}
	var missing []string
	for _, want := range []string{cfg.Ollama.ChatModel, cfg.Ollama.EmbedModel} {
		if want != "" && !hasModel(have, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("ollama %s at %s lacks model(s) %s (ollama pull them on that host)", version, cfg.Ollama.URL, strings.Join(missing, ", "))
	}
	return fmt.Sprintf("ollama %s at %s reached; models %s and %s present", version, cfg.Ollama.URL, cfg.Ollama.ChatModel, cfg.Ollama.EmbedModel), nil
}

// hasModel matches "name" against "name:latest" as Ollama does.
func hasModel(have []string, want string) bool {
	if slices.Contains(have, want) {
		return true
	}
	return !strings.Contains(want, ":") && slices.Contains(have, want+":latest")
}

func redactDSN(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if colon := strings.Index(dsn[:at], ":"); colon >= 0 {
			return dsn[:colon] + ":****" + dsn[at:]
		}
	}
	return dsn
}
