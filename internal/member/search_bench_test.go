package member_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// BenchmarkSearch searches one association of SEURA_BENCH_MEMBERS (default
// 100,000) demo members on SEURA_BENCH_ENGINE (sqlite, or postgres). With
// SEURA_BENCH_ASSOCIATIONS (default 1) the members are spread over that
// many associations and the first is searched: 1,000,000 over 10 is a
// large platform. The data is generated once; each sub-benchmark is one
// kind of search an office makes and reports its 50th and 95th
// percentiles, "mix" all of them in turn.
func BenchmarkSearch(b *testing.B) {
	n := benchEnvInt(b, "SEURA_BENCH_MEMBERS", 100000)
	assocs := benchEnvInt(b, "SEURA_BENCH_ASSOCIATIONS", 1)
	var eng testenv.Engine
	for _, e := range testenv.Engines(b) {
		if e.Name == os.Getenv("SEURA_BENCH_ENGINE") || (e.Name == "sqlite" && os.Getenv("SEURA_BENCH_ENGINE") == "") {
			eng = e
		}
	}
	if eng.Name == "" {
		b.Fatal("unknown SEURA_BENCH_ENGINE")
	}
	env := testenv.New(b, eng)
	ctx := context.Background()
	start := time.Now()
	res, err := demo.Populate(ctx, env.DB, env.Audit, demo.Plan{Members: n, Associations: assocs, Seed: 1, Today: env.Clock.Now()})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d members in %d associations generated in %s", eng.Name, n, assocs, time.Since(start).Round(time.Millisecond))
	if eng.Name == "postgres" {
		// The statistics autovacuum gathers after a load, so the
		// planner sees the data as a running system's does.
		owner, err := store.Open(ctx, eng.OwnerDSN)
		if err != nil {
			b.Fatal(err)
		}
		if err := owner.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "ANALYZE")
			return err
		}); err != nil {
			b.Fatal(err)
		}
		owner.Close()
	}
	tenant := env.DB.For(res.Associations[0].ID)
	search := func(q member.Query) member.Page {
		var p member.Page
		if err := tenant.Read(ctx, func(tx *store.TenantTx) error {
			var err error
			p, err = member.Search(ctx, tx, q)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		return p
	}
	var sample []member.Member
	if err := tenant.Read(ctx, func(tx *store.TenantTx) error {
		sample, err = member.List(ctx, tx, int64(n/assocs/2), 3)
		return err
	}); err != nil || len(sample) < 3 {
		b.Fatal(err)
	}
	// A page well into the list by name, reached by following Next.
	deep := member.Query{Sort: member.SortLastName}
	for range 20 {
		deep.Cursor = search(deep).Next
	}
	prefix := sample[0].LastName[:min(4, len(sample[0].LastName))]
	cases := []struct {
		name string
		q    member.Query
	}{
		{"list-number", member.Query{}},
		{"list-name", member.Query{Sort: member.SortLastName}},
		{"list-joined-desc", member.Query{Sort: member.SortJoined, Desc: true}},
		{"list-all-statuses-name", member.Query{Sort: member.SortLastName, Statuses: []string{member.StatusAll}}},
		{"list-name-page-21", deep},
		{"surname-prefix", member.Query{Text: strings.ToLower(prefix)}},
		{"surname", member.Query{Text: sample[0].LastName, Sort: member.SortLastName}},
		{"common-surname", member.Query{Text: "virtanen", Sort: member.SortLastName}},
		{"common-first-name", member.Query{Text: "anna"}},
		{"two-words", member.Query{Text: sample[1].FirstName + " " + sample[1].LastName, Statuses: []string{member.StatusAll}}},
		{"town", member.Query{Text: sample[2].Town}},
		{"town-by-name", member.Query{Text: "helsinki", Sort: member.SortLastName}},
		{"number", member.Query{Text: strconv.FormatInt(sample[2].Number, 10)}},
		{"email", member.Query{Text: sample[0].Email}},
		{"phone", member.Query{Text: sample[1].Phone}},
		{"no-match", member.Query{Text: "zzzz"}},
	}
	b.Logf("sample: surname %q, two words %q, town %q, e-mail %q, phone %q", sample[0].LastName,
		cases[9].q.Text, cases[10].q.Text, cases[13].q.Text, cases[14].q.Text)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				search(c.q)
				durations = append(durations, time.Since(t0))
			}
			reportPercentiles(b, durations)
		})
	}
	b.Run("mix", func(b *testing.B) {
		durations := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			t0 := time.Now()
			search(cases[i%len(cases)].q)
			durations = append(durations, time.Since(t0))
			i++
		}
		reportPercentiles(b, durations)
	})
}

// benchEnvInt reads a whole number from the environment, def when unset.
func benchEnvInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: %q is not a positive number", name, v)
	}
	return n
}

// reportPercentiles reports the 50th and 95th percentiles of durations in
// milliseconds instead of the mean: a list page is judged by its slow
// answers.
func reportPercentiles(b *testing.B, durations []time.Duration) {
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(float64(len(durations)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(0, "ns/op")
}
