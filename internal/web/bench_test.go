package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/demo"
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
