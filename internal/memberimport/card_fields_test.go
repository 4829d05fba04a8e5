package memberimport_test

import (
	"slices"
	"testing"

	mi "seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/testenv"
)

// TestSuggestCardFields: the headings of the card's further fields, in
// Finnish, Swedish and English.
func TestSuggestCardFields(t *testing.T) {
	for _, tc := range []struct {
		heading string
		want    mi.Field
	}{
		{"c/o", mi.CareOf}, {"C/O", mi.CareOf}, {"c/o-osoite", mi.CareOf}, {"Care of", mi.CareOf},
		{"Muut sähköpostit", mi.ExtraEmails}, {"Övriga e-postadresser", mi.ExtraEmails}, {"Other e-mails", mi.ExtraEmails},
		{"Laskut sähköpostilla", mi.EmailInvoice}, {"E-postfaktura", mi.EmailInvoice}, {"Invoice by e-mail", mi.EmailInvoice},
		{"Kotikunta", mi.Municipality}, {"Kotipaikka", mi.Municipality}, {"Hemkommun", mi.Municipality}, {"Hemort", mi.Municipality},
	} {
		if got := mi.Suggest([]string{tc.heading})[0]; got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

// TestImportCardFields imports and then updates the card's further fields:
// c/o, further e-mail addresses and invoices by e-mail.
func TestImportCardFields(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		first := "Jäsennumero;Sukunimi;Etunimi;Sähköposti;Muut sähköpostit;Laskut sähköpostilla;c/o;Katuosoite;Kotipaikka\n" +
			"1;Virtanen;Matti;matti@example.fi;MATTI@work.example, matti.v@example.com;kyllä;c/o Korhonen;Kotikatu 1;Kuopio\n" +
			"2;Korhonen;Liisa;;;ei;;;\n" +
			"3;Laine;Anna;;;joo;;;\n"
		res := f.commitWith(first, nil)
		if res.Committed || len(res.Problems) != 1 || res.Problems[0].Row != 4 || res.Problems[0].Field != "email_invoices" {
			t.Fatalf("invoices by e-mail without an address: %+v", res.Problems)
		}
		first = first[:len(first)-len("3;Laine;Anna;;;joo;;;\n")]
		if res := f.commitWith(first, nil); !res.Committed || res.New != 2 {
			t.Fatalf("import: %+v", res)
		}
		ms := byNumber(f.members())
		m := ms[1]
		if m.CareOf != "Korhonen" || !slices.Equal(m.ExtraEmails, []string{"matti@work.example", "matti.v@example.com"}) ||
			!m.EmailInvoices || m.Municipality != "Kuopio" {
			t.Errorf("member 1: c/o %q, extra %v, invoices %v, municipality %q", m.CareOf, m.ExtraEmails, m.EmailInvoices, m.Municipality)
		}
		if ms[2].EmailInvoices || ms[2].CareOf != "" || ms[2].ExtraEmails != nil {
			t.Errorf("member 2: %+v", ms[2])
		}

		// The same file again: unchanged; then a new c/o and no more
		// invoices by e-mail.
		if res := f.plan(table(t, first), nil); res.Unchanged != 2 {
			t.Fatalf("second run: %+v", res)
		}
		second := "Jäsennumero;Laskut sähköpostilla;c/o\n1;ei;Nieminen\n"
		res = f.commitWith(second, nil)
		if !res.Committed || res.Updated != 1 || !slices.Equal(res.Outcomes[0].Changed, []mi.Field{mi.EmailInvoice, mi.CareOf}) {
			t.Fatalf("update: %+v", res)
		}
		m = byNumber(f.members())[1]
		if m.CareOf != "Nieminen" || m.EmailInvoices || len(m.ExtraEmails) != 2 {
			t.Errorf("after the update: c/o %q, invoices %v, extra %v", m.CareOf, m.EmailInvoices, m.ExtraEmails)
		}
	})
}
