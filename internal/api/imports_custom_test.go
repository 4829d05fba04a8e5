package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// TestImportsAPICustomFields: custom fields are imported through the API,
// recognised by their names or chosen as "custom:<id>"; a bad value is a
// problem naming the row, column and field; a re-import is unchanged; an
// id of another association's field is refused as a mapping.
func TestImportsAPICustomFields(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		a := env.Association(t, "A ry", 0)
		b := env.Association(t, "B ry", 0)
		add := func(aid string, f member.CustomField) member.CustomField {
			t.Helper()
			err := env.DB.For(aid).Write(context.Background(), func(tx *store.TenantTx) error {
				var err error
				f, err = member.CreateCustomField(context.Background(), tx, env.Audit, env.Clock.Now(), f)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		paid := add(a.ID, member.CustomField{Name: "Talkoot tehty", Kind: member.FieldYesNo})
		theirs := add(b.ID, member.CustomField{Name: "Talkoot tehty", Kind: member.FieldYesNo})
		key, _ := apiKey(t, env, a.ID, auth.ScopeWrite)
		c := client{t: t, srv: srv, key: key}
		target := "custom:" + paid.ID

		file := "Jäsennumero;Sukunimi;Etunimi;Talkoot tehty\n1;Virtanen;Matti;kyllä\n2;Laine;Anna;ehkä\n"
		r := c.importBody("?dry_run=true", "text/csv", []byte(file))
		if r.Status != http.StatusOK {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		res := r.JSON(t)
		if cols := res["mapping"].([]any); cols[3].(map[string]any)["field"] != target {
			t.Errorf("mapping %v", cols)
		}
		if got := problemList(t, r); len(got) != 1 || got[0] != "3/Talkoot tehty/"+target {
			t.Errorf("problems %v", got)
		}

		file = strings.Replace(file, "ehkä", "ei", 1)
		if r := c.importBody("", "text/csv", []byte(file)); r.Status != http.StatusOK || r.JSON(t)["new"] != 2.0 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if r := c.importBody("", "text/csv", []byte(file)); r.Status != http.StatusOK || r.JSON(t)["unchanged"] != 2.0 {
			t.Fatalf("second import: %d %s", r.Status, r.Body)
		}
		r = c.importFile("", "a.csv", []byte("Jäsennumero;Tehty\n2;x\n"), fmt.Sprintf(`["member_number", %q]`, target))
		res = r.JSON(t)
		if r.Status != http.StatusOK || res["updated"] != 1.0 {
			t.Fatalf("update: %d %s", r.Status, r.Body)
		}
		if changed := res["outcomes"].([]any)[0].(map[string]any)["changed"].([]any); len(changed) != 1 || changed[0] != target {
			t.Errorf("changed %v", changed)
		}

		// Another association's field: refused, nothing written.
		before := len(env.AuditActions(t, a.ID))
		wantProblem(t, c.importFile("", "a.csv", []byte("Jäsennumero;Tehty\n1;ei\n"), fmt.Sprintf(`["member_number", "custom:%s"]`, theirs.ID)),
			http.StatusUnprocessableEntity, "mapping")
		if n := len(env.AuditActions(t, a.ID)); n != before {
			t.Errorf("audit events %d, want %d", n, before)
		}
	})
}
