package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// townOf asks the JSON endpoint for a postcode's town.
func townOf(t *testing.T, c *testenv.Client, path string) (int, string) {
	t.Helper()
	r := c.Get(path)
	var body struct{ Town string }
	if r.Status == http.StatusOK {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: content type %q", path, ct)
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return r.Status, body.Town
}

// TestPostcodePages checks the town endpoint (a guest may use it, another
// association's visitor gets 404), the table search everyone may use, and
// the association's own towns that only administrators change, audited.
func TestPostcodePages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kylä ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		srv := env.Server(t)
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		gc := testenv.NewClient(t, srv)
		gc.Login(env, guest.Email, "")
		api := "/a/" + a.ID + "/postcodes/"
		page := "/a/" + a.ID + "/settings/postcodes"

		for path, want := range map[string]string{api + "65100": "VAASA", api + "65100?lang=sv": "VASA",
			api + "00100?lang=fi": "HELSINKI"} {
			if status, town := townOf(t, gc, path); status != http.StatusOK || town != want {
				t.Errorf("%s: %d %q, want %q", path, status, town, want)
			}
		}
		if status, _ := townOf(t, gc, api+"00000"); status != http.StatusNotFound {
			t.Errorf("unknown postcode: %d", status)
		}
		if status, _ := townOf(t, gc, "/a/"+b.ID+"/postcodes/65100"); status != http.StatusNotFound {
			t.Errorf("another association's endpoint: %d", status)
		}
		if r := testenv.NewClient(t, srv).Get(api + "65100"); r.Status != http.StatusSeeOther {
			t.Errorf("anonymous lookup: %d", r.Status)
		}

		// A guest searches the table but is offered no changes and cannot
		// make one.
		r := gc.Get(page + "?q=vaasa")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "65100") || !strings.Contains(r.Body, "VASA") {
			t.Fatalf("guest search: %d", r.Status)
		}
		if strings.Contains(r.Body, `id="postcode-form"`) {
			t.Error("a guest is offered the form")
		}
		if r := gc.Post(page, url.Values{"postcode": {"65100"}, "town": {"Vasa centrum"}}); r.Status != http.StatusForbidden || strings.Contains(r.Body, "vanhentunut") {
			t.Errorf("guest change: %d", r.Status)
		}

		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, secret)
		if r := ac.Get(page); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="postcode-form"`) {
			t.Fatalf("admin page: %d", r.Status)
		}
		before := len(env.AuditActions(t, a.ID))
		r = ac.Post(page, url.Values{"postcode": {"651"}, "town": {""}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-postcode"`) ||
			!strings.Contains(r.Body, `value="651"`) {
			t.Fatalf("bad override: %d", r.Status)
		}
		if len(env.AuditActions(t, a.ID)) != before {
			t.Error("a refused override was audited")
		}
		ac.Get(page)
		r = ac.Post(page, url.Values{"postcode": {"65100"}, "town": {"Vasa centrum"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save override: %d %s", r.Status, r.Body)
		}
		if r := ac.Get(r.Location); !strings.Contains(r.Body, "Vasa centrum") || !strings.Contains(r.Body, "/settings/postcodes/65100/delete") {
			t.Error("the override is not listed with its delete button")
		}
		if _, town := townOf(t, gc, api+"65100?lang=sv"); town != "Vasa centrum" {
			t.Errorf("after override: %q", town)
		}
		if !slices.Contains(env.AuditActions(t, a.ID), "postcode.override.set") {
			t.Error("override not audited")
		}
		if r := ac.Post(page+"/65100/delete", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("delete override: %d", r.Status)
		}
		if r := ac.Post(page+"/65100/delete", nil); r.Status != http.StatusNotFound {
			t.Errorf("delete again: %d", r.Status)
		}
		if _, town := townOf(t, gc, api+"65100?lang=sv"); town != "VASA" {
			t.Errorf("after delete: %q", town)
		}
	})
}
