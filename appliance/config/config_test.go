package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.Database.DSN != "" {
		t.Errorf("got addr=%q data_dir=%q dsn=%q, want the documented defaults", c.HTTP.Addr, c.DataDir, c.Database.DSN)
	}
	if c.Database.SQLiteSync != "full" {
		t.Errorf("got sqlite_sync %q, want full (durable across a power cut)", c.Database.SQLiteSync)
	}
	if c.Channels.App.MaxSkew != 5*time.Minute {
		t.Errorf("got max_skew %v, want 5m", c.Channels.App.MaxSkew)
	}
}

func TestEnvNames(t *testing.T) {
	want := map[string]string{"http.addr": "KEFU_HTTP_ADDR", "data_dir": "KEFU_DATA_DIR",
		"database.dsn": "KEFU_DATABASE_DSN", "channels.app.key": "KEFU_CHANNELS_APP_KEY",
		"channels.app.secret": "KEFU_CHANNELS_APP_SECRET"}
	got := map[string]string{}
	for _, k := range Keys() {
		got[k.Path] = k.Env
	}
	for p, e := range want {
		if got[p] != e {
			t.Errorf("%s: got env %q, want %q", p, got[p], e)
		}
	}
}

func TestFileThenEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kefu.yaml")
	os.WriteFile(file, []byte("http:\n  addr: 0.0.0.0:9000\nchannels:\n  app:\n    key: k1\n    secret: file-secret-0123456789\nhttp.trusted_proxies_typo: 1\n"), 0o600)
	if _, err := Load(file, env(nil)); err == nil || !strings.Contains(err.Error(), `"http.trusted_proxies_typo"`) {
		t.Fatalf("got %v, want an error naming the unknown key", err)
	}
	os.WriteFile(file, []byte("http:\n  addr: 0.0.0.0:9000\n  trusted_proxies: [10.0.0.0/8, 192.168.0.0/16]\nchannels:\n  app:\n    key: k1\n    secret: file-secret-0123456789\n"), 0o600)
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("env-file-secret-0123456789\n"), 0o600)
	c, err := Load(file, env(map[string]string{"KEFU_HTTP_ADDR": "127.0.0.1:9100", "KEFU_CHANNELS_APP_SECRET_FILE": secretFile}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != "127.0.0.1:9100" {
		t.Errorf("got addr %q, want the env override", c.HTTP.Addr)
	}
	if c.Channels.App.Key != "k1" || c.Channels.App.Secret != "env-file-secret-0123456789" {
		t.Errorf("got key %q secret %q, want k1 and the *_FILE secret", c.Channels.App.Key, c.Channels.App.Secret)
	}
	if len(c.HTTP.TrustedProxies) != 2 {
		t.Errorf("got trusted proxies %v, want 2", c.HTTP.TrustedProxies)
	}
}

func TestValidationNamesTheKey(t *testing.T) {
	cases := map[string]string{
		"KEFU_HTTP_ADDR":             "http.addr",
		"KEFU_LOG_LEVEL":             "log.level",
		"KEFU_OLLAMA_URL":            "ollama.url",
		"KEFU_QDRANT_ADDR":           "qdrant.addr",
		"KEFU_HTTP_SHUTDOWN_TIMEOUT": "http.shutdown_timeout",
		"KEFU_CHANNELS_APP_KEY":      "channels.app.secret",
		"KEFU_DATABASE_SQLITE_SYNC":  "database.sqlite_sync",
	}
	for envName, key := range cases {
		_, err := Load("", env(map[string]string{envName: "not valid"}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=bad: got %v, want an error naming %s", envName, err, key)
		}
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	c, err := Load("", env(map[string]string{"KEFU_DATABASE_DSN": "root:pw@tcp(db:3306)/kefu", "KEFU_CHANNELS_APP_KEY": "k", "KEFU_CHANNELS_APP_SECRET": "super-secret-value-123"}))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Print(c, &b)
	out := b.String()
	if strings.Contains(out, "super-secret") || strings.Contains(out, "root:pw") {
		t.Errorf("secret printed:\n%s", out)
	}
	if !strings.Contains(out, `channels.app.key = "k"`) || !strings.Contains(out, `database.dsn = "********"`) {
		t.Errorf("got:\n%s\nwant key shown and dsn masked", out)
	}
}

func TestClusterValidation(t *testing.T) {
	dsn := "root@tcp(127.0.0.1:3306)/kefu"
	for _, c := range []struct {
		env  map[string]string
		want string // the key the error names; "" for valid
	}{
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true"}, "cluster.enabled"}, // SQLite
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true", "KEFU_DATABASE_DSN": dsn}, ""},
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true", "KEFU_DATABASE_DSN": dsn, "KEFU_CLUSTER_POLL": "1ms"}, "cluster.poll"},
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true", "KEFU_DATABASE_DSN": dsn, "KEFU_CLUSTER_HEARTBEAT": "2h"}, "cluster.heartbeat"},
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true", "KEFU_DATABASE_DSN": dsn, "KEFU_CLUSTER_RECOVER": "1s"}, "cluster.recover"},
		{map[string]string{"KEFU_CLUSTER_ENABLED": "true", "KEFU_DATABASE_DSN": dsn, "KEFU_CLUSTER_NODE_ID": strings.Repeat("n", 65)}, "cluster.node_id"},
		{map[string]string{"KEFU_CLUSTER_POLL": "1ms"}, ""}, // not clustered: not checked
	} {
		_, err := Load("", env(c.env))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.env, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: got %v, want an error naming %s", c.env, err, c.want)
		}
	}
}

// Order and tracking patterns are regular expressions, which hold commas: in
// the environment a JSON array keeps them whole; a bad one names its key.
func TestPatternLists(t *testing.T) {
	c, err := Load("", env(map[string]string{"KEFU_NLU_ORDER_PATTERNS": `["\\b(DD\\d{10,16})\\b", "(?i)po-\\d{6}"]`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.NLU.OrderPatterns) != 2 || c.NLU.OrderPatterns[0] != `\b(DD\d{10,16})\b` {
		t.Errorf("order patterns: %q", c.NLU.OrderPatterns)
	}
	if _, err := Load("", env(map[string]string{"KEFU_NLU_TRACKING_PATTERNS": `["(SF\\d{12"]`})); err == nil || !strings.Contains(err.Error(), "nlu.tracking_patterns") {
		t.Errorf("bad pattern: %v, want an error naming nlu.tracking_patterns", err)
	}
	if _, err := Load("", env(map[string]string{"KEFU_NLU_ORDER_PATTERNS": `["unterminated`})); err == nil {
		t.Errorf("bad JSON: want an error")
	}
}
