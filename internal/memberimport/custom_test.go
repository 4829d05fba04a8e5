package memberimport_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	mi "seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// customField adds a custom field to aid as the settings page does.
func (f *fix) customField(aid string, cf member.CustomField) member.CustomField {
	f.t.Helper()
	err := f.env.DB.For(aid).Write(f.ctx, func(tx *store.TenantTx) error {
		var err error
		cf, err = member.CreateCustomField(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), cf)
		return err
	})
	if err != nil {
		f.t.Fatalf("add custom field: %v", err)
	}
	return cf
}

// customValues reads every member's custom values: number → field name →
// canonical value.
func (f *fix) customValues() map[int64]map[string]string {
	f.t.Helper()
	out := map[int64]map[string]string{}
	ms := f.members()
	err := f.env.DB.For(f.aid).Read(f.ctx, func(tx *store.TenantTx) error {
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		vs, err := member.CustomValuesFor(f.ctx, tx, ids)
		for _, m := range ms {
			if vs[m.ID] != nil {
				out[m.Number] = vs[m.ID]
			}
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// mappingFor is the mapping Recall proposes in the fixture's association.
func (f *fix) mappingFor(tab string) mi.Mapping {
	f.t.Helper()
	m, _ := f.recall(f.aid, table(f.t, tab).Header)
	return m
}

// commitRecalled imports tab with the mapping Recall proposes.
func (f *fix) commitRecalled(tab string) *mi.Result {
	f.t.Helper()
	return f.commitWith(tab, f.mappingFor(tab))
}

// TestSuggestCustomFields: a heading equal to a custom field's name, in any
// case and with or without diacritics, goes to that field, before the
// usual names.
func TestSuggestCustomFields(t *testing.T) {
	fields := []member.CustomField{{ID: "f1", Name: "Lisenssi voimassa"}, {ID: "f2", Name: "Paitakoko"}, {ID: "f3", Name: "Puhelin"}}
	got := mi.SuggestFor([]string{"LISENSSI-VOIMASSA", "paitakokö", "Puhelin", "Sukunimi", "Lempiväri"}, fields)
	want := mi.Mapping{mi.CustomTarget("f1"), mi.CustomTarget("f2"), mi.CustomTarget("f3"), mi.LastName, mi.Ignore}
	if !slices.Equal(got, want) {
		t.Errorf("SuggestFor = %v, want %v", got, want)
	}
	if err := got.Check([]string{"a", "b", "c", "d", "e"}); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := (mi.Mapping{mi.CustomTarget("f9")}).CheckCustom([]string{"X"}, fields); err == nil ||
		err.Error() != `column "X": unknown field "custom:f9"` {
		t.Errorf("CheckCustom of an unknown field: %v", err)
	}
	if err := (mi.Mapping{"custom:"}).Check([]string{"X"}); err == nil {
		t.Error("custom: without an id checks")
	}
}

// TestImportCustomFields imports each kind of custom field: problems per
// row and column with the reason and nothing written, then the values in
// canonical form, an unchanged second run, an update audited as personal
// data, and required fields for active members.
func TestImportCustomFields(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		height := f.customField(f.aid, member.CustomField{Name: "Pituus", Kind: member.FieldNumber})
		licence := f.customField(f.aid, member.CustomField{Name: "Lisenssi voimassa", Kind: member.FieldDate})
		f.customField(f.aid, member.CustomField{Name: "Talkoot", Kind: member.FieldYesNo})
		f.customField(f.aid, member.CustomField{Name: "Paitakoko", Kind: member.FieldChoice, Choices: []string{"S", "M", "L"}})

		head := "Jäsennumero;Sukunimi;Etunimi;pituus;LISENSSI VOIMASSA;Talkoot;Paitakoko\n"
		bad := head + "1;Virtanen;Matti;180 cm;31.02.2026;ehkä;XXL\n2;Laine;Anna;170;;;\n"
		m := f.mappingFor(bad)
		if m[3] != mi.CustomTarget(height.ID) || m[4] != mi.CustomTarget(licence.ID) {
			t.Fatalf("recalled mapping %v", m)
		}
		before := f.state()
		res := f.commitWith(bad, m)
		if res.Committed || res.ProblemRows != 1 || len(res.Problems) != 4 {
			t.Fatalf("bad values: %+v", res.Problems)
		}
		for i, want := range []struct{ column, message string }{
			{"pituus", "must be a number"}, {"LISENSSI VOIMASSA", "date"}, {"Talkoot", "yes or no"}, {"Paitakoko", "one of the choices: S, M, L"},
		} {
			p := res.Problems[i]
			if p.Row != 2 || p.Column != want.column || !strings.Contains(p.Message, want.message) {
				t.Errorf("problem %d: %+v, want column %q and %q", i, p, want.column, want.message)
			}
		}
		if f.state() != before || len(f.customValues()) != 0 {
			t.Fatal("an import with problems wrote something")
		}

		good := head + "1;Virtanen;Matti;182,50;31.01.2026 00:00;x;m\n2;Laine;Anna;170.0;2026-02-01;nej;L\n3;Korhonen;Liisa;;;;\n"
		if res := f.commitWith(good, m); !res.Committed || res.New != 3 {
			t.Fatalf("import: %+v", res)
		}
		want := map[int64]map[string]string{
			1: {"Pituus": "182.5", "Lisenssi voimassa": "2026-01-31", "Talkoot": "true", "Paitakoko": "M"},
			2: {"Pituus": "170", "Lisenssi voimassa": "2026-02-01", "Talkoot": "false", "Paitakoko": "L"},
		}
		if got := f.customValues(); !equalValues(got, want) {
			t.Fatalf("values %v, want %v", got, want)
		}

		// The same file again changes nothing; a changed height updates
		// member 1, audited as personal data; an empty cell erases nothing.
		if res := f.commitWith(good, m); !res.Committed || res.Unchanged != 3 || res.Updated != 0 {
			t.Fatalf("second import: %+v", res)
		}
		res = f.commitWith(head+"1;Virtanen;Matti;183;;;\n", m)
		if !res.Committed || res.Updated != 1 || !slices.Equal(res.Outcomes[0].Changed, []mi.Field{mi.CustomTarget(height.ID)}) {
			t.Fatalf("update: %+v", res)
		}
		want[1]["Pituus"] = "183"
		if got := f.customValues(); !equalValues(got, want) {
			t.Fatalf("after the update %v, want %v", got, want)
		}
		evs := f.imports()
		last := evs[0]
		if len(last.Changes) != 1 || last.Changes[0].Field != "member.1.custom.Pituus" ||
			last.Changes[0].After == "" || last.Changes[0].After == "183" || last.Changes[0].Before == "182.5" {
			t.Errorf("audit of the update: %+v", last.Changes)
		}

		// A required field: new active members need it, applicants do not;
		// without a column for it every new active row says so.
		f.customField(f.aid, member.CustomField{Name: "Seura", Kind: member.FieldText, Required: true})
		res = f.commitRecalled("Sukunimi;Etunimi;Seura;Jäsenyyden tila\nNieminen;Veikko;;aktiivinen\nLahtinen;Pekka;;hakenut\nMäkelä;Hilma;HIFK;\n")
		if res.Committed || len(res.Problems) != 1 || res.Problems[0].Row != 2 || res.Problems[0].Column != "Seura" ||
			res.Problems[0].Message != "required for active members" {
			t.Fatalf("required field: %+v", res.Problems)
		}
		res = f.commitRecalled("Sukunimi;Etunimi\nNieminen;Veikko\n")
		if res.Committed || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, `"Seura" is required for active members, and the file has no column`) {
			t.Fatalf("required field without a column: %+v", res.Problems)
		}
		// An update of an active member that lacks it must give it too.
		res = f.commitRecalled("Jäsennumero;Pituus\n1;184\n")
		if res.Committed || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, `"Seura" is required`) {
			t.Fatalf("update without the required field: %+v", res.Problems)
		}
		if res := f.commitRecalled("Jäsennumero;Pituus;Seura\n1;184;HIFK\n"); !res.Committed || res.Updated != 1 {
			t.Fatalf("update with the required field: %+v", res)
		}

		// A former member's custom values are not changed by an import.
		if res := f.commitRecalled("Jäsennumero;Sukunimi;Etunimi;Jäsenyyden tila;Eroamispäivä\n9;Ero;Eero;eronnut;01.01.2025\n"); !res.Committed {
			t.Fatalf("former member: %+v", res.Problems)
		}
		res = f.commitRecalled("Jäsennumero;Pituus\n9;190\n")
		if res.Committed || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "only active members' cards can be edited; the row would change Pituus") {
			t.Fatalf("former member's value: %+v", res.Problems)
		}
	})
}

