package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// fresh is an empty database on one engine, not yet migrated.
type fresh struct {
	name  string
	owner string // DSN that owns the schema (migrations run with it)
	app   string // DSN the application uses
}

// eachFresh runs fn as a subtest on an empty database on every engine
// (SQLite only with SEURA_TEST_ENGINES=sqlite, as testenv does).
func eachFresh(t *testing.T, fn func(t *testing.T, d fresh)) {
	t.Helper()
	sqlite := "sqlite:" + filepath.Join(t.TempDir(), "seura.db")
	dbs := []fresh{{name: "sqlite", owner: sqlite, app: sqlite}}
	if os.Getenv("SEURA_TEST_ENGINES") != "sqlite" {
		owner, app := pgtest.Database(t)
		dbs = append(dbs, fresh{name: "postgres", owner: owner, app: app})
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) { fn(t, d) })
	}
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateAppliesEveryMigrationOnce(t *testing.T) {
	eachFresh(t, func(t *testing.T, d fresh) {
		ctx := context.Background()
		db := open(t, d.owner)
		latest := store.LatestVersion()
		if latest < 1 {
			t.Fatalf("LatestVersion() = %d, want at least 1", latest)
		}

		// An empty database is reported as behind, not as too new.
		if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("SchemaVersion of an empty database = %d, %v; want 0, nil", v, err)
		}
		err := db.CheckSchema(ctx)
		if err == nil || errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "seura migrate") {
			t.Fatalf("CheckSchema on an empty database = %v; want an error telling to run `seura migrate`", err)
		}

		n, err := db.Migrate(ctx, pgtest.AppRole)
		if err != nil {
			t.Fatalf("first Migrate: %v", err)
		}
		if n != latest {
			t.Fatalf("first Migrate applied %d, want %d", n, latest)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v != latest {
			t.Fatalf("SchemaVersion after Migrate = %d, %v; want %d", v, err, latest)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema after Migrate: %v", err)
		}

		// Idempotent, on the same handle and on a new one (a restarted server).
		if n, err := db.Migrate(ctx, pgtest.AppRole); err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
		again := open(t, d.owner)
		if n, err := again.Migrate(ctx, pgtest.AppRole); err != nil || n != 0 {
			t.Fatalf("Migrate after reopening = %d, %v; want 0, nil", n, err)
		}
		var rows int
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows)
		}); err != nil || rows != latest {
			t.Fatalf("schema_migrations has %d rows (%v), want %d", rows, err, latest)
		}

		// The application's own connection sees a current schema and the tables.
		app := open(t, d.app)
		if err := app.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema as the application: %v", err)
		}
		// `seura serve` migrates on start; on a current schema that needs no
		// right to create tables, which the application role lacks.
		if n, err := app.Migrate(ctx, pgtest.AppRole); err != nil || n != 0 {
			t.Fatalf("Migrate as the application on a current schema = %d, %v; want 0, nil", n, err)
		}
		for _, table := range []string{"associations", "users", "sessions", "tokens", "api_keys", "memberships", "members", "member_counts", "audit_events"} {
			if err := app.Read(ctx, func(tx *store.Tx) error {
				var n int
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
			}); err != nil {
				t.Errorf("table %s after Migrate: %v", table, err)
			}
		}
	})
}

