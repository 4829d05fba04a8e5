package api_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMembersAPIErrors(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 3)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		rc := client{t: t, srv: srv, key: readKey}
		wc := client{t: t, srv: srv, key: writeKey}
		m := env.Members(t, a.ID)[0]
		mp := "/api/v1/members/" + m.ID

		// Authentication.
		wantProblem(t, client{t: t, srv: srv}.get("/api/v1/members"), http.StatusUnauthorized, "")
		wantProblem(t, client{t: t, srv: srv, key: "seura_nope"}.get(mp), http.StatusUnauthorized, "")

		// A read key cannot write, and nothing changes.
		before, auditBefore := env.Members(t, a.ID), env.AuditActions(t, a.ID)
		card := map[string]any{"status": "active", "last_name": "Uusi"}
		wantProblem(t, rc.write("POST", "/api/v1/members", card), http.StatusForbidden, "")
		wantProblem(t, rc.write("PUT", mp, card), http.StatusForbidden, "")
		wantProblem(t, rc.write("POST", mp+"/status", map[string]any{"status": "inactive"}), http.StatusForbidden, "")
		wantProblem(t, rc.del(mp), http.StatusForbidden, "")
		if !reflect.DeepEqual(env.Members(t, a.ID), before) || !reflect.DeepEqual(env.AuditActions(t, a.ID), auditBefore) {
			t.Fatal("a refused write changed something")
		}

		// Malformed bodies.
		for _, c := range []struct {
			name, method, path, ct, body string
			status                       int
			field                        string
		}{
			{"bad JSON", "POST", "/api/v1/members", "application/json", `{"last_name": `, 400, ""},
			{"bad JSON syntax", "PUT", mp, "application/json", `{"last_name" "x"}`, 400, ""},
			{"unknown field", "POST", "/api/v1/members", "application/json", `{"status":"active","last_name":"X","nickname":"x"}`, 400, "nickname"},
			{"unknown field in status", "POST", mp + "/status", "application/json", `{"status":"inactive","when":"2026-01-01"}`, 400, "when"},
			{"wrong type", "POST", "/api/v1/members", "application/json", `{"status":"active","last_name":"X","member_number":"7"}`, 400, "member_number"},
			{"wrong type bool", "PUT", mp, "application/json", `{"last_name":"X","phone_mobile":"yes"}`, 400, "phone_mobile"},
			{"array", "POST", "/api/v1/members", "application/json", `[{"last_name":"X"}]`, 400, ""},
			{"empty", "POST", "/api/v1/members", "application/json", ``, 400, ""},
			{"two objects", "POST", "/api/v1/members", "application/json", `{"status":"active","last_name":"X"}{}`, 400, ""},
			{"form", "POST", "/api/v1/members", "application/x-www-form-urlencoded", `last_name=X`, 415, ""},
			{"no content type", "PUT", mp, "", `{"last_name":"X"}`, 415, ""},
			{"text", "POST", mp + "/status", "text/plain", `{"status":"inactive"}`, 415, ""},
			{"latin-1", "POST", "/api/v1/members", "application/json; charset=iso-8859-1", `{}`, 415, ""},
			{"too large", "POST", "/api/v1/members", "application/json",
				`{"status":"active","last_name":"X","notes":"` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
			{"too large whitespace", "PUT", mp, "application/json", `{"last_name":"X"}` + strings.Repeat(" ", 1<<20), 413, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := wc.send(c.method, c.path, c.ct, strings.NewReader(c.body))
				wantProblem(t, r, c.status, c.field)
			})
		}
		if r := wc.send("POST", "/api/v1/members", "application/json; charset=utf-8", strings.NewReader(`{"status":"active","last_name":"Utf"}`)); r.Status != http.StatusCreated {
			t.Fatalf("charset=utf-8: %d %s", r.Status, r.Body)
		}
		if !reflect.DeepEqual(env.AuditActions(t, a.ID), append(auditBefore, "member.create")) {
			t.Fatalf("refused writes were audited: %v", env.AuditActions(t, a.ID))
		}

		// Cards that do not validate: 422 with every field.
		p := wantProblem(t, wc.write("POST", "/api/v1/members", map[string]any{"status": "active", "email": "nope", "gender": "x"}),
			http.StatusUnprocessableEntity, "last_name")
		fields := map[string]bool{}
		for _, fe := range p["errors"].([]any) {
			fields[fe.(map[string]any)["field"].(string)] = true
		}
		if !fields["last_name"] || !fields["email"] || !fields["gender"] {
			t.Fatalf("errors: %v", p["errors"])
		}
		wantProblem(t, wc.write("POST", "/api/v1/members", map[string]any{"last_name": "X"}), http.StatusUnprocessableEntity, "status")
		wantProblem(t, wc.write("POST", "/api/v1/members", map[string]any{"status": "active", "last_name": "X", "birth_date": "17.5.1990"}),
			http.StatusUnprocessableEntity, "birth_date")
		wantProblem(t, wc.write("POST", "/api/v1/members", map[string]any{"status": "active", "last_name": "X", "member_number": 2}),
			http.StatusUnprocessableEntity, "member_number")
		wantProblem(t, wc.write("PUT", mp, map[string]any{"status": "inactive", "last_name": "X"}), http.StatusUnprocessableEntity, "status")
		wantProblem(t, wc.write("PUT", mp, map[string]any{"first_name": "X"}), http.StatusUnprocessableEntity, "last_name")
		wantProblem(t, wc.write("POST", mp+"/status", map[string]any{}), http.StatusUnprocessableEntity, "status")
		wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "gone"}), http.StatusUnprocessableEntity, "status")
		wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "inactive", "on": "tomorrow"}), http.StatusUnprocessableEntity, "on")
		wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "inactive", "on": "1700-01-01"}), http.StatusUnprocessableEntity, "on")
		wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "applied"}), http.StatusUnprocessableEntity, "status")
		p = wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "rejected"}), http.StatusConflict, "status")
		if p["from_status"] != "active" || p["to_status"] != "rejected" || !strings.Contains(p["detail"].(string), "active") {
			t.Fatalf("transition problem: %v", p)
		}

		// A leave blocker refuses with its reasons.
		member.LeaveBlockers = append(member.LeaveBlockers, func(context.Context, *store.TenantTx, string) (string, error) {
			return "has an open invoice", nil
		})
		t.Cleanup(func() { member.LeaveBlockers = member.LeaveBlockers[:len(member.LeaveBlockers)-1] })
		p = wantProblem(t, wc.write("POST", mp+"/status", map[string]any{"status": "inactive"}), http.StatusConflict, "status")
		if p["from_status"] != "active" || p["to_status"] != "inactive" || p["reasons"].([]any)[0] != "has an open invoice" {
			t.Fatalf("blocked: %v", p)
		}

		// Unknown members.
		nope := "/api/v1/members/0190f000-0000-7000-8000-000000000000"
		wantProblem(t, rc.get(nope), http.StatusNotFound, "id")
		wantProblem(t, rc.get(nope+"/history"), http.StatusNotFound, "id")
		wantProblem(t, wc.write("PUT", nope, card), http.StatusNotFound, "id")
		wantProblem(t, wc.write("POST", nope+"/status", map[string]any{"status": "inactive"}), http.StatusNotFound, "id")
		wantProblem(t, wc.del(nope), http.StatusNotFound, "id")

		// Bad search parameters name the parameter.
		for q, field := range map[string]string{
			"status=gone": "status", "status=active,gone": "status", "language=de": "language", "sort=age": "sort",
			"dir=up": "dir", "limit=0": "limit", "limit=ten": "limit", "cursor=garbage": "cursor",
		} {
			wantProblem(t, rc.get("/api/v1/members?"+q), http.StatusBadRequest, field)
		}
		// A cursor of another sort.
		r := rc.get("/api/v1/members?limit=1")
		next := r.JSON(t)["next_cursor"].(string)
		wantProblem(t, rc.get("/api/v1/members?sort=last_name&cursor="+next), http.StatusBadRequest, "cursor")
		// A limit above 200 is taken as 200.
		if r := rc.get("/api/v1/members?limit=5000"); r.Status != http.StatusOK {
			t.Fatalf("limit 5000: %d", r.Status)
		}

		// Other methods and paths are problems too.
		r = wc.raw("PATCH", mp, "application/json", strings.NewReader(`{}`))
		wantProblem(t, r, http.StatusMethodNotAllowed, "")
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "PUT") || !strings.Contains(allow, "DELETE") {
			t.Fatalf("Allow: %q", allow)
		}
		validateBody(t, "/components/schemas/Problem", r)
		r = rc.raw("GET", "/api/v1/nothing", "", nil)
		wantProblem(t, r, http.StatusNotFound, "")
		validateBody(t, "/components/schemas/Problem", r)
	})
}

