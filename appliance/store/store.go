package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"kefu/appliance"
)

// Dialects.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Options open a store.
type Options struct {
	// DSN selects MySQL/MariaDB; empty opens SQLite at SQLitePath.
	DSN          string
	SQLitePath   string
	MaxOpenConns int
	// SQLiteSync is SQLite's synchronous setting in WAL mode: "full" (the
	// default) makes every commit durable across a power cut or OS crash,
	// "normal" only across a crash of the process, and is faster.
	SQLiteSync string
	Logger     *slog.Logger
	// Sealer opens what was encrypted at rest (message texts and payloads,
	// dialogue states, live events; see atrest.go) and, with Encrypt,
	// encrypts what is written. Turning Encrypt off leaves what was
	// encrypted readable.
	Sealer  Sealer
	Encrypt bool
}

// Store is the GORM implementation of appliance.Store and of the console's
// storage needs.
type Store struct {
	db      *gorm.DB
	dialect string
	log     *slog.Logger

	dsn       string // MySQL: the DSN, for the lock pool
	poolSize  int
	lockOnce  sync.Once
	lockPool  *sql.DB // MySQL: connections that hold customers' named locks (cluster.go)
	lockError error

	sealer     Sealer // nil: encrypted values cannot be read
	encrypting bool   // seal what is written (needs sealer)
	unreadable atomic.Int64
}

// Open connects to the database. It does not migrate: call Migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
		SkipDefaultTransaction: true,
	}
	var (
		db      *gorm.DB
		err     error
		dialect string
	)
	if o.DSN != "" {
		dialect = MySQL
		dsn, derr := mysqlDSN(o.DSN)
		if derr != nil {
			return nil, derr
		}
		db, err = gorm.Open(mysql.Open(dsn), gcfg)
	} else {
		dialect = SQLite
		if err := os.MkdirAll(filepath.Dir(o.SQLitePath), 0o750); err != nil {
			return nil, fmt.Errorf("store: unable to create the data directory: %w", err)
		}
		sync := "FULL"
		if strings.EqualFold(o.SQLiteSync, "normal") {
			sync = "NORMAL"
		}
		dsn := o.SQLitePath + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(1)"
		db, err = gorm.Open(sqlite.Open(dsn), gcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to open the %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: unable to get the connection pool: %w", err)
	}
	if dialect == SQLite {
		// SQLite has one writer; one connection serializes writers without
		// SQLITE_BUSY errors and keeps transactions strictly ordered.
		sqlDB.SetMaxOpenConns(1)
	} else {
		n := o.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxLifetime(time.Hour)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: unable to reach the %s database: %w", dialect, err)
	}
	st := &Store{db: db, dialect: dialect, log: log, poolSize: o.MaxOpenConns, sealer: o.Sealer,
		encrypting: o.Encrypt && o.Sealer != nil}
	if dialect == MySQL {
		st.dsn, _ = mysqlDSN(o.DSN)
	}
	return st, nil
}

// mysqlDSN makes sure the options Kefu relies on are set: UTC times parsed
// into time.Time, utf8mb4, and matched-row counts.
func mysqlDSN(dsn string) (string, error) {
	if !strings.Contains(dsn, "/") {
		return "", errors.New("store: database.dsn must name a database, e.g. user:pass@tcp(host:3306)/kefu")
	}
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			if strings.Contains(dsn, "?") {
				dsn += "&" + k + "=" + v
			} else {
				dsn += "?" + k + "=" + v
			}
		}
	}
	add("parseTime", "true")
	add("loc", "UTC")
	add("charset", "utf8mb4")
	add("collation", "utf8mb4_unicode_ci")
	// An UPDATE reports the rows it matched, not only those it changed:
	// saving a row unchanged (two writers setting the same state within a
	// millisecond) must not read as "not found".
	add("clientFoundRows", "true")
	return dsn, nil
}

// Dialect returns SQLite or MySQL.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if s.lockPool != nil {
		s.lockPool.Close()
	}
	return sqlDB.Close()
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

type txKey struct{}

// WithTx runs fn in a transaction carried by the context; store calls made
// with that context join it. Nested calls join the outer transaction.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// conn returns the transaction in ctx or the pool, bound to ctx.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.db.WithContext(ctx)
}

// DB exposes the GORM handle to other store-layer packages (jobs, reports).
func (s *Store) DB() *gorm.DB { return s.db }

func notFound(what string, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return appliance.Errorf(appliance.ENOTFOUND, what+"_not_found", "%s not found", strings.ReplaceAll(what, "_", " "))
	}
	return fmt.Errorf("store: unable to fetch %s: %w", what, err)
}

func isDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "Duplicate entry")
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t.UTC()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func conflict(code, msg string) error {
	return appliance.Errorf(appliance.ECONFLICT, code, "%s", msg)
}
