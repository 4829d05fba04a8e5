package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/testenv"
)

// importCSV is a member file as Excel saves it on Finnish Windows.
const importCSV = "Jäsennumero;Sukunimi;Etunimi;Syntymäaika;Sähköposti\n" +
	"101;Virtanen;Matti;01.02.1980;matti@example.fi\n" +
	"102;Korhonen;Liisa;03.04.1975;liisa@example.fi\n" +
	"103;Nieminen;Pekka;05.06.1990;\n"

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// importFile posts a file as a multipart form, with a mapping part when
// mapping is not "".
func (c client) importFile(query, name string, content []byte, mapping string) resp {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	part.Write(content)
	if mapping != "" {
		w.WriteField("mapping", mapping)
	}
	w.Close()
	return c.send(http.MethodPost, "/api/v1/imports"+query, w.FormDataContentType(), &b)
}

func (c client) importBody(query, contentType string, content []byte) resp {
	c.t.Helper()
	return c.send(http.MethodPost, "/api/v1/imports"+query, contentType, bytes.NewReader(content))
}

// problems returns a 422's problems as "row/column/field" strings.
func problemList(t *testing.T, r resp) []string {
	t.Helper()
	var out []string
	for _, p := range r.JSON(t)["problems"].([]any) {
		m := p.(map[string]any)
		col, _ := m["column"].(string)
		field, _ := m["field"].(string)
		out = append(out, strings.Join([]string{jsonNumber(m["row"]), col, field}, "/"))
	}
	return out
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestImportsAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 0)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, writeKeyID := apiKey(t, env, a.ID, auth.ScopeWrite)
		rc := client{t: t, srv: srv, key: readKey}
		wc := client{t: t, srv: srv, key: writeKey}
		nothingWritten := func(auditBefore int) {
			t.Helper()
			if n := len(env.Members(t, a.ID)); n != 0 {
				t.Fatalf("%d members written", n)
			}
			if n := len(env.AuditActions(t, a.ID)); n != auditBefore {
				t.Fatalf("audit events %d, want %d", n, auditBefore)
			}
		}
		auditBefore := len(env.AuditActions(t, a.ID))

		// A bad row (an impossible date): the dry run names row, column
		// and field; the import is refused with the same problems.
		bad := []byte(strings.Replace(importCSV, "03.04.1975", "31.02.1975", 1))
		r := wc.importBody("?dry_run=true", "text/csv", bad)
		if r.Status != http.StatusOK {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		res := r.JSON(t)
		if res["dry_run"] != true || res["committed"] != false || res["new"] != 2.0 || res["problem_rows"] != 1.0 {
			t.Fatalf("dry run: %s", r.Body)
		}
		if got := problemList(t, r); len(got) != 1 || got[0] != "3/Syntymäaika/birth_date" {
			t.Errorf("problems %v", got)
		}
		if res["mapping_source"] != "suggested" || res["encoding"] != "utf-8" {
			t.Errorf("mapping source %v, encoding %v", res["mapping_source"], res["encoding"])
		}
		r = wc.importBody("", "text/csv; charset=utf-8", bad)
		wantProblem(t, r, http.StatusUnprocessableEntity, "file")
		if got := problemList(t, r); len(got) != 1 || got[0] != "3/Syntymäaika/birth_date" {
			t.Errorf("422 problems %v", got)
		}
		nothingWritten(auditBefore)

		// A read key may not import, even a dry run; no key is 401.
		wantProblem(t, rc.importBody("?dry_run=true", "text/csv", []byte(importCSV)), http.StatusForbidden, "")
		wantProblem(t, client{t: t, srv: srv}.importBody("", "text/csv", []byte(importCSV)), http.StatusUnauthorized, "")

		// Bad requests.
		wantProblem(t, wc.importBody("?dry_run=maybe", "text/csv", []byte(importCSV)), http.StatusBadRequest, "dry_run")
		wantProblem(t, wc.importBody("", "application/json", []byte(`{}`)), http.StatusUnsupportedMediaType, "")
		wantProblem(t, wc.importFile("", "a.csv", []byte(importCSV), `["last_name"]`), http.StatusUnprocessableEntity, "mapping")
		wantProblem(t, wc.importFile("", "a.csv", []byte(importCSV), `{"x":1}`), http.StatusBadRequest, "mapping")

		// Files that cannot be read: a clear error naming the file.
		for _, bad := range []struct {
			name, content, want string
		}{
			{"a.csv", "Sukunimi;Etunimi\nVirtanen;Matti\x81\n", "byte 0x81"},
			{"a.xlsx", "PK\x03\x04 broken", "not a readable XLSX file"},
			{"a.csv", "", "empty"},
			{"a.csv", "Sukunimi;Etunimi\nVirtanen;" + strings.Repeat("x", 10<<20) + "\n", "longer than 10000 bytes"},
		} {
			p := wantProblem(t, wc.importFile("", bad.name, []byte(bad.content), ""), http.StatusUnprocessableEntity, "file")
			if !strings.Contains(p["detail"].(string), bad.want) {
				t.Errorf("%s: detail %q, want %q", bad.name, p["detail"], bad.want)
			}
		}
		wantProblem(t, wc.importBody("", xlsxType, []byte("not a zip")), http.StatusUnprocessableEntity, "file")
		wantProblem(t, wc.importBody("", "text/csv", bytes.Repeat([]byte("x;"), 11<<20)), http.StatusRequestEntityTooLarge, "file")
		wantProblem(t, wc.importFile("", "a.csv", bytes.Repeat([]byte("x;"), 11<<20), ""), http.StatusRequestEntityTooLarge, "file")
		// A formula: a problem of its row, nothing imported.
		formula := "Sukunimi;Etunimi\n\"=HYPERLINK(\"\"http://example.com\"\";\"\"x\"\")\";Matti\n"
		r = wc.importBody("", "text/csv", []byte(formula))
		wantProblem(t, r, http.StatusUnprocessableEntity, "file")
		if got := problemList(t, r); len(got) != 1 || got[0] != "2/Sukunimi/last_name" {
			t.Errorf("formula problems %v", got)
		}
		nothingWritten(auditBefore)

		// A clean file is imported, audited with the key as actor.
		r = wc.importFile("", "jasenet.csv", []byte(importCSV), "")
		if r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if res := r.JSON(t); res["committed"] != true || res["new"] != 3.0 || res["dry_run"] != false {
			t.Fatalf("import: %s", r.Body)
		}
		if n := len(env.Members(t, a.ID)); n != 3 {
			t.Fatalf("%d members, want 3", n)
		}
		var ev *audit.Entry
		for _, x := range auditEntries(t, env, a.ID) {
			if x.Action == "member.import" {
				ev = &x
			}
		}
		if ev == nil || ev.Actor.Type != audit.ActorAPIKey || ev.Actor.ID != writeKeyID {
			t.Fatalf("import event %+v", ev)
		}
		// The same file again: all unchanged; the mapping is remembered.
		r = wc.importBody("", "text/csv", []byte(importCSV))
		if res := r.JSON(t); res["unchanged"] != 3.0 || res["new"] != 0.0 || res["mapping_source"] != "remembered" {
			t.Errorf("second import: %s", r.Body)
		}

		// A workbook as the body, dates as Excel serial numbers, with a
		// mapping given.
		wb, err := os.ReadFile("../memberimport/testdata/excel-serial-dates.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		// Its Matti Virtanen, born 1.2.1980, is member 101 here under
		// another number: the dry run says so rather than guess.
		r = wc.importFile("?dry_run=true", "jasenet.xlsx", wb,
			`["member_number","last_name","first_name","birth_date","","joined_on"]`)
		if res := r.JSON(t); r.Status != http.StatusOK || res["new"] != 2.0 || res["mapping_source"] != "chosen" ||
			!slices.Equal(problemList(t, r), []string{"2/Jäsennumero/member_number"}) {
			t.Fatalf("xlsx dry run: %s", r.Body)
		}
		// In an association of its own the workbook imports whole.
		other := env.Association(t, "Toinen", 0)
		otherKey, _ := apiKey(t, env, other.ID, auth.ScopeWrite)
		if r := (client{t: t, srv: srv, key: otherKey}).importBody("", xlsxType, wb); r.Status != http.StatusOK || r.JSON(t)["new"] != 3.0 {
			t.Fatalf("xlsx import: %s", r.Body)
		}
		for _, m := range env.Members(t, other.ID) {
			if m.Number == 501 && (m.BirthDate.Format("2006-01-02") != "1980-02-01" || m.JoinedOn.Format("2006-01-02") != "2001-03-01") {
				t.Errorf("member 501: born %v, joined %v", m.BirthDate, m.JoinedOn)
			}
		}
		if n := len(env.Members(t, a.ID)); n != 3 {
			t.Fatalf("%d members, want 3", n)
		}
	})
}