// TestAPIIsolation checks that a key of association A can neither see nor
// change B's members, and that B is left as it was.
func TestAPIIsolation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "A ry", 2)
		b := env.Association(t, "B ry", 2)
		keyA, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		c := client{t: t, srv: srv, key: keyA}
		mb := env.Members(t, b.ID)[0]
		before, auditBefore := env.Members(t, b.ID), env.AuditActions(t, b.ID)
		p := "/api/v1/members/" + mb.ID

		wantProblem(t, c.get(p), http.StatusNotFound, "id")
		wantProblem(t, c.get(p+"/history"), http.StatusNotFound, "id")
		wantProblem(t, c.write("PUT", p, map[string]any{"last_name": "Hacked"}), http.StatusNotFound, "id")
		wantProblem(t, c.write("POST", p+"/status", map[string]any{"status": "inactive"}), http.StatusNotFound, "id")
		wantProblem(t, c.write("POST", p+"/status", map[string]any{"status": "deceased"}), http.StatusNotFound, "id")
		wantProblem(t, c.del(p), http.StatusNotFound, "id")
		r := c.get("/api/v1/members?status=all&limit=200")
		if got := ids(t, r); len(got) != 2 || strings.Contains(r.Body, "B ry") {
			t.Fatalf("A's list: %s", r.Body)
		}
		if r := c.get("/api/v1/members?q=" + strings.Fields(mb.LastName)[0]); strings.Contains(r.Body, mb.ID) {
			t.Fatalf("search found B's member: %s", r.Body)
		}
		if !reflect.DeepEqual(env.Members(t, b.ID), before) || !reflect.DeepEqual(env.AuditActions(t, b.ID), auditBefore) {
			t.Fatal("B changed")
		}
		if m, err := getMember(t, env, b.ID, mb.ID); err != nil || m.LastName != mb.LastName || m.Status != member.StatusActive {
			t.Fatalf("B's member: %+v %v", m, err)
		}
	})
}
