package memberimport_test

import (
	"strings"
	"testing"

	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/member"
	mi "seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// fees adds fee types to the fixture's association and returns their ids
// by name; the first is the default.
func (f *fix) fees(names ...string) map[string]string {
	f.t.Helper()
	out := map[string]string{}
	err := f.env.DB.For(f.aid).Write(f.ctx, func(tx *store.TenantTx) error {
		for i, n := range names {
			created, err := fee.Create(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), fee.Fee{Name: n, PriceCents: int64(1000 * (i + 1)), IsDefault: i == 0})
			if err != nil {
				return err
			}
			out[n] = created.ID
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// feeOf returns the name of the fee member number n pays, "" for none.
func (f *fix) feeOf(n int64) string {
	f.t.Helper()
	m := byNumber(f.members())[n]
	var name string
	err := f.env.DB.For(f.aid).Read(f.ctx, func(tx *store.TenantTx) error {
		got, ok, err := fee.OfMember(f.ctx, tx, m.ID)
		if ok {
			name = got.Name
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return name
}

// TestImportFeeByName: the fee column names the association's fees by
// name, whatever the case; an unknown name is a problem that lists the
// fees; a row without a fee gets the default; a changed fee updates the
// member, only an Active one.
func TestImportFeeByName(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		if got := mi.Suggest([]string{"Jäsenmaksu", "Medlemsavgift"}); got[0] != mi.FeeName {
			t.Fatalf("Suggest: %v", got)
		}
		f.fees("Aikuinen", "Nuoriso", "Kannatusjäsen")
		file := "Jäsennumero;Sukunimi;Etunimi;Jäsenmaksu\n" +
			"1;Virtanen;Matti;aikuinen\n" +
			"2;Korhonen;Liisa;NUORISO\n" +
			"3;Laine;Anna;\n" +
			"4;Nieminen;Pekka;Kultajäsen\n"
		before := f.state()
		res := f.commitWith(file, nil)
		if res.Committed || len(res.Problems) != 1 {
			t.Fatalf("unknown fee: %+v", res)
		}
		if p := res.Problems[0]; p.Row != 5 || p.Column != "Jäsenmaksu" || p.Field != mi.FeeName ||
			!strings.Contains(p.Message, `"Kultajäsen"`) || !strings.Contains(p.Message, "Aikuinen, Nuoriso, Kannatusjäsen") {
			t.Errorf("problem %v", p)
		}
		if f.state() != before {
			t.Fatal("a refused import wrote something")
		}

		file = strings.Replace(file, "Kultajäsen", "kannatus\u00adjäsen", 1) // with a soft hyphen: not the name
		if res := f.commitWith(file, nil); res.Committed {
			t.Fatal("a name with a soft hyphen matched")
		}
		file = strings.Replace(file, "kannatus\u00adjäsen", "  Kannatusjäsen ", 1)
		if res := f.commitWith(file, nil); !res.Committed || res.New != 4 {
			t.Fatalf("import: %+v", res)
		}
		for n, want := range map[int64]string{1: "Aikuinen", 2: "Nuoriso", 3: "Aikuinen", 4: "Kannatusjäsen"} {
			if got := f.feeOf(n); got != want {
				t.Errorf("member %d pays %q, want %q", n, got, want)
			}
		}
		if res := f.plan(table(t, file), nil); res.Unchanged != 4 {
			t.Fatalf("second run: %+v", res)
		}

		// Liisa grows up; Pekka has left, so his fee cannot change here.
		ms := byNumber(f.members())
		err := f.env.DB.For(f.aid).Write(f.ctx, func(tx *store.TenantTx) error {
			_, err := member.ChangeStatus(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), ms[4].ID, member.StatusInactive, f.env.Clock.Now(), "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res = f.commitWith("Jäsennumero;Jäsenmaksu\n2;Aikuinen\n4;Aikuinen\n", nil)
		if res.Committed || len(res.Problems) != 1 || res.Problems[0].Row != 3 {
			t.Fatalf("fee of a former member: %+v", res.Problems)
		}
		res = f.commitWith("Jäsennumero;Jäsenmaksu\n2;Aikuinen\n4;Kannatusjäsen\n", nil)
		if !res.Committed || res.Updated != 1 || res.Unchanged != 1 || res.Outcomes[0].Changed[0] != mi.FeeName {
			t.Fatalf("fee change: %+v", res)
		}
		if got := f.feeOf(2); got != "Aikuinen" {
			t.Errorf("member 2 pays %q after the change", got)
		}
		f.checkCounts()
	})
}
