package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// benchSize is the number of members the page benchmarks run against:
// SEURA_BENCH_MEMBERS (docs/performance.md uses 1,000,000), else 20,000 so
// a casual run stays short. They are spread over 10 associations.
func benchSize(b *testing.B) int {
	n := 20000
	if v := os.Getenv("SEURA_BENCH_MEMBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SEURA_BENCH_MEMBERS: %v", err)
		}
	}
	return n
}

// benchEngine picks SQLite, or PostgreSQL with SEURA_BENCH_ENGINE=postgres.
func benchEngine(b *testing.B) testenv.Engine {
	for _, e := range testenv.Engines(b) {
		if e.Name == os.Getenv("SEURA_BENCH_ENGINE") || (e.Name == "sqlite" && os.Getenv("SEURA_BENCH_ENGINE") == "") {
			return e
		}
	}
	b.Fatal("unknown SEURA_BENCH_ENGINE")
	return testenv.Engine{}
}

// BenchmarkPages measures the server time of the login page and of the
// dashboard of a logged-in user, in process, and reports the 50th and 95th
// percentiles.
func BenchmarkPages(b *testing.B) {
	env := testenv.New(b, benchEngine(b))
	members := benchSize(b)
	start := time.Now()
	res, err := demo.Populate(context.Background(), env.DB, env.Audit, demo.Plan{Members: members, Associations: 10, Seed: 1, Today: env.Clock.Now()})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d members in 10 associations generated in %s", env.Engine.Name, members, time.Since(start).Round(time.Millisecond))
	a := res.Associations[0]
	u := env.User(b, "bench@example.fi", false, a.ID, auth.RoleUser)
	var sess auth.Session
	if err := env.DB.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		sess, err = env.Auth.NewSession(context.Background(), tx, u.ID, true, "127.0.0.1", "bench")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	h := env.Web.Handler()
	for _, page := range []struct{ name, path, cookie string }{
		{"login", "/login", ""},
		{"dashboard", "/a/" + a.ID + "/", sess.Token},
		{"memberlist", "/a/" + a.ID + "/members", sess.Token},
	} {
		b.Run(page.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "https://seura.test"+page.path, nil)
				if page.cookie != "" {
					req.AddCookie(&http.Cookie{Name: "__Host-seura", Value: page.cookie})
				}
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				durations = append(durations, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", page.path, rec.Code)
				}
			}
			slices.Sort(durations)
			pct := func(p float64) float64 {
				return float64(durations[int(float64(len(durations)-1)*p)].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkMemberList measures the server time of the member list page, in
// process, at SEURA_BENCH_LIST_MEMBERS members (default 100,000) spread
// over SEURA_BENCH_ASSOCIATIONS associations (default 1; 1,000,000 over 10
// is a large platform), the first one listed: the plain list, sorted by
// name, a later page, and searches. Each sub-benchmark reports its 50th and
// 95th percentiles.
func BenchmarkMemberList(b *testing.B) {
	env := testenv.New(b, benchEngine(b))
	n, assocs := 100000, 1
	for name, v := range map[string]*int{"SEURA_BENCH_LIST_MEMBERS": &n, "SEURA_BENCH_ASSOCIATIONS": &assocs} {
		if s := os.Getenv(name); s != "" {
			var err error
			if *v, err = strconv.Atoi(s); err != nil || *v < 1 {
				b.Fatalf("%s: %q is not a positive number", name, s)
			}
		}
	}
	ctx := context.Background()
	start := time.Now()
	res, err := demo.Populate(ctx, env.DB, env.Audit, demo.Plan{Members: n, Associations: assocs, Seed: 1, Today: env.Clock.Now()})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d members in %d associations generated in %s", env.Engine.Name, n, assocs, time.Since(start).Round(time.Millisecond))
	if env.Engine.Name == "postgres" {
		// The statistics autovacuum gathers after a load, so the planner
		// sees the data as a running system's does.
		owner, err := store.Open(ctx, env.Engine.OwnerDSN)
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
	a := res.Associations[0]
	u := env.User(b, "bench@example.fi", false, a.ID, auth.RoleUser)
	var sess auth.Session
	if err := env.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		sess, err = env.Auth.NewSession(ctx, tx, u.ID, true, "127.0.0.1", "bench")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	var sample []member.Member
	if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
		sample, err = member.List(ctx, tx, int64(n/assocs/2), 1)
		return err
	}); err != nil || len(sample) != 1 {
		b.Fatal(err)
	}
	h := env.Web.Handler()
	get := func(b *testing.B, path string) string {
		req := httptest.NewRequest(http.MethodGet, "https://seura.test"+path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-seura", Value: sess.Token})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	base := "/a/" + a.ID + "/members"
	// The 21st page by name, reached by following the next links.
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`)
	deep := base + "?sort=last_name"
	for range 20 {
		m := next.FindStringSubmatch(get(b, deep))
		if m == nil {
			b.Fatal("no next page")
		}
		deep = html.UnescapeString(m[1])
	}
	for _, page := range []struct{ name, path string }{
		{"list", base},
		{"list-name", base + "?sort=last_name"},
		{"list-name-page-21", deep},
		{"search-surname", base + "?q=" + url.QueryEscape(sample[0].LastName)},
		{"search-two-words", base + "?q=" + url.QueryEscape(sample[0].FirstName+" "+sample[0].LastName) + "&status=all"},
		{"search-town-by-name", base + "?q=" + url.QueryEscape(sample[0].Town) + "&sort=last_name"},
		{"search-number", base + "?q=" + strconv.FormatInt(sample[0].Number, 10)},
	} {
		b.Run(page.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				get(b, page.path)
				durations = append(durations, time.Since(t0))
			}
			slices.Sort(durations)
			pct := func(p float64) float64 {
				return float64(durations[int(float64(len(durations)-1)*p)].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestMemberListFiltersAndExport: the list filters by fee and group, the
// filters survive paging and go into the export links, a guest sees no
// export links, and another association's group lists nobody.
func TestMemberListFiltersAndExport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		ctx := context.Background()
		now := env.Clock.Now()
		var ids []string
		var feeID, groupID, otherGroup string
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			for i := 1; i <= 60; i++ {
				m, err := member.Create(ctx, tx, env.Audit, now, member.Member{Number: int64(i), Status: member.StatusActive,
					FirstName: "Laulaja", LastName: "Numero" + strconv.Itoa(i)})
				if err != nil {
					return err
				}
				ids = append(ids, m.ID)
			}
			f, err := fee.Create(ctx, tx, env.Audit, now, fee.Fee{Name: "Nuoret", PriceCents: 1000})
			if err != nil {
				return err
			}
			feeID = f.ID
			for _, id := range ids[:55] {
				if err := fee.Assign(ctx, tx, env.Audit, now, id, feeID); err != nil {
					return err
				}
			}
			g, err := group.Create(ctx, tx, env.Audit, now, group.Group{Kind: group.KindTag, Name: "Altot"})
			if err != nil {
				return err
			}
			groupID = g.ID
			_, err = group.AddMembers(ctx, tx, env.Audit, now, groupID, []string{ids[1], ids[2], ids[59]})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := env.DB.For(b.ID).Write(ctx, func(tx *store.TenantTx) error {
			g, err := group.Create(ctx, tx, env.Audit, now, group.Group{Kind: group.KindTag, Name: "Altot"})
			otherGroup = g.ID
			return err
		}); err != nil {
			t.Fatal(err)
		}
		user := env.User(t, "u@example.fi", false, a.ID, auth.RoleUser)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, user.Email, "")
		rows := regexp.MustCompile(`<tr><td>(\d+)</td>`)
		numbers := func(body string) []string {
			var out []string
			for _, m := range rows.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		base := "/a/" + a.ID + "/members"

		r := c.Get(base + "?group=" + groupID)
		if got := numbers(r.Body); !slices.Equal(got, []string{"2", "3", "60"}) || r.Status != http.StatusOK {
			t.Errorf("group filter: %d %v, want 2 3 60", r.Status, got)
		}
		if !strings.Contains(r.Body, `<option value="`+groupID+`" selected>Altot</option>`) {
			t.Error("the group filter does not show the chosen group")
		}
		r = c.Get(base + "?fee=" + feeID + "&group=" + groupID)
		if got := numbers(r.Body); !slices.Equal(got, []string{"2", "3"}) {
			t.Errorf("fee and group filters: %v, want 2 3", got)
		}
		r = c.Get(base + "?fee=" + feeID + "&q=laulaja")
		if got := numbers(r.Body); len(got) != 50 {
			t.Fatalf("fee filter, first page: %d members, want 50", len(got))
		}
		m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
		if m == nil || !strings.Contains(m[1], "fee="+feeID) {
			t.Fatalf("the next page link lost the fee filter: %v", m)
		}
		if got := numbers(c.Get(html.UnescapeString(m[1])).Body); len(got) != 5 || got[4] != "55" {
			t.Errorf("fee filter, second page: %v, want 51…55", got)
		}
		for _, format := range []string{"csv", "xlsx", "pdf", "labels"} {
			want := html.EscapeString(base + "/export?fee=" + feeID + "&format=" + format + "&q=laulaja")
			if !strings.Contains(r.Body, `href="`+want+`"`) {
				t.Errorf("no %s export link %s for the list", format, want)
			}
		}
		// The export link exports what the filtered list shows, not more.
		csvRows := func(body string) int { return strings.Count(strings.TrimSpace(body), "\n") }
		if r := c.Get(base + "/export?fee=" + feeID + "&group=" + groupID + "&format=csv"); r.Status != http.StatusOK || csvRows(r.Body) != 2 {
			t.Errorf("export of the fee and group filtered list: %d, %d rows, want 2\n%s", r.Status, csvRows(r.Body), r.Body)
		}
		if r := c.Get(base + "/export?group=" + otherGroup + "&format=csv"); r.Status != http.StatusOK || csvRows(r.Body) != 0 {
			t.Errorf("export with another association's group: %d, %d rows, want none", r.Status, csvRows(r.Body))
		}
		if r := c.Get(base + "?group=" + otherGroup); len(numbers(r.Body)) != 0 || !strings.Contains(r.Body, `id="no-members"`) {
			t.Errorf("another association's group lists %v", numbers(r.Body))
		}

		guest := env.User(t, "g@example.fi", false, a.ID, auth.RoleGuest)
		gc := testenv.NewClient(t, env.Server(t))
		gc.Login(env, guest.Email, "")
		if r := gc.Get(base); r.Status != http.StatusOK || strings.Contains(r.Body, "/members/export") {
			t.Errorf("guest: %d, export links shown: %v", r.Status, strings.Contains(r.Body, "/members/export"))
		}
	})
}
