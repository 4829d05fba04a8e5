package web_test

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// TestBrowserRegisterPages, in headless Chromium on SQLite: the chair of a
// generated demo association logs in (with the second factor) in Finnish
// and goes through the register's pages beyond the members: fees, groups,
// a member's groups and household, reports and a built report, customers
// and the custom fields. Each page must show its heading and a row the
// demo data is known to have, with a clean console. It saves
// docs/screenshots/{fees,groups,member-groups,reports,report-builder,
// customers,settings-fields}.png.
func TestBrowserRegisterPages(t *testing.T) {
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Engines(t)[0])
	ctx := context.Background()
	res, err := demo.Populate(ctx, env.DB, env.Audit, demo.Plan{Members: 400, Associations: 1, Seed: 1, Today: env.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Associations[0]
	admin := env.User(t, "puheenjohtaja@example.fi", false, a.ID, auth.RoleAdmin)
	secret := env.EnrolTOTP(t, admin)
	rename(t, env, admin.ID, "Anna Virtanen")
	srv := env.Server(t)

	// A member in the choir who heads a household: the groups tab then
	// shows both.
	var memberID, household string
	if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
		return tx.QueryRow(ctx, `SELECT m.id, h.name FROM members m
			JOIN households h ON h.recipient_member_id = m.id AND h.association_id = $1
			JOIN group_members gm ON gm.member_id = m.id AND gm.association_id = $1
			JOIN groups g ON g.id = gm.group_id AND g.name = 'Kuoro'
			WHERE m.association_id = $1 ORDER BY m.member_number LIMIT 1`).Scan(&memberID, &household)
	}); err != nil {
		// Fall back to any choir member.
		if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			return tx.QueryRow(ctx, `SELECT gm.member_id FROM group_members gm JOIN groups g ON g.id = gm.group_id
				WHERE gm.association_id = $1 AND g.name = 'Kuoro' LIMIT 1`).Scan(&memberID)
		}); err != nil {
			t.Fatalf("no choir member in the demo: %v", err)
		}
	}

	bctx := startChromium(t, "fi", 90*time.Second)
	consoleClean := watchConsole(t, bctx)
	b := &browser{t: t, ctx: bctx, base: srv.URL}
	base := "/a/" + a.ID

	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), admin.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/login/mfa")
	code, err := auth.CodeAt(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	b.submit(`main form[action="/login/mfa"] button[type=submit]`)
	env.Clock.Advance(30 * time.Second)
	b.expectPath(base + "/")
	b.expectLang("fi")

	// Fees, with the current period.
	b.navigate(base + "/fees")
	b.expectText("main h1", "Jäsenmaksut")
	b.expectContains("#fee-list", demo.FeeAdult, "35,00\u00a0€", demo.FeeJunior, "15,00\u00a0€", demo.FeeSupporter, demo.FeeFamily)
	b.expectContains("#current-period", strconv.Itoa(clock.Today(env.Clock.Now()).Year()))
	b.expectStyled()
	b.screenshot("fees.png")

	// Groups by kind.
	b.navigate(base + "/groups")
	b.expectText("main h1", "Ryhmät")
	b.expectContains("#groups-activity", "Kuoro", "Sählyvuoro", "Retket")
	b.expectContains("#groups-section", "Juniorijaosto")
	b.expectContains("#groups-tag", "Talkooväki", "Lehti paperina")
	b.screenshot("groups.png")

	// A member's groups and household.
	b.navigate(base + "/members/" + memberID + "/groups")
	b.expectContains("#member-groups", "Kuoro")
	if household != "" {
		b.expectContains("#member-household", household)
	}
	b.screenshot("member-groups.png")

	// Reports, and a report built from the choir's members with their fee
	// and groups.
	b.navigate(base + "/reports")
	b.expectText("main h1", "Raportit")
	if b.count("#builtin-reports li") == 0 {
		t.Error("no built-in reports listed")
	}
	b.screenshot("reports.png")
	q := url.Values{"col": {"member_number", "full_name", "birth_date", "fee", "groups"},
		"rows": {"1"}, "f0_field": {"groups"}, "f0_op": {"contains"}, "f0_value": {"Kuoro"},
		"sort": {"last_name"}, "run": {"1"}}
	b.navigate(base + "/reports/builder?" + q.Encode())
	b.expectText("main h1", "Laadi raportti")
	if n := b.count("#report-results tbody tr"); n == 0 {
		t.Fatal("the built report has no rows")
	}
	b.expectContains("#report-results tbody", "Kuoro")
	b.screenshot("report-builder.png")

	// Customers.
	b.navigate(base + "/customers")
	b.expectText("main h1", "Asiakkaat")
	b.expectContains("#customer-list", "Kahvila Kulmakuppi Oy")
	b.screenshot("customers.png")

	// Custom fields, in the settings.
	b.navigate(base + "/settings/fields")
	b.expectText("main h1", "Lisäkentät")
	b.expectContains("#custom-fields", demo.FieldLicence, demo.FieldMeetGroup, demo.FieldPhotoAllow)
	b.screenshot("settings-fields.png")

	consoleClean()
}

// expectContains checks that the element's text has every one of want.
func (b *browser) expectContains(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s does not show %q: %q", sel, w, got)
		}
	}
}
