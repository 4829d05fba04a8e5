package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations live in migrations/NNNN_name.sql, written once for both engines
// with a few placeholders for the types that differ. Engine-only statements
// (PostgreSQL row-level security, triggers) go in NNNN_name.postgres.sql and
// NNNN_name.sqlite.sql beside it and run after the common file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     map[Dialect]string
}

// placeholders maps the type names used in migrations to each engine's own.
var placeholders = map[Dialect]*strings.Replacer{
	SQLite: strings.NewReplacer(
		"{{TS}}", "TIMESTAMP",
		"{{SERIAL}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{BYTES}}", "BLOB",
	),
	Postgres: strings.NewReplacer(
		"{{TS}}", "TIMESTAMPTZ",
		"{{SERIAL}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		"{{BYTES}}", "BYTEA",
	),
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		name := e.Name()
		numPart, rest, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(numPart)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a number and _", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		m := byVersion[version]
		if m == nil {
			m = &migration{version: version, sql: map[Dialect]string{}}
			byVersion[version] = m
		}
		switch {
		case strings.HasSuffix(rest, ".postgres.sql"):
			m.sql[Postgres] += "\n" + string(body)
		case strings.HasSuffix(rest, ".sqlite.sql"):
			m.sql[SQLite] += "\n" + string(body)
		default:
			m.name = strings.TrimSuffix(rest, ".sql")
			m.sql[SQLite] = placeholders[SQLite].Replace(string(body)) + m.sql[SQLite]
			m.sql[Postgres] = placeholders[Postgres].Replace(string(body)) + m.sql[Postgres]
		}
	}
	var list []migration
	for _, m := range byVersion {
		list = append(list, *m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	for i, m := range list {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations: expected version %d, found %d", i+1, m.version)
		}
	}
	return list, nil
}

// LatestVersion is the schema version this binary knows.
func LatestVersion() int {
	list, err := loadMigrations()
	if err != nil {
		panic(err)
	}
	return len(list)
}

// ErrSchemaTooNew means the database was migrated by a newer Seura. An older
// binary must not write to a schema it does not understand.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// SchemaVersion reads the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		if isMissingTable(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns nil when the database is exactly at LatestVersion.
func (db *DB) CheckSchema(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := LatestVersion()
	switch {
	case v > latest:
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrSchemaTooNew, v, latest)
	case v < latest:
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `seura migrate`", v, latest)
	}
	return nil
}

// Migrate applies every migration the database lacks, each in its own
// transaction, and grants the application role (PostgreSQL) its rights. It
// refuses a database newer than the binary.
func (db *DB) Migrate(ctx context.Context, appRole string) (applied int, err error) {
	list, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	// A current schema needs no DDL, so the application role (which may not
	// create tables) can run `serve` with migrations on.
	if v, err := db.SchemaVersion(ctx); err == nil && v == len(list) {
		return 0, nil
	} else if err == nil && v > len(list) {
		return 0, fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrSchemaTooNew, v, len(list))
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations (does this role own the database? run `seura migrate` as the owner): %s", oneLine(err))
	}
	for _, m := range list {
		done, err := db.applyOne(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied++
		}
	}
	if v, err := db.SchemaVersion(ctx); err != nil {
		return applied, err
	} else if v > len(list) {
		return applied, fmt.Errorf("%w: database is at version %d, this binary knows up to %d", ErrSchemaTooNew, v, len(list))
	}
	if db.dialect == Postgres && appRole != "" {
		if err := db.grantApp(ctx, appRole); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// afterMigration holds Go steps that complete a migration whose work SQL
// alone cannot do on both engines (see AfterMigration).
var afterMigration = map[int][]func(context.Context, *Tx) error{}

// AfterMigration registers step to run inside migration version's
// transaction, right after its SQL, as the schema owner. The audit package
// uses it to chain the events that existed before the hash chain did: the
// hash needs SHA-256, which SQLite's SQL lacks. Register from an init
// function; a step runs only when its migration is applied.
func AfterMigration(version int, step func(ctx context.Context, tx *Tx) error) {
	afterMigration[version] = append(afterMigration[version], step)
}

func (db *DB) applyOne(ctx context.Context, m migration) (bool, error) {
	applied := false
	err := db.run(ctx, db.write, false, "", func(tx *Tx) error {
		if db.dialect == Postgres {
			// Two servers starting at once must not both migrate.
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7346112)"); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", m.version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, m.sql[db.dialect]); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		for _, step := range afterMigration[m.version] {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}

// grantApp gives the application role what it needs and no more: data rights
// on the tables, not ownership, so row-level security applies to it.
func (db *DB) grantApp(ctx context.Context, role string) error {
	var exists bool
	if err := db.write.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return fmt.Errorf("look up role %s: %w", role, err)
	}
	if !exists {
		return nil
	}
	ident := `"` + strings.ReplaceAll(role, `"`, `""`) + `"`
	for _, stmt := range []string{
		"GRANT USAGE ON SCHEMA public TO " + ident,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + ident,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + ident,
		// The audit trail is append-only for the application.
		"REVOKE UPDATE, DELETE ON audit_events FROM " + ident,
		// The chain head is only ever moved forward by the recorder.
		"REVOKE INSERT, DELETE ON audit_chain FROM " + ident,
		// The platform's postcode table is loaded by an operator as the
		// owner (seura postcodes import); associations keep their own
		// towns in association_postcodes.
		"REVOKE INSERT, UPDATE, DELETE ON postcodes FROM " + ident,
	} {
		if _, err := db.write.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("grant to %s: %w", role, err)
		}
	}
	return nil
}

func isMissingTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}
