// Package storetest opens fresh stores for tests: SQLite in a temp dir and a
// throw-away database on the local MariaDB/MySQL, so the same suite runs on
// both. KEFU_TEST_MYSQL_DSN names the server (default root@tcp(127.0.0.1:3306)/);
// KEFU_TEST_MYSQL=off skips MySQL explicitly (never silently).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"kefu/appliance/secret"
	"kefu/appliance/store"
)

// Dialects lists the databases the suite runs on.
func Dialects() []string { return []string{store.SQLite, store.MySQL} }

// ServerDSN is the MySQL server tests use, without a database name.
func ServerDSN() string {
	if d := os.Getenv("KEFU_TEST_MYSQL_DSN"); d != "" {
		return d
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// Open returns a migrated, empty store of the given dialect, removed when the
// test ends. It encrypts at rest, as the appliance does by default, under a
// key of its own.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	opts := NewDatabase(t, dialect)
	opts.Sealer, opts.Encrypt = NewSealer(t), true
	return OpenWith(t, opts)
}

// NewDatabase returns the options of a fresh, empty database of the given
// dialect, for tests that open several stores on one database (nodes,
// processes, keys).
func NewDatabase(t testing.TB, dialect string) store.Options {
	t.Helper()
	switch dialect {
	case store.SQLite:
		return store.Options{SQLitePath: filepath.Join(t.TempDir(), "kefu.db")}
	case store.MySQL:
		if os.Getenv("KEFU_TEST_MYSQL") == "off" {
			t.Skip("KEFU_TEST_MYSQL=off")
		}
		return store.Options{DSN: NewMySQLDatabase(t)}
	}
	t.Fatalf("unknown dialect %q", dialect)
	return store.Options{}
}

// OpenWith opens and migrates a store, closed when the test ends.
func OpenWith(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// NewSealer returns the at-rest cipher of a fresh random master key.
func NewSealer(t testing.TB) store.Sealer {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	box, err := secret.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return box.Purpose("messages at rest")
}

// NewMySQLDatabase creates an empty database on the test server and returns
// its DSN; it is dropped when the test ends.
func NewMySQLDatabase(t testing.TB) string {
	t.Helper()
	server := ServerDSN()
	admin, err := sql.Open("mysql", server)
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	if err := admin.Ping(); err != nil {
		t.Fatalf("mysql at %s is not answering (start it, or set KEFU_TEST_MYSQL=off to skip): %v", server, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "kefu_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE " + name)
		admin.Close()
	})
	dsn := server
	if i := strings.Index(dsn, "/"); i >= 0 {
		dsn = dsn[:i+1] + name + dsn[i+1:]
	}
	return dsn
}
