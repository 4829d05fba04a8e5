package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// addCustomField adds a custom field to aid as the settings page does.
func addCustomField(t *testing.T, env *testenv.Env, aid string, f member.CustomField) member.CustomField {
	t.Helper()
	err := env.DB.For(aid).Write(context.Background(), func(tx *store.TenantTx) error {
		var err error
		f, err = member.CreateCustomField(context.Background(), tx, env.Audit, env.Clock.Now(), f)
		return err
	})
	if err != nil {
		t.Fatalf("add custom field: %v", err)
	}
	return f
}

// TestImportCustomFieldsPages: the preview maps a column headed by a custom
// field's name to it and offers the association's custom fields by name; a
// bad value is a problem on its row and column; the import writes the
// values; another association's field is refused as a mapping.
func TestImportCustomFieldsPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		size := addCustomField(t, env, a.ID, member.CustomField{Name: "Äänialue", Kind: member.FieldChoice, Choices: []string{"Sopraano", "Altto", "Tenori", "Basso"}})
		theirs := addCustomField(t, env, b.ID, member.CustomField{Name: "Salainen", Kind: member.FieldText})
		user := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, user.Email, "")
		base := "/a/" + a.ID + "/members"

		file := "Jäsennumero;Sukunimi;Etunimi;AANIALUE\n301;Virtanen;Matti;basso\n302;Laine;Anna;sopraano\n303;Korhonen;Liisa;Baritoni\n"
		path, r := upload(t, c, base, "kuoro.csv", file)
		if f, label := selectedField(r.Body, "AANIALUE"); f != "custom:"+size.ID || label != "Äänialue (lisätieto)" {
			t.Fatalf("the custom column is mapped to %q (%q)", f, label)
		}
		if count(r.Body, "problems") != "1" || !strings.Contains(r.Body, "must be one of the choices: Sopraano, Altto, Tenori, Basso") {
			t.Fatalf("a bad choice: problems %s", count(r.Body, "problems"))
		}

		// Another association's field as a mapping: refused by name.
		if r := remap(c, path, "member_number", "last_name", "first_name", "custom:"+theirs.ID); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "AANIALUE") {
			t.Fatalf("another association's field: %d", r.Status)
		}

		path, _ = upload(t, c, base, "kuoro.csv", strings.Replace(file, "Baritoni", "TENORI", 1))
		r = commitJob(t, c, path)
		if count(r.Body, "new") != "3" {
			t.Fatalf("import: new %s", count(r.Body, "new"))
		}
		err := env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			ms, err := member.List(context.Background(), tx, 0, 10)
			if err != nil {
				return err
			}
			ids := []string{ms[0].ID, ms[1].ID, ms[2].ID}
			vs, err := member.CustomValuesFor(context.Background(), tx, ids)
			if err != nil {
				return err
			}
			for i, want := range []string{"Basso", "Sopraano", "Tenori"} {
				if got := vs[ids[i]]["Äänialue"]; got != want {
					t.Errorf("member %d: %q, want %q", ms[i].Number, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
