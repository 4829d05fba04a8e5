package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
	"seura.fi/seura/internal/web"
)

// goodCSV is a small member file as a Finnish spreadsheet saves it.
const goodCSV = "Jäsennumero;Sukunimi;Etunimi;Syntymäaika;Sähköposti;Puhelin;Lempiruoka\n" +
	"101;Virtanen;Matti;01.02.1980;matti@example.fi;040 123 4567;puuro\n" +
	"102;Korhonen;Liisa;03.04.1975;liisa@example.fi;;\n" +
	"103;Nieminen;Pekka;05.06.1990;;+358 50 765 4321;\n"

var jobPath = regexp.MustCompile(`^/a/[^/]+/members/import/([A-Za-z0-9_-]+)/status$`)

// upload posts a file from the import form and returns the job page it
// leads to.
func upload(t *testing.T, c *testenv.Client, base, name, content string) (string, testenv.Response) {
	t.Helper()
	c.Get(base + "/import")
	r := c.PostFile(base+"/import", nil, "file", name, []byte(content))
	if r.Status != http.StatusSeeOther || !jobPath.MatchString(r.Location) {
		t.Fatalf("upload %s: %d %q %s", name, r.Status, r.Location, r.Body)
	}
	return r.Location, c.Get(r.Location)
}

// waitJob reads the job page until it no longer refreshes itself.
func waitJob(t *testing.T, c *testenv.Client, path string) testenv.Response {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := c.Get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("job page: %d %s", r.Status, r.Body)
		}
		if !strings.Contains(r.Body, `http-equiv="refresh"`) {
			return r
		}
		if !strings.Contains(r.Body, `id="import-progress"`) {
			t.Fatal("a running job shows no progress")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish: %s", r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(body, id string) string {
	m := regexp.MustCompile(`id="count-` + id + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// selectedField returns the field chosen in the preview's mapping form for
// the column with this heading, and the option's label.
func selectedField(body, heading string) (string, string) {
	m := regexp.MustCompile(`<label for="col-(\d+)">` + regexp.QuoteMeta(heading) + `</label>`).FindStringSubmatch(body)
	if m == nil {
		return "?", ""
	}
	sel := regexp.MustCompile(`(?s)<select id="col-` + m[1] + `" name="col` + m[1] + `"[^>]*>(.*?)</select>`).FindStringSubmatch(body)
	if sel == nil {
		return "?", ""
	}
	opt := regexp.MustCompile(`<option value="([^"]*)" selected>([^<]*)</option>`).FindStringSubmatch(sel[1])
	if opt == nil {
		return "?", ""
	}
	return opt[1], opt[2]
}

func commitJob(t *testing.T, c *testenv.Client, path string) testenv.Response {
	t.Helper()
	r := c.Post(strings.TrimSuffix(path, "/status")+"/commit", nil)
	if r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("commit: %d %q %s", r.Status, r.Location, r.Body)
	}
	return waitJob(t, c, path)
}

func TestImportPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		other := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"

		if list := c.Get(base); !strings.Contains(list.Body, `href="`+base+`/import"`) {
			t.Fatal("the member list has no import link for a User")
		}
		form := c.Get(base + "/import")
		for _, want := range []string{`enctype="multipart/form-data"`, `accept=".csv,.xlsx,.txt"`, "20 MiB"} {
			if form.Status != http.StatusOK || !strings.Contains(form.Body, want) {
				t.Fatalf("upload form lacks %q (%d)", want, form.Status)
			}
		}

		// A file with a bad row: its problems by row and column, no Import
		// button, nothing written.
		before := len(env.AuditActions(t, a.ID))
		bad := strings.Replace(goodCSV, "03.04.1975", "31.02.1975", 1)
		_, r := upload(t, c, base, "jasenet.csv", bad)
		if !strings.Contains(r.Body, "rivi 3") || !strings.Contains(r.Body, "sarake Syntymäaika") {
			t.Errorf("the problem is not shown by row and column: %s", r.Body)
		}
		if count(r.Body, "problems") != "1" || strings.Contains(r.Body, "/commit") {
			t.Error("a file with a problem can be imported")
		}
		if len(env.Members(t, a.ID)) != 0 || len(env.AuditActions(t, a.ID)) != before {
			t.Fatal("checking a file wrote something")
		}

		// A good file: the preview, then the import.
		path, r := upload(t, c, base, "jasenet.csv", goodCSV)
		for _, want := range []string{"utf-8", `id="import-delimiter">;<`, "/commit"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if f, label := selectedField(r.Body, "Sukunimi"); f != "last_name" || label != "Sukunimi" {
			t.Errorf("column Sukunimi is mapped to %q (%q), want last_name (Sukunimi)", f, label)
		}
		if f, label := selectedField(r.Body, "Lempiruoka"); f != "" || label != "(ei tuoda)" {
			t.Errorf("column Lempiruoka is mapped to %q (%q), want ignored", f, label)
		}
		if count(r.Body, "new") != "3" || count(r.Body, "problems") != "0" {
			t.Fatalf("preview counts: new %s, problems %s", count(r.Body, "new"), count(r.Body, "problems"))
		}
		if len(env.Members(t, a.ID)) != 0 {
			t.Fatal("the preview wrote members")
		}

		// Another user of the association cannot see or import the job.
		c2 := testenv.NewClient(t, srv)
		c2.Login(env, other.Email, "")
		c2.Get(base)
		if r := c2.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("another user sees the job: %d", r.Status)
		}
		if r := c2.Post(strings.TrimSuffix(path, "/status")+"/commit", nil); r.Status != http.StatusNotFound {
			t.Errorf("another user commits the job: %d", r.Status)
		}
		if len(env.Members(t, a.ID)) != 0 {
			t.Fatal("another user's commit wrote members")
		}

		done := commitJob(t, c, path)
		if !strings.Contains(done.Body, "Tuotu: 3 uutta, 0 päivitetty.") {
			t.Fatalf("no result shown: %s", done.Body)
		}
		if n := len(env.Members(t, a.ID)); n != 3 {
			t.Fatalf("%d members after the import, want 3", n)
		}
		if !slices.Contains(env.AuditActions(t, a.ID), "member.import") {
			t.Error("the import is not in the audit log")
		}
		if r := c.Post(strings.TrimSuffix(path, "/status")+"/commit", nil); r.Status != http.StatusConflict {
			t.Errorf("a second commit of the same job: %d", r.Status)
		}

		// The same file again: all unchanged, nothing to import.
		_, r = upload(t, c, base, "jasenet.csv", goodCSV)
		if count(r.Body, "unchanged") != "3" || count(r.Body, "new") != "0" || strings.Contains(r.Body, "/commit") {
			t.Errorf("re-upload: unchanged %s, new %s", count(r.Body, "unchanged"), count(r.Body, "new"))
		}

		// A Guest may not upload.
		g := testenv.NewClient(t, srv)
		g.Login(env, guest.Email, "")
		g.Get(base)
		if r := g.PostFile(base+"/import", nil, "file", "jasenet.csv", []byte(goodCSV)); r.Status != http.StatusForbidden {
			t.Errorf("guest upload: %d", r.Status)
		}
		if list := g.Get(base); strings.Contains(list.Body, base+"/import") {
			t.Error("a Guest is offered the import")
		}

		// Too large: a clear error page, not a token error.
		c.Get(base + "/import")
		big := strings.Repeat("x", 21<<20)
		r = c.PostFile(base+"/import", nil, "file", "iso.csv", []byte(big))
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "liian suuri") {
			t.Errorf("oversize upload: %d", r.Status)
		}
		if n := len(env.Members(t, a.ID)); n != 3 {
			t.Fatalf("%d members, want 3", n)
		}
	})
}

