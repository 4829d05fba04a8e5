package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

var customerLink = regexp.MustCompile(`^/a/[^/]+/customers/([0-9a-f-]{36})\?msg=msg\.customer_added$`)

// companyForm is a valid organisation customer as the form posts it, with
// the town left for the postcode table to fill.
func companyForm() url.Values {
	return url.Values{"kind": {"organisation"}, "organisation_name": {"Kahvila Kulma Oy"}, "business_id": {"0112038-9"},
		"first_name": {"Kalle"}, "last_name": {"Kulmala"}, "street": {"Kauppatori 1"}, "postcode": {"65100"},
		"town": {""}, "country": {"FI"}, "email": {"Laskut@Kulma.fi"}, "email_invoices": {"on"},
		"phone": {"040 123 4567"}, "language": {"sv"}, "notes": {"Vuokraa kerhotilaa"}}
}

// withoutToken copies a form without the CSRF token an earlier Post put in
// it, so the next client sends its own.
func withoutToken(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k != "csrf" {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// TestCustomerPages adds, edits, searches and deletes a customer through
// the pages, and checks what a guest and another association's user may
// do, and that members pages do not show customers.
func TestCustomerPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kylä ry", 2)
		b := env.Association(t, "Toinen ry", 0)
		srv := env.Server(t)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/customers"

		if r := c.Get(base); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="no-customers"`) {
			t.Fatalf("empty list: %d", r.Status)
		}
		form := c.Get(base + "/new")
		if form.Status != http.StatusOK || !strings.Contains(form.Body, `<script src="/static/postcode.js"`) ||
			!strings.Contains(form.Body, `id="f-postcode"`) || !strings.Contains(form.Body, `id="f-town"`) {
			t.Fatalf("new form: %d", form.Status)
		}

		// Problems by their fields, what was typed kept, nothing written.
		before := len(env.AuditActions(t, a.ID))
		bad := companyForm()
		bad.Set("business_id", "0112038-8")
		bad.Set("postcode", "651")
		bad.Set("phone", "12ab")
		bad.Set("customer_number", "-3")
		r := c.Post(base+"/new", bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad card: %d", r.Status)
		}
		for _, field := range []string{"business_id", "postcode", "phone", "customer_number"} {
			if !strings.Contains(r.Body, `id="err-`+field+`"`) {
				t.Errorf("no problem shown by %s", field)
			}
		}
		if !strings.Contains(r.Body, `value="Kauppatori 1"`) || !strings.Contains(r.Body, "Vuokraa kerhotilaa") {
			t.Error("the form lost what was typed")
		}
		if len(env.AuditActions(t, a.ID)) != before {
			t.Fatal("a bad card wrote something")
		}

		// A good card: the town comes from the postcode table in Swedish.
		r = c.Post(base+"/new", companyForm())
		m := customerLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("add customer: %d %q", r.Status, r.Location)
		}
		id := m[1]
		card := c.Get(r.Location)
		for _, want := range []string{"Kahvila Kulma Oy", "0112038-9", "65100 VASA", "laskut@kulma.fi", "358401234567",
			base + "/" + id + "/edit"} {
			if !strings.Contains(card.Body, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		if strings.Contains(card.Body, "/delete") {
			t.Error("a user is offered the delete button")
		}

		// Edit, then search.
		changed := companyForm()
		changed.Set("organisation_name", "Kahvila Nurkka Oy")
		changed.Set("town", "Vasa centrum")
		c.Get(base + "/" + id + "/edit")
		if r := c.Post(base+"/"+id+"/edit", changed); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if r := c.Get(base + "?q=nurk"); !strings.Contains(r.Body, "Kahvila Nurkka Oy") || !strings.Contains(r.Body, "Vasa centrum") {
			t.Error("search does not find the edited customer")
		}
		if r := c.Get(base + "?q=virtanen"); !strings.Contains(r.Body, `id="no-customers"`) {
			t.Error("search finds what it should not")
		}
		actions := strings.Join(env.AuditActions(t, a.ID), " ")
		if !strings.Contains(actions, "customer.create") || !strings.Contains(actions, "customer.update") {
			t.Errorf("audit trail: %s", actions)
		}

		// Members pages are unchanged by customers.
		if r := c.Get("/a/" + a.ID + "/members?status=all&q=kahvila"); strings.Contains(r.Body, "Kahvila") {
			t.Error("a customer shows in the member search")
		}

		// A guest reads but changes nothing.
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		gc := testenv.NewClient(t, srv)
		gc.Login(env, guest.Email, "")
		if r := gc.Get(base + "/" + id); r.Status != http.StatusOK || strings.Contains(r.Body, "/edit") {
			t.Errorf("guest card: %d", r.Status)
		}
		for path, form := range map[string]url.Values{base + "/new": companyForm(), base + "/" + id + "/edit": withoutToken(changed),
			base + "/" + id + "/delete": {}} {
			gc.Get(base)
			if r := gc.Post(path, form); r.Status != http.StatusForbidden || strings.Contains(r.Body, "vanhentunut") {
				t.Errorf("guest POST %s: %d", path, r.Status)
			}
		}
		if r := gc.Get(base + "/new"); r.Status != http.StatusForbidden {
			t.Errorf("guest new form: %d", r.Status)
		}

		// Another association's user gets 404 for this customer, through
		// either association.
		other := env.User(t, "toinen@example.fi", false, b.ID, auth.RoleUser)
		oc := testenv.NewClient(t, srv)
		oc.Login(env, other.Email, "")
		oc.Get("/a/" + b.ID + "/customers")
		for _, path := range []string{"/a/" + b.ID + "/customers/" + id, "/a/" + a.ID + "/customers/" + id,
			"/a/" + b.ID + "/customers/" + id + "/edit"} {
			if r := oc.Get(path); r.Status != http.StatusNotFound {
				t.Errorf("attacker GET %s: %d", path, r.Status)
			}
		}
		if r := oc.Post("/a/"+b.ID+"/customers/"+id+"/edit", withoutToken(changed)); r.Status != http.StatusNotFound {
			t.Errorf("attacker edit: %d %s", r.Status, r.Body)
		}

		// An administrator deletes.
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, secret)
		if r := ac.Get(base + "/" + id); !strings.Contains(r.Body, `id="customer-delete"`) {
			t.Error("the administrator is not offered delete")
		}
		if r := ac.Post(base+"/"+id+"/delete", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := ac.Get(base + "/" + id); r.Status != http.StatusNotFound {
			t.Errorf("deleted card: %d", r.Status)
		}
		if !strings.Contains(strings.Join(env.AuditActions(t, a.ID), " "), "customer.delete") {
			t.Error("delete not audited")
		}
	})
}