func TestSchemaTooNewIsRefused(t *testing.T) {
	eachFresh(t, func(t *testing.T, d fresh) {
		ctx := context.Background()
		db := open(t, d.owner)
		if _, err := db.Migrate(ctx, pgtest.AppRole); err != nil {
			t.Fatal(err)
		}
		future := store.LatestVersion() + 1
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				future, "from_the_future", time.Now().UTC().Format(time.RFC3339))
			return err
		}); err != nil {
			t.Fatal(err)
		}

		err := db.CheckSchema(ctx)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("CheckSchema on a newer schema = %v; want ErrSchemaTooNew", err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(future)) {
			t.Errorf("CheckSchema error %q does not name the database's version %d", err, future)
		}
		if _, err := db.Migrate(ctx, pgtest.AppRole); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Migrate on a newer schema = %v; want ErrSchemaTooNew", err)
		}
		if err := open(t, d.app).CheckSchema(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("CheckSchema as the application on a newer schema = %v; want ErrSchemaTooNew", err)
		}
	})
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn     string
		dialect store.Dialect
		target  string
		errHas  []string // every piece must be in the error; nil means no error
		errNot  string   // must not be in the error (a password)
	}{
		{dsn: "sqlite:./seura-data/seura.db", dialect: store.SQLite, target: "./seura-data/seura.db"},
		{dsn: "sqlite:///var/lib/seura/seura.db", dialect: store.SQLite, target: "/var/lib/seura/seura.db"},
		{dsn: "sqlite:seura.db", dialect: store.SQLite, target: "seura.db"},
		{dsn: "postgres://seura@db.example.fi:5432/seura", dialect: store.Postgres, target: "postgres://seura@db.example.fi:5432/seura"},
		{dsn: "postgresql://seura:pw@localhost/seura?sslmode=disable", dialect: store.Postgres, target: "postgresql://seura:pw@localhost/seura?sslmode=disable"},
		{dsn: "postgres://h1:5432,h2:5432/db?target_session_attrs=read-write", dialect: store.Postgres,
			target: "postgres://h1:5432,h2:5432/db?target_session_attrs=read-write"},
		{dsn: "postgresql://app@pg1.hel.example.fi,pg2.tku.example.fi/seura?target_session_attrs=read-write", dialect: store.Postgres,
			target: "postgresql://app@pg1.hel.example.fi,pg2.tku.example.fi/seura?target_session_attrs=read-write"},

		{dsn: "", errHas: []string{"invalid --db", "empty"}},
		{dsn: "sqlite:", errHas: []string{"invalid --db", "needs a file path"}},
		{dsn: "sqlite://", errHas: []string{"invalid --db", "needs a file path"}},
		{dsn: "sqlite:seura.db?mode=ro", errHas: []string{"invalid --db", "must not carry options"}},
		{dsn: "mysql://root@localhost/seura", errHas: []string{"invalid --db", `unsupported scheme "mysql"`}},
		{dsn: "seura.db", errHas: []string{"invalid --db", "unsupported scheme"}},
		{dsn: "postgres://seura:hunter2@db.example.fi:notaport/seura", errHas: []string{"invalid --db", "invalid port"}, errNot: "hunter2"},
		{dsn: "postgres://db.example.fi:99999/seura", errHas: []string{"invalid --db", "port"}},
		{dsn: "postgres://%zz/seura", errHas: []string{"invalid --db", "%zz"}},
		{dsn: "postgres://h/db?sslmode=sometimes", errHas: []string{"invalid --db", "sslmode"}},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			dialect, target, err := store.ParseDSN(tt.dsn)
			if tt.errHas == nil {
				if err != nil {
					t.Fatalf("ParseDSN(%q): %v", tt.dsn, err)
				}
				if dialect != tt.dialect || target != tt.target {
					t.Fatalf("ParseDSN(%q) = %q, %q; want %q, %q", tt.dsn, dialect, target, tt.dialect, tt.target)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseDSN(%q) = %q, %q, nil; want an error", tt.dsn, dialect, target)
			}
			if dialect != "" || target != "" {
				t.Errorf("ParseDSN(%q) returned %q, %q with its error", tt.dsn, dialect, target)
			}
			for _, want := range tt.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("ParseDSN(%q) error %q does not contain %q", tt.dsn, err, want)
				}
			}
			if tt.errNot != "" && strings.Contains(err.Error(), tt.errNot) {
				t.Errorf("ParseDSN(%q) error %q shows the password", tt.dsn, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseDSN(%q) error is not on one line: %q", tt.dsn, err)
			}
		})
	}
}