// TestImportInBackground takes the path of a large file with a small one:
// the check and the import run as background jobs.
func TestImportInBackground(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		web.SetImportInlineRows(env.Web, 10)
		a := env.Association(t, "Kuoro ry", 0)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"

		var b strings.Builder
		b.WriteString("Jäsennumero;Sukunimi;Etunimi;Sähköposti\n")
		for i := 1; i <= 50; i++ {
			fmt.Fprintf(&b, "%d;Jäsen%d;Testi;jasen%d@example.fi\n", 1000+i, i, i)
		}
		path, _ := upload(t, c, base, "iso.csv", b.String())
		r := waitJob(t, c, path)
		if count(r.Body, "new") != "50" || !strings.Contains(r.Body, "/commit") {
			t.Fatalf("background check: new %s: %s", count(r.Body, "new"), r.Body)
		}
		r = commitJob(t, c, path)
		if !strings.Contains(r.Body, "Tuotu: 50 uutta, 0 päivitetty.") {
			t.Fatalf("background import: %s", r.Body)
		}
		if n := len(env.Members(t, a.ID)); n != 50 {
			t.Fatalf("%d members, want 50", n)
		}
		if !slices.Contains(env.AuditActions(t, a.ID), "member.import") {
			t.Error("the import is not in the audit log")
		}
	})
}

