package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// feeActions counts an association's audit events by action.
func feeActions(t *testing.T, env *testenv.Env, assocID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range auditEntries(t, env, assocID) {
		out[e.Action]++
	}
	return out
}

// feeOfMember reads a member's fee id from the register.
func feeOfMember(t *testing.T, env *testenv.Env, assocID, memberID string) string {
	t.Helper()
	var id string
	err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		f, ok, err := fee.OfMember(context.Background(), tx, memberID)
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

func TestFeesAPI(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Seura", 2)
		readKey, _ := apiKey(t, env, a.ID, auth.ScopeRead)
		writeKey, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		rc, wc := client{t, srv, readKey}, client{t, srv, writeKey}

		if r := rc.get("/api/v1/fees"); r.Status != http.StatusOK || len(r.JSON(t)["items"].([]any)) != 0 {
			t.Fatalf("empty fee list: %d %s", r.Status, r.Body)
		}
		// Bad input: every field named, nothing written.
		before := len(auditEntries(t, env, a.ID))
		p := wantProblem(t, wc.write("POST", "/api/v1/fees", map[string]any{"name": "", "price_cents": -1, "age_from": 200}),
			http.StatusUnprocessableEntity, "name")
		if errs := p["errors"].([]any); len(errs) != 3 {
			t.Errorf("problems %v; want price, name and age_from", errs)
		}
		wantProblem(t, wc.write("POST", "/api/v1/fees", `{"name": "X", "colour": "red"}`), http.StatusBadRequest, "colour")
		// A read key cannot change anything.
		wantProblem(t, rc.write("POST", "/api/v1/fees", map[string]any{"name": "Luku"}), http.StatusForbidden, "")
		if len(auditEntries(t, env, a.ID)) != before {
			t.Fatal("refused requests wrote something")
		}

		r := wc.write("POST", "/api/v1/fees", map[string]any{"name": "Juniori", "price_cents": 1000, "age_from": 0,
			"age_based": true, "is_default": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("create junior: %d %s", r.Status, r.Body)
		}
		junior := r.JSON(t)
		if junior["price_cents"] != float64(1000) || junior["price"] != "10,00" || r.Header.Get("Location") == "" {
			t.Errorf("junior %v", junior)
		}
		r = wc.write("POST", "/api/v1/fees", map[string]any{"name": "Aikuinen", "price_cents": 2500, "age_from": 18,
			"age_based": true, "product": "3010"})
		adult := r.JSON(t)
		wantProblem(t, wc.write("POST", "/api/v1/fees", map[string]any{"name": "Aikuinen"}), http.StatusUnprocessableEntity, "name")

		// Read back, then replace it: the body is the whole fee.
		adultID := adult["id"].(string)
		got := rc.get("/api/v1/fees/" + adultID).JSON(t)
		got["price_cents"] = 3000
		r = wc.write("PUT", "/api/v1/fees/"+adultID, got)
		if r.Status != http.StatusOK || r.JSON(t)["price_cents"] != float64(3000) || r.JSON(t)["product"] != "3010" {
			t.Fatalf("update adult: %d %s", r.Status, r.Body)
		}

		// A member born so that they turn 18 on 1.1.2027.
		var m member.Member
		if err := env.DB.For(a.ID).Write(context.Background(), func(tx *store.TenantTx) error {
			var err error
			m, err = member.Create(context.Background(), tx, env.Audit, env.Clock.Now(), member.Member{
				Status: member.StatusActive, FirstName: "Täysi", LastName: "Ikäinen",
				BirthDate: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if feeOfMember(t, env, a.ID, m.ID) != junior["id"] {
			t.Fatal("the new member did not get the default fee")
		}
		r = rc.get("/api/v1/fees/" + junior["id"].(string) + "/members?limit=1")
		page := r.JSON(t)
		if items := page["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != m.ID || page["next_after"] != nil {
			t.Errorf("junior's members: %s", r.Body)
		}
		wantProblem(t, rc.get("/api/v1/fees/"+junior["id"].(string)+"/members?after=x"), http.StatusBadRequest, "after")

		// Periods: none yet, then a preview that changes nothing.
		wantProblem(t, rc.get("/api/v1/periods/current"), http.StatusNotFound, "")
		wantProblem(t, rc.write("POST", "/api/v1/periods/preview", map[string]any{"starts_on": "1.1.2027"}),
			http.StatusUnprocessableEntity, "starts_on")
		wantProblem(t, rc.write("POST", "/api/v1/periods/preview", map[string]any{"starts_on": "2027-01-01", "ends_on": "2026-01-01"}),
			http.StatusUnprocessableEntity, "ends_on")
		r = rc.write("POST", "/api/v1/periods/preview", map[string]any{"starts_on": "2027-01-01"})
		plan := r.JSON(t)
		moves := plan["moves"].([]any)
		if r.Status != http.StatusOK || len(moves) != 1 || plan["ends_on"] != "2027-12-31" {
			t.Fatalf("preview: %d %s", r.Status, r.Body)
		}
		mv := moves[0].(map[string]any)
		if mv["member_id"] != m.ID || mv["age"] != float64(18) || mv["to_fee_id"] != adultID || mv["from_fee"] != "Juniori" {
			t.Errorf("move %v", mv)
		}
		if feeOfMember(t, env, a.ID, m.ID) != junior["id"] {
			t.Fatal("the preview moved the member")
		}

		// Changing one member's fee.
		r = wc.write("PUT", "/api/v1/members/"+m.ID+"/fee", map[string]any{"fee_id": adultID})
		if r.Status != http.StatusOK || r.JSON(t)["fee"].(map[string]any)["id"] != adultID {
			t.Fatalf("set fee: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.write("PUT", "/api/v1/members/"+m.ID+"/fee", map[string]any{"fee_id": nil}), http.StatusForbidden, "")
		wantProblem(t, wc.write("PUT", "/api/v1/members/"+m.ID+"/fee", map[string]any{"fee_id": "no-such"}), http.StatusNotFound, "fee_id")

		// Only active members can have their fee changed.
		var applied member.Member
		if err := env.DB.For(a.ID).Write(context.Background(), func(tx *store.TenantTx) error {
			var err error
			applied, err = member.Create(context.Background(), tx, env.Audit, env.Clock.Now(), member.Member{
				Status: member.StatusApplied, FirstName: "Hakija", LastName: "Uusi"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, wc.write("PUT", "/api/v1/members/"+applied.ID+"/fee", map[string]any{"fee_id": adultID}),
			http.StatusConflict, "status")
		if feeOfMember(t, env, a.ID, applied.ID) != junior["id"] {
			t.Error("the applicant's fee changed")
		}

		// The fee in use cannot be deleted; a free one can.
		wantProblem(t, wc.del("/api/v1/fees/"+adultID), http.StatusConflict, "id")
		wantProblem(t, wc.del("/api/v1/fees/"+junior["id"].(string)), http.StatusConflict, "id")
		free := wc.write("POST", "/api/v1/fees", map[string]any{"name": "Kannatus", "price_cents": 5000}).JSON(t)["id"].(string)
		if r := wc.del("/api/v1/fees/" + free); r.Status != http.StatusOK || r.JSON(t)["deleted"] != true {
			t.Fatalf("delete a free fee: %d %s", r.Status, r.Body)
		}
		wantProblem(t, rc.get("/api/v1/fees/"+free), http.StatusNotFound, "id")
		list := rc.get("/api/v1/fees").JSON(t)["items"].([]any)
		if len(list) != 2 || list[1].(map[string]any)["members"] != float64(1) {
			t.Errorf("fee list %v", list)
		}

		acts := feeActions(t, env, a.ID)
		for action, want := range map[string]int{"fee.create": 3, "fee.update": 1, "fee.delete": 1, "member.fee": 1,
			"fee.members": 1, "period.preview": 1} {
			if acts[action] != want {
				t.Errorf("%d %s events; want %d (%v)", acts[action], action, want, acts)
			}
		}
	})
}

// TestFeesAPIIsolation: ids of another association are 404 and change
// nothing.
func TestFeesAPIIsolation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "Oma", 1)
		b := env.Association(t, "Vieras", 1)
		ctx := context.Background()
		var theirs fee.Fee
		if err := env.DB.For(b.ID).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			theirs, err = fee.Create(ctx, tx, env.Audit, env.Clock.Now(), fee.Fee{Name: "Heidän", PriceCents: 100})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		mine, their := env.Members(t, a.ID)[0], env.Members(t, b.ID)[0]
		key, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		c := client{t, srv, key}
		wantProblem(t, c.get("/api/v1/fees/"+theirs.ID), http.StatusNotFound, "id")
		wantProblem(t, c.get("/api/v1/fees/"+theirs.ID+"/members"), http.StatusNotFound, "id")
		wantProblem(t, c.write("PUT", "/api/v1/fees/"+theirs.ID, map[string]any{"name": "Kaapattu"}), http.StatusNotFound, "id")
		wantProblem(t, c.del("/api/v1/fees/"+theirs.ID), http.StatusNotFound, "id")
		wantProblem(t, c.write("PUT", "/api/v1/members/"+mine.ID+"/fee", map[string]any{"fee_id": theirs.ID}), http.StatusNotFound, "fee_id")
		wantProblem(t, c.write("PUT", "/api/v1/members/"+their.ID+"/fee", map[string]any{"fee_id": nil}), http.StatusNotFound, "id")
		if acts := feeActions(t, env, a.ID); acts["member.fee"]+acts["fee.update"]+acts["fee.delete"] != 0 {
			t.Errorf("audit shows changes: %v", acts)
		}
		if err := env.DB.For(b.ID).Read(ctx, func(tx *store.TenantTx) error {
			f, err := fee.Get(ctx, tx, theirs.ID)
			if f.Name != "Heidän" {
				t.Errorf("their fee changed: %+v", f)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}