// TestImportCustomFieldOfAnotherAssociation: a mapping naming another
// association's custom field is refused, and nothing is written there.
func TestImportCustomFieldOfAnotherAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		other := f.env.Association(t, "Toinen ry", 0)
		theirs := f.customField(other.ID, member.CustomField{Name: "Pituus", Kind: member.FieldNumber})
		tab := table(t, "Sukunimi;Etunimi;Pituus\nVirtanen;Matti;180\n")
		m := mi.Mapping{mi.LastName, mi.FirstName, mi.CustomTarget(theirs.ID)}
		err := f.env.DB.For(f.aid).Write(context.Background(), func(tx *store.TenantTx) error {
			_, err := mi.Commit(f.ctx, tx, f.env.Audit, tab, m, f.env.Clock.Now())
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Fatalf("Commit with another association's field: %v", err)
		}
		if n := len(f.members()); n != 0 {
			t.Fatalf("%d members written", n)
		}
		// Recall does not offer it either.
		if got, _ := f.recall(f.aid, tab.Header); got[2] != mi.Ignore {
			t.Errorf("Recall offers %q", got[2])
		}
	})
}

func equalValues(a, b map[int64]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || len(v) != len(w) {
			return false
		}
		for n, x := range v {
			if w[n] != x {
				return false
			}
		}
	}
	return true
}

