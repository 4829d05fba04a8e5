package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

var feeLink = regexp.MustCompile(`href="/a/[^/]+/fees/([0-9a-f-]{36})">([^<]+)</a>`)

// feeIDs maps fee names to ids as the fee list links them.
func feeIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range feeLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// memberFee reads a member's fee id straight from the register.
func memberFee(t *testing.T, env *testenv.Env, aid, mid string) string {
	t.Helper()
	var id string
	err := env.DB.For(aid).Read(context.Background(), func(tx *store.TenantTx) error {
		f, ok, err := fee.OfMember(context.Background(), tx, mid)
		if ok {
			id = f.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func countOf(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}

// TestFeePages sets up fees as an administrator, changes a member's fee on
// the card as a user, checks a guest only reads, and runs a period change
// with its preview.
func TestFeePages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Urheiluseura ry", 0)
		srv := env.Server(t)
		admin := env.User(t, "rahastonhoitaja@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, secret)
		base := "/a/" + a.ID + "/fees"

		// Bad input: every problem by its field, the typed values kept,
		// nothing written.
		before := len(env.AuditActions(t, a.ID))
		ac.Get(base + "/new")
		r := ac.Post(base+"/new", url.Values{"name": {""}, "price": {"-5"}, "age_from": {"200"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad fee: %d", r.Status)
		}
		for _, field := range []string{"name", "price", "age_from"} {
			if !strings.Contains(r.Body, `id="err-`+field+`"`) {
				t.Errorf("no problem shown by %s", field)
			}
		}
		if !strings.Contains(r.Body, `value="200"`) || !strings.Contains(r.Body, "ei voi olla negatiivinen") {
			t.Error("the form lost the age or the problem is not in Finnish")
		}
		if len(env.AuditActions(t, a.ID)) != before {
			t.Fatal("a bad fee wrote something")
		}

		for _, f := range []url.Values{
			{"name": {"Juniori"}, "price": {"10,00"}, "age_from": {"0"}, "age_based": {"on"}, "is_default": {"on"}},
			{"name": {"Aikuinen"}, "price": {"25.50"}, "age_from": {"18"}, "age_based": {"on"}, "product": {"3010"}},
			{"name": {"Kannatus"}, "price": {"50"}, "description": {"Kannatusjäsenet"}},
		} {
			if r := ac.Post(base+"/new", f); r.Status != http.StatusSeeOther {
				t.Fatalf("add fee %s: %d %s", f.Get("name"), r.Status, r.Body)
			}
		}
		r = ac.Get(base + "?msg=msg.fee_saved")
		ids := feeIDs(r.Body)
		if len(ids) != 3 || !strings.Contains(r.Body, "25,50\u00a0€") || !strings.Contains(r.Body, "Maksu tallennettiin.") {
			t.Fatalf("fee list: %v\n%s", ids, r.Body)
		}
		// A duplicate name is refused by the name field.
		if r := ac.Post(base+"/new", url.Values{"name": {"Kannatus"}, "price": {"1"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="err-name"`) {
			t.Errorf("duplicate fee name: %d", r.Status)
		}

		// New members get the default fee (junior), through the card form.
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		uc := testenv.NewClient(t, srv)
		uc.Login(env, user.Email, "")
		uc.Get("/a/" + a.ID + "/members/new")
		form := personForm()
		form.Set("birth_date", "1.1.2009")
		r = uc.Post("/a/"+a.ID+"/members/new", form)
		m := memberLink.FindStringSubmatch(r.Location)
		if m == nil {
			t.Fatalf("add member: %d %s", r.Status, r.Location)
		}
		mid := m[1]
		if got := memberFee(t, env, a.ID, mid); got != ids["Juniori"] {
			t.Fatalf("new member's fee %q; want junior", got)
		}
		card := uc.Get("/a/" + a.ID + "/members/" + mid)
		if !strings.Contains(card.Body, `id="member-fee-name">Juniori`) || !strings.Contains(card.Body, `/members/`+mid+`/fee"`) {
			t.Fatalf("card does not show the fee or the change form:\n%s", card.Body)
		}
		// The user changes the fee from the card.
		r = uc.Post("/a/"+a.ID+"/members/"+mid+"/fee", url.Values{"fee_id": {ids["Kannatus"]}})
		if r.Status != http.StatusSeeOther || memberFee(t, env, a.ID, mid) != ids["Kannatus"] {
			t.Fatalf("change fee: %d %q", r.Status, r.Location)
		}
		if got := countOf(env.AuditActions(t, a.ID), "member.fee"); got != 1 {
			t.Errorf("%d member.fee events; want 1", got)
		}
		// Users cannot set fees up.
		if r := uc.Get(base + "/new"); r.Status != http.StatusForbidden {
			t.Errorf("user new fee form: %d", r.Status)
		}

		// A guest reads the fees and the card but is offered no change and
		// cannot make one.
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		gc := testenv.NewClient(t, srv)
		gc.Login(env, guest.Email, "")
		if r := gc.Get(base); r.Status != http.StatusOK || strings.Contains(r.Body, base+"/new") {
			t.Errorf("guest fee list: %d, offers a new fee", r.Status)
		}
		if r := gc.Get(base + "/" + ids["Kannatus"]); r.Status != http.StatusOK || !strings.Contains(r.Body, "Äijälä") ||
			strings.Contains(r.Body, "/delete") {
			t.Errorf("guest fee members: %d", r.Status)
		}
		if r := gc.Get("/a/" + a.ID + "/members/" + mid); strings.Contains(r.Body, `/members/`+mid+`/fee"`) {
			t.Error("guest is offered the fee change")
		}
		if r := gc.Post("/a/"+a.ID+"/members/"+mid+"/fee", url.Values{"fee_id": {ids["Aikuinen"]}}); r.Status != http.StatusForbidden {
			t.Errorf("guest fee change: %d", r.Status)
		}
		if r := gc.Post(base+"/"+ids["Kannatus"]+"/delete", nil); r.Status != http.StatusForbidden {
			t.Errorf("guest fee delete: %d", r.Status)
		}
		if memberFee(t, env, a.ID, mid) != ids["Kannatus"] {
			t.Fatal("a guest changed the fee")
		}

		// A fee in use cannot be deleted; the reason is shown.
		ac.Get(base + "/" + ids["Kannatus"])
		if r := ac.Post(base+"/"+ids["Kannatus"]+"/delete", nil); r.Status != http.StatusConflict ||
			!strings.Contains(r.Body, "se on vielä 1 jäsenellä") {
			t.Errorf("delete fee in use: %d", r.Status)
		}

		// Period change: back on the junior fee, the member turns 18 on the
		// new period's first day and moves to the adult fee after the
		// preview is confirmed.
		uc.Get("/a/" + a.ID + "/members/" + mid)
		uc.Post("/a/"+a.ID+"/members/"+mid+"/fee", url.Values{"fee_id": {ids["Juniori"]}})
		r = ac.Get("/a/" + a.ID + "/periods")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="01.01.2026"`) {
			t.Fatalf("period page: %d\n%s", r.Status, r.Body)
		}
		if r := ac.Get("/a/" + a.ID + "/periods/preview?starts_on=31.02.2027"); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="err-starts_on"`) {
			t.Errorf("preview with a bad date: %d", r.Status)
		}
		r = ac.Get("/a/" + a.ID + "/periods/preview?starts_on=1.1.2027&ends_on=")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "1 jäsentä siirtyy") || !strings.Contains(r.Body, "<td>Aikuinen</td>") {
			t.Fatalf("preview: %d\n%s", r.Status, r.Body)
		}
		if memberFee(t, env, a.ID, mid) != ids["Juniori"] {
			t.Fatal("the preview moved the member")
		}
		fp := regexp.MustCompile(`name="fingerprint" value="([0-9a-f]+)"`).FindStringSubmatch(r.Body)
		if fp == nil {
			t.Fatal("no fingerprint in the confirmation form")
		}
		// Client.Post adds its CSRF token to the values, so each post gets
		// its own copy.
		confirm := func() url.Values {
			return url.Values{"starts_on": {"01.01.2027"}, "ends_on": {"31.12.2027"}, "fingerprint": {fp[1]}}
		}
		// A user cannot start a period.
		if r := uc.Post("/a/"+a.ID+"/periods", confirm()); r.Status != http.StatusForbidden {
			t.Errorf("user period change: %d", r.Status)
		}
		stale := url.Values{"starts_on": {"01.01.2027"}, "ends_on": {"31.12.2027"}, "fingerprint": {"0000"}}
		if r := ac.Post("/a/"+a.ID+"/periods", stale); r.Status != http.StatusConflict {
			t.Errorf("stale confirmation: %d", r.Status)
		}
		if r := ac.Post("/a/"+a.ID+"/periods", confirm()); r.Status != http.StatusSeeOther {
			t.Fatalf("confirm period change: %d %s", r.Status, r.Body[strings.Index(r.Body, "<main"):])
		}
		if got := memberFee(t, env, a.ID, mid); got != ids["Aikuinen"] {
			t.Fatalf("after the period change the member is on %q; want adult", got)
		}
		// Confirming again (a double click) moves nobody and records nothing more.
		ac.Get("/a/" + a.ID + "/periods")
		if r := ac.Post("/a/"+a.ID+"/periods", confirm()); r.Status != http.StatusSeeOther {
			t.Fatalf("second confirmation: %d", r.Status)
		}
		acts := env.AuditActions(t, a.ID)
		if countOf(acts, "period.change") != 1 || countOf(acts, "fee.create") != 3 {
			t.Errorf("audit: %v", acts)
		}
		if r := gc.Get("/a/" + a.ID + "/periods"); r.Status != http.StatusOK || !strings.Contains(r.Body, "01.01.2027") ||
			strings.Contains(r.Body, "/periods/preview") {
			t.Errorf("guest period page: %d", r.Status)
		}
	})
}

// TestFeePagesIsolation: fee and member ids of another association give 404
// and change nothing.
func TestFeePagesIsolation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Oma ry", 1)
		b := env.Association(t, "Vieras ry", 1)
		ctx := context.Background()
		var theirs fee.Fee
		if err := env.DB.For(b.ID).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			theirs, err = fee.Create(ctx, tx, env.Audit, env.Clock.Now(), fee.Fee{Name: "Heidän maksu", PriceCents: 100})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		mine, their := env.Members(t, a.ID)[0], env.Members(t, b.ID)[0]
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, admin.Email, secret)
		base := "/a/" + a.ID
		for _, path := range []string{"/fees/" + theirs.ID, "/fees/" + theirs.ID + "/edit"} {
			if r := c.Get(base + path); r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, r.Status)
			}
		}
		c.Get(base + "/fees")
		for path, form := range map[string]url.Values{
			"/fees/" + theirs.ID + "/edit":    {"name": {"Kaapattu"}, "price": {"0"}},
			"/fees/" + theirs.ID + "/delete":  nil,
			"/members/" + mine.ID + "/fee":    {"fee_id": {theirs.ID}},
			"/members/" + their.ID + "/fee":   {"fee_id": {""}},
			"/members/" + mine.ID + "/fee?x=": {"fee_id": {"not-a-fee"}},
		} {
			if r := c.Post(base+path, form); r.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d", path, r.Status)
			}
		}
		// Their fee is intact.
		if err := env.DB.For(b.ID).Read(ctx, func(tx *store.TenantTx) error {
			f, err := fee.Get(ctx, tx, theirs.ID)
			if f.Name != "Heidän maksu" {
				t.Errorf("their fee changed: %+v", f)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if memberFee(t, env, a.ID, mine.ID) != "" {
			t.Error("my member got another association's fee")
		}
		if acts := env.AuditActions(t, a.ID); slices.Contains(acts, "member.fee") || slices.Contains(acts, "fee.update") {
			t.Errorf("audit shows changes: %v", acts)
		}
	})
}

