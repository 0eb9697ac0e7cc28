package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one versioned schema change.
type Migration struct {
	Version string // file name without .sql, e.g. "0001_init"
	SQL     string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: unable to list migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		data, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: unable to read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// render expands the dialect placeholders of a migration. MySQL keeps the
// text as written; SQLite gets its own spelling of the few types that differ.
func (s *Store) render(sql string) string {
	if s.dialect == MySQL {
		return strings.NewReplacer(
			"{{ID}}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
			"{{TABLE}}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
		).Replace(sql)
	}
	return strings.NewReplacer(
		"{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{TABLE}}", "",
		// The SQLite driver maps only the bare DATETIME type to time.Time.
		"DATETIME(3)", "DATETIME",
	).Replace(sql)
}

// statements splits a migration into statements: they end with a semicolon
// at the end of a line; comment lines are dropped.
func statements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// Migrate applies the migrations not yet applied, in order, and returns the
// versions it applied. Re-running is a no-op. On MySQL a named lock keeps two
// nodes from migrating at once.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	if s.dialect == MySQL {
		// GET_LOCK is held by a connection: pin one for the whole run.
		conn, err := s.db.DB()
		if err != nil {
			return nil, err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: unable to get a connection: %w", err)
		}
		defer c.Close()
		var got int
		if err := c.QueryRowContext(ctx, "SELECT GET_LOCK('kefu_migrate', 60)").Scan(&got); err != nil || got != 1 {
			return nil, fmt.Errorf("store: unable to take the migration lock (got %d): %v", got, err)
		}
		defer c.ExecContext(context.Background(), "SELECT RELEASE_LOCK('kefu_migrate')")
	}
	create := "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(64) NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL)"
	if err := db.Exec(s.render(create + "{{TABLE}}")).Error; err != nil {
		return nil, fmt.Errorf("store: unable to create schema_migrations: %w", err)
	}
	var done []string
	if err := db.Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read schema_migrations: %w", err)
	}
	applied := map[string]bool{}
	for _, v := range done {
		applied[v] = true
	}
	var ran []string
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		// SQLite runs DDL in transactions, MySQL commits each DDL statement
		// implicitly; a transaction still makes SQLite migrations atomic.
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, stmt := range statements(s.render(m.SQL)) {
				// {{MYSQL}} marks a statement SQLite has no need of (it
				// does not enforce column lengths) and no syntax for.
				if rest, ok := strings.CutPrefix(stmt, "{{MYSQL}}"); ok {
					if s.dialect != MySQL {
						continue
					}
					stmt = rest
				}
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\n--- statement:\n%s", err, stmt)
				}
			}
			return tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.Version, time.Now().UTC()).Error
		})
		if err != nil {
			return ran, fmt.Errorf("store: migration %s failed: %w", m.Version, err)
		}
		ran = append(ran, m.Version)
	}
	return ran, nil
}

// Pending returns the versions not yet applied (for doctor).
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	var done []string
	if err := s.db.WithContext(ctx).Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read schema_migrations: %w", err)
	}
	applied := map[string]bool{}
	for _, v := range done {
		applied[v] = true
	}
	var out []string
	for _, m := range migs {
		if !applied[m.Version] {
			out = append(out, m.Version)
		}
	}
	return out, nil
}
