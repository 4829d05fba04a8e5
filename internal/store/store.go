// Package store opens Seura's database on SQLite or PostgreSQL, applies the
// migrations and hands out transactions. Association data is reached only
// through a handle scoped to one association (see For), so that a query
// without a tenant cannot be written by accident; on PostgreSQL, row-level
// security enforces the same rule a second time.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines Seura runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. On SQLite it keeps two pools: one connection for
// writes (SQLite allows one writer; a single connection avoids busy errors)
// and several read-only connections that WAL lets run beside the writer.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// display is the DSN without password, for messages.
	display string
}

// Dialect reports which engine this DB runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// String returns the DSN with any password removed.
func (db *DB) String() string { return db.display }

// DefaultDSN is the embedded default: a SQLite file in the data directory.
func DefaultDSN(dataDir string) string {
	return "sqlite:" + filepath.Join(dataDir, "seura.db")
}

// ParseDSN checks a --db value and says which engine it names. It accepts
// "sqlite:PATH" and "postgres://…" or "postgresql://…" (multi-host allowed).
func ParseDSN(dsn string) (Dialect, string, error) {
	switch {
	case dsn == "":
		return "", "", errors.New("invalid --db: empty (want sqlite:PATH or postgres://…)")
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return "", "", errors.New("invalid --db: sqlite: needs a file path, as in sqlite:./seura-data/seura.db")
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", fmt.Errorf("invalid --db: sqlite path %q must not carry options", path)
		}
		return SQLite, path, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		if _, err := pgconn.ParseConfig(dsn); err != nil {
			return "", "", fmt.Errorf("invalid --db: %s", oneLine(err))
		}
		return Postgres, dsn, nil
	default:
		scheme := dsn
		if i := strings.Index(dsn, ":"); i >= 0 {
			scheme = dsn[:i]
		}
		return "", "", fmt.Errorf("invalid --db: unsupported scheme %q (want sqlite:PATH or postgres://…)", scheme)
	}
}

// Open connects to the database named by dsn and checks that it answers. It
// does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, dsn string) (*DB, error) {
	dialect, target, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	switch dialect {
	case SQLite:
		return openSQLite(ctx, target)
	default:
		return openPostgres(ctx, target)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	// The writer keeps a larger page cache (64 MiB), so bulk inserts into the
	// member indexes stay in memory instead of re-reading pages.
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %s", path, oneLine(err))
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	return &DB{dialect: SQLite, write: write, read: read, display: "sqlite:" + path}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	if !strings.Contains(dsn, "connect_timeout=") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "connect_timeout=5"
	}
	display := redact(dsn)
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", display, oneLine(err))
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %s", display, oneLine(err))
	}
	return &DB{dialect: Postgres, write: pool, read: pool, display: display}, nil
}

// Close releases both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}

// redact removes a password from a PostgreSQL URL so it can be shown.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// oneLine flattens an error so a command can report it on one line.
func oneLine(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error()
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
