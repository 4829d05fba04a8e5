package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
)

// The import API takes the same files as the web wizard (CSV as Excel saves
// it, or XLSX) and answers with the same dry run: what each row would do and
// every problem by row and column. It runs in the request: a file of the
// largest size accepted is checked and imported in well under the server's
// write timeout, and a script, unlike a person, can wait for it.
const (
	// importMaxBytes is the largest file accepted, as in the web wizard.
	importMaxBytes = importfile.DefaultMaxBytes
	// importMaxBody leaves room for the multipart framing and a mapping.
	importMaxBody = importMaxBytes + 1<<20
	// xlsxType is the media type of an Excel workbook.
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// importRoutes are the operations of this part of the API; its paths are
// described in openapi/imports.json.
func (a *API) importRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/imports", auth.ScopeWrite, a.importMembers},
	}
}

// importColumn is one column of the mapping as the API shows it.
type importColumn struct {
	Column string             `json:"column"`
	Field  memberimport.Field `json:"field"`
}

// importJSON is the answer to an import or its dry run.
type importJSON struct {
	DryRun        bool                `json:"dry_run"`
	Encoding      string              `json:"encoding"`
	Mapping       []importColumn      `json:"mapping"`
	MappingSource memberimport.Source `json:"mapping_source"`
	*memberimport.Result
}

// importProblem is the 422 answer to an import whose rows have problems:
// a problem document with every problem by row and column.
type importProblem struct {
	problem
	ProblemRows int                       `json:"problem_rows"`
	Problems    []memberimport.RowProblem `json:"problems"`
}

// importMembers checks (?dry_run=true) or imports a member file, all rows
// or none.
func (a *API) importMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	dryRun, ok := dryRunParam(w, r)
	if !ok {
		return
	}
	table, chosen, ok := readImportFile(w, r)
	if !ok {
		return
	}
	if chosen != nil {
		if err := chosen.Check(table.Header); err != nil {
			Problem(w, http.StatusUnprocessableEntity, "Unprocessable Content", "mapping: "+err.Error(), "mapping")
			return
		}
	}
	now := a.auth.Clock.Now()
	out := importJSON{DryRun: dryRun, Encoding: table.Encoding}
	// mappingErr is a chosen mapping naming a custom field the association
	// does not have (another association's id, or a deleted field).
	var mappingErr error
	run := func(tx *store.TenantTx) error {
		m, source := chosen, memberimport.Chosen
		if m != nil {
			fields, err := member.CustomFields(r.Context(), tx)
			if err != nil {
				return err
			}
			if mappingErr = m.CheckCustom(table.Header, fields); mappingErr != nil {
				return nil
			}
		}
		if m == nil {
			var err error
			if m, source, err = memberimport.Recall(r.Context(), tx, table.Header); err != nil {
				return err
			}
		}
		out.Mapping, out.MappingSource = mappingJSON(table.Header, m), source
		var err error
		if dryRun {
			out.Result, err = memberimport.Plan(r.Context(), tx, table, m, now)
		} else {
			out.Result, err = memberimport.Commit(r.Context(), tx, a.audit, table, m, now)
		}
		return err
	}
	var err error
	if dryRun {
		err = a.db.For(key.AssociationID).Read(r.Context(), run)
	} else {
		err = a.db.For(key.AssociationID).Write(r.Context(), run)
	}
	if err != nil {
		a.internal(w, r, fmt.Errorf("import: %w", err))
		return
	}
	if mappingErr != nil {
		Problem(w, http.StatusUnprocessableEntity, "Unprocessable Content", "mapping: "+mappingErr.Error(), "mapping")
		return
	}
	if !dryRun && !out.Result.OK() {
		writeImportProblems(w, out.Result)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// dryRunParam reads ?dry_run, which must be true or false when present.
func dryRunParam(w http.ResponseWriter, r *http.Request) (bool, bool) {
	v := r.URL.Query().Get("dry_run")
	if v == "" {
		return false, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		Problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("dry_run must be true or false, not %q", v), "dry_run")
		return false, false
	}
	return b, true
}