func TestOpenUnreachablePostgresFailsQuickly(t *testing.T) {
	for _, dsn := range []string{
		"postgres://seura:hunter2@127.0.0.1:1/x",
		"postgres://seura:hunter2@127.0.0.1:1,127.0.0.1:2/x?target_session_attrs=read-write",
	} {
		start := time.Now()
		db, err := store.Open(context.Background(), dsn)
		elapsed := time.Since(start)
		if err == nil {
			db.Close()
			t.Fatalf("Open(%s) succeeded where nothing listens", dsn)
		}
		if !strings.Contains(err.Error(), "cannot reach PostgreSQL") {
			t.Errorf("Open error %q does not say it cannot reach PostgreSQL", err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open error %q shows the password", err)
		}
		if elapsed > 11*time.Second {
			t.Errorf("Open(%s) took %v to give up; want at most ~10 s", dsn, elapsed)
		}
	}
}

func TestOpenSQLiteCreatesItsDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "seura.db")
	db := open(t, "sqlite:"+path)
	if db.Dialect() != store.SQLite {
		t.Fatalf("Dialect() = %q", db.Dialect())
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
}

func TestForPanicsWithoutAssociation(t *testing.T) {
	db := open(t, "sqlite:"+filepath.Join(t.TempDir(), "seura.db"))
	defer func() {
		if recover() == nil {
			t.Fatal(`For("") did not panic`)
		}
	}()
	db.For("")
}

