package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/postcode"
	"seura.fi/seura/internal/store"
)

// postcodesPath is the postcode settings page of the visitor's association.
func postcodesPath(c *reqCtx) string { return "/a/" + c.Assoc.ID + "/settings/postcodes" }

// postcodePageSize is how many postcodes one page of the table shows.
const postcodePageSize = 50

func (s *Server) postcodePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderPostcodes(w, r, c, http.StatusOK, map[string]string{}, nil)
}

// renderPostcodes shows the search, one page of the table and, to
// administrators, the form for the association's own towns (with what was
// typed in it and its problems by field).
func (s *Server) renderPostcodes(w http.ResponseWriter, r *http.Request, c *reqCtx, status int,
	form map[string]string, problems map[string]string) {
	q := r.URL.Query()
	query := postcode.Query{Text: q.Get("q"), OnlyOverrides: q.Get("own") == "1", After: q.Get("after"),
		Limit: postcodePageSize}
	var page postcode.Page
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		page, err = postcode.List(r.Context(), tx, query)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	next := ""
	if page.Next != "" {
		v := url.Values{"after": {page.Next}}
		if query.Text != "" {
			v.Set("q", query.Text)
		}
		if query.OnlyOverrides {
			v.Set("own", "1")
		}
		next = postcodesPath(c) + "?" + v.Encode()
	}
	if problems == nil {
		problems = map[string]string{}
	}
	s.renderStatus(w, r, c, status, "postcodes", pageData{"Rows": page.Rows, "Next": next, "Q": query.Text,
		"Own": query.OnlyOverrides, "First": query.After == "", "IsAdmin": c.Role == auth.RoleAdmin,
		"Form": form, "Problems": problems, "Msg": flash(r)})
}

func (s *Server) postcodeSet(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	form := formValues(r, "postcode", "town")
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return postcode.Set(r.Context(), tx, s.audit, s.clock.Now(), form["postcode"], form["town"])
	})
	var fe *postcode.FieldError
	switch {
	case errors.As(err, &fe):
		s.renderPostcodes(w, r, c, http.StatusUnprocessableEntity, form,
			map[string]string{fe.Field: postcodeProblemText(c.Lang, fe.Message)})
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, postcodesPath(c)+"?own=1&msg=msg.postcode_saved", http.StatusSeeOther)
	}
}

func (s *Server) postcodeDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return postcode.Delete(r.Context(), tx, s.audit, r.PathValue("code"))
	})
	switch {
	case errors.Is(err, postcode.ErrNotFound):
		s.notFound(w, r, c)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, postcodesPath(c)+"?own=1&msg=msg.postcode_deleted", http.StatusSeeOther)
	}
}

// postcodeProblemText is a problem with an override in the visitor's
// language: this page's own wording first, then the register's shared one.
func postcodeProblemText(lang, msg string) string {
	if key := "postcodes.problem." + strings.ReplaceAll(msg, " ", "_"); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return problemText(lang, msg)
}

// postcodeTown answers GET /a/{aid}/postcodes/{code} with {"town": "…"},
// the town the association's cards use for the postcode (its own name
// first) in the language ?lang= asks (fi, sv; else the association's), for
// the script that fills the town field. An unknown postcode is 404.
func (s *Server) postcodeTown(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	lang := r.URL.Query().Get("lang")
	if lang != "fi" && lang != "sv" {
		lang = c.Assoc.DefaultLanguage
	}
	var town string
	var ok bool
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		town, ok, err = postcode.Lookup(r.Context(), tx, r.PathValue("code"), lang)
		return err
	})
	if err != nil {
		s.log.Error("postcode lookup", "err", err)
		postcodeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if !ok {
		postcodeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown postcode"})
		return
	}
	postcodeJSON(w, http.StatusOK, map[string]string{"town": town})
}

// postcodeJSON answers with v as JSON. The answer is about one association,
// so it is never cached.
func postcodeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