// TestUploadIsNotReadWithoutTheRole: an upload too large to accept is
// answered by the role check first (404 for another association, 403 for a
// Guest), not by reading it (which would answer 413).
func TestUploadIsNotReadWithoutTheRole(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "A ry", 0)
	b := env.Association(t, "B ry", 0)
	env.User(t, "a-user@example.fi", false, a.ID, auth.RoleUser)
	env.User(t, "b-guest@example.fi", false, b.ID, auth.RoleGuest)
	huge := make([]byte, 22<<20)
	for _, c := range []struct {
		email, assoc string
		want         int
	}{
		{"a-user@example.fi", b.ID, http.StatusNotFound},
		{"b-guest@example.fi", b.ID, http.StatusForbidden},
	} {
		cl := testenv.NewClient(t, env.Server(t))
		cl.Login(env, c.email, "")
		cl.Get("/associations")
		if r := cl.PostFile("/a/"+c.assoc+"/members/import", nil, "file", "big.csv", huge); r.Status != c.want {
			t.Errorf("%s uploading to %s: status %d, want %d", c.email, c.assoc, r.Status, c.want)
		}
	}
}

// remap posts a mapping from the preview, one field per column.
func remap(c *testenv.Client, path string, fields ...string) testenv.Response {
	form := url.Values{}
	for i, f := range fields {
		form.Set(fmt.Sprintf("col%d", i), f)
	}
	return c.Post(strings.TrimSuffix(path, "/status")+"/mapping", form)
}

// TestImportMappingIsEditableAndRemembered: a column the headings do not
// explain is mapped by hand, the file checked again and imported; the next
// file with the same headings gets the same mapping, and one sharing some
// headings gets the choices for those.
func TestImportMappingIsEditableAndRemembered(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		attacker := env.User(t, "toinen@example.fi", false, b.ID, auth.RoleUser)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"

		// "Nimi" is not a heading Suggest knows: the rows lack a last name.
		file := "Jäsennumero;Nimi;Etunimi;Syntymäaika\n" +
			"201;Virtanen;Matti;01.02.1980\n" +
			"202;Korhonen;Liisa;03.04.1975\n"
		path, r := upload(t, c, base, "jasenet.csv", file)
		if f, _ := selectedField(r.Body, "Nimi"); f != "" {
			t.Fatalf("Nimi is mapped to %q before the user chose", f)
		}
		if count(r.Body, "problems") != "2" || strings.Contains(r.Body, "/commit") {
			t.Fatalf("rows without a last name pass: problems %s", count(r.Body, "problems"))
		}

		// A mapping with one field twice: refused by name, the job as it was.
		r = remap(c, path, "member_number", "first_name", "first_name", "birth_date")
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Nimi") || !strings.Contains(r.Body, "Etunimi") {
			t.Fatalf("a doubled field: %d %s", r.Status, r.Body)
		}
		if r := c.Get(path); count(r.Body, "problems") != "2" {
			t.Fatal("a refused mapping changed the check")
		}

		// Neither another association's user nor a Guest may
		// change the mapping.
		x := testenv.NewClient(t, srv)
		x.Login(env, attacker.Email, "")
		x.Get("/a/" + b.ID + "/members")
		if r := remap(x, path, "member_number", "last_name", "first_name", "birth_date"); r.Status != http.StatusNotFound {
			t.Errorf("another association's remap: %d", r.Status)
		}
		if r := remap(x, strings.Replace(path, a.ID, b.ID, 1), "member_number", "last_name", "first_name", "birth_date"); r.Status != http.StatusNotFound {
			t.Errorf("the job under another association: %d", r.Status)
		}
		g := testenv.NewClient(t, srv)
		g.Login(env, guest.Email, "")
		g.Get(base)
		if r := remap(g, path, "member_number", "last_name", "first_name", "birth_date"); r.Status != http.StatusForbidden {
			t.Errorf("a Guest's remap: %d", r.Status)
		}

		// The user maps Nimi to the last name: the check passes.
		r = remap(c, path, "member_number", "last_name", "first_name", "birth_date")
		if r.Status != http.StatusSeeOther || r.Location != path {
			t.Fatalf("remap: %d %q %s", r.Status, r.Location, r.Body)
		}
		r = c.Get(path)
		if f, _ := selectedField(r.Body, "Nimi"); f != "last_name" || count(r.Body, "new") != "2" || count(r.Body, "problems") != "0" {
			t.Fatalf("after the remap: Nimi %q, new %s, problems %s", f, count(r.Body, "new"), count(r.Body, "problems"))
		}
		if len(env.Members(t, a.ID)) != 0 {
			t.Fatal("checking again wrote members")
		}
		done := commitJob(t, c, path)
		if !strings.Contains(done.Body, "Tuotu: 2 uutta, 0 päivitetty.") {
			t.Fatalf("import: %s", done.Body)
		}
		names := map[string]bool{}
		for _, m := range env.Members(t, a.ID) {
			names[m.LastName] = true
		}
		if !names["Virtanen"] || !names["Korhonen"] {
			t.Fatalf("last names after the import: %v", names)
		}

		// The same headings, differently written: the mapping is remembered.
		again := "JÄSENNUMERO;nimi;Etunimi;Syntymäaika\n203;Nieminen;Pekka;05.06.1990\n"
		_, r = upload(t, c, base, "uudet.csv", again)
		if f, _ := selectedField(r.Body, "nimi"); f != "last_name" || !strings.Contains(r.Body, `id="import-source"`) {
			t.Fatalf("the remembered mapping is not used: nimi %q", f)
		}
		if count(r.Body, "new") != "1" || count(r.Body, "problems") != "0" {
			t.Errorf("remembered mapping: new %s, problems %s", count(r.Body, "new"), count(r.Body, "problems"))
		}
		// Other headings that share Nimi: the latest choice for it, the
		// suggestion for the rest.
		partial := "Nimi;Etunimi;Sähköposti\nLaine;Anna;anna@example.fi\n"
		_, r = upload(t, c, base, "muut.csv", partial)
		if f, _ := selectedField(r.Body, "Nimi"); f != "last_name" {
			t.Errorf("the latest mapping is not used for a shared heading: Nimi %q", f)
		}
		if f, _ := selectedField(r.Body, "Sähköposti"); f != "email" {
			t.Errorf("Sähköposti %q, want email", f)
		}

		// Another association does not get A's mapping.
		x.Get("/a/" + b.ID + "/members/import")
		_, r = upload(t, x, "/a/"+b.ID+"/members", "jasenet.csv", file)
		if f, _ := selectedField(r.Body, "Nimi"); f != "" || strings.Contains(r.Body, `id="import-source"`) {
			t.Errorf("association B got A's mapping: Nimi %q", f)
		}
	})
}