// TestImportsAPIStaysInItsAssociation: another association's key sees
// none of A's members: the same file is all new there, and its import
// touches only B.
func TestImportsAPIStaysInItsAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "A ry", 0)
		b := env.Association(t, "B ry", 0)
		ka, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		kb, _ := apiKey(t, env, b.ID, auth.ScopeWrite)
		ca := client{t: t, srv: srv, key: ka}
		cb := client{t: t, srv: srv, key: kb}
		if r := ca.importBody("", "text/csv", []byte(importCSV)); r.Status != http.StatusOK {
			t.Fatalf("A: %d %s", r.Status, r.Body)
		}
		changed := strings.Replace(importCSV, "Virtanen", "Virtanen-Laine", 1)
		r := cb.importBody("?dry_run=true", "text/csv", []byte(changed))
		if res := r.JSON(t); res["new"] != 3.0 || res["updated"] != 0.0 || res["mapping_source"] != "suggested" {
			t.Fatalf("B's dry run sees A: %s", r.Body)
		}
		if r := cb.importBody("", "text/csv", []byte(changed)); r.Status != http.StatusOK {
			t.Fatalf("B: %d %s", r.Status, r.Body)
		}
		for _, m := range env.Members(t, a.ID) {
			if m.LastName == "Virtanen-Laine" {
				t.Fatal("B's import changed A's member")
			}
		}
		if n := len(env.Members(t, b.ID)); n != 3 {
			t.Fatalf("B has %d members", n)
		}
	})
}

// TestImportFieldsDocumented: the document's ImportField lists exactly the
// fields an import can fill.
func TestImportFieldsDocumented(t *testing.T) {
	doc, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	enum := doc["components"].(map[string]any)["schemas"].(map[string]any)["ImportField"].(map[string]any)["enum"].([]any)
	want := []any{""}
	for _, f := range memberimport.Fields {
		want = append(want, string(f))
	}
	if !reflect.DeepEqual(enum, want) {
		t.Errorf("ImportField enum %v, want %v", enum, want)
	}
}
