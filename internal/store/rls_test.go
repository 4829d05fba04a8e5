package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
)

// TestPostgresRowLevelSecurity checks the second line of tenancy: connected
// as the application role, but without going through store.For, a session
// sees no association's data unless it names one, and then only that one.
func TestPostgresRowLevelSecurity(t *testing.T) {
	if os.Getenv("SEURA_TEST_ENGINES") == "sqlite" {
		t.Skip("SEURA_TEST_ENGINES=sqlite")
	}
	ctx := context.Background()
	ownerDSN, appDSN := pgtest.Database(t)
	owner := open(t, ownerDSN)
	if _, err := owner.Migrate(ctx, pgtest.AppRole); err != nil {
		t.Fatal(err)
	}
	const assocA, assocB = "assoc-a", "assoc-b"
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := owner.Write(ctx, func(tx *store.Tx) error {
		for _, id := range []string{assocA, assocB} {
			if _, err := tx.Exec(ctx, `INSERT INTO associations (id, name, created_at) VALUES ($1, $2, $3)`, id, "Yhdistys "+id, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Members go in through the application's own path: the tenant handle,
	// connected as the application role.
	app := open(t, appDSN)
	counts := map[string]int{assocA: 3, assocB: 2}
	for assoc, n := range counts {
		err := app.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
			ms := make([]member.Member, n)
			for i := range ms {
				ms[i] = member.Member{ID: fmt.Sprintf("%s-m%d", assoc, i+1), Number: int64(i + 1), Status: member.StatusActive}
			}
			return member.InsertBatch(ctx, tx, now, ms)
		})
		if err != nil {
			t.Fatalf("insert members of %s: %v", assoc, err)
		}
	}
	// An audit event filed under association A, for the append-only checks.
	if err := app.For(assocA).Write(ctx, func(tx *store.TenantTx) error {
		_, err := tx.Platform().Exec(ctx, `INSERT INTO audit_events (event_id, occurred_at, association_id, actor_type, action)
			VALUES ($1, $2, $3, 'system', 'test.event')`, "ev-1", now, assocA)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, appDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(q pgxQuerier, query string) int {
		t.Helper()
		var n int
		if err := q.QueryRow(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}

	// No tenant set: nothing is visible.
	if n := count(conn, "SELECT count(*) FROM members"); n != 0 {
		t.Errorf("without a tenant the application role sees %d members, want 0", n)
	}
	if n := count(conn, "SELECT count(*) FROM member_counts"); n != 0 {
		t.Errorf("without a tenant the application role sees %d member_counts rows, want 0", n)
	}
	if n := count(conn, "SELECT count(*) FROM audit_events WHERE association_id IS NOT NULL"); n != 0 {
		t.Errorf("without a tenant the application role sees %d association audit events, want 0", n)
	}

	// Tenant A set for one transaction: exactly A's rows.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('seura.association_id', $1, true)", assocA); err != nil {
		t.Fatal(err)
	}
	if n := count(tx, "SELECT count(*) FROM members"); n != counts[assocA] {
		t.Errorf("with tenant A the application role sees %d members, want %d", n, counts[assocA])
	}
	if n := count(tx, "SELECT count(*) FROM members WHERE association_id <> '"+assocA+"'"); n != 0 {
		t.Errorf("with tenant A the application role sees %d members of other associations", n)
	}
	if n := count(tx, "SELECT COALESCE(SUM(n), 0) FROM member_counts"); n != counts[assocA] {
		t.Errorf("with tenant A member_counts sums to %d, want %d", n, counts[assocA])
	}
	if n := count(tx, "SELECT count(*) FROM member_counts WHERE association_id <> '"+assocA+"'"); n != 0 {
		t.Errorf("with tenant A member_counts shows %d rows of other associations", n)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// The setting was local to that transaction: the pooled connection
	// does not carry it into the next one.
	if n := count(conn, "SELECT count(*) FROM members"); n != 0 {
		t.Errorf("after the tenant transaction ended the connection still sees %d members", n)
	}

	// Writing another association's rows while scoped to A is refused.
	inTenantA := func(stmt string, args ...any) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SELECT set_config('seura.association_id', $1, true)", assocA); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, stmt, args...)
		return err
	}
	wantCode := func(what string, err error, code string) {
		t.Helper()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != code {
			t.Errorf("%s: err = %v; want SQLSTATE %s", what, err, code)
		}
	}
	err = inTenantA(`INSERT INTO members (id, association_id, member_number, status, created_at, updated_at)
		VALUES ('smuggled', $1, 99, 'active', now(), now())`, assocB)
	wantCode("insert a member of B while scoped to A", err, "42501")
	err = inTenantA(`UPDATE members SET association_id = $1 WHERE association_id = $2`, assocB, assocA)
	wantCode("move A's members to B while scoped to A", err, "42501")
	err = inTenantA(`INSERT INTO audit_events (event_id, occurred_at, association_id, actor_type, action)
		VALUES ('forged', now(), $1, 'system', 'test.forged')`, assocB)
	wantCode("file an audit event under B while scoped to A", err, "42501")
	if err := inTenantA(`INSERT INTO members (id, association_id, member_number, status, created_at, updated_at)
		VALUES ('allowed', $1, 99, 'active', now(), now())`, assocA); err != nil {
		t.Errorf("insert a member of A while scoped to A: %v", err)
	}

	// The audit trail is append-only for the application role.
	wantCode("UPDATE audit_events", inTenantA(`UPDATE audit_events SET action = 'rewritten'`), "42501")
	wantCode("DELETE FROM audit_events", inTenantA(`DELETE FROM audit_events`), "42501")
	if n := count(conn, "SELECT count(*) FROM audit_events"); n != 0 {
		// Visible rows without a tenant: platform events only (none here).
		t.Errorf("audit events visible without a tenant: %d", n)
	}

	// The application role owns nothing, so row-level security binds it.
	var tableOwner string
	if err := conn.QueryRow(ctx, "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'members'").Scan(&tableOwner); err != nil {
		t.Fatal(err)
	}
	if tableOwner == pgtest.AppRole {
		t.Errorf("the application role %s owns the members table", pgtest.AppRole)
	}
	var owned int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1", pgtest.AppRole).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if owned != 0 {
		t.Errorf("the application role owns %d tables, want 0", owned)
	}
	var bypass, super bool
	if err := conn.QueryRow(ctx, "SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&bypass, &super); err != nil {
		t.Fatal(err)
	}
	if bypass || super {
		t.Errorf("the application role has BYPASSRLS=%v SUPERUSER=%v", bypass, super)
	}
}

type pgxQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
