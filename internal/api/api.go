// Package api is the JSON API under /api/v1. Callers authenticate with an
// association's API key (Authorization: Bearer …); every path is scoped to
// that association, and errors are RFC 9457 problem documents. The API is
// described by the OpenAPI 3.1 document openapi.json, served at
// /api/v1/openapi.json.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
)

// OpenAPI is the OpenAPI 3.1 document that describes the API: openapi.json
// merged with the parts in openapi/ (see spec.go).
var OpenAPI = mergeOpenAPI()

// API serves /api/v1.
type API struct {
	db     *store.DB
	auth   *auth.Service
	audit  *audit.Recorder
	log    *slog.Logger
	mux    *http.ServeMux
	routes []Route
}

// Route is one operation the API serves.
type Route struct {
	Method  string // GET, POST, PUT or DELETE
	Pattern string // as http.ServeMux writes it: /api/v1/members/{id}
	// Scope is the API key scope the operation needs; "" for one that
	// needs no key (the OpenAPI document).
	Scope string
	h     handler
}

// New builds the API handler.
func New(db *store.DB, as *auth.Service, rec *audit.Recorder, log *slog.Logger) *API {
	a := &API{db: db, auth: as, audit: rec, log: log, mux: http.NewServeMux()}
	a.routes = []Route{
		{"GET", "/api/v1/openapi.json", "", a.openAPI},
		{"GET", "/api/v1/association", auth.ScopeRead, a.getAssociation},
		{"GET", "/api/v1/members", auth.ScopeRead, a.listMembers},
		{"POST", "/api/v1/members", auth.ScopeWrite, a.createMember},
		{"GET", "/api/v1/members/{id}", auth.ScopeRead, a.getMember},
		{"PUT", "/api/v1/members/{id}", auth.ScopeWrite, a.updateMember},
		{"DELETE", "/api/v1/members/{id}", auth.ScopeWrite, a.deleteMember},
		{"GET", "/api/v1/members/{id}/history", auth.ScopeRead, a.memberHistory},
		{"POST", "/api/v1/members/{id}/status", auth.ScopeWrite, a.changeStatus},
	}
	a.routes = append(a.routes, a.feeRoutes()...)
	a.routes = append(a.routes, a.groupRoutes()...)
	a.routes = append(a.routes, a.reportRoutes()...)
	a.routes = append(a.routes, a.importRoutes()...)
	allowed := map[string][]string{}
	for _, rt := range a.routes {
		if rt.Scope == "" {
			a.mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) { rt.h(w, r, auth.APIKey{}) })
		} else {
			a.mux.HandleFunc(rt.Method+" "+rt.Pattern, a.withKey(rt.Scope, rt.h))
		}
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
		if rt.Method == http.MethodGet {
			allowed[rt.Pattern] = append(allowed[rt.Pattern], http.MethodHead)
		}
	}
	// A known path with another method is 405, as a problem.
	for pattern, methods := range allowed {
		slices.Sort(methods)
		allow := strings.Join(methods, ", ")
		a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			Problem(w, http.StatusMethodNotAllowed, "Method Not Allowed", r.Method+" is not allowed here; use "+allow, "")
		})
	}
	a.mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		Problem(w, http.StatusNotFound, "Not Found", "no such API path", "")
	})
	return a
}

// Routes lists the operations the API serves, for tests that compare them
// with the OpenAPI document.
func (a *API) Routes() []Route { return a.routes }

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

type handler func(http.ResponseWriter, *http.Request, auth.APIKey)

// withKey authenticates the request's API key, refuses a key without the
// scope the operation needs, and makes the key the actor of whatever the
// request records.
func (a *API) withKey(scope string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seura"`)
			Problem(w, http.StatusUnauthorized, "Unauthorized", "an API key is required as Authorization: Bearer <key>", "")
			return
		}
		key, err := a.auth.AuthenticateAPIKey(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, auth.ErrBadAPIKey) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seura", error="invalid_token"`)
			Problem(w, http.StatusUnauthorized, "Unauthorized", "the API key is invalid or revoked", "")
			return
		}
		if err != nil {
			a.internal(w, r, err)
			return
		}
		if scope == auth.ScopeWrite && key.Scope != auth.ScopeWrite {
			w.Header().Set("WWW-Authenticate", `Bearer realm="seura", error="insufficient_scope", scope="write"`)
			Problem(w, http.StatusForbidden, "Forbidden", "this API key may only read; changes need a key with write scope", "")
			return
		}
		ctx := audit.WithActor(r.Context(), audit.Actor{Type: audit.ActorAPIKey, ID: key.ID, Label: key.Name})
		h(w, r.WithContext(ctx), key)
	}
}

func (a *API) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("api request failed", "request_id", audit.RequestFrom(r.Context()).ID, "err", err)
	Problem(w, http.StatusInternalServerError, "Internal Server Error", "nothing was changed", "")
}

func (a *API) openAPI(w http.ResponseWriter, _ *http.Request, _ auth.APIKey) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(OpenAPI)
}

func (a *API) getAssociation(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var as association.Association
	err := a.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		as, err = association.Get(r.Context(), tx, key.AssociationID)
		return err
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": as.ID, "name": as.Name, "default_language": as.DefaultLanguage})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem is an RFC 9457 problem document with Seura's extensions: the
// field at fault, every field problem of a card, and for a refused status
// change the statuses involved and the reasons.
type problem struct {
	Type    string       `json:"type"`
	Title   string       `json:"title"`
	Status  int          `json:"status"`
	Detail  string       `json:"detail"`
	Field   string       `json:"field,omitempty"`
	Errors  []fieldError `json:"errors,omitempty"`
	From    string       `json:"from_status,omitempty"`
	To      string       `json:"to_status,omitempty"`
	Reasons []string     `json:"reasons,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem writes an RFC 9457 problem document; field names the input at
// fault, when there is one.
func Problem(w http.ResponseWriter, status int, title, detail, field string) {
	writeProblem(w, problem{Title: title, Status: status, Detail: detail, Field: field})
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
