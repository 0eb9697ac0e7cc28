package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"kefu/appliance"
	"kefu/console"
)

func runAdmin(env *Env, args []string) error {
	if len(args) == 0 || args[0] != "create-user" {
		return usageError{"admin: want create-user"}
	}
	fs := flags(env, "admin create-user")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	username := fs.String("username", "", "login name")
	role := fs.String("role", "agent", "admin, supervisor, agent, compliance or editor")
	display := fs.String("display-name", "", "name shown in the console")
	pwFile := fs.String("password-file", "", "read the password from this file (default: KEFU_ADMIN_PASSWORD or stdin)")
	senior := fs.Bool("senior", false, "a senior agent (VIP customers reach them first)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return usageError{"admin create-user: --username is required"}
	}
	r := appliance.Role(*role)
	if !r.Valid() {
		return usageError{fmt.Sprintf("admin create-user: unknown role %q", *role)}
	}
	pw, err := readPassword(env, *pwFile)
	if err != nil {
		return err
	}
	hash, err := console.HashPassword(pw)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := openStore(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	u := &appliance.User{Username: *username, DisplayName: *display, Role: r, PasswordHash: hash, MaxConcurrent: 5, Senior: *senior}
	if err := s.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := s.RecordAudit(ctx, &appliance.AuditEntry{ActorType: "system", ActorName: "kefu admin", Action: "user.create",
		TargetType: "user", TargetID: fmt.Sprint(u.ID), Detail: map[string]any{"username": u.Username, "role": u.Role}}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s (%s), id %d\n", u.Username, u.Role, u.ID)
	return nil
}

func readPassword(env *Env, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("unable to read the password file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if pw := env.Getenv("KEFU_ADMIN_PASSWORD"); pw != "" {
		return pw, nil
	}
	fmt.Fprint(env.Stderr, "password: ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password given (use --password-file or KEFU_ADMIN_PASSWORD)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