// TestFeeCardInactiveMember: the card of a former member shows the fee but
// offers no change, and a posted change is refused.
func TestFeeCardInactiveMember(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kerho ry", 0)
		ctx := context.Background()
		var f fee.Fee
		var m member.Member
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			if f, err = fee.Create(ctx, tx, env.Audit, env.Clock.Now(), fee.Fee{Name: "Perus", PriceCents: 2000, IsDefault: true}); err != nil {
				return err
			}
			m, err = member.Create(ctx, tx, env.Audit, env.Clock.Now(), member.Member{Status: member.StatusInactive,
				FirstName: "Entinen", LastName: "Jäsen", LeftOn: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		user := env.User(t, "u@example.fi", false, a.ID, auth.RoleUser)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, user.Email, "")
		card := c.Get("/a/" + a.ID + "/members/" + m.ID)
		if !strings.Contains(card.Body, `id="member-fee-name">Perus`) || strings.Contains(card.Body, `name="fee_id"`) {
			t.Fatalf("inactive member's card:\n%s", card.Body)
		}
		if r := c.Post("/a/"+a.ID+"/members/"+m.ID+"/fee", url.Values{"fee_id": {""}}); r.Status != http.StatusConflict {
			t.Errorf("fee change of an inactive member: %d", r.Status)
		}
		if memberFee(t, env, a.ID, m.ID) != f.ID {
			t.Error("the inactive member's fee changed")
		}
	})
}
