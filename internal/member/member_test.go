package member_test

import (
	"context"
	"testing"
	"time"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestCountsFollowEveryChange checks the per-status counts against a real
// count after inserts, status changes and deletes, on both engines.
func TestCountsFollowEveryChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "A ry", 0)
		b := env.Association(t, "B ry", 4)
		ctx := context.Background()
		check := func(step string) {
			t.Helper()
			env.CheckCounts(t, a.ID, step)
			env.CheckCounts(t, b.ID, step)
		}
		check("start")
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			ms := []member.Member{{Number: 1, Status: member.StatusActive}, {Number: 2, Status: member.StatusApplied},
				{Number: 3, Status: member.StatusActive}, {Number: 4, Status: member.StatusDeceased}}
			return member.InsertBatch(ctx, tx, env.Clock.Now(), ms)
		})
		if err != nil {
			t.Fatal(err)
		}
		check("insert")
		for _, q := range []string{
			`UPDATE members SET status = 'inactive' WHERE association_id = $1 AND member_number = 1`,
			`UPDATE members SET status = 'active' WHERE association_id = $1 AND status = 'applied'`,
			`UPDATE members SET notes = 'x' WHERE association_id = $1`,
			`DELETE FROM members WHERE association_id = $1 AND member_number = 4`,
		} {
			if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				_, err := tx.Exec(ctx, q)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			check(q)
		}
		var counts map[string]int64
		_ = env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			counts, err = member.Counts(ctx, tx)
			return err
		})
		if counts[member.StatusActive] != 2 || counts[member.StatusInactive] != 1 || counts[member.StatusDeceased] != 0 {
			t.Fatalf("counts after the changes: %v", counts)
		}
	})
}

const day = 24 * time.Hour

// TestDatesRoundTrip stores dates and reads them back unchanged.
func TestDatesRoundTrip(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "A ry", 0)
		ctx := context.Background()
		in := member.Member{Number: 7, Status: member.StatusInactive, FirstName: "Åsa", LastName: "Öberg",
			BirthDate: testenv.Start.AddDate(-40, 1, 3).Truncate(day), JoinedOn: testenv.Start.AddDate(-5, 0, 0).Truncate(day),
			LeftOn: testenv.Start.AddDate(0, 0, -2).Truncate(day)}
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return member.InsertBatch(ctx, tx, env.Clock.Now(), []member.Member{in})
		}); err != nil {
			t.Fatal(err)
		}
		got := env.Members(t, a.ID)[0]
		if !got.BirthDate.Equal(in.BirthDate) || !got.JoinedOn.Equal(in.JoinedOn) || !got.LeftOn.Equal(in.LeftOn) {
			t.Fatalf("dates: got %v %v %v, want %v %v %v", got.BirthDate, got.JoinedOn, got.LeftOn, in.BirthDate, in.JoinedOn, in.LeftOn)
		}
		if !got.CreatedAt.Equal(env.Clock.Now()) || got.FirstName != "Åsa" {
			t.Fatalf("created_at %v, name %q", got.CreatedAt, got.FirstName)
		}
	})
}
