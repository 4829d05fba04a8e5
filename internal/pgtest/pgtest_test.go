package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestMain stops the shared cluster so no server outlives the test binary.
func TestMain(m *testing.M) { Main(m) }

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestRowLevelSecurity shows that the app role is subject to RLS: it sees
// nothing without app.tenant and only its tenant's rows with it.
func TestRowLevelSecurity(t *testing.T) {
	ownerDSN, appDSN := Database(t)
	owner := connect(t, ownerDSN)
	mustExec(t, owner, `CREATE TABLE items (id serial PRIMARY KEY, tenant text NOT NULL, name text)`)
	mustExec(t, owner, `ALTER TABLE items ENABLE ROW LEVEL SECURITY`)
	mustExec(t, owner, `ALTER TABLE items FORCE ROW LEVEL SECURITY`)
	mustExec(t, owner, `CREATE POLICY tenant_isolation ON items USING (tenant = current_setting('app.tenant', true))`)
	mustExec(t, owner, `GRANT SELECT, INSERT ON items TO seura_app`)
	mustExec(t, owner, `GRANT USAGE ON SEQUENCE items_id_seq TO seura_app`)
	for _, tenant := range []string{"a", "b"} {
		mustExec(t, owner, `SET app.tenant = '`+tenant+`'`)
		mustExec(t, owner, `INSERT INTO items (tenant, name) VALUES ('`+tenant+`', 'x'), ('`+tenant+`', 'y')`)
	}
	mustExec(t, owner, `RESET app.tenant`)

	app := connect(t, appDSN)
	if n := count(t, app, `SELECT count(*) FROM items`); n != 0 {
		t.Fatalf("without app.tenant: saw %d rows, want 0", n)
	}
	mustExec(t, app, `SET app.tenant = 'a'`)
	if n := count(t, app, `SELECT count(*) FROM items`); n != 2 {
		t.Fatalf("as tenant a: saw %d rows, want 2", n)
	}
	if n := count(t, app, `SELECT count(*) FROM items WHERE tenant <> 'a'`); n != 0 {
		t.Fatalf("as tenant a: saw %d rows of other tenants", n)
	}
	var super, bypass bool
	if err := app.QueryRow(context.Background(),
		`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("app role: superuser=%v bypassrls=%v, want both false", super, bypass)
	}
}

// TestDatabasesAreIndependent checks that each NewDatabase call gets its own
// database, so tests cannot see each other's tables.
func TestDatabasesAreIndependent(t *testing.T) {
	owner1, _ := Database(t)
	owner2, _ := Database(t)
	if owner1 == owner2 {
		t.Fatalf("same DSN twice: %s", owner1)
	}
	c1, c2 := connect(t, owner1), connect(t, owner2)
	mustExec(t, c1, `CREATE TABLE only_here (x int)`)
	if n := count(t, c2, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'`); n != 0 {
		t.Fatal("table from the first database is visible in the second")
	}
	if n := count(t, c1, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'`); n != 1 {
		t.Fatal("table missing from the database it was created in")
	}
}
