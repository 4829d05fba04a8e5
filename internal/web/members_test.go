package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

var memberLink = regexp.MustCompile(`^/a/[^/]+/members/([0-9a-f-]{36})\?msg=msg\.member_added$`)

// personForm is a valid new person's card as the form posts it.
func personForm() url.Values {
	return url.Values{"kind": {"person"}, "status": {"active"}, "first_name": {"Aino"}, "last_name": {"Äijälä"},
		"gender": {"woman"}, "birth_date": {"3.4.1980"}, "street": {"Mannerheimintie 1"}, "postcode": {"00100"},
		"town": {"Helsinki"}, "country": {"FI"}, "email": {"Aino.Aijala@Example.fi"}, "phone": {"040 123 4567"},
		"language": {"fi"}, "joined_on": {"01.02.2020"}, "notes": {"Laulaa altossa"}}
}

// TestMemberPages adds, edits, changes the status of and searches members
// through the pages, as a User, and checks what a Guest and an
// Administrator see.
func TestMemberPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 3)
		b := env.Association(t, "Toinen ry", 0)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"

		// A card with problems: 422, each problem by its field, the typed
		// values kept, nothing written.
		before := len(env.AuditActions(t, a.ID))
		c.Get(base + "/new")
		bad := personForm()
		bad.Set("last_name", "")
		bad.Set("birth_date", "31.02.1980")
		bad.Set("postcode", "123")
		bad.Set("email", "not an address")
		r := c.Post(base+"/new", bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid card: %d", r.Status)
		}
		for _, field := range []string{"last_name", "birth_date", "postcode", "email"} {
			if !strings.Contains(r.Body, `id="err-`+field+`"`) || !strings.Contains(r.Body, `aria-describedby="`) {
				t.Errorf("no problem shown by field %s", field)
			}
		}
		for _, kept := range []string{`value="31.02.1980"`, `value="not an address"`, `value="Mannerheimintie 1"`, "Laulaa altossa"} {
			if !strings.Contains(r.Body, kept) {
				t.Errorf("the form lost %s", kept)
			}
		}
		if strings.Contains(r.Body, `id="err-first_name"`) {
			t.Error("a problem shown by a field that has none")
		}
		if !strings.Contains(r.Body, "pakollinen tieto") {
			t.Error("'required' is not in Finnish")
		}
		if after := len(env.AuditActions(t, a.ID)); after != before || len(env.Members(t, a.ID)) != 3 {
			t.Fatal("an invalid card wrote something")
		}

		// A good card.
		r = c.Post(base+"/new", personForm())
		m := memberLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("add member: %d %q %s", r.Status, r.Location, r.Body)
		}
		id := m[1]
		card := c.Get(r.Location)
		for _, want := range []string{"Aino", "Äijälä", "03.04.1980", "aino.aijala@example.fi", "358401234567", "01.02.2020",
			"Jäsen lisättiin.", `/members/` + id + `/edit`} {
			if !strings.Contains(card.Body, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		if !strings.Contains(card.Body, `value="inactive"`) || strings.Contains(card.Body, `value="rejected"`) {
			t.Error("the card offers the wrong status changes for an active member")
		}
		if strings.Contains(card.Body, "/delete") {
			t.Error("a User is offered the delete button")
		}

		// An organisation.
		c.Get(base + "/new")
		r = c.Post(base+"/new", url.Values{"kind": {"organisation"}, "status": {"applied"},
			"organisation_name": {"Helsingin Laulu ry"}, "business_id": {"0112038-9"}, "country": {"FI"}, "language": {"sv"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add organisation: %d %s", r.Status, r.Body)
		}
		orgID := memberLink.FindStringSubmatch(r.Location)[1]

		// Edit.
		edit := c.Get(base + "/" + id + "/edit")
		if edit.Status != http.StatusOK || !strings.Contains(edit.Body, `value="03.04.1980"`) {
			t.Fatalf("edit form: %d", edit.Status)
		}
		changed := personForm()
		changed.Del("status")
		changed.Set("town", "Espoo")
		changed.Set("postcode", "02100")
		changed.Set("joined_on", "2.13.2020")
		if r := c.Post(base+"/"+id+"/edit", changed); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="err-joined_on"`) || !strings.Contains(r.Body, `value="Espoo"`) {
			t.Fatalf("edit with a bad date: %d", r.Status)
		}
		changed.Set("joined_on", "01.02.2020")
		if r := c.Post(base+"/"+id+"/edit", changed); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if card := c.Get(base + "/" + id); !strings.Contains(card.Body, "02100 Espoo") {
			t.Fatal("the edit did not show on the card")
		}

		// Status change: leaving, with a date and a reason, then in the history.
		c.Get(base + "/" + id)
		if r := c.Post(base+"/"+id+"/status", url.Values{"to": {"inactive"}, "on_date": {"1.1.2019"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "ei voi olla ennen liittymispäivää") {
			t.Fatalf("leaving before joining: %d", r.Status)
		}
		if r := c.Post(base+"/"+id+"/status", url.Values{"to": {"rejected"}}); r.Status != http.StatusConflict {
			t.Fatalf("a transition the table refuses: %d", r.Status)
		}
		r = c.Post(base+"/"+id+"/status", url.Values{"to": {"inactive"}, "on_date": {"31.12.2025"}, "reason": {"Muutti Ouluun"}})
		if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/history?msg=msg.status_changed") {
			t.Fatalf("leave: %d %q", r.Status, r.Location)
		}
		hist := c.Get(r.Location)
		for _, want := range []string{"Aktiivinen → Eronnut", "31.12.2025", "Muutti Ouluun", "sihteeri@example.fi", `aria-current="page"`} {
			if !strings.Contains(hist.Body, want) {
				t.Errorf("history lacks %q", want)
			}
		}
		// A former member cannot be edited; the card says why.
		if r := c.Get(base + "/" + id + "/edit"); !strings.Contains(r.Body, `id="not-editable"`) {
			t.Error("the edit form of a former member does not explain")
		}
		if r := c.Post(base+"/"+id+"/edit", changed); r.Status != http.StatusConflict {
			t.Errorf("editing a former member: %d", r.Status)
		}
		// Approving the organisation's application.
		c.Get(base + "/" + orgID)
		if r := c.Post(base+"/"+orgID+"/status", url.Values{"to": {"active"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d", r.Status)
		}

		// Search: the everyday list shows Active members; "all" shows the
		// former member too.
		search := func(q, status string) string {
			t.Helper()
			r := c.Get(base + "?" + url.Values{"q": {q}, "status": {status}}.Encode())
			if r.Status != http.StatusOK {
				t.Fatalf("search %q: %d", q, r.Status)
			}
			return r.Body
		}
		if body := search("äijälä", ""); strings.Contains(body, "Aino") {
			t.Error("a former member in the everyday list")
		}
		for _, q := range []string{"äijä", "AINO", "aino.aijala@", "0401234567", "+358 40 123 4567", "espoo"} {
			if body := search(q, "all"); !strings.Contains(body, "Äijälä, Aino") {
				t.Errorf("search %q does not find the member", q)
			}
		}
		if body := search("helsingin laulu", ""); !strings.Contains(body, "Helsingin Laulu ry") {
			t.Error("search by organisation name")
		}
		members := env.Members(t, a.ID)
		if body := search("2", "all"); !strings.Contains(body, members[1].LastName) || strings.Contains(body, members[0].LastName) {
			t.Error("search by member number")
		}
		// Another association's member is not found.
		env.User(t, "b@example.fi", false, b.ID, auth.RoleUser)
		bc := testenv.NewClient(t, srv)
		bc.Login(env, "b@example.fi", "")
		if r := bc.Get("/a/" + b.ID + "/members?q=aino&status=all"); strings.Contains(r.Body, "Äijälä") || !strings.Contains(r.Body, `id="no-members"`) {
			t.Error("another association's search finds the member")
		}

		// The audit trail has it all.
		actions := strings.Join(env.AuditActions(t, a.ID), " ")
		for _, want := range []string{"member.create", "member.update", "member.status"} {
			if !strings.Contains(actions, want) {
				t.Errorf("audit lacks %s: %s", want, actions)
			}
		}

		// A Guest reads but is offered no changes.
		guest := env.User(t, "guest@example.fi", false, a.ID, auth.RoleGuest)
		gc := testenv.NewClient(t, srv)
		gc.Login(env, guest.Email, "")
		if r := gc.Get(base + "/" + orgID); r.Status != http.StatusOK || strings.Contains(r.Body, "/status") || strings.Contains(r.Body, "/edit") {
			t.Errorf("guest card: %d, offers changes", r.Status)
		}
		if r := gc.Get(base); strings.Contains(r.Body, base+"/new") {
			t.Error("guest is offered a new member")
		}
		if r := gc.Get(base + "/new"); r.Status != http.StatusForbidden {
			t.Errorf("guest new member form: %d", r.Status)
		}

		// An administrator deletes: the organisation has a history (the
		// approval), so it is anonymised; a fresh card is deleted.
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, secret)
		if r := ac.Get(base + "/" + orgID); !strings.Contains(r.Body, "/delete") {
			t.Fatal("no delete button for an administrator")
		}
		if r := ac.Post(base+"/"+orgID+"/delete", nil); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "msg.member_anonymised") {
			t.Fatalf("delete with history: %d %q", r.Status, r.Location)
		}
		if r := ac.Get(base + "/" + orgID); r.Status != http.StatusOK || strings.Contains(r.Body, "Helsingin Laulu") {
			t.Fatalf("anonymised card: %d", r.Status)
		}
		fresh := members[2]
		ac.Get(base + "/" + fresh.ID)
		if r := ac.Post(base+"/"+fresh.ID+"/delete", nil); r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "msg.member_deleted") {
			t.Fatalf("delete: %d %q", r.Status, r.Location)
		}
		if r := ac.Get(base + "/" + fresh.ID); r.Status != http.StatusNotFound {
			t.Fatalf("deleted card: %d", r.Status)
		}
	})
}

// TestMemberListPaging pages through more members than one page holds,
// forwards and back, sorted by name.
func TestMemberListPaging(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Iso ry", 120)
		u := env.User(t, "u@example.fi", false, a.ID, auth.RoleGuest)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, u.Email, "")
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`)
		prev := regexp.MustCompile(`href="([^"]+)" rel="prev"`)
		rows := regexp.MustCompile(`<tr><td>(\d+)</td>`)
		path := "/a/" + a.ID + "/members?sort=number&dir=desc"
		var seen []string
		var pages []string
		for path != "" {
			r := c.Get(strings.ReplaceAll(path, "&amp;", "&"))
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d", path, r.Status)
			}
			pages = append(pages, r.Body)
			for _, m := range rows.FindAllStringSubmatch(r.Body, -1) {
				seen = append(seen, m[1])
			}
			path = ""
			if m := next.FindStringSubmatch(r.Body); m != nil {
				path = m[1]
			}
		}
		if len(seen) != 120 || seen[0] != "120" || seen[119] != "1" || len(pages) != 3 {
			t.Fatalf("paged through %d members on %d pages, %v…", len(seen), len(pages), seen[:3])
		}
		m := prev.FindStringSubmatch(pages[2])
		if m == nil {
			t.Fatal("the last page has no previous page link")
		}
		back := c.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if got := rows.FindAllStringSubmatch(back.Body, -1); len(got) != 50 || got[0][1] != "70" {
			t.Fatalf("previous page starts at %v", got[0])
		}
		if r := c.Get("/a/" + a.ID + "/members?cursor=nonsense"); r.Status != http.StatusBadRequest {
			t.Fatalf("bad cursor: %d", r.Status)
		}
	})
}

