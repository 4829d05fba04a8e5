package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
)

// The web import: an upload is parsed and checked (Plan, the dry run) and
// shown as a preview, with the mapping of its columns to member fields
// (remembered from the association's earlier imports, else suggested from
// the headings), which the user may change and check again; only a file
// without problems can then be imported (Commit, all rows or none, which
// remembers the mapping). The parsed file stays in memory in a job, so the
// commit imports exactly what the preview showed.
//
// Jobs live in memory only and do not survive a restart; the user uploads
// again. To bound the memory they take, at most importMaxJobs files are held
// at once, one per association, each for importJobTTL.
const (
	// importMaxBytes is the largest file accepted.
	importMaxBytes = importfile.DefaultMaxBytes
	// importMaxBody leaves room for the multipart framing and the token.
	importMaxBody = importMaxBytes + 1<<20
	// importJobTTL is how long an upload is kept for its commit.
	importJobTTL = time.Hour
	// importMaxJobs is how many uploads the server holds at once, for all
	// associations together; each may take a few hundred megabytes.
	importMaxJobs = 8
	// importProblemsShown bounds the problem table of the preview.
	importProblemsShown = 100
	// importInlineRows is the largest file checked during the upload
	// request; larger ones are checked in the background.
	importInlineRows = 5000
)

// jobState is where an import job is.
type jobState string

const (
	jobQueued     jobState = "queued"
	jobPlanning   jobState = "planning"
	jobPlanned    jobState = "planned"
	jobCommitting jobState = "committing"
	jobDone       jobState = "done"
	jobFailed     jobState = "failed"
)

// committable reports whether the job's check found something to import
// and no problems.
func (j *importJob) committable() bool {
	return j.State == jobPlanned && j.Result != nil && j.Result.OK() && j.Result.New+j.Result.Updated > 0
}

func (s jobState) running() bool {
	return s == jobQueued || s == jobPlanning || s == jobCommitting
}

// importJob is one upload, from its check to its import.
type importJob struct {
	ID      string
	AssocID string
	UserID  string
	Created time.Time
	Name    string
	Table   *importfile.Table
	Mapping memberimport.Mapping
	// Source says where the mapping came from; "" once the user chose it.
	Source memberimport.Source
	State  jobState
	Done   int
	Total  int
	// Result is the last Plan's or Commit's; it is replaced, never changed.
	Result *memberimport.Result
	Err    string
}

// importJobs is the in-memory registry of import jobs. Jobs are bound to
// the association and the user who uploaded the file and are forgotten
// after importJobTTL unless still running.
type importJobs struct {
	mu         sync.Mutex
	jobs       map[string]*importJob
	inlineRows int
	maxJobs    int
}

func newImportJobs() *importJobs {
	return &importJobs{jobs: map[string]*importJob{}, inlineRows: importInlineRows, maxJobs: importMaxJobs}
}

// Why an upload is refused.
var (
	errImportBusy = errors.New("another import of the association is open")
	errImportFull = errors.New("the server holds as many imports as it can")
)

// holdsFile reports whether a job still holds its parsed file: a job that
// is done or failed keeps only its header, for its page.
func (j *importJob) holdsFile() bool { return j.State != jobDone && j.State != jobFailed }

// finished keeps of a done or failed job only what its page shows, so the
// memory of its rows is freed at once rather than when it expires.
func (j *importJob) finished(state jobState) {
	j.State = state
	j.Table = &importfile.Table{Header: j.Table.Header, Encoding: j.Table.Encoding, Delimiter: j.Table.Delimiter}
}

// sweep forgets expired jobs; the caller holds mu.
func (j *importJobs) sweep(now time.Time) {
	for id, job := range j.jobs {
		if !job.State.running() && now.Sub(job.Created) > importJobTTL {
			delete(j.jobs, id)
		}
	}
}

// busy reports whether the association has a running job; the caller holds
// mu.
func (j *importJobs) busy(assocID string) bool {
	for _, job := range j.jobs {
		if job.AssocID == assocID && job.State.running() {
			return true
		}
	}
	return false
}

