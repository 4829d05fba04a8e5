package api_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/report"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// checkFile checks a file response against the document: the status must
// be documented with the content type received (the body is not JSON, so
// only its type is checked).
func checkFile(t *testing.T, path string, r resp, wantType string) {
	t.Helper()
	doc, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	op := doc["paths"].(map[string]any)[operationPath(doc, path)].(map[string]any)["get"].(map[string]any)
	rd, ok := op["responses"].(map[string]any)["200"].(map[string]any)
	if !ok || r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d: %s", path, r.Status, r.Body)
	}
	ct := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	if _, ok := rd["content"].(map[string]any)[ct]; !ok || ct != wantType {
		t.Fatalf("GET %s: content type %q, want %q (documented: %v)", path, ct, wantType, rd["content"])
	}
	if !regexp.MustCompile(`^attachment; filename=jasenet-(tarrat-)?2026-03-02\.(csv|xlsx|pdf)$`).MatchString(r.Header.Get("Content-Disposition")) {
		t.Errorf("GET %s: Content-Disposition %q", path, r.Header.Get("Content-Disposition"))
	}
}

func TestReportsAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "A ry", 5)
		b := env.Association(t, "B ry", 1)
		ctx := context.Background()
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return member.InsertBatch(ctx, tx, env.Clock.Now(), []member.Member{{Number: 6, Status: member.StatusDeceased,
				FirstName: "Åke", LastName: "Öhman", Municipality: "Mustasaari", BirthDate: time.Date(1950, 4, 1, 0, 0, 0, 0, time.UTC),
				Email: "=1+1@example.fi"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var saved report.Saved
		err = env.DB.For(b.ID).Write(ctx, func(tx *store.TenantTx) error {
			d := report.Definition{Columns: []string{"full_name"}}
			var err error
			saved, err = report.Save(ctx, tx, env.Audit, env.Clock.Now(), "B:n lista", report.Stored{Kind: report.SavedReport, Definition: &d}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		c := client{t: t, srv: srv, key: key}

		r := c.get("/api/v1/reports")
		list := r.JSON(t)
		if n := len(list["builtin"].([]any)); n != len(report.Builtins) || len(list["saved"].([]any)) != 0 {
			t.Fatalf("reports: %s", r.Body)
		}

		// A definition over every status; typed values.
		r = c.write("POST", "/api/v1/reports/run", map[string]any{"definition": map[string]any{
			"columns": []string{"member_number", "full_name", "birth_date", "phone_mobile"},
			"filters": []map[string]string{{"field": "status", "op": "equals", "value": "deceased"}}}})
		out := r.JSON(t)
		rows := out["rows"].([]any)
		if len(rows) != 1 || out["next_cursor"] != nil {
			t.Fatalf("run: %s", r.Body)
		}
		if row := rows[0].([]any); row[0] != float64(6) || row[1] != "Öhman, Åke" || row[2] != "1950-04-01" || row[3] != false {
			t.Errorf("row: %v", row)
		}
		if acts := env.AuditActions(t, a.ID); acts[len(acts)-1] != "report.run" {
			t.Errorf("run not audited: %v", acts)
		}

		// Pages of a built-in report.
		r = c.write("POST", "/api/v1/reports/run", map[string]any{"builtin": "statutory", "limit": 3})
		out = r.JSON(t)
		next, _ := out["next_cursor"].(string)
		if len(out["rows"].([]any)) != 3 || next == "" {
			t.Fatalf("first page: %s", r.Body)
		}
		r = c.write("POST", "/api/v1/reports/run", map[string]any{"builtin": "statutory", "limit": 3, "cursor": next})
		if out = r.JSON(t); len(out["rows"].([]any)) != 2 || out["next_cursor"] != nil {
			t.Fatalf("second page: %s", r.Body)
		}

		// The whitelist: a field or operator outside it is 422 naming it.
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"definition": map[string]any{
			"columns": []string{"member_number"}, "filters": []map[string]string{{"field": "1=1) OR (1", "op": "equals"}}}}),
			http.StatusUnprocessableEntity, "definition.field")
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"definition": map[string]any{
			"columns": []string{"member_number"}, "filters": []map[string]string{{"field": "email", "op": "LIKE '%' OR ''='"}}}}),
			http.StatusUnprocessableEntity, "definition.op")
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"definition": map[string]any{
			"columns": []string{"(SELECT secret_hash FROM api_keys)"}}}), http.StatusUnprocessableEntity, "definition.columns")
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"builtin": "nope"}), http.StatusBadRequest, "builtin")
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{}), http.StatusBadRequest, "definition")
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"builtin": "statutory", "cursor": "x"}), http.StatusBadRequest, "cursor")
		// Another association's saved report is 404.
		wantProblem(t, c.write("POST", "/api/v1/reports/run", map[string]any{"saved": saved.ID}), http.StatusNotFound, "saved")

		// Exports: the file, audited with the row count; formulas
		// neutralised.
		p := "/api/v1/exports/members?status=all&format=csv"
		r = c.raw("GET", p, "", nil)
		checkFile(t, "/api/v1/exports/members", r, "text/csv")
		if !strings.HasPrefix(r.Body, "\uFEFF") || strings.Count(r.Body, "\r\n") != 7 || !strings.Contains(r.Body, ";'=1+1@example.fi;") {
			t.Errorf("CSV: %q", r.Body)
		}
		ents := auditEntries(t, env, a.ID)
		if ev := ents[len(ents)-1]; ev.Action != "member.export" || ev.Details["rows"] != float64(6) || ev.Details["format"] != "csv" {
			t.Errorf("export audit: %s %v", ev.Action, ev.Details)
		}
		r = c.raw("GET", "/api/v1/exports/members?format=xlsx", "", nil)
		checkFile(t, "/api/v1/exports/members", r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := x.GetRows(x.GetSheetName(0)); len(got) != 6 {
			t.Errorf("XLSX: %d rows, want the 5 active members and the header", len(got))
		}
		r = c.raw("GET", "/api/v1/exports/members?format=labels", "", nil)
		checkFile(t, "/api/v1/exports/members", r, "application/pdf")
		wantProblem(t, c.get("/api/v1/exports/members?format=docx"), http.StatusBadRequest, "format")
		wantProblem(t, c.get("/api/v1/exports/members?format=csv&status=gone"), http.StatusBadRequest, "status")
	})
}
