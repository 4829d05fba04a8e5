package web

import (
	"errors"
	"testing"
	"time"

	"seura.fi/seura/internal/importfile"
)

func testJob(id, assoc, user string, state jobState, created time.Time) *importJob {
	return &importJob{ID: id, AssocID: assoc, UserID: user, State: state, Created: created,
		Table: &importfile.Table{Header: []string{"Sukunimi"}, Rows: [][]string{{"Virtanen"}}, RowNumbers: []int{2}}}
}

// TestImportJobLimits: one open file per association, at most maxJobs
// files on the server, the user's own earlier upload replaced, finished
// jobs holding no file, and every job forgotten an hour after its upload.
func TestImportJobLimits(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	j := newImportJobs()
	j.maxJobs = 2

	if err := j.add(testJob("a1", "A", "u1", jobPlanned, now), now); err != nil {
		t.Fatal(err)
	}
	// Another user of A: refused while u1's file waits for its import.
	if err := j.add(testJob("a2", "A", "u2", jobPlanned, now), now); !errors.Is(err, errImportBusy) {
		t.Fatalf("a second open file in one association: %v", err)
	}
	// The same user: the new upload replaces the old one.
	if err := j.add(testJob("a3", "A", "u1", jobPlanned, now), now); err != nil {
		t.Fatal(err)
	}
	if _, ok := j.get("a1", "A", "u1", now); ok {
		t.Error("the replaced upload is still there")
	}
	// ... but not a running one.
	j.update("a3", func(job *importJob) { job.State = jobCommitting })
	if err := j.add(testJob("a4", "A", "u1", jobPlanned, now), now); !errors.Is(err, errImportBusy) {
		t.Fatalf("an upload next to the user's running import: %v", err)
	}

	if err := j.add(testJob("b1", "B", "u3", jobPlanned, now), now); err != nil {
		t.Fatal(err)
	}
	// The server holds two files: a third association is refused.
	if err := j.add(testJob("c1", "C", "u4", jobPlanned, now), now); !errors.Is(err, errImportFull) {
		t.Fatalf("a file over the server's limit: %v", err)
	}
	// A finished job holds no file and no slot.
	j.update("a3", func(job *importJob) { job.finished(jobDone) })
	if job, _ := j.get("a3", "A", "u1", now); len(job.Table.Rows) != 0 || len(job.Table.Header) != 1 {
		t.Errorf("a finished job keeps %d rows, header %v", len(job.Table.Rows), job.Table.Header)
	}
	if err := j.add(testJob("c2", "C", "u4", jobPlanned, now), now); err != nil {
		t.Fatalf("a slot freed by a finished import: %v", err)
	}

	// An hour later everything not running is forgotten.
	later := now.Add(importJobTTL + time.Second)
	j.update("c2", func(job *importJob) { job.State = jobPlanning })
	if _, ok := j.get("b1", "B", "u3", later); ok {
		t.Error("a job is kept after an hour")
	}
	if _, ok := j.get("c2", "C", "u4", later); !ok {
		t.Error("a running job was forgotten")
	}
	if err := j.add(testJob("a5", "A", "u2", jobPlanned, later), later); err != nil {
		t.Fatalf("after the hour another user of A: %v", err)
	}
}