// customCSV is demoCSV with three custom columns: a number, a date and a
// yes or no, written as people write them.
func customCSV(n int, seed uint64) []byte {
	lines := strings.Split(strings.TrimSuffix(string(demoCSV(n, seed, testenv.Start)), "\r\n"), "\r\n")
	var b strings.Builder
	b.WriteString(lines[0] + ";Pituus;Lisenssi voimassa;Talkoot\r\n")
	for i, l := range lines[1:] {
		talkoot := "ei"
		if i%3 == 0 {
			talkoot = "x"
		}
		fmt.Fprintf(&b, "%s;%d,%d;%02d.%02d.2026;%s\r\n", l, 150+i%50, i%10, 1+i%28, 1+i%12, talkoot)
	}
	return []byte(b.String())
}

// BenchmarkImportCustom100k imports 100,000 generated members with three
// custom fields into an empty association on SQLite (set
// SEURA_BENCH_ENGINE=postgres for PostgreSQL), as BenchmarkImport100k does
// without them:
//
//	go test ./internal/memberimport -run '^$' -bench ImportCustom -benchtime 1x
func BenchmarkImportCustom100k(b *testing.B) {
	const n = 100_000
	engine := "sqlite"
	if os.Getenv("SEURA_BENCH_ENGINE") == "postgres" {
		engine = "postgres"
	}
	csv := customCSV(n, 42)
	b.SetBytes(int64(len(csv)))
	for b.Loop() {
		b.StopTimer()
		if engine == "sqlite" {
			b.Setenv("SEURA_TEST_ENGINES", "sqlite")
		}
		var eng testenv.Engine
		for _, e := range testenv.Engines(b) {
			if e.Name == engine {
				eng = e
			}
		}
		env := testenv.New(b, eng)
		aid := env.Association(b, "Bench ry", 0).ID
		ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorSystem, Label: "bench"})
		err := env.DB.For(aid).Write(ctx, func(tx *store.TenantTx) error {
			for _, cf := range []member.CustomField{{Name: "Pituus", Kind: member.FieldNumber},
				{Name: "Lisenssi voimassa", Kind: member.FieldDate}, {Name: "Talkoot", Kind: member.FieldYesNo}} {
				if _, err := member.CreateCustomField(ctx, tx, env.Audit, env.Clock.Now(), cf); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		tab, err := importfile.ReadCSV(bytes.NewReader(csv), importfile.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		var res *mi.Result
		err = env.DB.For(aid).Write(ctx, func(tx *store.TenantTx) error {
			m, _, err := mi.Recall(ctx, tx, tab.Header)
			if err != nil {
				return err
			}
			res, err = mi.Commit(ctx, tx, env.Audit, tab, m, env.Clock.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if !res.Committed || res.New != n {
			b.Fatalf("new %d, problems %v", res.New, first(res.Problems))
		}
	}
}
