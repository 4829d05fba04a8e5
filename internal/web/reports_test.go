package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// lastAudit is the association's newest audit event.
func lastAudit(t *testing.T, env *testenv.Env, aid string) audit.Entry {
	t.Helper()
	var es []audit.Entry
	err := env.DB.For(aid).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		es, err = audit.List(context.Background(), tx, 0, 1)
		return err
	})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit: %v", err)
	}
	return es[0]
}

var savedLink = regexp.MustCompile(`^/a/[^/]+/reports/saved/([0-9a-f-]{36})\?msg=msg\.report_saved$`)

// TestReportPages runs built-in and built reports, exports them and the
// member list, saves a report, and checks what a Guest and another
// association may do.
func TestReportPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 250)
		b := env.Association(t, "Toinen ry", 0)
		ctx := context.Background()
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return member.InsertBatch(ctx, tx, env.Clock.Now(), []member.Member{{Number: 251, Status: member.StatusInactive,
				FirstName: "Entinen", LastName: "Jäsen", Municipality: "Mäntsälä"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/reports"

		r := c.Get(base)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="builtin-statutory"`) || !strings.Contains(r.Body, `id="no-saved"`) {
			t.Fatalf("reports page: %d", r.Status)
		}

		// The statutory list: the Active members only, audited as a read.
		r = c.Get(base + "/builtin/statutory")
		if r.Status != http.StatusOK || strings.Count(r.Body, "<tr>") != 201 || strings.Contains(r.Body, "Entinen") ||
			!strings.Contains(r.Body, `id="report-limited"`) || !strings.Contains(r.Body, `id="export-xlsx"`) {
			t.Fatalf("statutory list: %d, %d rows", r.Status, strings.Count(r.Body, "<tr>"))
		}
		if ev := lastAudit(t, env, a.ID); ev.Action != "report.run" || ev.Details["rows"] != float64(200) {
			t.Errorf("run audit: %s %v", ev.Action, ev.Details)
		}
		if r := c.Get(base + "/builtin/milestones?year=nineteen"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="year-error"`) {
			t.Errorf("bad year: %d", r.Status)
		}
		if r := c.Get(base + "/builtin/milestones?year=2026&from=1.1.2027"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="report-error"`) {
			t.Errorf("period outside the year: %d", r.Status)
		}
		if r := c.Get(base + "/builtin/milestones?year=2026&from=1.3.2026&to=31.3.2026"); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, `href="/a/`+a.ID+`/reports/export?builtin=milestones&amp;from=1.3.2026&amp;to=31.3.2026&amp;year=2026&amp;format=xlsx"`) {
			t.Errorf("milestones of a period: %d", r.Status)
		}
		if r := c.Get(base + "/builtin/nope"); r.Status != http.StatusNotFound {
			t.Errorf("unknown built-in: %d", r.Status)
		}

		// The builder works without JavaScript: "add a condition" comes back
		// with one more row.
		r = c.Get(base + "/builder?rows=1&f0_field=status&f0_op=equals&f0_value=inactive&add=1")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="f1_field"`) || strings.Contains(r.Body, `id="f2_field"`) ||
			strings.Contains(r.Body, `id="report-results"`) {
			t.Fatalf("add a condition: %d", r.Status)
		}
		q := url.Values{"col": {"member_number", "full_name", "municipality"}, "rows": {"1"}, "f0_field": {"status"},
			"f0_op": {"equals"}, "f0_value": {"inactive"}, "run": {"1"}}
		r = c.Get(base + "/builder?" + q.Encode())
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "<td>Jäsen, Entinen</td><td>Mäntsälä</td>") ||
			!strings.Contains(r.Body, `id="report-count"`) {
			t.Fatalf("built report: %d", r.Status)
		}
		bad := url.Values{"col": {"member_number"}, "rows": {"1"}, "f0_field": {"password_hash"}, "f0_op": {"equals"}, "run": {"1"}}
		if r := c.Get(base + "/builder?" + bad.Encode()); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="report-error"`) {
			t.Errorf("field outside the catalogue: %d", r.Status)
		}

		// Export of the built report, by its button: the file, its name, and
		// the audit record with the row count.
		link := regexp.MustCompile(`href="(/a/[^"]+/reports/export\?[^"]+format=csv)"`).FindStringSubmatch(r.Body)
		if link == nil {
			t.Fatal("no CSV button")
		}
		r = c.Get(strings.ReplaceAll(link[1], "&amp;", "&"))
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!regexp.MustCompile(`attachment; filename=(raportti|rapport)-2026-03-02\.csv`).MatchString(r.Header.Get("Content-Disposition")) ||
			!strings.HasSuffix(r.Body, "251;Jäsen, Entinen;Mäntsälä\r\n") {
			t.Fatalf("CSV export: %d %q %q", r.Status, r.Header.Get("Content-Disposition"), r.Body)
		}
		if ev := lastAudit(t, env, a.ID); ev.Action != "report.export" || ev.Details["rows"] != float64(1) || ev.Details["format"] != "csv" {
			t.Errorf("export audit: %s %v", ev.Action, ev.Details)
		}
		r = c.Get(base + "/export?builtin=statutory&format=pdf")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
			t.Errorf("PDF export: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		if ev := lastAudit(t, env, a.ID); ev.Details["rows"] != float64(250) || ev.Details["format"] != "pdf" {
			t.Errorf("PDF audit: %v", ev.Details)
		}
		if r := c.Get(base + "/export?builtin=statutory&format=docx"); r.Status != http.StatusBadRequest {
			t.Errorf("unknown format: %d", r.Status)
		}

		// The member list's export has every row of its search, not one page.
		r = c.Get("/a/" + a.ID + "/members/export?status=all&sort=last_name&format=xlsx")
		if r.Status != http.StatusOK || !regexp.MustCompile(`filename=(jasenet|medlemmar)-2026-03-02\.xlsx`).MatchString(r.Header.Get("Content-Disposition")) {
			t.Fatalf("member export: %d %q", r.Status, r.Header.Get("Content-Disposition"))
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) != 252 {
			t.Errorf("member export: %d rows, want 251 and the header", len(rows))
		}
		if ev := lastAudit(t, env, a.ID); ev.Action != "member.export" || ev.Details["rows"] != float64(251) ||
			ev.Details["filter"] != "sort=last_name&status=all" {
			t.Errorf("member export audit: %s %v", ev.Action, ev.Details)
		}
		// A search text is personal data: the trail records that there was
		// one, not what it was.
		r = c.Get("/a/" + a.ID + "/members/export?q=Virtanen&status=all&format=csv")
		if r.Status != http.StatusOK {
			t.Fatalf("member export with a search: %d", r.Status)
		}
		if ev := lastAudit(t, env, a.ID); ev.Action != "member.export" ||
			ev.Details["filter"] != "q=%288+characters%29&status=all" {
			t.Errorf("member export audit of a search: %v", ev.Details)
		}
		if r := c.Get("/a/" + a.ID + "/members/export?status=bogus&format=csv"); r.Status != http.StatusBadRequest {
			t.Errorf("bad member search: %d", r.Status)
		}

		// Save the built report; it is listed and runs again.
		c.Get(base + "/builder?" + q.Encode())
		save := url.Values{"kind": {"report"}, "name": {"Eronneet"}}
		for k, v := range q {
			save[k] = v
		}
		r = c.Post(base+"/save", save)
		m := savedLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q", r.Status, r.Location)
		}
		id := m[1]
		if r := c.Get(base + "/saved/" + id); r.Status != http.StatusOK || !strings.Contains(r.Body, "Jäsen, Entinen") {
			t.Errorf("saved report: %d", r.Status)
		}
		if r := c.Post(base+"/save", save); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="save-error"`) {
			t.Errorf("duplicate name: %d", r.Status)
		}
		// The member list links to the form that saves its search.
		r = c.Get(base + "/save-search?q=testi&status=all&cursor=abc")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="query" value="q=testi&amp;status=all"`) {
			t.Fatalf("save search form: %d", r.Status)
		}
		r = c.Post(base+"/save", url.Values{"kind": {"member_search"}, "name": {"Kaikki"}, "query": {"q=testi&status=all"}})
		if m := savedLink.FindStringSubmatch(r.Location); m == nil {
			t.Fatalf("save search: %d %q", r.Status, r.Location)
		} else if r := c.Get(base + "/saved/" + m[1]); r.Status != http.StatusSeeOther || r.Location != "/a/"+a.ID+"/members?q=testi&status=all" {
			t.Errorf("saved search opens %d %q", r.Status, r.Location)
		}

		// Another association's id is 404, for reading, exporting and
		// deleting, even for someone with a role in both.
		env.User(t, "molemmat@example.fi", false, b.ID, auth.RoleAdmin)
		both := env.User(t, "kaksi@example.fi", false, b.ID, auth.RoleUser)
		_ = both
		other := testenv.NewClient(t, srv)
		other.Login(env, "kaksi@example.fi", "")
		ob := "/a/" + b.ID + "/reports"
		if r := other.Get(ob + "/saved/" + id); r.Status != http.StatusNotFound {
			t.Errorf("other association read the report: %d", r.Status)
		}
		if r := other.Get(ob + "/export?saved=" + id + "&format=csv"); r.Status != http.StatusNotFound {
			t.Errorf("other association exported the report: %d", r.Status)
		}
		other.Get(ob)
		if r := other.Post(ob+"/saved/"+id+"/delete", nil); r.Status != http.StatusNotFound {
			t.Errorf("other association deleted the report: %d", r.Status)
		}
		if r := other.Get(base + "/saved/" + id); r.Status != http.StatusNotFound {
			t.Errorf("outsider read the report: %d", r.Status)
		}

		// A guest reads reports but may not export personal data.
		g := testenv.NewClient(t, srv)
		g.Login(env, "vieras@example.fi", "")
		r = g.Get(base + "/builtin/statutory")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="export-needs-user"`) || strings.Contains(r.Body, `id="export-csv"`) {
			t.Errorf("guest's report page: %d", r.Status)
		}
		before := len(env.AuditActions(t, a.ID))
		for _, path := range []string{base + "/export?builtin=statutory&format=csv", "/a/" + a.ID + "/members/export?format=csv"} {
			if r := g.Get(path); r.Status != http.StatusForbidden || strings.Contains(r.Body, "Testi") {
				t.Errorf("guest export %s: %d", path, r.Status)
			}
		}
		if after := len(env.AuditActions(t, a.ID)); after != before {
			t.Errorf("guest's refused export audited as a read: %d events", after-before)
		}

		// Deleting the saved report.
		c.Get(base)
		if r := c.Post(base+"/saved/"+id+"/delete", nil); r.Status != http.StatusSeeOther {
			t.Errorf("delete: %d", r.Status)
		}
		if r := c.Get(base + "/saved/" + id); r.Status != http.StatusNotFound {
			t.Errorf("deleted report: %d", r.Status)
		}
	})
}
