// Package testenv gives tests a real Seura on each database engine: SQLite
// in a temporary directory and PostgreSQL in a throwaway cluster started
// from the local binaries, with the app connected as a role that does not
// own the tables, as in production.
package testenv

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"seura.fi/seura/internal/app"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/config"
	"seura.fi/seura/internal/mail"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
)

// Engine is one database to run a test on.
type Engine struct {
	Name string
	// DSN is what the application connects with.
	DSN string
	// OwnerDSN owns the schema: migrations run with it.
	OwnerDSN string
}

// Engines returns a fresh, migrated database on each engine. Setting
// SEURA_TEST_ENGINES=sqlite runs SQLite only (quick local loops); CI runs
// both.
func Engines(t testing.TB) []Engine {
	t.Helper()
	dir := t.TempDir()
	sqlite := "sqlite:" + filepath.Join(dir, "seura.db")
	out := []Engine{{Name: "sqlite", DSN: sqlite, OwnerDSN: sqlite}}
	if os.Getenv("SEURA_TEST_ENGINES") != "sqlite" {
		owner, appDSN := pgtest.Database(t)
		out = append(out, Engine{Name: "postgres", DSN: appDSN, OwnerDSN: owner})
	}
	for _, e := range out {
		migrate(t, e)
	}
	return out
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

func migrate(t testing.TB, e Engine) {
	t.Helper()
	db, err := store.Open(context.Background(), e.OwnerDSN)
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background(), pgtest.AppRole); err != nil {
		t.Fatalf("migrate %s: %v", e.Name, err)
	}
}

// Env is a running application for one test.
type Env struct {
	*app.App
	Clock  *clock.Manual
	Mail   *mail.Memory
	Engine Engine
}

// Start is the reference time test clocks begin at.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// New wires an application on e with a manual clock and an in-memory mail
// sender. Logs are discarded unless SEURA_TEST_LOG=1.
func New(t testing.TB, e Engine) *Env {
	t.Helper()
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	cfg.DB = e.DSN
	cfg.BaseURL = "https://seura.test"
	c := clock.NewManual(Start)
	m := &mail.Memory{}
	var w io.Writer = io.Discard
	if os.Getenv("SEURA_TEST_LOG") == "1" {
		w = os.Stderr
	}
	a, err := app.Open(context.Background(), cfg, app.Options{Clock: c, Mail: m, Log: slog.New(slog.NewJSONHandler(w, nil))})
	if err != nil {
		t.Fatalf("open app on %s: %v", e.Name, err)
	}
	t.Cleanup(func() { a.Close() })
	return &Env{App: a, Clock: c, Mail: m, Engine: e}
}

// Server serves env's web app over TLS on 127.0.0.1 until the test ends.
// TLS lets the Secure, __Host- cookies work as in production.
func (env *Env) Server(t testing.TB) *httptest.Server {
	srv := httptest.NewTLSServer(env.Web.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// LocalhostServer serves env's web app over TLS on 127.0.0.1, as Server
// does, and makes https://localhost:PORT the application's public base URL,
// which it returns. Browser tests of passkeys need it: WebAuthn refuses an
// IP address as relying party id, and the relying party is configured from
// the base URL. The browser must then browse the returned URL (localhost
// resolves to 127.0.0.1 there) and accept the test certificate.
func (env *Env) LocalhostServer(t testing.TB) (*httptest.Server, string) {
	srv := env.Server(t)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	base := "https://localhost:" + u.Port()
	env.Config.BaseURL = base
	env.Auth.BaseURL = base
	return srv, base
}
