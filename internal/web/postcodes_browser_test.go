package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// awaitPostcodeTown waits until the input id holds want, failing the test if it
// does not within a few seconds (the town is filled by a request).
func (b *browser) awaitPostcodeTown(id, want string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID(id)))
		if err != nil {
			b.t.Fatalf("value of %s: %v", id, err)
		}
		if got = v; got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("%s holds %q, want %q", id, got, want)
}

// clearTypedValue clears what was typed in input id (chromedp.Clear clears only the
// value attribute, which no longer shows once someone typed).
func (b *browser) clearTypedValue(id string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.getElementById(%q).value = "", true)`, id))); err != nil {
		b.t.Fatalf("empty %s: %v", id, err)
	}
}

// TestBrowserPostcodeTown, in headless Chromium on SQLite under the strict
// CSP: on the new customer form, typing a postcode fills the empty town in
// the language chosen for the card, a town the person typed is kept, and
// the card is saved with the town.
func TestBrowserPostcodeTown(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Demoföreningen rf", 0)
	secretary := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
	srv := env.Server(t)
	bctx := startChromium(t, "sv", 60*time.Second)
	consoleClean := watchConsole(t, bctx)
	b := &browser{t: t, ctx: bctx, base: srv.URL}

	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), secretary.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.navigate("/a/" + a.ID + "/customers/new")
	b.expectText("main h1", "Ny kund")

	b.do(
		chromedp.SendKeys(chromedp.ID("f-last_name"), "Sjöholm"),
		chromedp.SetValue(chromedp.ID("f-language"), "sv"),
		chromedp.SendKeys(chromedp.ID("f-postcode"), "65100"),
	)
	b.awaitPostcodeTown("f-town", "VASA")

	// A new postcode replaces the town the script filled.
	b.clearTypedValue("f-postcode")
	b.do(chromedp.SendKeys(chromedp.ID("f-postcode"), "00100"))
	b.awaitPostcodeTown("f-town", "HELSINGFORS")

	// A town typed by hand stays when the postcode changes.
	b.clearTypedValue("f-town")
	b.clearTypedValue("f-postcode")
	b.do(chromedp.SendKeys(chromedp.ID("f-town"), "Tölö"), chromedp.SendKeys(chromedp.ID("f-postcode"), "00250"))
	time.Sleep(300 * time.Millisecond) // give a wrong answer the time to arrive
	b.awaitPostcodeTown("f-town", "Tölö")

	b.submit(`form.member-form button[type=submit]`)
	b.expectText("main .notice", "Kunden lades till.")
	b.expectText("main h1", "Sjöholm")
	consoleClean()
}
