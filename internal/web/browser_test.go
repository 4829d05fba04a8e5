package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// screenshotDir is docs/screenshots at the repository root, seen from this
// package's directory, where go test runs.
const screenshotDir = "../../docs/screenshots"

// startChromium starts headless Chromium with a fresh profile, reading
// pages in lang, and returns its context; the browser ends with the test or
// after limit, and its output is logged when the test fails. Without a
// browser the test fails: CI must run it (SEURA_TEST_BROWSER_OPTIONAL=1
// allows skipping on a machine without one).
func startChromium(t *testing.T, lang string, limit time.Duration) context.Context {
	t.Helper()
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("SEURA_TEST_BROWSER_OPTIONAL") == "1" {
			t.Skip("no chromium found; SEURA_TEST_BROWSER_OPTIONAL=1 allows skipping")
		}
		t.Fatal("no chromium, chromium-browser or google-chrome on PATH; install chromium or set SEURA_TEST_BROWSER_OPTIONAL=1")
	}
	ctx, cancel := context.WithTimeout(t.Context(), limit)
	t.Cleanup(cancel)
	output := &lockedBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		if t.Failed() {
			t.Logf("browser output:\n%s", output.String())
		}
	})
	// The viewport is set exactly, so the screenshots do not depend on how
	// much of the window a Chromium version keeps for itself.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return bctx
}

// watchConsole collects everything the pages write to the browser's
// console: the CSP must not block anything and no script may fail. The
// function it returns closes the browser and fails the test for every
// message, except the missing favicon and those containing one of expected
// (a page answered 422 on purpose, say).
func watchConsole(t *testing.T, bctx context.Context, expected ...string) func() {
	var mu sync.Mutex
	var lines []string
	done := make(chan struct{})
	messages := chromedp.Console(bctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			line := m.String()
			if m.URL != "" {
				line += " at " + m.URL
			}
			mu.Lock()
			lines = append(lines, line)
			mu.Unlock()
		}
	}()
	return func() {
		t.Helper()
		if err := chromedp.Cancel(bctx); err != nil {
			t.Errorf("close browser: %v", err)
		}
		<-done
		mu.Lock()
		defer mu.Unlock()
	next:
		for _, m := range lines {
			for _, e := range append(expected, "favicon.ico") {
				if strings.Contains(m, e) {
					continue next
				}
			}
			t.Errorf("browser console: %s", m)
		}
	}
}