// add registers job. A new upload replaces the user's earlier ones in the
// association that are not running. It is refused with errImportBusy when
// the association still has another file open (running, or checked and
// waiting for its import, by anyone), and with errImportFull when the
// server already holds importMaxJobs files.
func (j *importJobs) add(job *importJob, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep(now)
	held := 0
	for _, old := range j.jobs {
		if !old.holdsFile() || j.replaces(job, old) {
			continue
		}
		if old.AssocID == job.AssocID {
			return errImportBusy
		}
		held++
	}
	if held >= j.maxJobs {
		return errImportFull
	}
	for id, old := range j.jobs {
		if j.replaces(job, old) {
			delete(j.jobs, id)
		}
	}
	j.jobs[job.ID] = job
	return nil
}

// replaces reports whether the new job takes the place of old: the same
// user's upload in the same association, not running.
func (j *importJobs) replaces(job, old *importJob) bool {
	return old.AssocID == job.AssocID && old.UserID == job.UserID && !old.State.running()
}

// get returns a copy of job id if it belongs to the association and user.
func (j *importJobs) get(id, assocID, userID string, now time.Time) (importJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep(now)
	job, ok := j.jobs[id]
	if !ok || job.AssocID != assocID || job.UserID != userID {
		return importJob{}, false
	}
	return *job, true
}

// update changes job id under the lock.
func (j *importJobs) update(id string, fn func(*importJob)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if job, ok := j.jobs[id]; ok {
		fn(job)
	}
}

// startPlan gives a checked job a new mapping and, with res, its check;
// without res the job is queued for a check in the background. It fails
// unless the job is checked and not being imported.
func (j *importJobs) startPlan(id string, m memberimport.Mapping, res *memberimport.Result) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || job.State != jobPlanned {
		return false
	}
	job.Mapping, job.Source, job.Result = m, "", res
	if res != nil {
		job.Done, job.Total = len(job.Table.Rows), len(job.Table.Rows)
		return true
	}
	job.State, job.Done, job.Total = jobQueued, 0, len(job.Table.Rows)
	return true
}

// startCommit moves a checked job without problems to committing, unless
// another job of the association is running.
func (j *importJobs) startCommit(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || !job.committable() || j.busy(job.AssocID) {
		return false
	}
	job.State, job.Done, job.Total = jobCommitting, 0, 2*len(job.Table.Rows)
	return true
}

func (j *importJobs) threshold() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.inlineRows
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, c, "import", pageData{"MaxMiB": importMaxBytes >> 20})
}

func (s *Server) importFormError(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, msg string) {
	s.renderStatus(w, r, c, status, "import", pageData{"MaxMiB": importMaxBytes >> 20, "Error": msg})
}

// importUpload reads and checks an upload and sends the visitor to its job
// page: the preview, or the progress of a large file's check.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.importFormError(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "import.no_file"))
		return
	}
	defer f.Close()
	if hdr.Size > importMaxBytes {
		s.importFormError(w, r, c, http.StatusRequestEntityTooLarge, i18n.T(c.Lang, "error.too_large"))
		return
	}
	table, err := importfile.Read(hdr.Filename, f, importfile.Limits{MaxBytes: importMaxBytes})
	if err != nil {
		s.importFormError(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "import.bad_file", err.Error()))
		return
	}
	now := s.clock.Now()
	var mapping memberimport.Mapping
	var source memberimport.Source
	var res *memberimport.Result
	inline := len(table.Rows) <= s.imports.threshold()
	err = s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if mapping, source, err = memberimport.Recall(r.Context(), tx, table.Header); err != nil || !inline {
			return err
		}
		res, err = memberimport.Plan(r.Context(), tx, table, mapping, now)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	job := &importJob{ID: randomID(), AssocID: c.Assoc.ID, UserID: c.User.ID, Created: now, Name: hdr.Filename,
		Table: table, Mapping: mapping, Source: source, State: jobQueued, Total: len(table.Rows)}
	if inline {
		job.State, job.Result, job.Done = jobPlanned, res, len(table.Rows)
	}
	if err := s.imports.add(job, now); err != nil {
		status, msg := http.StatusConflict, "import.busy_other"
		if errors.Is(err, errImportFull) {
			status, msg = http.StatusServiceUnavailable, "import.full"
		}
		s.importFormError(w, r, c, status, i18n.T(c.Lang, msg))
		return
	}
	if job.State == jobQueued {
		s.runImport(r, job.ID, c.Assoc.ID, table, mapping, false)
	}
	http.Redirect(w, r, importJobPath(c.Assoc.ID, job.ID), http.StatusSeeOther)
}

func importJobPath(assocID, jobID string) string {
	return "/a/" + assocID + "/members/import/" + jobID + "/status"
}

