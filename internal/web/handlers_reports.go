package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/report"
	"seura.fi/seura/internal/store"
)

// reportRowLimit is how many rows a report shows on screen; the export
// has them all.
const reportRowLimit = 200

// reportIndex lists the built-in and saved reports.
func (s *Server) reportIndex(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	var saved []report.Saved
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		saved, err = report.ListSaved(r.Context(), tx)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.render(w, r, c, "reports", pageData{"Builtins": report.Builtins, "Saved": saved,
		"Year": report.DefaultYear(s.clock.Now().In(clock.Helsinki)), "CanWrite": c.Role.AtLeast(auth.RoleUser),
		"Msg": flash(r)})
}

// filterRow is one row of the builder's conditions, as the form shows it.
type filterRow struct {
	N                 int
	Field, Op, Value  string
	FieldID, OpID, ID string
}

// builderForm is the report builder's state, read from its GET form. It
// works without JavaScript: "add a condition" submits the form with add=1,
// and the page comes back with one more empty row.
type builderForm struct {
	Def     report.Definition
	Columns []string
	Filters []filterRow
	Sort    string
	Desc    bool
	Group   string
}

// parseBuilder reads the builder's fields: col (repeated), rows (how many
// condition rows), fN_field, fN_op, fN_value, sort, desc, group, year.
func parseBuilder(v url.Values) builderForm {
	var f builderForm
	f.Columns = v["col"]
	n, _ := strconv.Atoi(v.Get("rows"))
	n = min(max(n, 1), report.MaxFilters)
	if v.Get("add") != "" && n < report.MaxFilters {
		n++
	}
	for i := range n {
		p := "f" + strconv.Itoa(i) + "_"
		row := filterRow{N: i + 1, Field: v.Get(p + "field"), Op: v.Get(p + "op"), Value: v.Get(p + "value"),
			FieldID: p + "field", OpID: p + "op", ID: p + "value"}
		f.Filters = append(f.Filters, row)
		if row.Field != "" {
			f.Def.Filters = append(f.Def.Filters, report.Filter{Field: row.Field, Op: row.Op, Value: row.Value})
		}
	}
	f.Sort, f.Desc, f.Group = v.Get("sort"), v.Get("desc") != "", v.Get("group")
	f.Def.Columns, f.Def.Sort, f.Def.Desc, f.Def.GroupBy = f.Columns, f.Sort, f.Desc, f.Group
	f.Def.MilestoneYear, _ = strconv.Atoi(v.Get("year"))
	f.Def.MilestoneFrom, f.Def.MilestoneTo = v.Get("from"), v.Get("to")
	return f
}

// definitionParams is d as the builder's query parameters, for links
// (export, edit) and hidden fields (save).
func definitionParams(d report.Definition) url.Values {
	v := url.Values{}
	for _, c := range d.Columns {
		v.Add("col", c)
	}
	for i, f := range d.Filters {
		p := "f" + strconv.Itoa(i) + "_"
		v.Set(p+"field", f.Field)
		v.Set(p+"op", f.Op)
		if f.Value != "" {
			v.Set(p+"value", f.Value)
		}
	}
	v.Set("rows", strconv.Itoa(max(len(d.Filters), 1)))
	if d.Sort != "" {
		v.Set("sort", d.Sort)
	}
	if d.Desc {
		v.Set("desc", "1")
	}
	if d.GroupBy != "" {
		v.Set("group", d.GroupBy)
	}
	if d.MilestoneYear != 0 {
		v.Set("year", strconv.Itoa(d.MilestoneYear))
	}
	if d.MilestoneFrom != "" {
		v.Set("from", d.MilestoneFrom)
	}
	if d.MilestoneTo != "" {
		v.Set("to", d.MilestoneTo)
	}
	return v
}

// fieldOption is a catalogue field in a picker.
type fieldOption struct {
	Key, Label string
	Checked    bool
}

// results is a report run on screen.
type results struct {
	Header  []string
	Rows    [][]string
	Limited bool
	Limit   int
	Error   string
	// Export is the query string that exports the same report (format
	// added by the buttons); built here from url.Values, so safe as a URL.
	Export template.URL
	Ran    bool
}

