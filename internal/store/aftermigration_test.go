package store_test

import (
	"context"
	"errors"
	"testing"

	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
)

// stepKey marks the contexts in which the test's migration step acts, so the
// step stays inert for every other test of this package.
type stepKey struct{}

type stepProbe struct {
	ran  int
	fail bool
	// associations is what the step saw of migration 1's table: it runs
	// inside that migration's transaction, after its SQL.
	associations int
}

func init() {
	store.AfterMigration(1, func(ctx context.Context, tx *store.Tx) error {
		p, _ := ctx.Value(stepKey{}).(*stepProbe)
		if p == nil {
			return nil
		}
		p.ran++
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM associations`).Scan(&p.associations); err != nil {
			return err
		}
		if p.fail {
			return errors.New("step failed")
		}
		return nil
	})
}

// TestAfterMigrationStepRunsInItsMigration checks the Go steps that complete
// a migration (the audit chain's uses one): a step runs once, in its
// migration's transaction after the SQL, and a failing step fails the
// migration and leaves it unapplied.
func TestAfterMigrationStepRunsInItsMigration(t *testing.T) {
	eachFresh(t, func(t *testing.T, d fresh) {
		db := open(t, d.owner)
		failing := &stepProbe{fail: true}
		if _, err := db.Migrate(context.WithValue(context.Background(), stepKey{}, failing), pgtest.AppRole); err == nil {
			t.Fatal("Migrate succeeded although a migration step failed")
		}
		if v, err := db.SchemaVersion(context.Background()); err != nil || v != 0 {
			t.Fatalf("schema version after a failed step = %d, %v; want 0", v, err)
		}
		ok := &stepProbe{}
		ctx := context.WithValue(context.Background(), stepKey{}, ok)
		if _, err := db.Migrate(ctx, pgtest.AppRole); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, pgtest.AppRole); err != nil {
			t.Fatal(err)
		}
		if ok.ran != 1 || failing.ran != 1 {
			t.Errorf("step ran %d times over two migrations (and %d in the failed one); want 1 and 1", ok.ran, failing.ran)
		}
		if ok.associations != 0 {
			t.Errorf("the step saw %d associations in a fresh database", ok.associations)
		}
	})
}
