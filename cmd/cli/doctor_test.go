package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu/appliance"
	"kefu/appliance/config"

	"kefu/knowledge/qdrant/qdranttest"
	"kefu/nlu/ollamatest"
)

func runKefu(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String() + errb.String()
}

func TestDoctor(t *testing.T) {
	ollama := ollamatest.NewServer(ollamatest.Model{Name: "qwen2.5:7b-instruct"}, ollamatest.Model{Name: "bge-m3", Embed: true, Dims: 32})
	defer ollama.Close()
	qd := qdranttest.Start(t)
	dir := t.TempDir()
	base := map[string]string{"KEFU_DATA_DIR": dir, "KEFU_OLLAMA_URL": ollama.URL, "KEFU_QDRANT_ADDR": qd.Addr}

	code, out := runKefu(t, base, "doctor")
	if code != 0 {
		t.Fatalf("doctor with everything reachable: exit %d\n%s", code, out)
	}
	for _, want := range []string{"ok    database", "sqlite", "ok    qdrant", "ok    ollama", "qwen2.5:7b-instruct"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}

	// A missing model, an unreachable Qdrant and an unreachable MySQL each fail, and say so.
	bad := map[string]string{"KEFU_DATA_DIR": dir, "KEFU_OLLAMA_URL": ollama.URL, "KEFU_OLLAMA_CHAT_MODEL": "llama-missing",
		"KEFU_QDRANT_ADDR": "127.0.0.1:1", "KEFU_DATABASE_DSN": "root@tcp(127.0.0.1:1)/kefu"}
	code, out = runKefu(t, bad, "doctor")
	if code == 0 {
		t.Fatalf("doctor with failures exited 0:\n%s", out)
	}
	for _, want := range []string{"FAIL  database", "FAIL  qdrant", "FAIL  ollama", "llama-missing", "3 check(s) failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "root@tcp") && !strings.Contains(out, "127.0.0.1:1") {
		t.Errorf("doctor output:\n%s", out)
	}

	// Not configured is not a failure.
	code, out = runKefu(t, map[string]string{"KEFU_DATA_DIR": dir}, "doctor")
	if code != 0 || !strings.Contains(out, "not configured: the embedded index") || !strings.Contains(out, "not configured: local NLU") {
		t.Errorf("doctor on embedded defaults: exit %d\n%s", code, out)
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KEFU_DATA_DIR": dir, "KEFU_DATABASE_DSN": "", "KEFU_CHANNELS_APP_KEY": "k",
		"KEFU_CHANNELS_APP_SECRET": "a-very-secret-value", "KEFU_ADMIN_PASSWORD": "long-password-1"}
	if code, out := runKefu(t, env, "migrate"); code != 0 || !strings.Contains(out, "applied 0001_init") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if code, out := runKefu(t, env, "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %d %s", code, out)
	}
	code, out := runKefu(t, env, "config", "print")
	if code != 0 || strings.Contains(out, "a-very-secret-value") || !strings.Contains(out, `channels.app.secret = "********"`) {
		t.Errorf("config print: %d\n%s", code, out)
	}
	if code, out := runKefu(t, env, "admin", "create-user", "--username", "ops", "--role", "supervisor"); code != 0 || !strings.Contains(out, "created ops") {
		t.Errorf("create-user: %d %s", code, out)
	}
	if code, out := runKefu(t, env, "admin", "create-user", "--username", "ops", "--role", "supervisor"); code == 0 || !strings.Contains(out, "taken") {
		t.Errorf("duplicate create-user: %d %s", code, out)
	}
	if code, out := runKefu(t, env, "admin", "create-user", "--username", "x", "--role", "boss"); code != 2 || !strings.Contains(out, "unknown role") {
		t.Errorf("bad role: %d %s", code, out)
	}
	if code, out := runKefu(t, map[string]string{"KEFU_HTTP_ADDR": "nonsense"}, "config", "print"); code == 0 || !strings.Contains(out, "http.addr") {
		t.Errorf("bad config: %d %s", code, out)
	}
	if code, out := runKefu(t, env, "version"); code != 0 || !strings.Contains(out, "kefu ") {
		t.Errorf("version: %d %s", code, out)
	}
	if code, _ := runKefu(t, env, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// kefu doctor says encryption is on and fails when the master key is not
// the one the messages were written with.
func TestDoctorEncryption(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KEFU_DATA_DIR": dir}
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := openStore(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := &appliance.Conversation{CustomerID: 1, Channel: "web", LastChannel: "web", Status: appliance.StatusBot}
	if err := s.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMessage(ctx, &appliance.Message{ConversationID: c.ID, CustomerID: 1, Channel: "web", Sender: appliance.SenderCustomer,
		Kind: appliance.KindText, Text: "我的卡号 6217000012345678907"}, ""); err != nil {
		t.Fatal(err)
	}
	s.Close()

	code, out := runKefu(t, env, "doctor")
	if code != 0 || !strings.Contains(out, "ok    encryption") || !strings.Contains(out, "1 encrypted, all readable") {
		t.Errorf("doctor with the key the messages were written with: exit %d\n%s", code, out)
	}
	// A message written with encryption off is encrypted by
	// kefu migrate --encrypt-existing.
	off := *cfg
	off.Database.Encrypt = false
	if s, err = openStore(ctx, &off, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMessage(ctx, &appliance.Message{ConversationID: c.ID, CustomerID: 1, Channel: "web", Sender: appliance.SenderCustomer,
		Kind: appliance.KindText, Text: "在吗"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityPhone, Value: "13812345678"}, ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, out := runKefu(t, env, "doctor"); code != 0 || !strings.Contains(out, "1 channel identities written before encryption are in clear") {
		t.Errorf("doctor with an identity stored in clear: exit %d\n%s", code, out)
	}
	if code, out := runKefu(t, env, "migrate", "--encrypt-existing"); code != 0 || !strings.Contains(out, "encrypted 3 rows under secret_key (messages 1, dialogue states 0, tickets 0, ticket notes 0, conversation summaries 0, customers 1, channel identities 1, merges 0, audit details 0, QA alerts 0, QA report hits 0 and judgements 0, analytics reports 0); credentials sealed again: 0") {
		t.Errorf("migrate --encrypt-existing: exit %d\n%s", code, out)
	}
	if code, out := runKefu(t, env, "doctor"); code != 0 || !strings.Contains(out, "2 encrypted, all readable") || strings.Contains(out, "in clear") {
		t.Errorf("doctor after migrate --encrypt-existing: exit %d\n%s", code, out)
	}

	env["KEFU_SECRET_KEY"] = "another-master-key-0123456789"
	code, out = runKefu(t, env, "doctor")
	if code == 0 || !strings.Contains(out, "FAIL  encryption") || !strings.Contains(out, "do not decrypt") {
		t.Errorf("doctor with another key: exit %d\n%s", code, out)
	}
	// The appliance refuses to start with it rather than show ciphertext.
	other, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	other.HTTP.Addr = "127.0.0.1:0"
	p := &Program{Config: other}
	if err := p.Open(ctx); err == nil || !strings.Contains(err.Error(), "do not decrypt") {
		t.Errorf("serve with another key: %v, want a refusal", err)
	}
	p.Close()

	// Rotation: the generated key becomes secret_key_previous; doctor
	// points at the migration, which moves both messages to the new key.
	old, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	env["KEFU_SECRET_KEY_PREVIOUS"] = strings.TrimSpace(string(old))
	if code, out := runKefu(t, env, "doctor"); code != 0 || !strings.Contains(out, "2 under secret_key_previous") {
		t.Errorf("doctor after a rotation: exit %d\n%s", code, out)
	}
	if code, out := runKefu(t, env, "migrate", "--encrypt-existing"); code != 0 || !strings.Contains(out, "(messages 2,") {
		t.Errorf("migrate --encrypt-existing after a rotation: exit %d\n%s", code, out)
	}
	delete(env, "KEFU_SECRET_KEY_PREVIOUS")
	if code, out := runKefu(t, env, "doctor"); code != 0 || !strings.Contains(out, "2 encrypted, all readable") {
		t.Errorf("doctor with the new key alone after the migration: exit %d\n%s", code, out)
	}
}
