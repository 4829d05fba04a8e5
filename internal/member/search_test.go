package member_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func (r *reg) search(aid string, q member.Query) (member.Page, error) {
	var p member.Page
	err := r.env.DB.For(aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		p, err = member.Search(r.ctx, tx, q)
		return err
	})
	return p, err
}

func numbers(p member.Page) []int64 {
	out := []int64{}
	for _, m := range p.Members {
		out = append(out, m.Number)
	}
	return out
}

func TestSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		r.create(member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna-Liisa", LastName: "Äijälä",
			Email: "anna@example.fi", Phone: "040 123 4567", Postcode: "00100", Town: "Helsinki", JoinedOn: day(2020, 1, 1)})
		r.create(member.Member{Number: 2, Status: member.StatusActive, FirstName: "Bertil", LastName: "af Hällström",
			Email: "bertil@example.se", Phone: "+46 70 123 45 67", Postcode: "65100", Town: "Vasa", Language: "sv"})
		r.create(member.Member{Number: 3, Status: member.StatusActive, Kind: member.KindOrganisation, OrgName: "Kuoro 100% ry",
			Town: "Helsinki", JoinedOn: day(2010, 5, 1)})
		r.create(member.Member{Number: 4, Status: member.StatusInactive, FirstName: "Liisa", LastName: "Virtanen",
			Town: "Espoo", JoinedOn: day(2000, 1, 1), LeftOn: day(2021, 1, 1)})
		r.create(member.Member{Number: 5, Status: member.StatusDeceased, FirstName: "Veikko", LastName: "Anttila",
			Town: "Turku", JoinedOn: day(1990, 1, 1), LeftOn: day(2022, 1, 1)})
		other := r.env.Association(t, "B ry", 0)
		r.createIn(other.ID, member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna", LastName: "Aalto",
			Email: "anna.aalto@example.fi"})

		for _, c := range []struct {
			text     string
			statuses []string
			want     []int64
		}{
			{"", nil, []int64{1, 2, 3}},
			{"", []string{member.StatusAll}, []int64{1, 2, 3, 4, 5}},
			{"", []string{member.StatusInactive, member.StatusDeceased}, []int64{4, 5}},
			{"äijä", nil, []int64{1}},
			{"ÄIJÄLÄ", nil, []int64{1}},
			{"liisa", nil, []int64{1}},
			{"liisa", []string{member.StatusAll}, []int64{1, 4}},
			{"anna liisa", nil, []int64{1}},
			{"hällström", nil, []int64{2}},
			{"ijälä", nil, []int64{}},
			{"helsinki", nil, []int64{1, 3}},
			{"kuoro helsinki", nil, []int64{3}},
			{"00100", nil, []int64{1}},
			{"2", nil, []int64{2}},
			{"bertil@", nil, []int64{2}},
			{"ANNA@EXAMPLE.FI", nil, []int64{1}},
			{"040-1234567", nil, []int64{1}},
			{"+358 40 123 4567", nil, []int64{1}},
			{"070 123 45 67", nil, []int64{2}},
			{"100%", nil, []int64{3}},
			{"100_", nil, []int64{}},
			{"%", nil, []int64{}},
			{"aalto", nil, []int64{}},
		} {
			p, err := r.search(r.aid, member.Query{Text: c.text, Statuses: c.statuses})
			if err != nil {
				t.Fatalf("search %q: %v", c.text, err)
			}
			if got := numbers(p); !slices.Equal(got, c.want) {
				t.Errorf("search %q %v: %v, want %v", c.text, c.statuses, got, c.want)
			}
		}
		p, _ := r.search(r.aid, member.Query{Language: "sv"})
		if got := numbers(p); !slices.Equal(got, []int64{2}) {
			t.Errorf("language sv: %v", got)
		}
		all := []string{member.StatusAll}
		for _, c := range []struct {
			sort string
			desc bool
			want []int64
		}{
			{member.SortNumber, true, []int64{5, 4, 3, 2, 1}},
			{member.SortLastName, false, []int64{2, 5, 3, 4, 1}},
			{member.SortLastName, true, []int64{1, 4, 3, 5, 2}},
			{member.SortJoined, false, []int64{5, 4, 3, 1, 2}},
			{member.SortJoined, true, []int64{2, 1, 3, 4, 5}},
		} {
			// One by one, forwards to the end and back to the start.
			var got []int64
			q := member.Query{Statuses: all, Sort: c.sort, Desc: c.desc, Limit: 2}
			var pages []member.Page
			for {
				p, err := r.search(r.aid, q)
				if err != nil {
					t.Fatalf("%s desc=%v: %v", c.sort, c.desc, err)
				}
				pages = append(pages, p)
				got = append(got, numbers(p)...)
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("sort %s desc=%v: %v, want %v", c.sort, c.desc, got, c.want)
			}
			if pages[0].Prev != "" {
				t.Errorf("sort %s: the first page has a previous page", c.sort)
			}
			last := pages[len(pages)-1]
			q.Cursor = last.Prev
			back, err := r.search(r.aid, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := numbers(pages[len(pages)-2]); !slices.Equal(numbers(back), want) {
				t.Errorf("sort %s desc=%v: back from the last page: %v, want %v", c.sort, c.desc, numbers(back), want)
			}
		}
		for _, q := range []member.Query{{Statuses: []string{"gone"}}, {Sort: "age"}, {Language: "de"},
			{Cursor: "!!"}, {Sort: member.SortJoined, Cursor: func() string {
				p, _ := r.search(r.aid, member.Query{Limit: 1})
				return p.Next
			}()}} {
			if _, err := r.search(r.aid, q); !errors.Is(err, member.ErrBadQuery) {
				t.Errorf("query %+v: %v, want ErrBadQuery", q, err)
			}
		}
	})
}

