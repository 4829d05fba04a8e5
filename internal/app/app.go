// Package app wires Seura's parts together from a Config: the database, the
// keys, the services and the web server. The command line and the tests
// build the application the same way through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"seura.fi/seura/internal/api"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/config"
	"seura.fi/seura/internal/keys"
	"seura.fi/seura/internal/mail"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/web"
)

// App is a wired application.
type App struct {
	Config config.Config
	DB     *store.DB
	Keys   *keys.Ring
	Audit  *audit.Recorder
	Auth   *auth.Service
	Web    *web.Server
	Log    *slog.Logger
	Clock  clock.Clock
}

// Options adjust wiring for tests.
type Options struct {
	Clock clock.Clock
	Mail  mail.Sender
	Log   *slog.Logger
	// Migrate applies migrations before checking the schema; serve does so
	// unless told not to.
	Migrate bool
}

// Open connects, migrates if asked, checks the schema and builds the
// services.
func Open(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = NewLogger(os.Stderr, cfg.LogLevel)
	}
	ring, err := keys.Load(cfg.Data)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	if o.Migrate {
		if _, err := db.Migrate(ctx, cfg.PGAppRole); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// A demo load killed half-way left the search indexes set aside.
	if err := member.RestoreSetAside(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if o.Mail == nil {
		o.Mail = mail.Outbox{Dir: cfg.OutboxDir()}
	}
	rec := audit.NewRecorder(ring.Derive("audit-hmac"), o.Clock)
	as := auth.NewService(db, rec, ring, o.Clock, o.Mail, cfg.PublicURL())
	as.IdleTimeout = cfg.SessionIdle.Duration
	as.AbsoluteTimeout = cfg.SessionAbsolute.Duration
	a := &App{Config: cfg, DB: db, Keys: ring, Audit: rec, Auth: as, Log: o.Log, Clock: o.Clock}
	a.Web = web.New(web.Options{DB: db, Auth: as, Audit: rec, Keys: ring, Clock: o.Clock, Log: o.Log,
		API: api.New(db, as, rec, o.Log), InsecureCookies: cfg.InsecureCookies})
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// NewLogger makes the JSON logger on w at the given level.
func NewLogger(w *os.File, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// Serve answers requests on ln until ctx ends, then drains: /readyz turns
// 503 at once, new connections are refused, and requests under way get up
// to grace to finish.
func (a *App) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	go a.housekeeping(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Web.Drain()
	a.Log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("stopped")
	return nil
}

// housekeeping purges expired sessions hourly.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := a.Auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
