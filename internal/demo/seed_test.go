package demo_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestPopulateSpreadsMembersAndCounts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		var progress []int
		res, err := demo.Populate(context.Background(), env.DB, env.Audit, demo.Plan{Members: 2501, Associations: 3, Seed: 7,
			Today: env.Clock.Now(), Progress: func(n int) { progress = append(progress, n) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Associations) != 3 || res.Members != 2501 {
			t.Fatalf("got %d associations, %d members", len(res.Associations), res.Members)
		}
		if progress[len(progress)-1] != 2501 {
			t.Fatalf("progress ended at %v", progress)
		}
		total := 0
		for i, a := range res.Associations {
			ms := env.Members(t, a.ID)
			want := 833 // 2501 = 3 × 833 + 2: the first two get one more
			if i < 2 {
				want = 834
			}
			if len(ms) != want {
				t.Errorf("association %d has %d members, want %d", i, len(ms), want)
			}
			for j, m := range ms {
				if m.Number != int64(j+1) {
					t.Fatalf("member numbers not 1..n: #%d is %d", j, m.Number)
				}
			}
			var counts map[string]int64
			if err := env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
				var err error
				counts, err = member.Counts(context.Background(), tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, n := range counts {
				sum += n
			}
			if sum != int64(want) || counts[member.StatusActive] < int64(want)*7/10 {
				t.Errorf("counts %v do not add up to %d", counts, want)
			}
			if acts := env.AuditActions(t, a.ID); len(acts) == 0 || acts[len(acts)-1] != "demo.generate" {
				t.Errorf("no demo.generate audit event for association %d: %v", i, acts)
			}
			total += len(ms)
		}
		if total != 2501 {
			t.Fatalf("total %d", total)
		}
	})
}

// BenchmarkPopulate streams members into a fresh SQLite database (or
// PostgreSQL with SEURA_BENCH_ENGINE=postgres) and reports members/s.
func BenchmarkPopulate(b *testing.B) {
	n := 50000
	if v := os.Getenv("SEURA_BENCH_MEMBERS"); v != "" {
		fmt.Sscan(v, &n)
	}
	want := os.Getenv("SEURA_BENCH_ENGINE")
	if want == "" {
		want = "sqlite"
	}
	for b.Loop() {
		b.StopTimer()
		var env *testenv.Env
		for _, e := range testenv.Engines(b) {
			if e.Name == want {
				env = testenv.New(b, e)
			}
		}
		b.StartTimer()
		if _, err := demo.Populate(context.Background(), env.DB, env.Audit, demo.Plan{Members: n, Associations: 10, Seed: 1, Today: env.Clock.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "members/s")
}