// runOnScreen runs d for the page: the first reportRowLimit rows, audited
// as a bulk read (report.run) with the rows shown and the report's name.
func (s *Server) runOnScreen(ctx context.Context, c *reqCtx, d report.Definition, name string) (results, error) {
	var res results
	res.Ran, res.Limit = true, reportRowLimit
	// The report is read in a read transaction and the audit record written
	// in a short one afterwards, so a long report does not hold SQLite's one
	// writer (everyone's saves) while it runs.
	t := s.db.For(c.Assoc.ID)
	err := t.Read(ctx, func(tx *store.TenantTx) error {
		cat, err := report.LoadCatalogue(ctx, tx)
		if err != nil {
			return err
		}
		if err := d.Check(cat); err != nil {
			return err
		}
		res.Header = report.Header(c.Lang, cat, d)
		p, err := report.ReadPage(ctx, tx, d, "", reportRowLimit)
		if err != nil {
			return err
		}
		status := slices.Index(d.OutputColumns(), "status")
		for _, row := range p.Rows {
			rec := row.Strings("02.01.2006")
			if status >= 0 {
				rec[status] = i18n.T(c.Lang, "status."+rec[status])
			}
			res.Rows = append(res.Rows, rec)
		}
		res.Limited = p.Next != ""
		return nil
	})
	if err == nil {
		err = t.Write(ctx, func(tx *store.TenantTx) error {
			return s.audit.Record(ctx, tx.Platform(), audit.Event{Action: report.ActionReportRun, ObjectType: "report",
				Details: map[string]any{"rows": len(res.Rows), "report": name}})
		})
		if err != nil {
			// Nothing is shown that the trail does not record.
			return results{}, err
		}
	}
	var re *report.Error
	if errors.As(err, &re) {
		res.Error = i18n.T(c.Lang, "reports.bad_definition", re.Error())
		return res, nil
	}
	return res, err
}

// exportButtons is what the export section of a report page shows.
type exportButtons struct {
	R        results
	CanWrite bool
	AID      string
	Formats  []string
}

func (s *Server) exportButtons(c *reqCtx, res results) exportButtons {
	return exportButtons{R: res, CanWrite: c.Role.AtLeast(auth.RoleUser), AID: c.Assoc.ID, Formats: report.Formats}
}

// reportBuilder is the builder's form and, when run, its results.
func (s *Server) reportBuilder(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := r.URL.Query()
	f := parseBuilder(v)
	var cat report.Catalogue
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		cat, err = report.LoadCatalogue(r.Context(), tx)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if len(f.Columns) == 0 && v.Get("run") == "" {
		f.Columns = []string{"member_number", "full_name", "status"}
	}
	var cols []fieldOption
	for _, fl := range cat {
		cols = append(cols, fieldOption{Key: fl.Key, Label: report.ColumnLabel(c.Lang, cat, fl.Key), Checked: slices.Contains(f.Columns, fl.Key)})
	}
	var res results
	status := http.StatusOK
	if v.Get("run") != "" && v.Get("add") == "" {
		name := i18n.T(c.Lang, "reports.builder")
		if res, err = s.runOnScreen(r.Context(), c, f.Def, name); err != nil {
			s.fail(w, r, c, err)
			return
		}
		if res.Error != "" {
			status = http.StatusBadRequest
		}
		res.Export = template.URL(definitionParams(f.Def).Encode())
	}
	s.renderStatus(w, r, c, status, "reports_builder", pageData{"Form": f, "Fields": cols, "Operators": report.Operators,
		"Results": res, "Exports": s.exportButtons(c, res), "Rows": len(f.Filters), "CanWrite": c.Role.AtLeast(auth.RoleUser),
		"Hidden": definitionParams(f.Def)})
}

