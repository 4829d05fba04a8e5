package web_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// TestBrowserMembers, in headless Chromium on SQLite: a secretary adds a
// member with the form (keyboard only, no script), sees a problem by its
// field, fixes it, marks the member as having left, finds the member in the
// list with a search and opens the card. It saves docs/screenshots/
// members.png (the list with a search) and member.png (the card).
func TestBrowserMembers(t *testing.T) {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Demoföreningen rf", 30)
	secretary := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
	rename(t, env, secretary.ID, "Mikael Lindqvist")
	srv := env.Server(t)

	bctx := startChromium(t, "sv", 60*time.Second)
	// The form with a bad date answers 422 on purpose.
	consoleClean := watchConsole(t, bctx, "status of 422")
	b := &browser{t: t, ctx: bctx, base: srv.URL}
	list := "/a/" + a.ID + "/members"

	// Log in (a User needs no second factor here).
	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), secretary.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/a/" + a.ID + "/")

	// The new member form, in Swedish: a date typed wrongly is shown by
	// its field and the rest of what was typed stays.
	b.navigate(list)
	b.expectText("main h1", "Medlemmar")
	b.submit(`main a[href="` + list + `/new"]`)
	b.expectText("main h1", "Ny medlem")
	b.do(
		chromedp.SendKeys(chromedp.ID("f-first_name"), "Ingrid"),
		chromedp.SendKeys(chromedp.ID("f-last_name"), "Sjöholm"),
		chromedp.SetValue(chromedp.ID("f-gender"), "woman"),
		chromedp.SendKeys(chromedp.ID("f-birth_date"), "31.02.1975"),
		chromedp.SendKeys(chromedp.ID("f-street"), "Strandgatan 4"),
		chromedp.SendKeys(chromedp.ID("f-postcode"), "65100"),
		chromedp.SendKeys(chromedp.ID("f-town"), "Vasa"),
		chromedp.SendKeys(chromedp.ID("f-email"), "ingrid.sjoholm@example.fi"),
		chromedp.SendKeys(chromedp.ID("f-phone"), "050 765 4321"),
		chromedp.SetValue(chromedp.ID("f-language"), "sv"),
	)
	resp, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form.member-form button[type=submit]`)))
	if err != nil || resp.Status != 422 {
		t.Fatalf("invalid card: %v, status %v", err, resp)
	}
	b.expectText("#err-birth_date", "datumet finns inte")
	if got, _ := chromedp.Run(bctx, chromedp.Value(chromedp.ID("f-street"))); got != "Strandgatan 4" {
		t.Errorf("the street typed was lost: %q", got)
	}
	b.do(chromedp.SetValue(chromedp.ID("f-birth_date"), "28.02.1975"))
	b.submit(`form.member-form button[type=submit]`)
	b.expectText("main .notice", "Medlemmen lades till.")
	b.expectText("main h1", "Sjöholm, Ingrid Aktiv")

	// She leaves the association, today (the date left empty).
	b.do(chromedp.Click(chromedp.CSS(`input[name=to][value=inactive]`)),
		chromedp.SendKeys(chromedp.ID("reason"), "Flyttade till Stockholm"))
	b.submit(`form[action$="/status"] button[type=submit]`)
	b.expectText("main .notice", "Medlemskapets status ändrades.")
	if h := b.text("#history tbody"); !strings.Contains(h, "Aktiv → Inaktiv") || !strings.Contains(h, "Flyttade till Stockholm") {
		t.Errorf("history reads %q", h)
	}

	// The everyday list does not find her; with every status it does.
	b.navigate(list)
	b.do(chromedp.SendKeys(chromedp.ID("q"), "sjöh"))
	b.submit(`form.search button[type=submit]`)
	if b.count("#no-members") != 1 {
		t.Error("a former member in the everyday list")
	}
	b.do(chromedp.Clear(chromedp.ID("q")), chromedp.SendKeys(chromedp.ID("q"), "050 765 4321"))
	b.do(chromedp.SetValue(chromedp.ID("status"), "all"))
	b.submit(`form.search button[type=submit]`)
	if n := b.count("#member-list tbody tr"); n != 1 {
		t.Fatalf("search by phone found %d rows", n)
	}
	b.expectText("#member-list tbody td:nth-child(2)", "Sjöholm, Ingrid")
	b.expectStyled()
	b.screenshot("members.png")

	b.submit(`#member-list tbody td:nth-child(2) a`)
	b.expectText("main h1", "Sjöholm, Ingrid Inaktiv")
	b.expectText(`nav.tabs a[aria-current="page"]`, "Grunduppgifter")
	b.screenshot("member.png")

	consoleClean()
}
