package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
)

// The web import: an upload is parsed and checked (Plan, the dry run) and
// shown as a preview; only a file without problems can then be imported
// (Commit, all rows or none). The parsed file stays in memory in a job, so
// the commit imports exactly what the preview showed.
const (
	// importMaxBytes is the largest file accepted.
	importMaxBytes = importfile.DefaultMaxBytes
	// importMaxBody leaves room for the multipart framing and the token.
	importMaxBody = importMaxBytes + 1<<20
	// importJobTTL is how long an upload is kept for its commit.
	importJobTTL = 30 * time.Minute
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
	State   jobState
	Done    int
	Total   int
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
}

func newImportJobs() *importJobs {
	return &importJobs{jobs: map[string]*importJob{}, inlineRows: importInlineRows}
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

// add registers job, refusing it when it would run next to another running
// job of the same association.
func (j *importJobs) add(job *importJob, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sweep(now)
	if job.State.running() && j.busy(job.AssocID) {
		return false
	}
	// A new upload replaces the user's earlier ones in the association
	// that are not running, so one user holds at most one parsed file
	// there besides a running job.
	for id, old := range j.jobs {
		if old.AssocID == job.AssocID && old.UserID == job.UserID && !old.State.running() {
			delete(j.jobs, id)
		}
	}
	j.jobs[job.ID] = job
	return true
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
	mapping := memberimport.Suggest(table.Header)
	if err := mapping.Check(table.Header); err != nil {
		s.importFormError(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "import.bad_mapping", err.Error()))
		return
	}
	now := s.clock.Now()
	job := &importJob{ID: randomID(), AssocID: c.Assoc.ID, UserID: c.User.ID, Created: now, Name: hdr.Filename,
		Table: table, Mapping: mapping, State: jobQueued, Total: len(table.Rows)}
	if len(table.Rows) <= s.imports.threshold() {
		var res *memberimport.Result
		err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
			var err error
			res, err = memberimport.Plan(r.Context(), tx, table, mapping, now)
			return err
		})
		if err != nil {
			s.fail(w, r, c, err)
			return
		}
		job.State, job.Result, job.Done = jobPlanned, res, len(table.Rows)
	}
	if !s.imports.add(job, now) {
		s.importFormError(w, r, c, http.StatusConflict, i18n.T(c.Lang, "import.busy"))
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
				s.imports.update(id, func(j *importJob) { j.State, j.Err = jobFailed, "error.internal" })
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
				j.State, j.Err = jobFailed, "error.internal"
			case commit:
				j.State, j.Result, j.Done = jobDone, res, j.Total
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

// mappedColumn is one line of the preview's mapping table.
type mappedColumn struct {
	Heading string
	Field   string // "" when the column is ignored
}

func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	job, ok := s.loadJob(w, r, c)
	if !ok {
		return
	}
	s.renderJob(w, r, c, http.StatusOK, job, "")
}

func (s *Server) renderJob(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, job importJob, errMsg string) {
	cols := make([]mappedColumn, len(job.Table.Header))
	for i, h := range job.Table.Header {
		cols[i] = mappedColumn{Heading: h, Field: string(job.Mapping[i])}
	}
	delim := map[rune]string{';': ";", ',': ",", '\t': "tab"}[job.Table.Delimiter]
	data := pageData{"Job": job, "Columns": cols, "Delimiter": delim, "Refresh": job.State.running(),
		"Progress": i18n.T(c.Lang, "import.progress", groupDigits(c.Lang, job.Done), groupDigits(c.Lang, job.Total)),
		"Path":     importJobPath(c.Assoc.ID, job.ID), "Error": errMsg}
	if res := job.Result; res != nil {
		data["Result"] = res
		shown := res.Problems
		if len(shown) > importProblemsShown {
			shown = shown[:importProblemsShown]
		}
		data["Problems"] = shown
		data["MoreProblems"] = len(res.Problems) - len(shown)
		data["CanCommit"] = job.committable()
	}
	s.renderStatus(w, r, c, status, "import_job", data)
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
