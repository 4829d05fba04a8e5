package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// TestBrowserImport, in headless Chromium on SQLite: a secretary uploads a
// member file with an impossible date and sees the preview name the row,
// the column and the reason (saved as docs/screenshots/import-preview.png);
// she uploads the corrected file, maps a column the headings did not
// explain, checks again, imports, and finds the members in the list.
func TestBrowserImport(t *testing.T) {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Kyläyhdistys ry", 0)
	secretary := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
	rename(t, env, secretary.ID, "Liisa Korhonen")
	srv := env.Server(t)

	dir := t.TempDir()
	header := "Jäsennumero;Sukunimi;Etunimi;Syntymäaika;Sähköposti;Puhelin;Kotiseutu\n"
	rows := "1;Virtanen;Matti;01.02.1980;matti.virtanen@example.fi;040 123 4567;Kuopio\n" +
		"2;Korhonen;Aino;31.02.1975;aino.korhonen@example.fi;;Siilinjärvi\n" +
		"3;Mäkinen;Pekka;05.06.1990;;050 765 4321;Kuopio\n" +
		"4;Nieminen;Helmi;17.09.2004;helmi.nieminen@example.fi;;Leppävirta\n"
	bad := filepath.Join(dir, "jasenrekisteri.csv")
	fixed := filepath.Join(dir, "jasenrekisteri-korjattu.csv")
	if err := os.WriteFile(bad, []byte(header+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixed, []byte(header+strings.Replace(rows, "31.02.1975", "28.02.1975", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	bctx := startChromium(t, "fi", 60*time.Second)
	consoleClean := watchConsole(t, bctx)
	b := &browser{t: t, ctx: bctx, base: srv.URL}
	list := "/a/" + a.ID + "/members"

	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), secretary.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/a/" + a.ID + "/")

	// The upload form, from the member list.
	b.navigate(list)
	b.submit(`main a[href="` + list + `/import"]`)
	b.expectText("main h1", "Jäsenten tuonti")
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}))
	b.submit(`main form[action="` + list + `/import"] button[type=submit]`)

	// The preview: one bad row, by row, column and reason; no import.
	b.expectText("#count-new", "3")
	b.expectText("#count-problems", "1")
	b.expectText("#import-problems tbody td:nth-child(1)", "rivi 3")
	b.expectText("#import-problems tbody td:nth-child(2)", "sarake Syntymäaika")
	b.expectText("#import-problems tbody td:nth-child(3)", "päivämäärää ei ole olemassa")
	if b.count("#import-commit") != 0 {
		t.Fatal("a file with a bad row can be imported")
	}
	b.expectStyled()
	b.screenshot("import-preview.png")
	if n := len(env.Members(t, a.ID)); n != 0 {
		t.Fatalf("the preview wrote %d members", n)
	}

	// The corrected file; Kotiseutu is not a heading the import knows,
	// so the secretary maps it to the home municipality and checks again.
	b.navigate(list + "/import")
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{fixed}))
	b.submit(`main form[action="` + list + `/import"] button[type=submit]`)
	b.expectText("#count-problems", "0")
	b.expectText(`label[for="col-6"]`, "Kotiseutu")
	if v, _ := chromedp.Run(bctx, chromedp.Value(chromedp.ID("col-6"))); v != "" {
		t.Fatalf("Kotiseutu is mapped to %q before the secretary chose", v)
	}
	b.do(chromedp.SetValue(chromedp.ID("col-6"), "municipality"))
	b.submit(`#import-remap`)
	if v, _ := chromedp.Run(bctx, chromedp.Value(chromedp.ID("col-6"))); v != "municipality" {
		t.Fatalf("after checking again Kotiseutu is mapped to %q", v)
	}
	b.expectText("#count-new", "4")

	// The import runs in the background; the page refreshes itself until
	// it is done.
	b.submit(`#import-commit`)
	b.do(chromedp.WaitVisible(chromedp.ID("import-done")))
	b.expectText("#import-done", "Tuotu: 4 uutta, 0 päivitetty.")

	b.navigate(list)
	if n := b.count("#member-list tbody tr"); n != 4 {
		t.Fatalf("the list shows %d members, want 4", n)
	}
	for _, m := range env.Members(t, a.ID) {
		if m.Municipality == "" {
			t.Errorf("member %d has no municipality", m.Number)
		}
	}
	consoleClean()
}
