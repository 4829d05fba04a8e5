// Package api is the JSON API under /api/v1. Callers authenticate with an
// association's API key (Authorization: Bearer …); every path is scoped to
// that association, and errors are RFC 9457 problem documents.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// API serves /api/v1.
type API struct {
	db    *store.DB
	auth  *auth.Service
	audit *audit.Recorder
	log   *slog.Logger
	mux   *http.ServeMux
}

// New builds the API handler.
func New(db *store.DB, as *auth.Service, rec *audit.Recorder, log *slog.Logger) *API {
	a := &API{db: db, auth: as, audit: rec, log: log, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /api/v1/association", a.withKey(a.getAssociation))
	a.mux.HandleFunc("GET /api/v1/members", a.withKey(a.listMembers))
	a.mux.HandleFunc("GET /api/v1/members/{id}", a.withKey(a.getMember))
	a.mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		Problem(w, http.StatusNotFound, "Not Found", "no such API path", "")
	})
	return a
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

type handler func(http.ResponseWriter, *http.Request, auth.APIKey)

func (a *API) withKey(h handler) http.HandlerFunc {
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
		ctx := audit.WithActor(r.Context(), audit.Actor{Type: audit.ActorAPIKey, ID: key.ID, Label: key.Name})
		h(w, r.WithContext(ctx), key)
	}
}

func (a *API) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("api request failed", "request_id", audit.RequestFrom(r.Context()).ID, "err", err)
	Problem(w, http.StatusInternalServerError, "Internal Server Error", "nothing was changed", "")
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

// maxPage bounds one page of a list.
const maxPage = 500

// listMembers is a bulk read of personal data, so it is audited with the
// number of rows it returned, in the same transaction as the read.
func (a *API) listMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			Problem(w, http.StatusBadRequest, "Bad Request", "limit must be a whole number from 1 to 500", "limit")
			return
		}
		limit = n
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			Problem(w, http.StatusBadRequest, "Bad Request", "after must be a member number", "after")
			return
		}
		after = n
	}
	var ms []member.Member
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if ms, err = member.List(r.Context(), tx, after, limit); err != nil {
			return err
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "member.list", ObjectType: "member",
			Details: map[string]any{"rows": len(ms), "after": after, "via": "api"}})
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	resp := map[string]any{"items": ms}
	if ms == nil {
		resp["items"] = []member.Member{}
	}
	if len(ms) == limit {
		resp["next_after"] = ms[len(ms)-1].Number
	}
	writeJSON(w, http.StatusOK, resp)
}

func (a *API) getMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var m member.Member
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		m, err = member.Get(r.Context(), tx, r.PathValue("id"))
		return err
	})
	if errors.Is(err, member.ErrNotFound) {
		Problem(w, http.StatusNotFound, "Not Found", "no member with that id", "id")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Problem writes an RFC 9457 problem document; field names the input at
// fault, when there is one.
func Problem(w http.ResponseWriter, status int, title, detail, field string) {
	p := map[string]any{"type": "about:blank", "title": title, "status": status, "detail": detail}
	if field != "" {
		p["field"] = field
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