// runImport checks (Plan) or imports (Commit) a job's file in the
// background. The work outlives the request but keeps its audit actor and
// request id.
func (s *Server) runImport(r *http.Request, id, assocID string, table *importfile.Table, mapping memberimport.Mapping, commit bool) {
	ctx := context.WithoutCancel(r.Context())
	go func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("import panicked", "request_id", audit.RequestFrom(ctx).ID, "association", assocID, "panic", p)
				s.imports.update(id, func(j *importJob) { j.Err = "error.internal"; j.finished(jobFailed) })
			}
		}()
		progress := func(done, total int) {
			s.imports.update(id, func(j *importJob) { j.Done, j.Total = done, total })
		}
		opts := memberimport.Options{Progress: progress}
		now := s.clock.Now()
		var res *memberimport.Result
		var err error
		if commit {
			err = s.db.For(assocID).Write(ctx, func(tx *store.TenantTx) error {
				var err error
				res, err = memberimport.Commit(ctx, tx, s.audit, table, mapping, now, opts)
				return err
			})
		} else {
			s.imports.update(id, func(j *importJob) { j.State = jobPlanning })
			err = s.db.For(assocID).Read(ctx, func(tx *store.TenantTx) error {
				var err error
				res, err = memberimport.Plan(ctx, tx, table, mapping, now, opts)
				return err
			})
		}
		if err != nil {
			s.log.Error("import failed", "request_id", audit.RequestFrom(ctx).ID, "association", assocID, "err", err)
		}
		s.imports.update(id, func(j *importJob) {
			switch {
			case err != nil:
				j.Err = "error.internal"
				j.finished(jobFailed)
			case commit:
				j.Result, j.Done = res, j.Total
				j.finished(jobDone)
			default:
				j.State, j.Result, j.Done = jobPlanned, res, j.Total
			}
		})
	}()
}

// loadJob finds the visitor's job {job} in this association, answering 404
// itself for any other.
func (s *Server) loadJob(w http.ResponseWriter, r *http.Request, c *reqCtx) (importJob, bool) {
	job, ok := s.imports.get(r.PathValue("job"), c.Assoc.ID, c.User.ID, s.clock.Now())
	if !ok {
		s.notFound(w, r, c)
	}
	return job, ok
}

// importMappedColumn is one line of the preview's mapping table.
type importMappedColumn struct {
	Index   int
	Heading string
	Field   string // "" when the column is ignored
	Label   string // the field's name in the visitor's language
}

// importFieldOption is one choice of the mapping's selects.
type importFieldOption struct {
	Value string
	Label string
}

// importFieldLabel names a member field in lang; a custom field by its
// name among the association's fields.
func importFieldLabel(lang string, f memberimport.Field, fields []member.CustomField) string {
	if f == memberimport.Ignore {
		return i18n.T(lang, "import.ignored")
	}
	if id, ok := f.CustomID(); ok {
		for _, cf := range fields {
			if cf.ID == id {
				return i18n.T(lang, "import.field.custom", cf.Name)
			}
		}
		return string(f)
	}
	if key := "member." + string(f); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	// Fields that are not on the card itself (the fee) are named here.
	return i18n.T(lang, "import.field."+string(f))
}

// importFieldOptions are the choices for a column: ignore, then every field
// of the card, then the association's custom fields.
func importFieldOptions(lang string, fields []member.CustomField) []importFieldOption {
	out := []importFieldOption{{Value: "", Label: importFieldLabel(lang, memberimport.Ignore, nil)}}
	for _, f := range memberimport.Fields {
		out = append(out, importFieldOption{Value: string(f), Label: importFieldLabel(lang, f, nil)})
	}
	for _, cf := range fields {
		f := memberimport.CustomTarget(cf.ID)
		out = append(out, importFieldOption{Value: string(f), Label: importFieldLabel(lang, f, fields)})
	}
	return out
}

func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	job, ok := s.loadJob(w, r, c)
	if !ok {
		return
	}
	s.renderJob(w, r, c, http.StatusOK, job, "")
}

