package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/report"
	"seura.fi/seura/internal/store"
)

// reportRoutes are the operations of this part of the API; its paths are
// described in openapi/reports.json. Running a report and exporting are
// reads (read scope), audited with their row counts.
func (a *API) reportRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/reports", auth.ScopeRead, a.listReports},
		{"POST", "/api/v1/reports/run", auth.ScopeRead, a.runReport},
		{"GET", "/api/v1/exports/members", auth.ScopeRead, a.exportMembers},
	}
}

type builtinJSON struct {
	ID        string            `json:"id"`
	NeedsYear bool              `json:"needs_year"`
	Def       report.Definition `json:"definition"`
}

type savedJSON struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Kind       string             `json:"kind"`
	Definition *report.Definition `json:"definition"`
	Query      *string            `json:"query"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

type reportListJSON struct {
	Builtin []builtinJSON `json:"builtin"`
	Saved   []savedJSON   `json:"saved"`
}

// listReports lists the built-in reports (with their definitions for the
// current year) and the association's saved reports and searches.
func (a *API) listReports(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	resp := reportListJSON{Builtin: []builtinJSON{}, Saved: []savedJSON{}}
	year := report.DefaultYear(a.now().In(clock.Helsinki))
	for _, b := range report.Builtins {
		resp.Builtin = append(resp.Builtin, builtinJSON{ID: b.ID, NeedsYear: b.NeedsYear, Def: b.Definition(year)})
	}
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		saved, err := report.ListSaved(r.Context(), tx)
		for _, s := range saved {
			sj := savedJSON{ID: s.ID, Name: s.Name, Kind: s.Stored.Kind, Definition: s.Stored.Definition,
				CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC()}
			if s.Stored.Kind == report.SavedSearch {
				q := s.Stored.Query
				sj.Query = &q
			}
			resp.Saved = append(resp.Saved, sj)
		}
		return err
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// runRequest is what POST /reports/run takes: exactly one of definition,
// builtin (with year for the milestone report) or saved.
type runRequest struct {
	Definition *report.Definition `json:"definition"`
	Builtin    string             `json:"builtin"`
	Year       int                `json:"year"`
	Saved      string             `json:"saved"`
	Cursor     string             `json:"cursor"`
	Limit      int                `json:"limit"`
}

type runJSON struct {
	Columns    []string `json:"columns"`
	Rows       [][]any  `json:"rows"`
	NextCursor *string  `json:"next_cursor"`
}

// runReport runs a report and answers one page of rows: numbers as
// numbers, dates as YYYY-MM-DD, yes/no as booleans, missing values as
// null. The page is audited (report.run) with its row count.
func (a *API) runReport(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in runRequest
	if !readJSON(w, r, &in) {
		return
	}
	given := 0
	for _, set := range []bool{in.Definition != nil, in.Builtin != "", in.Saved != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		Problem(w, http.StatusBadRequest, "Bad Request", "give exactly one of definition, builtin or saved", "definition")
		return
	}
	if in.Limit < 0 || in.Limit > report.MaxPageSize {
		Problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("limit must be from 1 to %d", report.MaxPageSize), "limit")
		return
	}
	var d report.Definition
	name := ""
	switch {
	case in.Definition != nil:
		d, name = *in.Definition, "api"
	case in.Builtin != "":
		b, ok := report.BuiltinByID(in.Builtin)
		if !ok {
			Problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("builtin %q is not a built-in report", in.Builtin), "builtin")
			return
		}
		year := in.Year
		if year == 0 {
			year = report.DefaultYear(a.now().In(clock.Helsinki))
		}
		d, name = b.Definition(year), b.ID
	}
	var page report.Page
	// Read first, record after in a short write, so a long report does not
	// hold SQLite's one writer; nothing is answered unless the record is in.
	t := a.db.For(key.AssociationID)
	err := t.Read(r.Context(), func(tx *store.TenantTx) error {
		if in.Saved != "" {
			s, err := report.GetSaved(r.Context(), tx, in.Saved)
			if err != nil {
				return err
			}
			if s.Stored.Definition == nil {
				return report.ErrNotFound
			}
			d, name = *s.Stored.Definition, s.Name
		}
		var err error
		page, err = report.ReadPage(r.Context(), tx, d, in.Cursor, in.Limit)
		return err
	})
	if err == nil {
		err = t.Write(r.Context(), func(tx *store.TenantTx) error { return a.recordRun(r, tx, len(page.Rows), name) })
	}
	var re *report.Error
	switch {
	case errors.As(err, &re):
		field := re.Field
		if in.Definition != nil {
			field = "definition." + field
		}
		Problem(w, http.StatusUnprocessableEntity, "Unprocessable Content", re.Error(), field)
		return
	case errors.Is(err, report.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no saved report with that id", "saved")
		return
	case errors.Is(err, report.ErrBadCursor):
		Problem(w, http.StatusBadRequest, "Bad Request", err.Error(), "cursor")
		return
	case err != nil:
		a.internal(w, r, err)
		return
	}
	resp := runJSON{Columns: d.OutputColumns(), Rows: [][]any{}}
	for _, row := range page.Rows {
		out := make([]any, len(row))
		for i, v := range row {
			out[i] = valueJSON(v)
		}
		resp.Rows = append(resp.Rows, out)
	}
	if page.Next != "" {
		resp.NextCursor = &page.Next
	}
	writeJSON(w, http.StatusOK, resp)
}

// now is the time from the application's clock (tests set it), or the
// system's when the API was built without one.
func (a *API) now() time.Time {
	if a.auth != nil && a.auth.Clock != nil {
		return a.auth.Clock.Now()
	}
	return time.Now()
}

func (a *API) recordRun(r *http.Request, tx *store.TenantTx, rows int, name string) error {
	return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: report.ActionReportRun, ObjectType: "report",
		Details: map[string]any{"rows": rows, "report": name, "via": "api"}})
}

// valueJSON is a report value as JSON.
func valueJSON(v report.Value) any {
	if v.Null {
		return nil
	}
	switch v.Kind {
	case report.Number:
		return v.Num
	case report.Bool:
		return v.Bool
	case report.Date:
		return v.Date.Format(time.DateOnly)
	}
	return v.Text
}

// exportMembers sends every member the search finds (q, status, sort,
// dir, as GET /members takes them; all pages) as a file, audited as
// member.export with the format and row count. The file is written to a
// temporary file first and sent only once the audit record is committed.
func (a *API) exportMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	v := r.URL.Query()
	format := v.Get("format")
	if !slices.Contains(report.Formats, format) {
		Problem(w, http.StatusBadRequest, "Bad Request", "format must be one of "+strings.Join(report.Formats, ", "), "format")
		return
	}
	q := member.Query{Text: v.Get("q"), Sort: v.Get("sort")}
	for _, s := range v["status"] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				q.Statuses = append(q.Statuses, p)
			}
		}
	}
	for _, s := range q.Statuses {
		if s != member.StatusAll && !slices.Contains(member.Statuses, s) {
			Problem(w, http.StatusBadRequest, "Bad Request",
				fmt.Sprintf("status %q is not one of all, %s", s, strings.Join(member.Statuses, ", ")), "status")
			return
		}
	}
	if q.Sort != "" && !slices.Contains(member.Sorts, q.Sort) {
		Problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("sort must be one of %s", strings.Join(member.Sorts, ", ")), "sort")
		return
	}
	switch v.Get("dir") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		Problem(w, http.StatusBadRequest, "Bad Request", "dir must be asc or desc", "dir")
		return
	}
	var assoc association.Association
	if err := a.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		assoc, err = association.Get(r.Context(), tx, key.AssociationID)
		return err
	}); err != nil {
		a.internal(w, r, err)
		return
	}
	now := a.now()
	req := report.Request{Format: format, Name: "Jäsenluettelo", Association: assoc.Name, Lang: assoc.DefaultLanguage, Now: now}
	tmp, err := os.CreateTemp("", "seura-export-*")
	if err != nil {
		a.internal(w, r, err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	_, err = report.ExportMembers(r.Context(), a.db.For(key.AssociationID), a.audit, q, report.AuditedSearch(v), req, tmp)
	if errors.Is(err, member.ErrBadQuery) {
		Problem(w, http.StatusBadRequest, "Bad Request", err.Error(), "q")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", report.ContentType(format))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": report.FileName("jasenet", now, format)}))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, tmp)
}
