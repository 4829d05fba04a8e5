// Package web is Seura's browser interface: server-rendered pages that work
// without JavaScript, in Finnish, Swedish and English. Handlers stay thin:
// they read the form, call a domain package and render the result.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/keys"
	"seura.fi/seura/internal/store"
)

// Server is the web application.
type Server struct {
	db       *store.DB
	auth     *auth.Service
	audit    *audit.Recorder
	clock    clock.Clock
	log      *slog.Logger
	csrfKey  []byte
	secure   bool
	api      http.Handler
	pages    *pages
	draining atomic.Bool
	limiter  *limiter
	mux      *http.ServeMux
	routes   []Route
	imports  *importJobs
}

// Options configure a Server.
type Options struct {
	DB    *store.DB
	Auth  *auth.Service
	Audit *audit.Recorder
	Keys  *keys.Ring
	Clock clock.Clock
	Log   *slog.Logger
	// API serves /api/v1/; nil leaves it out.
	API http.Handler
	// InsecureCookies drops the Secure flag, for plain-HTTP development
	// behind nothing. Browsers treat 127.0.0.1 as secure, so the default
	// quick start does not need it.
	InsecureCookies bool
}

// New builds the server and its routes.
func New(o Options) *Server {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Server{db: o.DB, auth: o.Auth, audit: o.Audit, clock: o.Clock, log: o.Log,
		csrfKey: o.Keys.Derive("csrf"), secure: !o.InsecureCookies, api: o.API, pages: loadPages(), mux: http.NewServeMux(),
		limiter: newLimiter(o.Clock), imports: newImportJobs()}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if s.api != nil {
		s.mux.Handle("/api/v1/", s.api)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r, s.baseContext(r))
	})
	return s
}

// Routes lists the page routes, for tests that try every one of them.
func (s *Server) Routes() []Route { return s.routes }

// Drain makes /readyz answer 503, so a load balancer stops sending new
// requests before shutdown.
func (s *Server) Drain() { s.draining.Store(true) }

// Handler returns the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	var h http.Handler = s.mux
	h = cop.Handler(h)
	h = s.securityHeaders(h)
	h = s.requestLog(h)
	return h
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "draining")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unreachable")
		return
	}
	if err := s.db.CheckSchema(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "schema not current")
		return
	}
	fmt.Fprintln(w, "ready")
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
// The one script (static/passkey.js, for passkeys) comes from this origin
// and talks only to it.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Activation and reset links carry tokens in the path.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// requestLog gives every request an id, recovers from panics and logs one
// line per request. It never logs query strings, which may carry tokens.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := uuid.Must(uuid.NewV7()).String()
		w.Header().Set("X-Request-Id", id)
		ip := clientIP(r)
		ctx := audit.WithRequest(r.Context(), audit.Request{ID: id, ClientIP: ip})
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			path := r.URL.Path
			if strings.HasPrefix(path, "/activate/") || strings.HasPrefix(path, "/reset/") {
				path = path[:strings.LastIndexByte(path, '/')] + "/…"
			}
			s.log.Info("request", "request_id", id, "method", r.Method, "path", path, "status", sw.status,
				"ms", float64(time.Since(start).Microseconds())/1000, "ip", ip)
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Cookie names. The __Host- prefix makes the browser refuse a cookie that is
// not Secure, not for path / or set for a domain, so a sibling subdomain
// cannot plant one.
func (s *Server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfToken binds a form token to the session, or before login to a
// random pre-session cookie, with an HMAC under the installation's key.
func (s *Server) csrfToken(binding string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) csrfValid(r *http.Request, binding string) bool {
	if binding == "" {
		return false
	}
	got := r.PostFormValue("csrf")
	return got != "" && hmac.Equal([]byte(got), []byte(s.csrfToken(binding)))
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// language picks what the visitor reads: the account's setting, else the
// language chosen on the login page, else the browser's.
func (s *Server) language(r *http.Request, u *auth.User) string {
	if u != nil && i18n.Valid(u.Language) {
		return u.Language
	}
	if l := s.cookie(r, "lang"); i18n.Valid(l) {
		return l
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}