// reportBuiltin runs a built-in report.
func (s *Server) reportBuiltin(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	b, ok := report.BuiltinByID(r.PathValue("id"))
	if !ok {
		s.notFound(w, r, c)
		return
	}
	year := report.DefaultYear(s.clock.Now().In(clock.Helsinki))
	if y := r.URL.Query().Get("year"); y != "" && b.NeedsYear {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			s.renderStatus(w, r, c, http.StatusBadRequest, "report", pageData{"Name": i18n.T(c.Lang, "reports.builtin."+b.ID),
				"Builtin": b, "Year": y, "YearError": true, "Results": results{}, "Exports": s.exportButtons(c, results{})})
			return
		}
		year = n
	}
	d := builtinDefinition(b, year, r.URL.Query())
	name := i18n.T(c.Lang, "reports.builtin."+b.ID)
	res, err := s.runOnScreen(r.Context(), c, d, name)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	exp := url.Values{"builtin": {b.ID}}
	if b.NeedsYear {
		exp.Set("year", strconv.Itoa(year))
		if d.MilestoneFrom != "" {
			exp.Set("from", d.MilestoneFrom)
		}
		if d.MilestoneTo != "" {
			exp.Set("to", d.MilestoneTo)
		}
	}
	res.Export = template.URL(exp.Encode())
	status := http.StatusOK
	if res.Error != "" {
		status = http.StatusBadRequest
	}
	s.renderStatus(w, r, c, status, "report", pageData{"Name": name, "Hint": i18n.T(c.Lang, "reports.builtin."+b.ID+"_hint"),
		"Builtin": b, "Year": strconv.Itoa(year), "From": d.MilestoneFrom, "To": d.MilestoneTo, "Results": res,
		"Exports": s.exportButtons(c, res), "CanWrite": c.Role.AtLeast(auth.RoleUser), "Edit": template.URL(definitionParams(d).Encode())})
}

// builtinDefinition is b's definition for year, narrowed for the milestone
// report to the period from–to of the query, when given.
func builtinDefinition(b report.Builtin, year int, v url.Values) report.Definition {
	d := b.Definition(year)
	if b.NeedsYear {
		d.MilestoneFrom, d.MilestoneTo = strings.TrimSpace(v.Get("from")), strings.TrimSpace(v.Get("to"))
	}
	return d
}

// reportSaved runs a saved report, or opens the member list with a saved
// search.
func (s *Server) reportSaved(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	saved, ok := s.loadSaved(w, r, c)
	if !ok {
		return
	}
	if saved.Stored.Kind == report.SavedSearch {
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members?"+saved.Stored.Query, http.StatusSeeOther)
		return
	}
	d := *saved.Stored.Definition
	res, err := s.runOnScreen(r.Context(), c, d, saved.Name)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	res.Export = template.URL(url.Values{"saved": {saved.ID}}.Encode())
	s.render(w, r, c, "report", pageData{"Name": saved.Name, "Saved": saved, "Results": res, "Exports": s.exportButtons(c, res),
		"CanWrite": c.Role.AtLeast(auth.RoleUser), "Edit": template.URL(definitionParams(d).Encode()), "Msg": flash(r)})
}

// loadSaved reads the saved report of the path; one of another association
// is 404, as a missing one.
func (s *Server) loadSaved(w http.ResponseWriter, r *http.Request, c *reqCtx) (report.Saved, bool) {
	var saved report.Saved
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		saved, err = report.GetSaved(r.Context(), tx, r.PathValue("rid"))
		return err
	})
	if errors.Is(err, report.ErrNotFound) {
		s.notFound(w, r, c)
		return saved, false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return saved, false
	}
	return saved, true
}

// reportSave saves the builder's report (kind=report, the builder's
// fields) or a member-list search (kind=member_search, query).
func (s *Server) reportSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	st := report.Stored{Kind: r.PostForm.Get("kind")}
	f := parseBuilder(r.PostForm)
	if st.Kind == report.SavedSearch {
		st.Query = r.PostForm.Get("query")
	} else {
		st.Kind, st.Definition = report.SavedReport, &f.Def
	}
	var saved report.Saved
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		saved, err = report.Save(r.Context(), tx, s.audit, s.clock.Now(), r.PostForm.Get("name"), st, c.User.ID)
		return err
	})
	var re *report.Error
	if errors.As(err, &re) {
		msg := i18n.T(c.Lang, "reports.bad_definition", re.Error())
		switch {
		case re.Field == "name" && re.Value == "":
			msg = i18n.T(c.Lang, "reports.name_required")
		case re.Field == "name":
			msg = i18n.T(c.Lang, "reports.name_taken")
		}
		s.renderStatus(w, r, c, http.StatusUnprocessableEntity, "report_save", pageData{"Error": msg,
			"Name": r.PostForm.Get("name"), "Stored": st, "Hidden": definitionParams(f.Def)})
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/reports/saved/"+saved.ID+"?msg=msg.report_saved", http.StatusSeeOther)
}