// BenchmarkSearch searches one association of SEURA_BENCH_MEMBERS (default
// 100,000) demo members on SEURA_BENCH_ENGINE (sqlite, or postgres) and
// reports the 50th and 95th percentile of a mix of searches an office
// makes: names, rare and common, a member number, an e-mail, a phone, a
// town, and paging through the plain list by number and by name.
func BenchmarkSearch(b *testing.B) {
	n := 100000
	if v := os.Getenv("SEURA_BENCH_MEMBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
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
	res, err := demo.Populate(ctx, env.DB, env.Audit, demo.Plan{Members: n, Associations: 1, Seed: 1, Today: env.Clock.Now()})
	if err != nil {
		b.Fatal(err)
	}
	tenant := env.DB.For(res.Associations[0].ID)
	var sample []member.Member
	if err := tenant.Read(ctx, func(tx *store.TenantTx) error {
		sample, err = member.List(ctx, tx, int64(n/2), 3)
		return err
	}); err != nil || len(sample) < 3 {
		b.Fatal(err)
	}
	queries := []member.Query{
		{}, // the plain list
		{Sort: member.SortLastName},
		{Sort: member.SortJoined, Desc: true},
		{Text: sample[0].LastName},
		{Text: sample[1].FirstName + " " + sample[1].LastName, Statuses: []string{member.StatusAll}},
		{Text: "virtanen"},
		{Text: "anna"},
		{Text: strconv.FormatInt(sample[2].Number, 10)},
		{Text: sample[0].Email},
		{Text: sample[1].Phone},
		{Text: sample[2].Town},
		{Text: "zzzz"},
	}
	b.Logf("%s: %d members; sample queries %q %q %q %q", eng.Name, n, queries[3].Text, queries[4].Text, queries[8].Text, queries[9].Text)
	durations := make([]time.Duration, 0, b.N)
	per := make([]time.Duration, len(queries))
	i := 0
	for b.Loop() {
		qi := i % len(queries)
		q := queries[qi]
		i++
		t0 := time.Now()
		if err := tenant.Read(ctx, func(tx *store.TenantTx) error {
			p, err := member.Search(ctx, tx, q)
			if err == nil && p.Next != "" && i%2 == 0 {
				q.Cursor = p.Next
				_, err = member.Search(ctx, tx, q) // the second page
			}
			return err
		}); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		durations = append(durations, d)
		per[qi] = max(per[qi], d)
	}
	for qi, q := range queries {
		b.Logf("slowest %-8s %-5v %-40q %6.1f ms", q.Sort, q.Desc, q.Text, float64(per[qi].Microseconds())/1000)
	}
	slices.Sort(durations)
	pct := func(p float64) float64 {
		return float64(durations[int(float64(len(durations)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(0, "ns/op")
}
