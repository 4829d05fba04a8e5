package memberimport_test

import (
	"slices"
	"testing"

	mi "seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// recall runs Recall for a header in the fixture's association.
func (f *fix) recall(aid string, header []string) (mi.Mapping, mi.Source) {
	f.t.Helper()
	var m mi.Mapping
	var src mi.Source
	err := f.env.DB.For(aid).Read(f.ctx, func(tx *store.TenantTx) error {
		var err error
		m, src, err = mi.Recall(f.ctx, tx, header)
		return err
	})
	if err != nil {
		f.t.Fatalf("Recall: %v", err)
	}
	return m, src
}

// commitWith imports the CSV text tab with the mapping m (nil: Suggest's).
func (f *fix) commitWith(tab string, m mi.Mapping) *mi.Result {
	f.t.Helper()
	var res *mi.Result
	t := table(f.t, tab)
	if m == nil {
		m = mi.Suggest(t.Header)
	}
	err := f.env.DB.For(f.aid).Write(f.ctx, func(tx *store.TenantTx) error {
		var err error
		res, err = mi.Commit(f.ctx, tx, f.env.Audit, t, m, f.env.Clock.Now())
		return err
	})
	if err != nil {
		f.t.Fatalf("Commit: %v", err)
	}
	return res
}

func TestHeaderSignature(t *testing.T) {
	a := mi.HeaderSignature([]string{"Jäsennumero", "Suku nimi", "E-mail"})
	if a != "jasennumero|sukunimi|email" {
		t.Errorf("signature %q", a)
	}
	if b := mi.HeaderSignature([]string{"JÄSENNUMERO", "sukunimi", "email"}); b != a {
		t.Errorf("case and punctuation change the signature: %q", b)
	}
	if c := mi.HeaderSignature([]string{"Sukunimi", "Jäsennumero", "E-mail"}); c == a {
		t.Error("the column order does not change the signature")
	}
	long := make([]string, 300)
	for i := range long {
		long[i] = "Sarake numero " + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if s := mi.HeaderSignature(long); len(s) > 100 {
		t.Errorf("a long header's signature is %d bytes", len(s))
	}
}

// TestRecallRemembersTheCommittedMapping: the mapping of a committed import
// comes back for the next file with the same headings, in part for a file
// sharing some, never from a dry run or a refused import, and never in
// another association.
func TestRecallRemembersTheCommittedMapping(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		other := f.env.Association(t, "Toinen ry", 0).ID
		header := []string{"Nro", "Nimi", "Etunimi", "Puhelin", "Lempiväri"}
		chosen := mi.Mapping{mi.Number, mi.LastName, mi.FirstName, mi.Ignore, mi.Notes}

		if m, src := f.recall(f.aid, header); src != mi.Suggested || !slices.Equal(m, mi.Suggest(header)) {
			t.Fatalf("before any import: %v %s", m, src)
		}

		// A refused import remembers nothing.
		bad := "Nro;Nimi;Etunimi;Puhelin;Lempiväri\n1;Virtanen;Matti;ei numero;sininen\n1;Korhonen;Liisa;;\n"
		if res := f.commitWith(bad, chosen); res.Committed {
			t.Fatal("a file with problems was imported")
		}
		if _, src := f.recall(f.aid, header); src != mi.Suggested {
			t.Fatalf("a refused import was remembered: %s", src)
		}

		good := "Nro;Nimi;Etunimi;Puhelin;Lempiväri\n1;Virtanen;Matti;040 123 4567;sininen\n"
		if res := f.commitWith(good, chosen); !res.Committed {
			t.Fatalf("not imported: %v", res.Problems)
		}
		m, src := f.recall(f.aid, []string{"NRO", "nimi", "Etu-nimi", "PUHELIN", "lempiväri"})
		if src != mi.Remembered || !slices.Equal(m, chosen) {
			t.Errorf("same headings: %v %s, want %v remembered", m, src, chosen)
		}
		// Shared headings take the latest choices (Puhelin stays ignored),
		// the others Suggest's.
		m, src = f.recall(f.aid, []string{"Sähköposti", "Nimi", "Puhelin", "Etunimi"})
		if want := (mi.Mapping{mi.Email, mi.LastName, mi.Ignore, mi.FirstName}); src != mi.Partial || !slices.Equal(m, want) {
			t.Errorf("partly shared headings: %v %s, want %v partial", m, src, want)
		}
		// Nothing shared: Suggest.
		if _, src := f.recall(f.aid, []string{"Sukunimi", "Etunimet"}); src != mi.Suggested {
			t.Errorf("no shared heading: %s", src)
		}
		// Another association knows nothing of it.
		if _, src := f.recall(other, header); src != mi.Suggested {
			t.Errorf("another association recalls %s", src)
		}

		// The audit event of the import records the mapping.
		ev := f.imports()
		if len(ev) != 1 {
			t.Fatalf("%d import events", len(ev))
		}
		got, _ := ev[0].Details["mapping"].(map[string]any)
		if got["Nimi"] != "last_name" || got["Lempiväri"] != "notes" || got["Puhelin"] != nil || len(got) != 4 {
			t.Errorf("audited mapping %v", ev[0].Details["mapping"])
		}

		// A damaged remembered mapping is passed over.
		err := f.env.DB.For(f.aid).Write(f.ctx, func(tx *store.TenantTx) error {
			_, err := tx.Exec(f.ctx, `UPDATE import_mappings SET mapping = 'not json' WHERE association_id = $1`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if m, src := f.recall(f.aid, header); src != mi.Suggested || !slices.Equal(m, mi.Suggest(header)) {
			t.Errorf("damaged mapping: %v %s", m, src)
		}
	})
}
