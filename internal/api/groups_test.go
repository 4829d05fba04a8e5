package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

func countActions(t *testing.T, env *testenv.Env, assocID, action string) int {
	t.Helper()
	n := 0
	for _, a := range env.AuditActions(t, assocID) {
		if a == action {
			n++
		}
	}
	return n
}

func itemNumbers(t *testing.T, r resp) []float64 {
	t.Helper()
	var out []float64
	for _, it := range r.JSON(t)["items"].([]any) {
		out = append(out, it.(map[string]any)["member_number"].(float64))
	}
	return out
}

// TestGroupsAPI creates, renames, fills, pages and deletes groups through
// the API, refuses bad input with the field named and nothing changed,
// keeps another association's groups and members out of reach (404 or
// 422) and refuses changes to a read-only key. Every response is validated
// against the OpenAPI document.
func TestGroupsAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 50)
		b := env.Association(t, "Toinen", 3)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		bKey, _ := apiKey(t, env, b.ID, auth.ScopeWrite)
		rc, wc, bc := client{t: t, srv: srv, key: readKey}, client{t: t, srv: srv, key: writeKey}, client{t: t, srv: srv, key: bKey}
		ams, bms := env.Members(t, a.ID), env.Members(t, b.ID)

		r := wc.write("POST", "/api/v1/groups", map[string]any{"kind": "activity", "name": "Kuoro", "description": "Ti 18"})
		if r.Status != http.StatusCreated || r.JSON(t)["member_count"] != float64(0) {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		gid := r.JSON(t)["id"].(string)
		if r.Header.Get("Location") != "/api/v1/groups/"+gid {
			t.Fatalf("Location %q", r.Header.Get("Location"))
		}
		wantProblem(t, wc.write("POST", "/api/v1/groups", map[string]any{"kind": "activity", "name": "KUORO"}), 422, "name")
		wantProblem(t, wc.write("POST", "/api/v1/groups", map[string]any{"kind": "club", "name": "X"}), 422, "kind")
		wantProblem(t, wc.write("POST", "/api/v1/groups", map[string]any{"kind": "tag", "name": "X", "colour": "red"}), 400, "colour")
		wantProblem(t, rc.write("POST", "/api/v1/groups", map[string]any{"kind": "tag", "name": "X"}), 403, "")
		if countActions(t, env, a.ID, "group.create") != 1 {
			t.Fatal("refused groups were written")
		}

		// Read, rename by sending the group back changed.
		r = rc.get("/api/v1/groups/" + gid)
		card := r.JSON(t)
		card["name"] = "Sekakuoro"
		if r = wc.write("PUT", "/api/v1/groups/"+gid, card); r.Status != http.StatusOK || r.JSON(t)["name"] != "Sekakuoro" {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		card["kind"] = "tag"
		wantProblem(t, wc.write("PUT", "/api/v1/groups/"+gid, card), 422, "kind")

		// Bulk add by number: a number that is nobody's adds no one.
		wantProblem(t, wc.write("POST", "/api/v1/groups/"+gid+"/members", map[string]any{"member_numbers": []int{1, 2, 99}}), 422, "member_numbers")
		// A member id of another association is refused.
		wantProblem(t, wc.write("POST", "/api/v1/groups/"+gid+"/members", map[string]any{"member_ids": []string{ams[0].ID, bms[0].ID}}), 422, "member_ids")
		wantProblem(t, wc.write("POST", "/api/v1/groups/"+gid+"/members", map[string]any{}), 422, "member_ids")
		if n := rc.get("/api/v1/groups/" + gid).JSON(t)["member_count"]; n != float64(0) {
			t.Fatalf("a refused addition added %v", n)
		}
		r = wc.write("POST", "/api/v1/groups/"+gid+"/members", map[string]any{"member_numbers": []int{5, 3, 4, 3}, "member_ids": []string{ams[9].ID}})
		if r.Status != http.StatusOK || r.JSON(t)["added"] != float64(4) || r.JSON(t)["member_count"] != float64(4) {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}

		// Paging through the members.
		r = rc.get("/api/v1/groups/" + gid + "/members?limit=3")
		next, _ := r.JSON(t)["next_cursor"].(string)
		if got := itemNumbers(t, r); !slices.Equal(got, []float64{3, 4, 5}) || next == "" {
			t.Fatalf("page 1: %s", r.Body)
		}
		r = rc.get("/api/v1/groups/" + gid + "/members?limit=3&cursor=" + next)
		if got := itemNumbers(t, r); !slices.Equal(got, []float64{10}) || r.JSON(t)["next_cursor"] != nil {
			t.Fatalf("page 2: %s", r.Body)
		}
		wantProblem(t, rc.get("/api/v1/groups/"+gid+"/members?cursor=x"), 400, "cursor")
		if countActions(t, env, a.ID, "group.members_list") != 2 {
			t.Fatal("reading members was not audited")
		}

		// Another association: its key sees none of this, and cannot
		// reach in.
		wantProblem(t, bc.get("/api/v1/groups/"+gid), 404, "id")
		wantProblem(t, bc.get("/api/v1/groups/"+gid+"/members"), 404, "id")
		wantProblem(t, bc.write("PUT", "/api/v1/groups/"+gid, map[string]any{"name": "Hacked"}), 404, "id")
		wantProblem(t, bc.write("POST", "/api/v1/groups/"+gid+"/members", map[string]any{"member_ids": []string{bms[0].ID}}), 404, "id")
		wantProblem(t, bc.del("/api/v1/groups/"+gid+"/members/"+ams[2].ID), 404, "id")
		wantProblem(t, bc.del("/api/v1/groups/"+gid), 404, "id")
		if r = bc.get("/api/v1/groups"); len(r.JSON(t)["items"].([]any)) != 0 {
			t.Fatalf("another association lists %s", r.Body)
		}

		// List and filter.
		wc.write("POST", "/api/v1/groups", map[string]any{"kind": "tag", "name": "Talkoot"})
		if r = rc.get("/api/v1/groups?kind=tag"); len(r.JSON(t)["items"].([]any)) != 1 {
			t.Fatalf("tags: %s", r.Body)
		}
		wantProblem(t, rc.get("/api/v1/groups?kind=club"), 400, "kind")

		// Remove one, then the group.
		if r = wc.del("/api/v1/groups/" + gid + "/members/" + ams[2].ID); r.Status != http.StatusOK {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		wantProblem(t, wc.del("/api/v1/groups/"+gid+"/members/"+ams[2].ID), 404, "member_id")
		wantProblem(t, rc.del("/api/v1/groups/"+gid), 403, "")
		if r = wc.del("/api/v1/groups/" + gid); r.Status != http.StatusOK {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.get("/api/v1/groups/"+gid), 404, "id")
		for action, want := range map[string]int{"group.create": 2, "group.update": 1, "group.members_add": 1,
			"group.member_remove": 1, "group.delete": 1} {
			if got := countActions(t, env, a.ID, action); got != want {
				t.Errorf("%s audited %d times, want %d", action, got, want)
			}
		}
	})
}