func TestTenantTxRefusesStatementsWithoutFirstParam(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		db := open(t, e.DSN)
		refused := []string{
			"DELETE FROM members",
			"SELECT COUNT(*) FROM members",
			"SELECT COUNT(*) FROM members WHERE association_id = $10",
			"SELECT COUNT(*) FROM members WHERE association_id = $10 OR association_id = $11",
			"SELECT COUNT(*) FROM members WHERE association_id = $2",
			"SELECT COUNT(*) FROM members WHERE association_id = $100 AND member_number = $12",
			"SELECT COUNT(*) FROM members WHERE association_id = $",
		}
		accepted := []struct {
			query string
			args  []any
		}{
			{query: "SELECT COUNT(*) FROM members WHERE association_id = $1"},
			{query: "SELECT COUNT(*) FROM members WHERE (association_id=$1)"},
			{query: "SELECT COUNT(*) FROM members WHERE association_id = $1\n"},
			{query: "SELECT COUNT(*) FROM members WHERE member_number <> $2 AND association_id = $1", args: []any{7}},
			{query: "SELECT COUNT(*) FROM members WHERE association_id = $1 AND member_number IN ($2, $3, $4, $5, $6, $7, $8, $9, $10)",
				args: []any{2, 3, 4, 5, 6, 7, 8, 9, 10}},
		}
		err := db.For("assoc-a").Write(ctx, func(tx *store.TenantTx) error {
			for _, q := range refused {
				if _, err := tx.Exec(ctx, q); !errors.Is(err, store.ErrUnscopedQuery) {
					t.Errorf("Exec(%q) = %v; want ErrUnscopedQuery", q, err)
				}
				rows, err := tx.Query(ctx, q)
				if rows != nil {
					rows.Close()
				}
				if !errors.Is(err, store.ErrUnscopedQuery) {
					t.Errorf("Query(%q) = %v; want ErrUnscopedQuery", q, err)
				}
				var n int
				if err := tx.QueryRow(ctx, q).Scan(&n); !errors.Is(err, store.ErrUnscopedQuery) {
					t.Errorf("QueryRow(%q).Scan = %v; want ErrUnscopedQuery", q, err)
				}
			}
			// A refused statement never reached the database: the
			// transaction is still usable.
			for _, a := range accepted {
				if _, err := tx.Exec(ctx, a.query, a.args...); err != nil {
					t.Errorf("Exec(%q): %v", a.query, err)
				}
				var n int
				if err := tx.QueryRow(ctx, a.query, a.args...).Scan(&n); err != nil {
					t.Errorf("QueryRow(%q): %v", a.query, err)
				}
			}
			// $1 is the association id.
			var bound string
			if err := tx.QueryRow(ctx, "SELECT CAST($1 AS TEXT)").Scan(&bound); err != nil || bound != "assoc-a" {
				t.Errorf("$1 bound to %q (%v), want assoc-a", bound, err)
			}
			if tx.AssociationID() != "assoc-a" || tx.Platform().Association() != "assoc-a" {
				t.Errorf("AssociationID() = %q, Platform().Association() = %q", tx.AssociationID(), tx.Platform().Association())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.For("x").Write(ctx, func(tx *store.TenantTx) error {
			_, err := tx.Exec(ctx, "DELETE FROM members WHERE member_number = $10")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "$1") {
			t.Errorf("unscoped statement error %v does not explain that $1 is missing", err)
		}
	})
}

func TestWithinRefusesASecondAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		db := open(t, e.DSN)
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Within(ctx, ""); err == nil {
				t.Error(`Within("") succeeded`)
			}
			a, err := tx.Within(ctx, "assoc-a")
			if err != nil {
				return err
			}
			if a.AssociationID() != "assoc-a" {
				t.Errorf("Within scoped to %q", a.AssociationID())
			}
			if _, err := a.Platform().Within(ctx, "assoc-b"); err == nil {
				t.Error("a transaction scoped to one association was re-scoped to another")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestTenantReadsNeverSeeAnotherAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 3)
		b := env.Association(t, "Partio ry", 2)
		bMembers := env.Members(t, b.ID)
		if len(bMembers) != 2 {
			t.Fatalf("association B has %d members, want 2", len(bMembers))
		}
		bIDs := map[string]bool{}
		for _, m := range bMembers {
			bIDs[m.ID] = true
		}

		err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			ms, err := member.List(ctx, tx, 0, 1000)
			if err != nil {
				return err
			}
			if len(ms) != 3 {
				t.Errorf("A's list has %d members, want 3", len(ms))
			}
			for _, m := range ms {
				if bIDs[m.ID] {
					t.Errorf("A's list contains B's member %s", m.ID)
				}
			}
			for id := range bIDs {
				if _, err := member.Get(ctx, tx, id); !errors.Is(err, member.ErrNotFound) {
					t.Errorf("Get of B's member %s through A = %v; want ErrNotFound", id, err)
				}
			}
			counts, err := member.Counts(ctx, tx)
			if err != nil {
				return err
			}
			if counts[member.StatusActive] != 3 {
				t.Errorf("A's active count = %d, want 3", counts[member.StatusActive])
			}
			rows, err := tx.Query(ctx, "SELECT association_id FROM members WHERE association_id = $1")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var got string
				if err := rows.Scan(&got); err != nil {
					return err
				}
				if got != a.ID {
					t.Errorf("A's read returned a row of association %s", got)
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}

		if e.Name != "postgres" {
			return
		}
		// On PostgreSQL row-level security holds even for a statement that
		// mentions $1 without filtering on it.
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM members WHERE CAST($1 AS TEXT) <> ''").Scan(&n); err != nil {
				return err
			}
			if n != 3 {
				t.Errorf("an unfiltered count through A sees %d members, want 3", n)
			}
			res, err := tx.Exec(ctx, "UPDATE members SET notes = 'touched' WHERE CAST($1 AS TEXT) <> ''")
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 3 {
				t.Errorf("an unfiltered update through A changed %d rows, want 3", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The tenant setting ends with its transaction: a platform
		// transaction on the same pooled connection sees no members.
		for range 3 {
			if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
				_, err := member.Counts(ctx, tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := env.DB.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM members").Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("a platform transaction after a tenant one sees %d members; the tenant setting outlived its transaction", n)
			}
		}
		for _, m := range env.Members(t, b.ID) {
			if m.Notes != "" {
				t.Errorf("B's member %s was changed through A: notes %q", m.ID, m.Notes)
			}
		}
	})
}
