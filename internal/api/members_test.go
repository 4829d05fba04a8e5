package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// auditEntries lists an association's audit events, oldest first.
func auditEntries(t *testing.T, env *testenv.Env, assocID string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		es, err := audit.List(context.Background(), tx, 0, 10000)
		for i := len(es) - 1; i >= 0; i-- {
			out = append(out, es[i])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func getMember(t *testing.T, env *testenv.Env, assocID, id string) (member.Member, error) {
	t.Helper()
	var m member.Member
	err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		m, err = member.Get(context.Background(), tx, id)
		return err
	})
	return m, err
}

func ids(t *testing.T, r resp) []string {
	t.Helper()
	var out []string
	for _, it := range r.JSON(t)["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

func TestMembersAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Kuoro", 5)
		readKey, readKeyID := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, writeKeyID := apiKey(t, env, a.ID, auth.ScopeWrite)
		rc := client{t: t, srv: srv, key: readKey}
		wc := client{t: t, srv: srv, key: writeKey}

		if r := rc.get("/api/v1/association"); r.Status != http.StatusOK || r.JSON(t)["name"] != "Kuoro" {
			t.Fatalf("association: %d %s", r.Status, r.Body)
		}

		// Create, with every kind of field.
		r := wc.write("POST", "/api/v1/members", map[string]any{
			"kind": "person", "status": "active", "first_name": "Aino", "last_name": "Ahola", "gender": "woman",
			"birth_date": "1990-05-17", "email": "Aino.Ahola@Example.fi", "phone": "040 123 4567",
			"street": "Kotikatu 1", "postcode": "00100", "town": "Helsinki", "language": "sv",
			"joined_on": "2020-01-01", "notes": "laulaa altto"})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		created := r.JSON(t)
		id := created["id"].(string)
		if r.Header.Get("Location") != "/api/v1/members/"+id {
			t.Fatalf("Location %q", r.Header.Get("Location"))
		}
		if created["birth_date"] != "1990-05-17" || created["joined_on"] != "2020-01-01" || created["left_on"] != nil ||
			created["email"] != "aino.ahola@example.fi" || created["phone"] != "+358401234567" ||
			created["phone_mobile"] != true || created["member_number"] != float64(6) {
			t.Fatalf("created: %s", r.Body)
		}
		got := rc.get(r.Header.Get("Location"))
		if got.Status != http.StatusOK || got.Body != r.Body {
			t.Fatalf("read back: %d\n%s\n%s", got.Status, got.Body, r.Body)
		}

		// An organisation, minimal.
		r = wc.write("POST", "/api/v1/members", map[string]any{"kind": "organisation", "status": "active",
			"organisation_name": "Oy Ab", "business_id": "0737546-2", "member_number": 100})
		if r.Status != http.StatusCreated || r.JSON(t)["member_number"] != float64(100) || r.JSON(t)["birth_date"] != nil {
			t.Fatalf("create organisation: %d %s", r.Status, r.Body)
		}
		orgID := r.JSON(t)["id"].(string)

		// Update: the card read, changed and sent back (read-only fields
		// are accepted and ignored).
		card := got.JSON(t)
		card["town"] = "Espoo"
		card["notes"] = nil
		card["id"] = "ignored"
		r = wc.write("PUT", "/api/v1/members/"+id, card)
		if r.Status != http.StatusOK || r.JSON(t)["town"] != "Espoo" || r.JSON(t)["notes"] != "" || r.JSON(t)["id"] != id {
			t.Fatalf("update: %d %s", r.Status, r.Body)
		}

		// Search.
		r = rc.get("/api/v1/members")
		if r.Status != http.StatusOK || len(ids(t, r)) != 7 || r.JSON(t)["next_cursor"] != nil || r.JSON(t)["prev_cursor"] != nil {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		r = rc.get("/api/v1/members?q=ahola")
		if got := ids(t, r); len(got) != 1 || got[0] != id {
			t.Fatalf("search ahola: %v", got)
		}
		if got := ids(t, rc.get("/api/v1/members?language=sv")); len(got) != 1 || got[0] != id {
			t.Fatalf("language sv: %v", got)
		}
		r = rc.get("/api/v1/members?sort=number&dir=desc&limit=1")
		if got := ids(t, r); len(got) != 1 || got[0] != orgID || r.JSON(t)["next_cursor"] == nil {
			t.Fatalf("desc: %v %s", got, r.Body)
		}
		// Paging forward and back by cursor.
		var all []string
		path := "/api/v1/members?sort=last_name&limit=3"
		for range 5 {
			r = rc.get(path)
			all = append(all, ids(t, r)...)
			next, _ := r.JSON(t)["next_cursor"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/members?sort=last_name&limit=3&cursor=" + next
		}
		if len(all) != 7 || len(slices.Compact(slices.Sorted(slices.Values(all)))) != 7 {
			t.Fatalf("paged: %v", all)
		}
		prev, _ := r.JSON(t)["prev_cursor"].(string)
		if back := ids(t, rc.get("/api/v1/members?sort=last_name&limit=3&cursor="+prev)); !slices.Equal(back, all[3:6]) {
			t.Fatalf("back: %v, want %v", back, all[3:6])
		}

		// Status changes: leave, then the card cannot be edited.
		r = wc.write("POST", "/api/v1/members/"+id+"/status", map[string]any{"status": "inactive", "on": "2026-02-01", "reason": "muutti"})
		if r.Status != http.StatusOK || r.JSON(t)["status"] != "inactive" || r.JSON(t)["left_on"] != "2026-02-01" {
			t.Fatalf("leave: %d %s", r.Status, r.Body)
		}
		p := wantProblem(t, wc.write("PUT", "/api/v1/members/"+id, card), http.StatusConflict, "status")
		if !strings.Contains(p["detail"].(string), "inactive") {
			t.Fatalf("not editable: %v", p)
		}
		p = wantProblem(t, wc.write("POST", "/api/v1/members/"+id+"/status", map[string]any{"status": "inactive"}), http.StatusConflict, "status")
		if p["from_status"] != "inactive" || p["to_status"] != "inactive" {
			t.Fatalf("transition: %v", p)
		}
		if r = rc.get("/api/v1/members?status=inactive"); !slices.Equal(ids(t, r), []string{id}) {
			t.Fatalf("status=inactive: %s", r.Body)
		}
		if r = rc.get("/api/v1/members?status=inactive,active"); len(ids(t, r)) != 7 {
			t.Fatalf("status list: %s", r.Body)
		}
		if r = rc.get("/api/v1/members?status=inactive&status=active"); len(ids(t, r)) != 7 {
			t.Fatalf("status repeated: %s", r.Body)
		}
		if r = rc.get("/api/v1/members?status=all"); len(ids(t, r)) != 7 {
			t.Fatalf("status all: %s", r.Body)
		}
		if r = rc.get("/api/v1/members"); len(ids(t, r)) != 6 {
			t.Fatalf("default is active only: %s", r.Body)
		}
		r = wc.write("POST", "/api/v1/members/"+id+"/status", map[string]any{"status": "active"})
		if r.Status != http.StatusOK || r.JSON(t)["status"] != "active" || r.JSON(t)["left_on"] != nil {
			t.Fatalf("rejoin: %d %s", r.Status, r.Body)
		}

		// History.
		r = rc.get("/api/v1/members/" + id + "/history")
		h := r.JSON(t)["items"].([]any)
		if r.Status != http.StatusOK || len(h) != 3 {
			t.Fatalf("history: %d %s", r.Status, r.Body)
		}
		first, second := h[0].(map[string]any), h[1].(map[string]any)
		if first["from_status"] != nil || first["to_status"] != "active" || first["on_date"] != "2020-01-01" ||
			second["reason"] != "muutti" || second["on_date"] != "2026-02-01" || second["actor_label"] != "script write" {
			t.Fatalf("history: %s", r.Body)
		}

		// An application, rejected: it is deleted.
		r = wc.write("POST", "/api/v1/members", map[string]any{"status": "applied", "last_name": "Hakija"})
		appID := r.JSON(t)["id"].(string)
		r = wc.write("POST", "/api/v1/members/"+appID+"/status", map[string]any{"status": "rejected", "reason": "ei"})
		if r.Status != http.StatusOK || r.JSON(t)["deleted"] != true || r.JSON(t)["status"] != "rejected" {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.get("/api/v1/members/"+appID), http.StatusNotFound, "id")
		// Another, approved.
		r = wc.write("POST", "/api/v1/members", map[string]any{"status": "applied", "last_name": "Hakija"})
		appID = r.JSON(t)["id"].(string)
		r = wc.write("POST", "/api/v1/members/"+appID+"/status", map[string]any{"status": "active", "on": "2026-03-01"})
		if r.Status != http.StatusOK || r.JSON(t)["joined_on"] != "2026-03-01" {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}

		// Delete: the organisation has no history and goes; the person
		// has one and is anonymised.
		if r = wc.del("/api/v1/members/" + orgID); r.Status != http.StatusOK || r.JSON(t)["anonymised"] != false {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.get("/api/v1/members/"+orgID), http.StatusNotFound, "id")
		if r = wc.del("/api/v1/members/" + id); r.Status != http.StatusOK || r.JSON(t)["anonymised"] != true {
			t.Fatalf("anonymise: %d %s", r.Status, r.Body)
		}
		r = rc.get("/api/v1/members/" + id)
		if r.JSON(t)["last_name"] != member.Erased || r.JSON(t)["email"] != "" || r.JSON(t)["birth_date"] != nil {
			t.Fatalf("anonymised: %s", r.Body)
		}

		// Every write was audited with the write key as actor, every list
		// as a bulk read by the read key.
		want := map[string]int{"member.create": 4, "member.update": 1, "member.status": 3, "member.reject": 1,
			"member.delete": 1, "member.anonymise": 1}
		n := map[string]int{}
		var lists int
		for _, ev := range auditEntries(t, env, a.ID) {
			if !strings.HasPrefix(ev.Action, "member.") {
				continue
			}
			if ev.Action == "member.list" {
				lists++
				if ev.Actor.Type != audit.ActorAPIKey || ev.Actor.ID != readKeyID || ev.Details["via"] != "api" || ev.Details["rows"] == nil {
					t.Fatalf("list event: %+v", ev)
				}
				continue
			}
			n[ev.Action]++
			if ev.Actor.Type != audit.ActorAPIKey || ev.Actor.ID != writeKeyID {
				t.Fatalf("%s by %+v, want the write key", ev.Action, ev.Actor)
			}
		}
		if fmt.Sprint(n) != fmt.Sprint(want) || lists < 10 {
			t.Fatalf("audited %v and %d lists, want %v", n, lists, want)
		}
	})
}

// addField adds a custom field to an association, as its settings page does.
func addField(t *testing.T, env *testenv.Env, assocID string, f member.CustomField) member.CustomField {
	t.Helper()
	var out member.CustomField
	err := env.DB.For(assocID).Write(context.Background(), func(tx *store.TenantTx) error {
		var err error
		out, err = member.CreateCustomField(context.Background(), tx, env.Audit, env.Clock.Now(), f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// validInput fails unless v validates against the MemberInput schema, so
// that what the tests send is what the document promises to accept.
func validInput(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaAt(t, "/components/schemas/MemberInput").Validate(inst); err != nil {
		t.Fatalf("request does not validate against MemberInput: %v", err)
	}
	return v
}

// TestMembersAPICardAdditions round-trips c/o, further e-mail addresses,
// invoices by e-mail and custom values through POST, GET, list and PUT,
// every answer validated against the document.
func TestMembersAPICardAdditions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Seura", 0)
		b := env.Association(t, "Muu", 0)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		wc := client{t: t, srv: srv, key: writeKey}
		addField(t, env, a.ID, member.CustomField{Name: "Lisenssi", Kind: member.FieldText, Required: true})
		addField(t, env, a.ID, member.CustomField{Name: "Pituus", Kind: member.FieldNumber})
		addField(t, env, a.ID, member.CustomField{Name: "Tuomarikortti", Kind: member.FieldDate})
		addField(t, env, a.ID, member.CustomField{Name: "Kilpailee", Kind: member.FieldYesNo})
		addField(t, env, a.ID, member.CustomField{Name: "Koko", Kind: member.FieldChoice, Choices: []string{"S", "M"}})
		addField(t, env, b.ID, member.CustomField{Name: "Muiden", Kind: member.FieldText})

		card := validInput(t, map[string]any{"status": "active", "last_name": "Kisaaja", "email": "kisaaja@example.fi",
			"extra_emails": []string{"Toinen@Example.fi", "kolmas@example.fi"}, "email_invoices": true,
			"care_of": "c/o Virtanen", "municipality": "Kauniainen", "country": "FI",
			"custom": map[string]any{"Lisenssi": "L-1", "Pituus": "181,50", "Tuomarikortti": "1.6.2026",
				"Kilpailee": true, "Koko": "m"}})
		r := wc.write("POST", "/api/v1/members", card)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		got := r.JSON(t)
		id := got["id"].(string)
		wantCustom := map[string]any{"Lisenssi": "L-1", "Pituus": 181.5, "Tuomarikortti": "2026-06-01",
			"Kilpailee": true, "Koko": "M"}
		if !reflect.DeepEqual(got["custom"], wantCustom) || got["care_of"] != "Virtanen" ||
			fmt.Sprint(got["extra_emails"]) != "[toinen@example.fi kolmas@example.fi]" || got["email_invoices"] != true ||
			got["municipality"] != "Kauniainen" {
			t.Fatalf("created %s", r.Body)
		}
		if r := wc.get("/api/v1/members/" + id); !reflect.DeepEqual(r.JSON(t)["custom"], wantCustom) {
			t.Fatalf("read %s", r.Body)
		}
		list := wc.get("/api/v1/members")
		items := list.JSON(t)["items"].([]any)
		if len(items) != 1 || !reflect.DeepEqual(items[0].(map[string]any)["custom"], wantCustom) {
			t.Fatalf("list %s", list.Body)
		}

		// Bad values name the custom field; nothing is written.
		before := len(auditEntries(t, env, a.ID))
		for _, tt := range []struct {
			custom map[string]any
			field  string
		}{
			{map[string]any{"Lisenssi": "L-2", "Pituus": "pitkä"}, "custom.Pituus"},
			{map[string]any{"Lisenssi": "L-2", "Koko": "XL"}, "custom.Koko"},
			{map[string]any{"Lisenssi": "L-2", "Kilpailee": "ehkä"}, "custom.Kilpailee"},
			{map[string]any{"Lisenssi": "L-2", "Tuomarikortti": "31.2.2026"}, "custom.Tuomarikortti"},
			{map[string]any{"Lisenssi": "L-2", "Muiden": "x"}, "custom.Muiden"},
			{map[string]any{"Pituus": 180}, "custom.Lisenssi"},
		} {
			r := wc.write("POST", "/api/v1/members", validInput(t, map[string]any{"status": "active", "last_name": "X",
				"custom": tt.custom}))
			wantProblem(t, r, http.StatusUnprocessableEntity, tt.field)
		}
		r = wc.write("POST", "/api/v1/members", `{"status": "active", "last_name": "X", "custom": {"Lisenssi": ["a"]}}`)
		wantProblem(t, r, http.StatusUnprocessableEntity, "custom.Lisenssi")
		r = wc.write("POST", "/api/v1/members", validInput(t, map[string]any{"status": "active", "last_name": "X",
			"email_invoices": true, "custom": map[string]any{"Lisenssi": "L"}}))
		wantProblem(t, r, http.StatusUnprocessableEntity, "email_invoices")
		if after := len(auditEntries(t, env, a.ID)); after != before {
			t.Fatalf("refused requests wrote %d audit events", after-before)
		}

		// A card read and sent back unchanged changes nothing; custom left
		// out keeps the values; given, it is the whole set.
		read := wc.get("/api/v1/members/" + id).JSON(t)
		if r := wc.write("PUT", "/api/v1/members/"+id, validInput(t, read)); r.Status != http.StatusOK ||
			!reflect.DeepEqual(r.JSON(t)["custom"], wantCustom) {
			t.Fatalf("put back: %d %s", r.Status, r.Body)
		}
		delete(read, "custom")
		read["first_name"] = "Kalle"
		if r := wc.write("PUT", "/api/v1/members/"+id, validInput(t, read)); r.Status != http.StatusOK ||
			!reflect.DeepEqual(r.JSON(t)["custom"], wantCustom) {
			t.Fatalf("put without custom: %d %s", r.Status, r.Body)
		}
		read["custom"] = map[string]any{"Lisenssi": "L-1", "Pituus": nil, "Koko": "S"}
		r = wc.write("PUT", "/api/v1/members/"+id, validInput(t, read))
		if r.Status != http.StatusOK || !reflect.DeepEqual(r.JSON(t)["custom"], map[string]any{"Lisenssi": "L-1", "Koko": "S"}) {
			t.Fatalf("put with custom: %d %s", r.Status, r.Body)
		}
		ev := auditEntries(t, env, a.ID)
		last := ev[len(ev)-1]
		for _, c := range last.Changes {
			if strings.HasPrefix(c.Field, "custom.") && (c.Before != "" && !strings.HasPrefix(c.Before, "hmac:") ||
				c.After != "" && !strings.HasPrefix(c.After, "hmac:")) {
				t.Errorf("custom value audited in clear: %+v", c)
			}
		}
		// A status change answers with the values too.
		r = wc.write("POST", "/api/v1/members/"+id+"/status", map[string]any{"status": "inactive"})
		if r.Status != http.StatusOK || !reflect.DeepEqual(r.JSON(t)["custom"], map[string]any{"Lisenssi": "L-1", "Koko": "S"}) {
			t.Fatalf("status: %d %s", r.Status, r.Body)
		}
	})
}
