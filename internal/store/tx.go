package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Tx is a transaction over the platform's own tables (associations, users,
// sessions, audit events). It cannot see association data on PostgreSQL,
// because no tenant is set for it.
type Tx struct {
	tx          *sql.Tx
	dialect     Dialect
	association string
}

// Dialect reports the engine, for the few queries that differ.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Association is the association this transaction is scoped to, or "" for a
// platform transaction. The audit recorder uses it to file events.
func (tx *Tx) Association() string { return tx.association }

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, query, args...)
}

// Query runs a query returning rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, query, args...)
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// Write runs fn in a read-write transaction over platform tables. The
// transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.write, false, "", fn)
}

// Read runs fn in a read-only transaction over platform tables.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, true, "", fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, association string, fn func(*Tx) error) (err error) {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.dialect == Postgres}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if db.dialect == Postgres && association != "" {
		// The tenant setting lives only as long as the transaction
		// (is_local = true), so a pooled connection never carries it over.
		if _, err = sqlTx.ExecContext(ctx, "SELECT set_config('seura.association_id', $1, true)", association); err != nil {
			return fmt.Errorf("set tenant: %w", err)
		}
	}
	if err = fn(&Tx{tx: sqlTx, dialect: db.dialect, association: association}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Within scopes this platform transaction to one association, for the few
// platform actions that set up an association's data as they create it (the
// setup page, an operator adding an association and its first
// administrator). Both halves commit or fail together.
func (tx *Tx) Within(ctx context.Context, associationID string) (*TenantTx, error) {
	if associationID == "" {
		return nil, errors.New("store: Within needs an association id")
	}
	if tx.association != "" && tx.association != associationID {
		return nil, errors.New("store: transaction is already scoped to another association")
	}
	if tx.dialect == Postgres {
		if _, err := tx.tx.ExecContext(ctx, "SELECT set_config('seura.association_id', $1, true)", associationID); err != nil {
			return nil, fmt.Errorf("set tenant: %w", err)
		}
	}
	scoped := *tx
	scoped.association = associationID
	return &TenantTx{tx: &scoped}, nil
}

// Tenant is a handle on one association's data. Every query made through it
// is bound to that association: its $1 parameter is the association id.
type Tenant struct {
	db *DB
	id string
}

// For returns the handle for association id. It panics on an empty id,
// because a tenant handle without a tenant is a programming error that must
// never reach the database.
func (db *DB) For(associationID string) Tenant {
	if associationID == "" {
		panic("store.For: empty association id")
	}
	return Tenant{db: db, id: associationID}
}

// ID is the association this handle is scoped to.
func (t Tenant) ID() string { return t.id }

// Write runs fn in a read-write transaction scoped to the association.
func (t Tenant) Write(ctx context.Context, fn func(*TenantTx) error) error {
	return t.db.run(ctx, t.db.write, false, t.id, func(tx *Tx) error { return fn(&TenantTx{tx: tx}) })
}

// Read runs fn in a read-only transaction scoped to the association.
func (t Tenant) Read(ctx context.Context, fn func(*TenantTx) error) error {
	return t.db.run(ctx, t.db.read, true, t.id, func(tx *Tx) error { return fn(&TenantTx{tx: tx}) })
}

// TenantTx is a transaction scoped to one association. Its Exec, Query and
// QueryRow bind $1 to the association id and refuse a statement that does
// not use $1, so every statement names its tenant.
type TenantTx struct {
	tx *Tx
}

// ErrUnscopedQuery is returned for a statement that does not use $1, the
// association id, through a tenant handle.
var ErrUnscopedQuery = errors.New("store: tenant query does not use $1 (the association id)")

// AssociationID is the association this transaction is scoped to.
func (t *TenantTx) AssociationID() string { return t.tx.association }

// Dialect reports the engine, for the few queries that differ.
func (t *TenantTx) Dialect() Dialect { return t.tx.dialect }

// Platform gives the same transaction for the platform's own tables (users,
// memberships, audit events), so that a change to association data and its
// audit event commit or fail together.
func (t *TenantTx) Platform() *Tx { return t.tx }

func scoped(query string) error {
	if !usesFirstParam(query) {
		return fmt.Errorf("%w: %.80s", ErrUnscopedQuery, strings.Join(strings.Fields(query), " "))
	}
	return nil
}

// usesFirstParam reports whether query contains the placeholder $1 (and not
// only $10, $11 …).
func usesFirstParam(query string) bool {
	for i := 0; i+1 < len(query); i++ {
		if query[i] == '$' && query[i+1] == '1' {
			if i+2 == len(query) || query[i+2] < '0' || query[i+2] > '9' {
				return true
			}
		}
	}
	return false
}

func (t *TenantTx) bind(args []any) []any {
	return append([]any{t.tx.association}, args...)
}

// Exec runs a statement with $1 bound to the association id.
func (t *TenantTx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := scoped(query); err != nil {
		return nil, err
	}
	return t.tx.Exec(ctx, query, t.bind(args)...)
}

// Query runs a query with $1 bound to the association id.
func (t *TenantTx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := scoped(query); err != nil {
		return nil, err
	}
	return t.tx.Query(ctx, query, t.bind(args)...)
}

// QueryRow runs a query with $1 bound to the association id. An unscoped
// query yields a row whose Scan returns ErrUnscopedQuery.
func (t *TenantTx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if err := scoped(query); err != nil {
		return &Row{err: err}
	}
	return &Row{row: t.tx.QueryRow(ctx, query, t.bind(args)...)}
}

// Prepare makes a statement to run many times in this transaction, with $1
// bound to the association id at each run. Bulk writes on SQLite use it:
// SQLite parses a statement with thousands of parameters in quadratic time,
// so one prepared row beats one statement of many rows there.
func (t *TenantTx) Prepare(ctx context.Context, query string) (*Stmt, error) {
	if err := scoped(query); err != nil {
		return nil, err
	}
	st, err := t.tx.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &Stmt{st: st, association: t.tx.association}, nil
}

// Stmt is a prepared tenant statement.
type Stmt struct {
	st          *sql.Stmt
	association string
}

// Exec runs the statement with $1 bound to the association id.
func (s *Stmt) Exec(ctx context.Context, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, append([]any{s.association}, args...)...)
}

// Close releases the statement.
func (s *Stmt) Close() error { return s.st.Close() }

// Row is the result of TenantTx.QueryRow.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest, as sql.Row.Scan does.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine, so callers can turn it into a clear message.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// KeyedTenant is the tenant condition on column col (association_id, or
// m.association_id) for a statement that also picks rows by a list of
// primary keys (id IN (…)). Written as an expression rather than a plain
// comparison, so that SQLite, which keeps no statistics about how many rows
// an association has, looks the listed rows up by key instead of walking
// the association's whole index for each statement (a bulk load of a
// million members slowed to a crawl that way). PostgreSQL plans it the
// same either way.
func KeyedTenant(col string) string { return col + " || '' = $1" }