func (s *Server) renderJob(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, job importJob, errMsg string) {
	fields, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	cols := make([]importMappedColumn, len(job.Table.Header))
	for i, h := range job.Table.Header {
		cols[i] = importMappedColumn{Index: i, Heading: h, Field: string(job.Mapping[i]), Label: importFieldLabel(c.Lang, job.Mapping[i], fields)}
	}
	delim := map[rune]string{';': ";", ',': ",", '\t': "tab"}[job.Table.Delimiter]
	data := pageData{"Job": job, "Columns": cols, "Delimiter": delim, "Refresh": job.State.running(),
		"Progress": i18n.T(c.Lang, "import.progress", groupDigits(c.Lang, job.Done), groupDigits(c.Lang, job.Total)),
		"Path":     importJobPath(c.Assoc.ID, job.ID), "Error": errMsg,
		"Editable": job.State == jobPlanned, "Options": importFieldOptions(c.Lang, fields), "Source": string(job.Source)}
	if res := job.Result; res != nil {
		data["Result"] = res
		shown := res.Problems
		if len(shown) > importProblemsShown {
			shown = shown[:importProblemsShown]
		}
		data["Problems"] = importProblemLines(c.Lang, shown)
		data["MoreProblems"] = len(res.Problems) - len(shown) + res.ProblemsOmitted
		data["CanCommit"] = job.committable()
	}
	s.renderStatus(w, r, c, status, "import_job", data)
}

// importRemap checks the job's file again with the mapping posted from the
// preview (one select per column, named col0, col1, …): inline for a small
// file, in the background for a large one.
func (s *Server) importRemap(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	job, ok := s.loadJob(w, r, c)
	if !ok {
		return
	}
	if job.State != jobPlanned {
		s.renderJob(w, r, c, http.StatusConflict, job, i18n.T(c.Lang, "import.cannot_remap"))
		return
	}
	mapping := make(memberimport.Mapping, len(job.Table.Header))
	for i := range mapping {
		mapping[i] = memberimport.Field(r.PostFormValue("col" + strconv.Itoa(i)))
	}
	fields, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if err := mapping.Check(job.Table.Header); err != nil {
		job.Mapping, job.Source = mapping, ""
		s.renderJob(w, r, c, http.StatusUnprocessableEntity, job, i18n.T(c.Lang, "import.bad_mapping", err.Error()))
		return
	}
	if err := mapping.CheckCustom(job.Table.Header, fields); err != nil {
		job.Mapping, job.Source = mapping, ""
		s.renderJob(w, r, c, http.StatusUnprocessableEntity, job, i18n.T(c.Lang, "import.bad_mapping", err.Error()))
		return
	}
	var res *memberimport.Result
	if len(job.Table.Rows) <= s.imports.threshold() {
		now := s.clock.Now()
		err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
			var err error
			res, err = memberimport.Plan(r.Context(), tx, job.Table, mapping, now)
			return err
		})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
	}
	if !s.imports.startPlan(job.ID, mapping, res) {
		s.renderJob(w, r, c, http.StatusConflict, job, i18n.T(c.Lang, "import.cannot_remap"))
		return
	}
	if res == nil {
		s.runImport(r, job.ID, job.AssocID, job.Table, mapping, false)
	}
	http.Redirect(w, r, importJobPath(c.Assoc.ID, job.ID), http.StatusSeeOther)
}

// importProblemLine is a line of the preview's problem table.
type importProblemLine struct {
	Row     int
	Column  string
	Message string
}

// importProblemLines words the problems in the visitor's language where the
// catalog has the message (a date that does not exist, a required field),
// else as the import worded them.
func importProblemLines(lang string, ps []memberimport.RowProblem) []importProblemLine {
	out := make([]importProblemLine, len(ps))
	for i, p := range ps {
		out[i] = importProblemLine{Row: p.Row, Column: p.Column, Message: problemText(lang, p.Message)}
	}
	return out
}

// importCommit starts the import of a checked file without problems.
func (s *Server) importCommit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	job, ok := s.loadJob(w, r, c)
	if !ok {
		return
	}
	if !s.imports.startCommit(job.ID) {
		msg := "import.cannot_commit"
		if job.committable() {
			msg = "import.busy"
		}
		s.renderJob(w, r, c, http.StatusConflict, job, i18n.T(c.Lang, msg))
		return
	}
	s.runImport(r, job.ID, job.AssocID, job.Table, job.Mapping, true)
	http.Redirect(w, r, importJobPath(c.Assoc.ID, job.ID), http.StatusSeeOther)
}

// groupDigits writes n with its digits in groups of three: "1,234" in
// English, "1 234" (with a no-break space) in Finnish and Swedish.
func groupDigits(lang string, n int) string {
	sep := "\u00a0"
	if lang == "en" {
		sep = ","
	}
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := ""
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out += sep
		}
		out += s[i : i+1]
	}
	return neg + out
}