// TestHouseholdsAPI creates households, refuses a recipient outside the
// household and a member of another association, refuses leaving while
// linked, reports broken links and keeps other associations out.
func TestHouseholdsAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 5)
		b := env.Association(t, "Toinen", 2)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		bKey, _ := apiKey(t, env, b.ID, auth.ScopeWrite)
		rc, wc, bc := client{t: t, srv: srv, key: readKey}, client{t: t, srv: srv, key: writeKey}, client{t: t, srv: srv, key: bKey}
		ams, bms := env.Members(t, a.ID), env.Members(t, b.ID)

		wantProblem(t, wc.write("POST", "/api/v1/households", map[string]any{"name": "X", "recipient_member_id": bms[0].ID}), 422, "recipient_member_id")
		wantProblem(t, wc.write("POST", "/api/v1/households", map[string]any{"name": "X"}), 422, "recipient_member_id")
		wantProblem(t, rc.write("POST", "/api/v1/households", map[string]any{"recipient_member_id": ams[0].ID}), 403, "")
		r := wc.write("POST", "/api/v1/households", map[string]any{"name": "Virtanen", "recipient_member_id": ams[0].ID})
		if r.Status != http.StatusCreated || r.JSON(t)["recipient_member_id"] != ams[0].ID {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		hid := r.JSON(t)["id"].(string)

		r = wc.write("POST", "/api/v1/households/"+hid+"/members", map[string]any{"member_id": ams[1].ID, "recipient": true})
		if r.Status != http.StatusOK || r.JSON(t)["recipient_member_id"] != ams[1].ID || len(r.JSON(t)["members"].([]any)) != 2 {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
		wantProblem(t, wc.write("POST", "/api/v1/households/"+hid+"/members", map[string]any{"member_id": ams[1].ID}), 422, "member_id")
		wantProblem(t, wc.write("POST", "/api/v1/households/"+hid+"/members", map[string]any{"member_id": bms[0].ID}), 422, "member_id")
		// The recipient cannot go while others remain.
		wantProblem(t, wc.del("/api/v1/households/"+hid+"/members/"+ams[1].ID), 422, "member_id")
		// A member already in the household can be made the recipient.
		for _, m := range []int{0, 1} {
			r = wc.write("POST", "/api/v1/households/"+hid+"/members", map[string]any{"member_id": ams[m].ID, "recipient": true})
			if r.Status != http.StatusOK || r.JSON(t)["recipient_member_id"] != ams[m].ID {
				t.Fatalf("make member %d the recipient: %d %s", m+1, r.Status, r.Body)
			}
		}

		// Leaving is refused while linked.
		p := wantProblem(t, wc.write("POST", "/api/v1/members/"+ams[0].ID+"/status", map[string]any{"status": "inactive"}), 409, "status")
		if rs, _ := p["reasons"].([]any); len(rs) != 1 || !strings.Contains(rs[0].(string), "Virtanen") {
			t.Fatalf("leave refused without the household named: %v", p)
		}

		// Another association cannot see or change it.
		wantProblem(t, bc.get("/api/v1/households/"+hid), 404, "id")
		wantProblem(t, bc.write("POST", "/api/v1/households/"+hid+"/members", map[string]any{"member_id": bms[0].ID}), 404, "id")
		wantProblem(t, bc.del("/api/v1/households/"+hid+"/members/"+ams[0].ID), 404, "id")
		wantProblem(t, bc.del("/api/v1/households/"+hid), 404, "id")

		// The report: every household has problems here (no addresses);
		// one single-member household.
		r = wc.write("POST", "/api/v1/households", map[string]any{"recipient_member_id": ams[2].ID})
		if r.Status != http.StatusCreated || r.JSON(t)["name"] == "" {
			t.Fatalf("create with the recipient's name: %d %s", r.Status, r.Body)
		}
		single := r.JSON(t)["id"].(string)
		r = rc.get("/api/v1/households?broken=true")
		found := false
		for _, it := range r.JSON(t)["items"].([]any) {
			h := it.(map[string]any)
			if h["id"] == single && slices.Contains(h["problems"].([]any), any("single_member")) {
				found = true
			}
		}
		if !found {
			t.Fatalf("broken report: %s", r.Body)
		}
		if r = rc.get("/api/v1/households"); len(r.JSON(t)["items"].([]any)) != 2 {
			t.Fatalf("list: %s", r.Body)
		}
		wantProblem(t, rc.get("/api/v1/households?broken=maybe"), 400, "broken")

		if r = wc.del("/api/v1/households/" + hid + "/members/" + ams[0].ID); r.Status != http.StatusOK {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		if r = wc.del("/api/v1/households/" + hid); r.Status != http.StatusOK {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.get("/api/v1/households/"+hid), 404, "id")
		for action, want := range map[string]int{"household.create": 2, "household.member_add": 1, "household.recipient": 3,
			"household.member_remove": 1, "household.delete": 1, "household.list": 2} {
			if got := countActions(t, env, a.ID, action); got != want {
				t.Errorf("%s audited %d times, want %d", action, got, want)
			}
		}
	})
}