// reportSaveSearchForm asks for the name under which to save the member
// list's search, given as the list's own query string (q, status, sort,
// dir); the member list links here.
func (s *Server) reportSaveSearchForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	st := report.Stored{Kind: report.SavedSearch, Query: report.SearchQuery(r.URL.Query())}
	s.render(w, r, c, "report_save", pageData{"Stored": st})
}

// reportDelete removes a saved report.
func (s *Server) reportDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return report.DeleteSaved(r.Context(), tx, s.audit, r.PathValue("rid"))
	})
	if errors.Is(err, report.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/reports?msg=msg.report_deleted", http.StatusSeeOther)
}

// reportExport exports a built-in (builtin, year), saved (saved) or built
// (the builder's fields) report as a file: every row, audited.
func (s *Server) reportExport(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := r.URL.Query()
	var d report.Definition
	name := i18n.T(c.Lang, "reports.builder")
	switch {
	case v.Get("builtin") != "":
		b, ok := report.BuiltinByID(v.Get("builtin"))
		if !ok {
			s.notFound(w, r, c)
			return
		}
		year, _ := strconv.Atoi(v.Get("year"))
		if year == 0 {
			year = report.DefaultYear(s.clock.Now().In(clock.Helsinki))
		}
		d, name = builtinDefinition(b, year, v), i18n.T(c.Lang, "reports.builtin."+b.ID)
	case v.Get("saved") != "":
		r.SetPathValue("rid", v.Get("saved"))
		saved, ok := s.loadSaved(w, r, c)
		if !ok {
			return
		}
		if saved.Stored.Definition == nil {
			s.notFound(w, r, c)
			return
		}
		d, name = *saved.Stored.Definition, saved.Name
	default:
		d = parseBuilder(v).Def
	}
	req := report.Request{Format: v.Get("format"), Name: name, Association: c.Assoc.Name, Lang: c.Lang, Now: s.clock.Now()}
	s.sendExport(w, r, c, fileBase(c.Lang, "reports.file_report"), req, func(out io.Writer) (int, error) {
		return report.ExportReport(r.Context(), s.db.For(c.Assoc.ID), s.audit, d, req, out)
	})
}

// memberExport exports every member the member list's search finds (the
// list's q, status, sort and dir and its fee, group and custom field
// filters; all pages), audited as member.export.
func (s *Server) memberExport(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	in := r.URL.Query()
	q := member.Query{Text: strings.TrimSpace(in.Get("q")), Sort: in.Get("sort"), Desc: in.Get("dir") == "desc",
		FeeID: in.Get("fee"), GroupID: in.Get("group"), CustomField: in.Get("field"), CustomValue: in.Get("value")}
	if st := in.Get("status"); st != "" {
		q.Statuses = []string{st}
	}
	req := report.Request{Format: in.Get("format"), Name: i18n.T(c.Lang, "reports.member_list"), Association: c.Assoc.Name,
		Lang: c.Lang, Now: s.clock.Now()}
	s.sendExport(w, r, c, fileBase(c.Lang, "reports.file_members"), req, func(out io.Writer) (int, error) {
		return report.ExportMembers(r.Context(), s.db.For(c.Assoc.ID), s.audit, q, report.AuditedSearch(in), req, out)
	})
}

// fileBase is the start of an export's file name in the visitor's language.
func fileBase(lang, key string) string { return i18n.T(lang, key) }

// sendExport writes an export to a temporary file first and sends it only
// once its audit record is committed: a file whose reading could not be
// recorded never leaves.
func (s *Server) sendExport(w http.ResponseWriter, r *http.Request, c *reqCtx, base string, req report.Request, write func(io.Writer) (int, error)) {
	if !slices.Contains(report.Formats, req.Format) {
		s.renderStatus(w, r, c, http.StatusBadRequest, "error", pageData{"Message": "reports.bad_format"})
		return
	}
	tmp, err := os.CreateTemp("", "seura-export-*")
	if err != nil {
		s.fail(w, r, c, fmt.Errorf("export: %w", err))
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	_, err = write(tmp)
	var re *report.Error
	if errors.As(err, &re) || errors.Is(err, member.ErrBadQuery) {
		s.renderStatus(w, r, c, http.StatusBadRequest, "error", pageData{"Message": "reports.bad_export"})
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.fail(w, r, c, fmt.Errorf("export: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", report.ContentType(req.Format))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": report.FileName(base, req.Now, req.Format)}))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = io.Copy(w, tmp)
}
