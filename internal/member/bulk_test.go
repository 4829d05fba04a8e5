package member_test

import (
	"errors"
	"slices"
	"testing"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// TestBulkLoad loads members with the indexes set aside: while it runs
// they are gone (on SQLite), afterwards they are back, the loaded members
// are found by every kind of search and later changes are indexed again,
// also when the load failed half-way.
func TestBulkLoad(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		r.bulk(r.aid, 1, 10, member.Member{Status: member.StatusActive, FirstName: "Ennen", LastName: "Lataus"})
		schema := func() []string {
			var names []string
			if e.Name != "sqlite" {
				return nil
			}
			err := r.env.DB.Read(r.ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(r.ctx, `SELECT name FROM sqlite_master WHERE tbl_name = 'members' AND type IN ('index', 'trigger') ORDER BY name`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var n string
					if err := rows.Scan(&n); err != nil {
						return err
					}
					names = append(names, n)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return names
		}
		before := schema()
		failed := errors.New("the load stopped")
		for round, loadErr := range []error{nil, failed} {
			first := int64(100 + 1000*round)
			err := member.BulkLoad(r.ctx, r.env.DB, func() error {
				if e.Name == "sqlite" && slices.Contains(schema(), "members_status_name") {
					t.Error("the sort index was not set aside during the load")
				}
				r.bulk(r.aid, first, 600, member.Member{Status: member.StatusActive, FirstName: "Ladattu", LastName: "Joukko",
					Email: "joukko@example.fi", Phone: "+358401234567"})
				return loadErr
			})
			if !errors.Is(err, loadErr) {
				t.Fatalf("round %d: BulkLoad returned %v, want %v", round, err, loadErr)
			}
			if got := schema(); !slices.Equal(got, before) {
				t.Fatalf("round %d: indexes and triggers after the load %v, want %v", round, got, before)
			}
			p, err := r.search(r.aid, member.Query{Text: "joukko", Limit: 200})
			if err != nil || len(p.Members) != 200 || p.Next == "" {
				t.Fatalf("round %d: the loaded members are not found by name: %d, %v", round, len(p.Members), err)
			}
			for _, text := range []string{"joukko@example", "1234567", "ladattu joukko"} {
				if p, err := r.search(r.aid, member.Query{Text: text, Limit: 1}); err != nil || len(p.Members) != 1 {
					t.Fatalf("round %d: search %q after the load: %v %v", round, text, numbers(p), err)
				}
			}
		}
		// The triggers work again: a member added afterwards is found.
		r.create(member.Member{Number: 5000, Status: member.StatusActive, FirstName: "Jälkeen", LastName: "Myöhäinen"})
		if p, err := r.search(r.aid, member.Query{Text: "myöhäinen"}); err != nil || !slices.Equal(numbers(p), []int64{5000}) {
			t.Fatalf("a member added after the load: %v %v", numbers(p), err)
		}
	})
}