// TestPositionsAPI records positions of trust and lists current and past
// terms.
func TestPositionsAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 3)
		b := env.Association(t, "Toinen", 1)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		rc, wc := client{t: t, srv: srv, key: readKey}, client{t: t, srv: srv, key: writeKey}
		ams, bms := env.Members(t, a.ID), env.Members(t, b.ID)

		r := wc.write("POST", "/api/v1/positions", map[string]any{"member_id": ams[0].ID, "title": "chair", "starts_on": "2025-01-01"})
		if r.Status != http.StatusCreated || r.JSON(t)["current"] != true || r.JSON(t)["ends_on"] != nil {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
		r = wc.write("POST", "/api/v1/positions", map[string]any{"member_id": ams[1].ID, "title": "Jäsenkirjuri",
			"starts_on": "2020-01-01", "ends_on": "2024-12-31"})
		if r.Status != http.StatusCreated || r.JSON(t)["current"] != false {
			t.Fatalf("add past: %d %s", r.Status, r.Body)
		}
		wantProblem(t, wc.write("POST", "/api/v1/positions", map[string]any{"member_id": ams[0].ID, "title": "chair", "starts_on": "1.1.2025"}), 422, "starts_on")
		wantProblem(t, wc.write("POST", "/api/v1/positions", map[string]any{"member_id": ams[0].ID, "starts_on": "2025-01-01"}), 422, "title")
		wantProblem(t, wc.write("POST", "/api/v1/positions", map[string]any{"member_id": bms[0].ID, "title": "chair", "starts_on": "2025-01-01"}), 422, "member_id")
		wantProblem(t, rc.write("POST", "/api/v1/positions", map[string]any{"member_id": ams[0].ID, "title": "chair", "starts_on": "2025-01-01"}), 403, "")

		if r = rc.get("/api/v1/positions"); len(r.JSON(t)["items"].([]any)) != 1 {
			t.Fatalf("current: %s", r.Body)
		}
		if r = rc.get("/api/v1/positions?when=past"); len(r.JSON(t)["items"].([]any)) != 1 {
			t.Fatalf("past: %s", r.Body)
		}
		if r = rc.get("/api/v1/positions?when=all"); len(r.JSON(t)["items"].([]any)) != 2 {
			t.Fatalf("all: %s", r.Body)
		}
		wantProblem(t, rc.get("/api/v1/positions?when=later"), 400, "when")
		if countActions(t, env, a.ID, "position.add") != 2 {
			t.Fatal("positions not audited")
		}
	})
}