// TestImportRemapInBackground: checking a large file again with a new
// mapping runs in the background, as the first check did.
func TestImportRemapInBackground(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		web.SetImportInlineRows(env.Web, 10)
		a := env.Association(t, "Kuoro ry", 0)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"
		var b strings.Builder
		b.WriteString("Jäsennumero;Nimi;Etunimi\n")
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&b, "%d;Jäsen%d;Testi\n", 1000+i, i)
		}
		path, _ := upload(t, c, base, "iso.csv", b.String())
		if r := waitJob(t, c, path); count(r.Body, "problems") != "30" {
			t.Fatalf("background check: problems %s", count(r.Body, "problems"))
		}
		if r := remap(c, path, "member_number", "last_name", "first_name"); r.Status != http.StatusSeeOther {
			t.Fatalf("remap: %d %s", r.Status, r.Body)
		}
		r := waitJob(t, c, path)
		if count(r.Body, "new") != "30" || !strings.Contains(r.Body, "/commit") {
			t.Fatalf("background check again: new %s, problems %s", count(r.Body, "new"), count(r.Body, "problems"))
		}
		if len(env.Members(t, a.ID)) != 0 {
			t.Fatal("checking wrote members")
		}
	})
}

// TestImportRefusedWhenFull: the UI says why an upload is refused: another
// open import of the association, or a server holding all it can.
func TestImportRefusedWhenFull(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "A ry", 0)
	b := env.Association(t, "B ry", 0)
	u1 := env.User(t, "a1@example.fi", false, a.ID, auth.RoleUser)
	u2 := env.User(t, "a2@example.fi", false, a.ID, auth.RoleUser)
	u3 := env.User(t, "b1@example.fi", false, b.ID, auth.RoleUser)
	srv := env.Server(t)
	web.SetImportMaxJobs(env.Web, 1)
	client := func(email string) *testenv.Client {
		c := testenv.NewClient(t, srv)
		c.Login(env, email, "")
		return c
	}
	c1, c2, c3 := client(u1.Email), client(u2.Email), client(u3.Email)
	upload(t, c1, "/a/"+a.ID+"/members", "jasenet.csv", goodCSV)

	c2.Get("/a/" + a.ID + "/members/import")
	r := c2.PostFile("/a/"+a.ID+"/members/import", nil, "file", "jasenet.csv", []byte(goodCSV))
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Yhdistyksellä on jo avoin tuonti") {
		t.Errorf("a second import in the association: %d %s", r.Status, r.Body)
	}
	c3.Get("/a/" + b.ID + "/members/import")
	r = c3.PostFile("/a/"+b.ID+"/members/import", nil, "file", "jasenet.csv", []byte(goodCSV))
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "niin monta tuontia kesken") {
		t.Errorf("an import over the server's limit: %d %s", r.Status, r.Body)
	}
	if len(env.Members(t, a.ID))+len(env.Members(t, b.ID)) != 0 {
		t.Error("a refused upload wrote members")
	}
}