// readImportFile reads the file from a multipart form (part "file", and
// optionally "mapping": a JSON array of field names, one per column, "" to
// ignore one) or from the body itself (text/csv or XLSX). It answers the
// request itself and returns false when the file cannot be read.
func readImportFile(w http.ResponseWriter, r *http.Request) (*importfile.Table, memberimport.Mapping, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	if r.ContentLength > importMaxBody {
		importTooLarge(w)
		return nil, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, importMaxBody)
	var name string
	var body io.Reader
	var mapping memberimport.Mapping
	switch mt {
	case "multipart/form-data":
		f, n, m, ok := multipartFile(w, r)
		if !ok {
			return nil, nil, false
		}
		defer f.Close()
		name, body, mapping = n, f, m
	case "text/csv", "text/plain":
		name, body = "import.csv", r.Body
	case xlsxType:
		name, body = "import.xlsx", r.Body
	default:
		w.Header().Set("Accept-Post", "multipart/form-data, text/csv, "+xlsxType)
		Problem(w, http.StatusUnsupportedMediaType, "Unsupported Media Type",
			"send the file as multipart/form-data (part \"file\"), or as the body with Content-Type text/csv or "+xlsxType, "")
		return nil, nil, false
	}
	table, err := importfile.Read(name, body, importfile.Limits{MaxBytes: importMaxBytes})
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		importTooLarge(w)
		return nil, nil, false
	}
	if err != nil {
		Problem(w, http.StatusUnprocessableEntity, "Unprocessable Content", "file: "+err.Error()+"; nothing was imported", "file")
		return nil, nil, false
	}
	return table, mapping, true
}

// multipartFile opens the form's file part and decodes its mapping part.
func multipartFile(w http.ResponseWriter, r *http.Request) (io.ReadCloser, string, memberimport.Mapping, bool) {
	if err := r.ParseMultipartForm(importMaxBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			importTooLarge(w)
		} else {
			Problem(w, http.StatusBadRequest, "Bad Request", "the multipart form could not be read: "+err.Error(), "")
		}
		return nil, "", nil, false
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		Problem(w, http.StatusBadRequest, "Bad Request", "the form has no file part named \"file\"", "file")
		return nil, "", nil, false
	}
	if hdr.Size > importMaxBytes {
		f.Close()
		importTooLarge(w)
		return nil, "", nil, false
	}
	var mapping memberimport.Mapping
	if raw := r.FormValue("mapping"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &mapping); err != nil || mapping == nil {
			f.Close()
			Problem(w, http.StatusBadRequest, "Bad Request",
				"mapping must be a JSON array of field names, one per column of the file, \"\" for a column to leave out", "mapping")
			return nil, "", nil, false
		}
	}
	return f, hdr.Filename, mapping, true
}

func importTooLarge(w http.ResponseWriter) {
	Problem(w, http.StatusRequestEntityTooLarge, "Content Too Large",
		fmt.Sprintf("the file is larger than %d MiB; nothing was imported", importMaxBytes>>20), "file")
}

func mappingJSON(header []string, m memberimport.Mapping) []importColumn {
	out := make([]importColumn, len(header))
	for i, h := range header {
		out[i] = importColumn{Column: h, Field: m[i]}
	}
	return out
}

// writeImportProblems answers an import refused for its rows' problems.
func writeImportProblems(w http.ResponseWriter, res *memberimport.Result) {
	p := importProblem{problem: problem{Type: "about:blank", Title: "Unprocessable Content",
		Status: http.StatusUnprocessableEntity,
		Detail: fmt.Sprintf("%d of %d rows have problems; nothing was imported (the first: %s)",
			res.ProblemRows, res.Rows, res.Problems[0]), Field: "file"}, ProblemRows: res.ProblemRows, Problems: res.Problems}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
