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

var (
	groupLink     = regexp.MustCompile(`^/a/[^/]+/groups/([0-9a-f-]{36})\?msg=msg\.groups_created$`)
	householdLink = regexp.MustCompile(`^/a/[^/]+/households/([0-9a-f-]{36})\?msg=msg\.groups_household_created$`)
)

func groupsCount(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}

// TestGroupPages works through groups, households, positions and the
// member's "Groups and roles" tab as a User: bad input is shown by its
// field with nothing written, every change is audited, another
// association's ids are 404, and a Guest reads without forms and cannot
// change anything.
func TestGroupPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 50)
		b := env.Association(t, "Toinen ry", 3)
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		guest := env.User(t, "vieras@example.fi", false, a.ID, auth.RoleGuest)
		otherUser := env.User(t, "toinen@example.fi", false, b.ID, auth.RoleUser)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID
		ams, bms := env.Members(t, a.ID), env.Members(t, b.ID)
		audited := func(action string) int { return groupsCount(env.AuditActions(t, a.ID), action) }

		// The overview, with the form to create a group.
		r := c.Get(base + "/groups")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="group-new"`) || !strings.Contains(r.Body, "Toiminnat") {
			t.Fatalf("overview: %d", r.Status)
		}
		r = c.Post(base+"/groups", url.Values{"kind": {"activity"}, "name": {" "}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-name"`) {
			t.Fatalf("empty name: %d", r.Status)
		}
		r = c.Post(base+"/groups", url.Values{"kind": {"activity"}, "name": {"Kuoro"}, "description": {"Tiistaisin"}})
		m := groupLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %q", r.Status, r.Location)
		}
		gid := m[1]
		r = c.Post(base+"/groups", url.Values{"kind": {"activity"}, "name": {"KUORO"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-name"`) || !strings.Contains(r.Body, `value="KUORO"`) {
			t.Fatalf("duplicate name: %d", r.Status)
		}
		if audited("group.create") != 1 {
			t.Fatal("a refused group was written")
		}

		// Bulk add by number: one unknown number, a clear error and nobody
		// added; then the good list.
		c.Get(base + "/groups/" + gid)
		r = c.Post(base+"/groups/"+gid+"/members", url.Values{"numbers": {"12, 15, 40-45, 99"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-numbers"`) ||
			!strings.Contains(r.Body, "jäsennumeroa 99 ei ole") || !strings.Contains(r.Body, `value="12, 15, 40-45, 99"`) {
			t.Fatalf("unknown number: %d %s", r.Status, r.Body)
		}
		if audited("group.members_add") != 0 {
			t.Fatal("a refused addition was written")
		}
		r = c.Post(base+"/groups/"+gid+"/members", url.Values{"numbers": {"12, 15, 40-45"}})
		if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "msg=msg.groups_members_added") {
			t.Fatalf("add: %d %q", r.Status, r.Location)
		}
		r = c.Get(r.Location)
		if !strings.Contains(r.Body, "Jäsenet lisättiin.") || strings.Count(r.Body, "/remove\"") != 8 {
			t.Fatalf("group page after adding: %s", r.Body)
		}
		r = c.Post(base+"/groups/"+gid+"/members/"+ams[11].ID+"/remove", nil)
		if r.Status != http.StatusSeeOther || audited("group.member_remove") != 1 {
			t.Fatalf("remove: %d", r.Status)
		}

		// Another association's group and member are 404 here; its pages
		// are 404 for this user.
		bGroup := testenv.NewClient(t, srv)
		bGroup.Login(env, otherUser.Email, "")
		bGroup.Get("/a/" + b.ID + "/groups")
		r = bGroup.Post("/a/"+b.ID+"/groups", url.Values{"kind": {"tag"}, "name": {"Talkoot"}})
		bgid := groupLink.FindStringSubmatch(r.Location)
		if bgid == nil {
			t.Fatalf("create in b: %d %q", r.Status, r.Location)
		}
		for _, path := range []string{base + "/groups/" + bgid[1], "/a/" + b.ID + "/groups", base + "/members/" + bms[0].ID + "/groups"} {
			if r := c.Get(path); r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, r.Status)
			}
		}
		c.Get(base + "/groups")
		for path, form := range map[string]url.Values{
			base + "/groups/" + bgid[1] + "/members":                      {"numbers": {"1"}},
			base + "/groups/" + bgid[1] + "/delete":                       nil,
			base + "/groups/" + gid + "/members/" + bms[0].ID + "/remove": nil,
			base + "/members/" + bms[0].ID + "/groups/join":               {"group_id": {gid}},
			base + "/members/" + ams[0].ID + "/groups/join":               {"group_id": {bgid[1]}},
		} {
			r := c.Post(path, form)
			if r.Status != http.StatusNotFound && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("POST %s: %d, want 404 or 422", path, r.Status)
			}
		}
		if n := groupsCount(env.AuditActions(t, b.ID), "group.members_add"); n != 0 {
			t.Fatal("another association's group was changed")
		}

		// Households: create for recipient 1, add member 2, refuse a
		// recipient outside the household, refuse leaving while linked.
		c.Get(base + "/households")
		r = c.Post(base+"/households", url.Values{"recipient_number": {"999"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-recipient_number"`) {
			t.Fatalf("unknown recipient: %d", r.Status)
		}
		r = c.Post(base+"/households", url.Values{"recipient_number": {"1"}, "name": {"Virtaset"}})
		hm := householdLink.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || hm == nil {
			t.Fatalf("create household: %d %q", r.Status, r.Location)
		}
		hid := hm[1]
		c.Get(base + "/households/" + hid)
		if r = c.Post(base+"/households/"+hid+"/members", url.Values{"member_number": {"2"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add to household: %d", r.Status)
		}
		r = c.Post(base+"/households/"+hid+"/recipient", url.Values{"recipient_member_id": {ams[2].ID}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-recipient_member_id"`) ||
			!strings.Contains(r.Body, "on oltava talouden jäsen") {
			t.Fatalf("recipient outside: %d", r.Status)
		}
		c.Get(base + "/members/" + ams[1].ID)
		r = c.Post(base+"/members/"+ams[1].ID+"/status", url.Values{"to": {"inactive"}})
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Virtaset") {
			t.Fatalf("leave while in a household: %d", r.Status)
		}
		if r = c.Get(base + "/households?broken=1"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Virtaset") {
			t.Fatalf("broken links report: %d", r.Status)
		}
		if r = c.Get("/a/" + b.ID + "/households/" + hid); r.Status != http.StatusNotFound {
			t.Errorf("household through another association: %d", r.Status)
		}
		if r = bGroup.Get("/a/" + b.ID + "/households/" + hid); r.Status != http.StatusNotFound {
			t.Errorf("household from another association: %d", r.Status)
		}

		// Positions of trust.
		c.Get(base + "/positions")
		r = c.Post(base+"/positions", url.Values{"member_number": {"1"}, "title": {"chair"}, "starts_on": {"1.1.2025"}, "ends_on": {"31.12.2024"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-ends_on"`) {
			t.Fatalf("end before start: %d", r.Status)
		}
		r = c.Post(base+"/positions", url.Values{"member_number": {"1"}, "title": {"chair"}, "starts_on": {"1.1.2025"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add position: %d %s", r.Status, r.Body)
		}
		if r = c.Get(base + "/positions"); !strings.Contains(r.Body, "Puheenjohtaja") {
			t.Fatal("the board does not show the chair")
		}
		// A term can be ended by any user, but deleting the record of one is
		// an administrator's decision: it is the association's history.
		pos := regexp.MustCompile(`/positions/([0-9a-f-]{36})/end`).FindStringSubmatch(r.Body)
		if pos == nil || strings.Contains(r.Body, "/positions/"+pos[1]+"/delete") {
			t.Fatalf("the board offers a user %v a delete button or no end form", pos)
		}
		if r = c.Post(base+"/positions/"+pos[1]+"/delete", url.Values{}); r.Status != http.StatusForbidden {
			t.Fatalf("a user deleted a position: %d", r.Status)
		}
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		ac := testenv.NewClient(t, srv)
		ac.Login(env, admin.Email, env.EnrolTOTP(t, admin))
		ac.Get(base + "/positions")
		if r = ac.Post(base+"/positions/"+pos[1]+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("an administrator could not delete a position: %d", r.Status)
		}
		if r = c.Get(base + "/positions"); strings.Contains(r.Body, pos[1]) {
			t.Fatal("the deleted position is still on the board")
		}
		if r = c.Post(base+"/positions", url.Values{"member_number": {"1"}, "title": {"chair"}, "starts_on": {"1.1.2025"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add the position again: %d", r.Status)
		}

		// The member's tab: groups, household and positions, with forms.
		tab := base + "/members/" + ams[4].ID + "/groups"
		r = c.Get(tab)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `aria-current="page"`) || !strings.Contains(r.Body, `id="group-join"`) {
			t.Fatalf("member tab: %d", r.Status)
		}
		if r = c.Post(tab+"/join", url.Values{"group_id": {gid}}); r.Status != http.StatusSeeOther {
			t.Fatalf("join: %d", r.Status)
		}
		if r = c.Post(tab+"/join", url.Values{"group_id": {gid}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="err-group_id"`) {
			t.Fatalf("join twice: %d", r.Status)
		}
		if r = c.Post(base+"/members/"+ams[4].ID+"/household", url.Values{"household_id": {hid}}); r.Status != http.StatusSeeOther {
			t.Fatalf("join household: %d", r.Status)
		}
		r = c.Post(base+"/members/"+ams[4].ID+"/positions", url.Values{"title": {"other"}, "other_title": {"Jäsenkirjuri"}, "starts_on": {"1.1.2026"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add position on the tab: %d", r.Status)
		}
		r = c.Get(tab)
		for _, want := range []string{"Kuoro", "Virtaset", "Jäsenkirjuri"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("member tab lacks %s", want)
			}
		}
		if r = c.Post(tab+"/"+gid+"/leave", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("leave group: %d", r.Status)
		}
		if r = c.Post(base+"/members/"+ams[4].ID+"/household/leave", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("leave household: %d", r.Status)
		}

		// A guest reads, without forms, and cannot change anything.
		g := testenv.NewClient(t, srv)
		g.Login(env, guest.Email, "")
		for _, path := range []string{base + "/groups", base + "/groups/" + gid, base + "/households", base + "/households/" + hid,
			base + "/positions", tab} {
			r := g.Get(path)
			if r.Status != http.StatusOK || strings.Contains(r.Body, `method="post" action="/a/`) {
				t.Errorf("guest GET %s: %d (or a form shown)", path, r.Status)
			}
		}
		before := len(env.AuditActions(t, a.ID))
		for path, form := range map[string]url.Values{
			base + "/groups":                        {"kind": {"tag"}, "name": {"Vieraan"}},
			base + "/groups/" + gid + "/members":    {"numbers": {"1"}},
			base + "/groups/" + gid + "/delete":     nil,
			base + "/households/" + hid + "/delete": nil,
			base + "/positions":                     {"member_number": {"2"}, "title": {"secretary"}, "starts_on": {"1.1.2025"}},
			tab + "/join":                           {"group_id": {gid}},
		} {
			if r := g.Post(path, form); r.Status != http.StatusForbidden {
				t.Errorf("guest POST %s: %d, want 403", path, r.Status)
			}
		}
		if len(env.AuditActions(t, a.ID)) != before {
			t.Fatal("a guest changed something")
		}

		// Delete the group: the members stay.
		c.Get(base + "/groups/" + gid)
		if r = c.Post(base+"/groups/"+gid+"/delete", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.Status)
		}
		if c.Get(base+"/groups/"+gid).Status != http.StatusNotFound || len(env.Members(t, a.ID)) != 50 {
			t.Fatal("delete did not delete the group alone")
		}
		for action, want := range map[string]int{"group.create": 1, "group.members_add": 2, "group.member_remove": 2,
			"group.delete": 1, "household.create": 1, "household.member_add": 2, "household.member_remove": 1,
			"position.add": 3, "position.delete": 1} {
			if got := audited(action); got != want {
				t.Errorf("%s audited %d times, want %d", action, got, want)
			}
		}
	})
}