var fieldLink = regexp.MustCompile(`/settings/fields/([0-9a-f-]{36})"`)

// memberByID reads one member as stored.
func memberByID(t *testing.T, env *testenv.Env, assocID, id string) member.Member {
	t.Helper()
	var m member.Member
	if err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		m, err = member.Get(context.Background(), tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCustomFieldPages: an administrator adds a custom field, a user fills
// it in on the member form with the card's other new fields, the card shows
// them, and the field is deleted with its values after a confirmation.
// Another association's field is out of reach.
func TestCustomFieldPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Urheiluseura ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		srv := env.Server(t)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, env.EnrolTOTP(t, admin))
		uc := testenv.NewClient(t, srv)
		uc.Login(env, user.Email, "")
		fields := "/a/" + a.ID + "/settings/fields"

		if r := uc.Get(fields); r.Status != http.StatusForbidden {
			t.Fatalf("a user reached the field settings: %d", r.Status)
		}
		if r := ac.Get(fields); r.Status != http.StatusOK || !strings.Contains(r.Body, "Lisäkenttiä ei ole vielä.") {
			t.Fatalf("field settings: %d", r.Status)
		}
		r := ac.Post(fields, url.Values{"name": {""}, "kind": {"choice"}, "choices": {""}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-name"`) ||
			!strings.Contains(r.Body, `id="err-choices"`) {
			t.Fatalf("invalid field: %d", r.Status)
		}
		r = ac.Post(fields, url.Values{"name": {"Paidan koko"}, "kind": {"choice"}, "choices": {"S\r\nM\r\nL"},
			"required": {"on"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add field: %d %s", r.Status, r.Body)
		}
		list := ac.Get(r.Location)
		m := fieldLink.FindStringSubmatch(list.Body)
		if m == nil || !strings.Contains(list.Body, "Kenttä lisättiin.") {
			t.Fatalf("field not listed: %s", list.Body)
		}
		fieldID := m[1]

		// The attacker's view: B's field from A's pages.
		var theirs member.CustomField
		if err := env.DB.For(b.ID).Write(context.Background(), func(tx *store.TenantTx) error {
			var err error
			theirs, err = member.CreateCustomField(context.Background(), tx, env.Audit, env.Clock.Now(),
				member.CustomField{Name: "Salainen", Kind: "text"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if r := ac.Get(fields + "/" + theirs.ID); r.Status != http.StatusNotFound {
			t.Fatalf("B's field from A: %d", r.Status)
		}
		if r := ac.Post(fields+"/"+theirs.ID+"/delete", url.Values{"confirm": {"on"}}); r.Status != http.StatusNotFound {
			t.Fatalf("B's field deleted from A: %d", r.Status)
		}

		// The member form has the new fields; the required custom field
		// must be given.
		base := "/a/" + a.ID + "/members"
		form := uc.Get(base + "/new")
		for _, want := range []string{`id="f-custom-` + fieldID + `"`, "Paidan koko", `<option value="M">M</option>`,
			`id="f-care_of"`, `id="f-extra_emails"`, `id="f-email_invoices"`, `id="f-municipality"`,
			`<option value="SE">Ruotsi</option>`, `<script src="/static/postcode.js" defer></script>`} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("member form lacks %s", want)
			}
		}
		if strings.Contains(form.Body, "Salainen") {
			t.Error("the form shows B's field")
		}
		card := personForm()
		card.Set("town", "")
		card.Set("postcode", "02100")
		card.Set("care_of", "c/o Virtanen")
		card.Set("extra_emails", "toinen@example.fi\r\nKolmas@example.fi")
		card.Set("email_invoices", "on")
		card.Set("municipality", "")
		card.Set("custom-"+theirs.ID, "varastettu")
		r = uc.Post(base+"/new", card)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-custom-`+fieldID+`"`) ||
			!strings.Contains(r.Body, `value="c/o Virtanen"`) {
			t.Fatalf("card without the required field: %d", r.Status)
		}
		card.Set("custom-"+fieldID, "M")
		card.Set("extra_emails", "toinen@example.fi\r\nkolmas@localhost")
		r = uc.Post(base+"/new", card)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-extra_emails"`) ||
			!strings.Contains(r.Body, "osoite 2: ") {
			t.Fatalf("card with a bad further address: %d", r.Status)
		}
		card.Set("extra_emails", "toinen@example.fi\r\nKolmas@example.fi")
		card.Set("custom-"+fieldID, "XL")
		r = uc.Post(base+"/new", card)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "valitse jokin vaihtoehdoista") {
			t.Fatalf("card with a value not among the choices: %d", r.Status)
		}
		card.Set("custom-"+fieldID, "M")
		r = uc.Post(base+"/new", card)
		link := memberLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || link == nil {
			t.Fatalf("add member: %d %s", r.Status, r.Body)
		}
		id := link[1]
		stored := memberByID(t, env, a.ID, id)
		if !strings.EqualFold(stored.Town, "Espoo") || stored.CareOf != "Virtanen" || !stored.EmailInvoices ||
			strings.Join(stored.ExtraEmails, " ") != "toinen@example.fi kolmas@example.fi" ||
			len(stored.Custom) != 1 || stored.Custom["Paidan koko"] != "M" {
			t.Fatalf("stored %+v", stored)
		}
		page := uc.Get(base + "/" + id)
		for _, want := range []string{"c/o Virtanen", "kolmas@example.fi", "laskut sähköpostilla", "Paidan koko",
			"<dd>M</dd>", "<dd>Suomi</dd>"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("card lacks %q", want)
			}
		}

		// Edit the custom value.
		edit := uc.Get(base + "/" + id + "/edit")
		if !strings.Contains(edit.Body, `<option value="M" selected>M</option>`) ||
			!strings.Contains(edit.Body, "toinen@example.fi\nkolmas@example.fi") {
			t.Fatalf("edit form lacks the values: %s", edit.Body)
		}
		card.Del("status")
		card.Set("custom-"+fieldID, "L")
		card.Set("country", "SE")
		card.Set("postcode", "11455")
		card.Set("town", "Stockholm")
		if r := uc.Post(base+"/"+id+"/edit", card); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if got := memberByID(t, env, a.ID, id); got.Custom["Paidan koko"] != "L" || got.Country != "SE" {
			t.Fatalf("edited %+v", got)
		}
		if page := uc.Get(base + "/" + id); !strings.Contains(page.Body, "<dd>L</dd>") || !strings.Contains(page.Body, "Ruotsi") {
			t.Error("the card does not show the edited values")
		}

		// Deleting the field asks for a confirmation, then deletes the
		// values with it.
		fieldPage := ac.Get(fields + "/" + fieldID)
		if !strings.Contains(fieldPage.Body, "1 jäsenen") {
			t.Errorf("the delete form does not say how many values go: %s", fieldPage.Body)
		}
		if r := ac.Post(fields+"/"+fieldID+"/delete", url.Values{}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("delete without confirmation: %d", r.Status)
		}
		if got := memberByID(t, env, a.ID, id); got.Custom["Paidan koko"] != "L" {
			t.Fatal("an unconfirmed delete removed the value")
		}
		if r := ac.Post(fields+"/"+fieldID+"/delete", url.Values{"confirm": {"on"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.Status)
		}
		if got := memberByID(t, env, a.ID, id); got.Custom != nil {
			t.Fatalf("values left: %v", got.Custom)
		}
		actions := env.AuditActions(t, a.ID)
		if actions[len(actions)-1] != "custom_field.delete" {
			t.Fatalf("last audit action %v", actions)
		}
	})
}

// TestBrowserMemberFormTown, in headless Chromium on SQLite under the
// strict CSP: on the member form, typing a Finnish postcode fills the empty
// town in the card's language, and the card is saved with it.
func TestBrowserMemberFormTown(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Idrottsföreningen rf", 0)
	secretary := env.User(t, "sekreterare@example.fi", false, a.ID, auth.RoleUser)
	srv := env.Server(t)
	bctx := startChromium(t, "sv", 60*time.Second)
	consoleClean := watchConsole(t, bctx)
	b := &browser{t: t, ctx: bctx, base: srv.URL}

	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), secretary.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.navigate("/a/" + a.ID + "/members/new")
	b.do(
		chromedp.SendKeys(chromedp.ID("f-last_name"), "Sjöholm"),
		chromedp.SetValue(chromedp.ID("f-language"), "sv"),
		chromedp.SendKeys(chromedp.ID("f-postcode"), "10300"),
	)
	town := ""
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && town == ""; {
		time.Sleep(50 * time.Millisecond)
		v, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("f-town")))
		if err != nil {
			t.Fatal(err)
		}
		town = v
	}
	if town != "KARIS" {
		t.Fatalf("town filled with %q, want KARIS", town)
	}
	b.submit(`form.member-form button[type=submit]`)
	b.expectText("main .notice", "Medlemmen lades till.")
	if ms := env.Members(t, a.ID); len(ms) != 1 || ms[0].Town != "KARIS" || ms[0].Postcode != "10300" {
		t.Fatalf("saved %+v", ms)
	}
	consoleClean()
}