// findChromium returns the browser to drive, or "" when there is none.
func findChromium() string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// lockedBuffer collects the browser's output, which chromedp copies from
// another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBrowserLoginMFALanguageDashboard is the foundation's acceptance test:
// in headless Chromium, an administrator logs in with password and TOTP,
// switches the interface from Swedish (the browser's language) to Finnish
// and sees the dashboard with the right member count. It saves the pages
// as docs/screenshots/{login,mfa,dashboard,users}.png.
func TestBrowserLoginMFALanguageDashboard(t *testing.T) {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}

	// The application, on SQLite.
	env := testenv.New(t, testenv.Engines(t)[0])
	const members = 40
	a := env.Association(t, "Demoföreningen rf", members)
	admin := env.User(t, "puheenjohtaja@example.fi", false, a.ID, auth.RoleAdmin)
	secret := env.EnrolTOTP(t, admin)
	secretary := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
	// Real names read better in the screenshots than the fixtures' "Test …".
	rename(t, env, admin.ID, "Anna Virtanen")
	rename(t, env, secretary.ID, "Mikael Lindqvist")
	invite(t, env, a.ID, "rahastonhoitaja@example.fi", "Liisa Korhonen", auth.RoleGuest)
	srv := env.Server(t)

	// The browser. The timeout covers the whole run: when it ends, the
	// browser stops and every pending action fails.
	bctx := startChromium(t, "sv", 60*time.Second)

	started := time.Now()
	step := func(name string) func() {
		s := time.Now()
		return func() { t.Logf("%-28s %6.0f ms", name, float64(time.Since(s).Microseconds())/1000) }
	}

	consoleClean := watchConsole(t, bctx)

	b := &browser{t: t, ctx: bctx, base: srv.URL}
	dashboard := "/a/" + a.ID + "/"

	// The login page, in Swedish because the browser asks for Swedish.
	done := step("login page")
	b.navigate("/login")
	b.expectPath("/login")
	b.expectLang("sv")
	b.expectText("main h1", "Logga in")
	b.expectStyled()
	b.screenshot("login.png")
	done()

	// Password.
	done = step("password")
	b.do(chromedp.SendKeys(chromedp.ID("email"), admin.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/login/mfa")
	b.expectLang("sv")
	b.expectText("main h1", "Tvåstegsverifiering")
	b.screenshot("mfa.png")
	done()

	// Second factor: the server's clock is env.Clock, so the code comes
	// from it; the clock then moves on, as a used code cannot be used again.
	done = step("TOTP")
	code, err := auth.CodeAt(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	b.submit(`main form[action="/login/mfa"] button[type=submit]`)
	env.Clock.Advance(30 * time.Second)
	// An administrator of one association goes straight to its dashboard.
	b.expectPath(dashboard)
	b.expectLang("sv")
	b.expectText("#counts-h", "Medlemmar")
	done()

	// Finnish, with the language picker in the header.
	done = step("switch to Finnish")
	b.do(chromedp.SetValue(chromedp.ID("lang-pick"), "fi"))
	b.submit(`header form[action="/language"] button[type=submit]`)
	b.expectPath(dashboard)
	b.expectLang("fi")
	done()

	// The dashboard, loaded afresh: the choice stays.
	done = step("dashboard")
	b.navigate(dashboard)
	b.expectPath(dashboard)
	b.expectLang("fi")
	b.expectText("main h1", "Demoföreningen rf")
	b.expectText("#counts-h", "Jäsenet")
	b.expectText("#member-counts .status-active .label", "Aktiivinen")
	b.expectText("#member-counts .status-active .n", fmt.Sprint(members))
	b.expectText("#member-counts .total .label", "yhteensä")
	b.expectText("#member-counts .total .n", fmt.Sprint(members))
	b.expectText(`header nav a[href="`+dashboard+`members"]`, "Jäsenet")
	b.expectText(`header nav a[href="`+dashboard+`users"]`, "Käyttäjät")
	b.expectStyled()
	b.screenshot("dashboard.png")
	done()

	// The choice was saved on the account, not only in a cookie.
	var saved auth.User
	if err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		saved, err = auth.UserByID(context.Background(), tx, admin.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if saved.Language != "fi" {
		t.Errorf("account language after the switch = %q, want fi", saved.Language)
	}

	// The users page of an administrator.
	done = step("users page")
	b.navigate(dashboard + "users")
	b.expectPath(dashboard + "users")
	b.expectLang("fi")
	b.expectText("main h1", "Käyttäjät")
	if rows := b.count("main table tbody tr"); rows != 3 {
		t.Errorf("users table has %d rows, want 3", rows)
	}
	body := b.text("main table tbody")
	for _, want := range []string{"Anna Virtanen", admin.Email, "Mikael Lindqvist", "Liisa Korhonen",
		"kaksivaiheinen tunnistautuminen käytössä", "ei kaksivaiheista tunnistautumista", "kutsuttu"} {
		if !strings.Contains(body, want) {
			t.Errorf("users table lacks %q:\n%s", want, body)
		}
	}
	b.screenshot("users.png")
	done()

	// On a phone: the dashboard fits the screen without sideways scrolling.
	done = step("phone")
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	b.navigate(dashboard)
	b.expectText("#member-counts .total .n", fmt.Sprint(members))
	width, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Errorf("on a 390 px wide phone the dashboard is %d px wide", width)
	}
	b.screenshot("dashboard-phone.png")
	done()

	t.Logf("%-28s %6.0f ms", "browser run in all", float64(time.Since(started).Microseconds())/1000)

	consoleClean()
}

// invite adds a user who has not activated the account yet.
func invite(t *testing.T, env *testenv.Env, assocID, email, name string, role auth.Role) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorSystem, Label: "test"})
	if err := env.DB.For(assocID).Write(ctx, func(tx *store.TenantTx) error {
		_, err := env.Auth.AddUser(ctx, tx, email, name, role)
		return err
	}); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
}

// rename gives an account a display name.
func rename(t *testing.T, env *testenv.Env, userID, name string) {
	t.Helper()
	if err := env.DB.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE users SET name = $1 WHERE id = $2`, name, userID)
		return err
	}); err != nil {
		t.Fatalf("rename %s: %v", userID, err)
	}
}

// browser wraps a chromedp tab with the checks the test needs; each failure
// ends the test.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// navigate opens a path and waits for the page to load.
func (b *browser) navigate(path string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("open %s: status %d", path, resp.Status)
	}
}

// submit clicks a form's button and waits for the page the form leads to,
// after any redirects.
func (b *browser) submit(button string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		b.t.Fatalf("submit with %s: %v", button, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("submit with %s: landed on %s with status %d", button, resp.URL, resp.Status)
	}
}

func (b *browser) expectPath(path string) {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	if loc != b.base+path {
		b.t.Fatalf("at %s, want %s", strings.TrimPrefix(loc, b.base), path)
	}
}

func (b *browser) expectLang(lang string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		b.t.Fatal(err)
	}
	if got != lang {
		b.t.Fatalf(`page has lang=%q, want %q`, got, lang)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) expectText(sel, want string) {
	b.t.Helper()
	if got := b.text(sel); got != want {
		b.t.Errorf("%s reads %q, want %q", sel, got, want)
	}
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// expectStyled checks that the stylesheet loaded under the CSP: the body
// has the page background it sets.
func (b *browser) expectStyled() {
	b.t.Helper()
	bg, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil {
		b.t.Fatal(err)
	}
	if bg != "rgb(246, 247, 249)" {
		b.t.Errorf("body background %q: seura.css did not apply", bg)
	}
}

// screenshot saves the whole page under docs/screenshots.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.t.Fatalf("screenshot %s is not a PNG", name)
	}
	path := filepath.Join(screenshotDir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s (%d KiB)", path, len(png)/1024)
}
