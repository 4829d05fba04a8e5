package postcode_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"seura.fi/seura/internal/postcode"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// lookup reads the town of code in association aid.
func lookup(t *testing.T, env *testenv.Env, aid, code, lang string) (string, bool) {
	t.Helper()
	var town string
	var ok bool
	err := env.DB.For(aid).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		town, ok, err = postcode.Lookup(context.Background(), tx, code, lang)
		return err
	})
	if err != nil {
		t.Fatalf("lookup %s: %v", code, err)
	}
	return town, ok
}

// TestLookup checks the seeded table in both languages, an association's
// override (seen by it alone, audited, removable) and unknown codes.
func TestLookup(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 0)
		b := env.Association(t, "Toinen ry", 0)

		for _, c := range []struct{ code, lang, want string }{
			{"65100", "fi", "VAASA"}, {"65100", "sv", "VASA"}, {"00100", "sv", "HELSINGFORS"},
			{"00100", "en", "HELSINKI"}, {"99999", "sv", "KORVATUNTURI"}, {" 33100 ", "fi", "TAMPERE"},
		} {
			if got, ok := lookup(t, env, a.ID, c.code, c.lang); !ok || got != c.want {
				t.Errorf("Lookup(%q, %s) = %q, %v; want %q", c.code, c.lang, got, ok, c.want)
			}
		}
		for _, code := range []string{"", "00000", "abcde", "6510"} {
			if got, ok := lookup(t, env, a.ID, code, "fi"); ok || got != "" {
				t.Errorf("Lookup(%q) = %q, %v; want unknown", code, got, ok)
			}
		}

		// An override wins in every language, for its association only.
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			if err := postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), "65100", "Vasa centrum"); err != nil {
				return err
			}
			return postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), "65100", "Vasa centrum") // unchanged: not audited again
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"fi", "sv"} {
			if got, _ := lookup(t, env, a.ID, "65100", lang); got != "Vasa centrum" {
				t.Errorf("override in %s: %q", lang, got)
			}
		}
		if got, _ := lookup(t, env, b.ID, "65100", "sv"); got != "VASA" {
			t.Errorf("another association sees the override: %q", got)
		}
		if n := count(env.AuditActions(t, a.ID), "postcode.override.set"); n != 1 {
			t.Errorf("%d postcode.override.set events, want 1", n)
		}

		// Bad input names the field and writes nothing.
		for _, c := range []struct{ code, town, field string }{
			{"651", "Vasa", "postcode"}, {"65100", " ", "town"}, {"65100", strings.Repeat("x", 61), "town"},
			{"65100", "Vasa\nby", "town"},
		} {
			err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				return postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), c.code, c.town)
			})
			var fe *postcode.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("Set(%q, %q) = %v; want a problem with %s", c.code, c.town, err, c.field)
			}
		}
		if got, _ := lookup(t, env, a.ID, "65100", "fi"); got != "Vasa centrum" {
			t.Errorf("a refused override changed the town: %q", got)
		}

		// Deleting brings the post's name back; deleting again is not found.
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return postcode.Delete(ctx, tx, env.Audit, "65100")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := lookup(t, env, a.ID, "65100", "sv"); got != "VASA" {
			t.Errorf("after delete: %q", got)
		}
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return postcode.Delete(ctx, tx, env.Audit, "65100")
		})
		if !errors.Is(err, postcode.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if !slices.Contains(env.AuditActions(t, a.ID), "postcode.override.delete") {
			t.Error("delete not audited")
		}
	})
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestList searches the table by code and town prefix, pages through it,
// and shows an association's own postcodes to it alone.
func TestList(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 0)
		b := env.Association(t, "Toinen ry", 0)
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			if err := postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), "65100", "Vasa centrum"); err != nil {
				return err
			}
			// A postcode the platform table does not have.
			return postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), "00000", "Testby")
		})
		if err != nil {
			t.Fatal(err)
		}
		list := func(aid string, q postcode.Query) postcode.Page {
			t.Helper()
			var p postcode.Page
			err := env.DB.For(aid).Read(ctx, func(tx *store.TenantTx) error {
				var err error
				p, err = postcode.List(ctx, tx, q)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := list(a.ID, postcode.Query{Text: "vasa cent"})
		if len(p.Rows) != 1 || p.Rows[0].Code != "65100" || p.Rows[0].Town("sv") != "Vasa centrum" {
			t.Errorf("search by own town: %+v", p.Rows)
		}
		p = list(a.ID, postcode.Query{Text: "651", Limit: 3})
		if len(p.Rows) != 3 || p.Rows[0].Code != "65100" || p.Next == "" {
			t.Fatalf("first page: %+v next %q", p.Rows, p.Next)
		}
		p2 := list(a.ID, postcode.Query{Text: "651", Limit: 3, After: p.Next})
		if len(p2.Rows) == 0 || p2.Rows[0].Code <= p.Rows[2].Code || !strings.HasPrefix(p2.Rows[0].Code, "651") {
			t.Errorf("second page: %+v", p2.Rows)
		}
		p = list(a.ID, postcode.Query{OnlyOverrides: true})
		if len(p.Rows) != 2 || p.Rows[0].Code != "00000" || p.Rows[0].Town("fi") != "Testby" {
			t.Errorf("overrides: %+v", p.Rows)
		}
		if p := list(b.ID, postcode.Query{OnlyOverrides: true}); len(p.Rows) != 0 {
			t.Errorf("another association sees overrides: %+v", p.Rows)
		}
		if p := list(b.ID, postcode.Query{Text: "00000"}); len(p.Rows) != 0 {
			t.Errorf("another association sees an own postcode: %+v", p.Rows)
		}
		if e.Name == "postgres" {
			// Row-level security: a query that forgets its tenant condition
			// still sees only its own association's overrides.
			err := env.DB.For(b.ID).Read(ctx, func(tx *store.TenantTx) error {
				var n int
				err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM association_postcodes WHERE $1 <> ''`).Scan(&n)
				if n != 0 {
					t.Errorf("row-level security lets association b see %d overrides of a", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if p := list(a.ID, postcode.Query{Text: "%"}); len(p.Rows) != 0 {
			t.Errorf("a wildcard matched: %d rows", len(p.Rows))
		}
	})
}

// TestImportPosti imports the post's fixed-width file over the seeded
// table: new and renamed postcodes counted and written, one audit event,
// and a bad file changing nothing.
func TestImportPosti(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 0)
		file, err := os.ReadFile("testdata/PCF_sample.dat")
		if err != nil {
			t.Fatal(err)
		}
		plan, err := postcode.PlanImport(ctx, env.DB, strings.NewReader(string(file)))
		if err != nil || plan.Total != 3 || plan.Added != 1 || plan.Changed != 1 {
			t.Fatalf("dry run: %+v, %v", plan, err)
		}
		if got, _ := lookup(t, env, a.ID, "00001", "fi"); got != "" {
			t.Fatalf("the dry run wrote %q", got)
		}
		// The platform's table is the owner's to load: the application's
		// role only reads it (on PostgreSQL; SQLite has no roles).
		owner := env.DB
		if e.Name == "postgres" {
			_, err := postcode.ImportPosti(ctx, env.DB, env.Audit, env.Clock.Now(), strings.NewReader(string(file)))
			if err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Fatalf("the application role loaded the platform's postcodes: %v", err)
			}
			if owner, err = store.Open(ctx, e.OwnerDSN); err != nil {
				t.Fatal(err)
			}
			defer owner.Close()
		}
		res, err := postcode.ImportPosti(ctx, owner, env.Audit, env.Clock.Now(), strings.NewReader(string(file)))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 3 || res.Added != 1 || res.Changed != 1 {
			t.Errorf("import result %+v, want 3 total, 1 added, 1 changed", res)
		}
		for _, c := range []struct{ code, lang, want string }{
			{"65100", "sv", "VASA"}, {"00001", "fi", "UUSIKYLÄ"}, {"00001", "sv", "NYBY"}, {"79700", "fi", "HEINÄVESI KK"},
		} {
			if got, _ := lookup(t, env, a.ID, c.code, c.lang); got != c.want {
				t.Errorf("after import %s/%s = %q, want %q", c.code, c.lang, got, c.want)
			}
		}
		var events int
		err = env.DB.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'postcodes.import'`).Scan(&events)
		})
		if err != nil || events != 1 {
			t.Errorf("postcodes.import events: %d, %v", events, err)
		}

		bad := string(file) + "PONOT20240413ABCDE\n"
		if _, err := postcode.ImportPosti(ctx, owner, env.Audit, env.Clock.Now(), strings.NewReader(bad)); err == nil ||
			!strings.Contains(err.Error(), "line 4") {
			t.Errorf("bad file: %v", err)
		}
	})
}

// TestListBySwedishName finds postcodes by their Swedish town name.
func TestListBySwedishName(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 0)
		err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			p, err := postcode.List(ctx, tx, postcode.Query{Text: "helsingfors", Limit: 5})
			if err != nil {
				return err
			}
			if len(p.Rows) != 5 || p.Rows[0].TownSV != "HELSINGFORS" || p.Rows[0].Town("sv") != "HELSINGFORS" ||
				p.Rows[0].Town("fi") != "HELSINKI" {
				t.Errorf("search by Swedish name: %+v", p.Rows)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
