package member_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestCustomValue(t *testing.T) {
	sizes := member.CustomField{Kind: member.FieldChoice, Choices: []string{"S", "M", "L"}}
	tests := []struct {
		kind  member.CustomField
		in    string
		want  string
		error string // substring; "" when valid
	}{
		{member.CustomField{Kind: member.FieldText}, "  Lisenssi 123 ", "Lisenssi 123", ""},
		{member.CustomField{Kind: member.FieldText}, "", "", ""},
		{member.CustomField{Kind: member.FieldText}, "a\nb", "", "one line"},
		{member.CustomField{Kind: member.FieldText}, strings.Repeat("a", 501), "", "at most 500"},
		{member.CustomField{Kind: member.FieldNumber}, "12,50", "12.5", ""},
		{member.CustomField{Kind: member.FieldNumber}, "12.5", "12.5", ""},
		{member.CustomField{Kind: member.FieldNumber}, "1 200", "1200", ""},
		{member.CustomField{Kind: member.FieldNumber}, "-0,0", "0", ""},
		{member.CustomField{Kind: member.FieldNumber}, "+007", "7", ""},
		{member.CustomField{Kind: member.FieldNumber}, "-3,25", "-3.25", ""},
		{member.CustomField{Kind: member.FieldNumber}, "0,5", "0.5", ""},
		{member.CustomField{Kind: member.FieldNumber}, "12,5,1", "", "must be a number"},
		{member.CustomField{Kind: member.FieldNumber}, "1e3", "", "must be a number"},
		{member.CustomField{Kind: member.FieldNumber}, ",5", "", "must be a number"},
		{member.CustomField{Kind: member.FieldNumber}, "kaksi", "", "must be a number"},
		{member.CustomField{Kind: member.FieldDate}, "31.1.2026", "2026-01-31", ""},
		{member.CustomField{Kind: member.FieldDate}, "2026-01-31", "2026-01-31", ""},
		{member.CustomField{Kind: member.FieldDate}, "31.2.2026", "", "no such date"},
		{member.CustomField{Kind: member.FieldDate}, "31/1/2026", "", "dd.mm.yyyy"},
		{member.CustomField{Kind: member.FieldYesNo}, "true", "true", ""},
		{member.CustomField{Kind: member.FieldYesNo}, "Kyllä", "true", ""},
		{member.CustomField{Kind: member.FieldYesNo}, "nej", "false", ""},
		{member.CustomField{Kind: member.FieldYesNo}, "false", "false", ""},
		{member.CustomField{Kind: member.FieldYesNo}, "maybe", "", "yes or no"},
		{sizes, "M", "M", ""},
		{sizes, " l ", "L", ""},
		{sizes, "XL", "", "one of the choices"},
	}
	for _, tt := range tests {
		t.Run(tt.kind.Kind+" "+tt.in, func(t *testing.T) {
			got, err := member.CustomValue(tt.kind, tt.in)
			if tt.error == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				// Canonical values read back as themselves.
				if again, err := member.CustomValue(tt.kind, got); err != nil || again != got {
					t.Fatalf("canonical %q reads back as %q, %v", got, again, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("got %q, %v; want an error with %q", got, err, tt.error)
			}
		})
	}
}

func (r *reg) addField(aid string, f member.CustomField) (member.CustomField, error) {
	var out member.CustomField
	err := r.write(aid, func(tx *store.TenantTx) error {
		var err error
		out, err = member.CreateCustomField(r.ctx, tx, r.env.Audit, r.now(), f)
		return err
	})
	return out, err
}

func (r *reg) mustField(f member.CustomField) member.CustomField {
	r.t.Helper()
	out, err := r.addField(r.aid, f)
	if err != nil {
		r.t.Fatalf("add field %+v: %v", f, err)
	}
	return out
}

func (r *reg) fields() []member.CustomField {
	r.t.Helper()
	var fs []member.CustomField
	if err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		fs, err = member.CustomFields(r.ctx, tx)
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return fs
}

// problemOn fails unless err is Problems with one on field whose message
// contains msg.
func problemOn(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ps member.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want a problem on %s, got %v", field, err)
	}
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Message, msg) {
			return
		}
	}
	t.Fatalf("want a problem on %s with %q, got %v", field, msg, ps)
}

func TestCustomFieldDefinitions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		licence := r.mustField(member.CustomField{Name: " Lisenssi ", Kind: "text"})
		size := r.mustField(member.CustomField{Name: "Paidan koko", Kind: "choice", Choices: []string{"S", " M", "", "L", "S"}, Required: true})
		if licence.Name != "Lisenssi" || licence.Position != 1 || size.Position != 2 ||
			!reflect.DeepEqual(size.Choices, []string{"S", "M", "L"}) || !size.Required {
			t.Fatalf("fields %+v %+v", licence, size)
		}
		if ev := r.lastEvent(); ev.Action != "custom_field.create" || ev.ObjectID != size.ID {
			t.Fatalf("create event %+v", ev)
		}

		for _, tt := range []struct {
			f          member.CustomField
			field, msg string
		}{
			{member.CustomField{Kind: "text"}, "name", "required"},
			{member.CustomField{Name: "lisenssi", Kind: "text"}, "name", "already in use"},
			{member.CustomField{Name: "X", Kind: "colour"}, "kind", "must be"},
			{member.CustomField{Name: "X", Kind: "choice"}, "choices", "at least one"},
			{member.CustomField{Name: strings.Repeat("n", 61), Kind: "text"}, "name", "at most 60"},
			{member.CustomField{Name: "X", Kind: "text", Position: -1}, "position", "positive"},
			// A megabyte of distinct choices is refused at once, not after
			// minutes of removing repeats.
			{member.CustomField{Name: "X", Kind: "choice", Choices: manyChoices(200_000)}, "choices", "at most 100"},
		} {
			_, err := r.addField(r.aid, tt.f)
			problemOn(t, err, tt.field, tt.msg)
		}
		if n := len(r.fields()); n != 2 {
			t.Fatalf("%d fields after refused ones", n)
		}

		// A member has size M: M cannot be dropped, the kind cannot change.
		r.create(member.Member{Status: "active", LastName: "Koko", Custom: map[string]string{"Paidan koko": "M"}})
		update := func(f member.CustomField) (member.CustomField, error) {
			var out member.CustomField
			err := r.write(r.aid, func(tx *store.TenantTx) error {
				var err error
				out, err = member.UpdateCustomField(r.ctx, tx, r.env.Audit, size.ID, f)
				return err
			})
			return out, err
		}
		_, err := update(member.CustomField{Name: "Paidan koko", Kind: "choice", Choices: []string{"S", "L"}})
		problemOn(t, err, "choices", `"M" is chosen on 1 member`)
		_, err = update(member.CustomField{Name: "Paidan koko", Kind: "text"})
		problemOn(t, err, "kind", "cannot be changed")
		got, err := update(member.CustomField{Name: "Koko", Choices: []string{"S", "M", "L", "XL"}, Position: 5})
		if err != nil || got.Name != "Koko" || got.Kind != "choice" || got.Required || got.Position != 5 || len(got.Choices) != 4 {
			t.Fatalf("update: %+v, %v", got, err)
		}
		ev := r.lastEvent()
		var changed []string
		for _, c := range ev.Changes {
			changed = append(changed, c.Field)
		}
		if ev.Action != "custom_field.update" || fmt.Sprint(changed) != "[name choices required position]" {
			t.Fatalf("update event %s %v", ev.Action, changed)
		}
		if fs := r.fields(); fs[0].ID != licence.ID || fs[1].ID != size.ID {
			t.Fatalf("order %+v", fs)
		}
	})
}

func TestCustomValuesOnCards(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		r.mustField(member.CustomField{Name: "Lisenssi", Kind: "text", Required: true})
		r.mustField(member.CustomField{Name: "Pituus", Kind: "number"})
		r.mustField(member.CustomField{Name: "Tuomarikortti", Kind: "date"})
		r.mustField(member.CustomField{Name: "Kilpailee", Kind: "yesno"})
		r.mustField(member.CustomField{Name: "Koko", Kind: "choice", Choices: []string{"S", "M"}})

		// Required on an active member's card, not on an application.
		err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.Create(r.ctx, tx, r.env.Audit, r.now(), member.Member{Status: "active", LastName: "Ilman",
				Custom: map[string]string{"Pituus": "kaksi", "Koko": "XL", "Sukunimi": "x"}})
			return err
		})
		var ps member.Problems
		if !errors.As(err, &ps) {
			t.Fatalf("create without the required field: %v", err)
		}
		var fields []string
		for _, p := range ps {
			fields = append(fields, p.Field)
		}
		slices.Sort(fields)
		if fmt.Sprint(fields) != "[custom.Koko custom.Lisenssi custom.Pituus custom.Sukunimi]" {
			t.Fatalf("problems %v", ps)
		}
		if n := r.count(`SELECT COUNT(*) FROM members WHERE association_id = $1`); n != 0 {
			t.Fatalf("%d members written", n)
		}
		applied := r.create(member.Member{Status: "applied", LastName: "Hakija"})
		if applied.Custom != nil {
			t.Fatalf("application custom %v", applied.Custom)
		}

		m := r.create(member.Member{Status: "active", LastName: "Kisaaja", Custom: map[string]string{
			"Lisenssi": " L-123 ", "Pituus": "181,50", "Tuomarikortti": "1.6.2026", "Kilpailee": "kyllä", "Koko": "m"}})
		want := map[string]string{"Lisenssi": "L-123", "Pituus": "181.5", "Tuomarikortti": "2026-06-01",
			"Kilpailee": "true", "Koko": "M"}
		if !reflect.DeepEqual(m.Custom, want) {
			t.Fatalf("created custom %v", m.Custom)
		}
		if got, _ := r.get(m.ID); !reflect.DeepEqual(got.Custom, want) {
			t.Fatalf("read custom %v", got.Custom)
		}
		created := r.lastEvent()
		for _, c := range created.Changes {
			if strings.HasPrefix(c.Field, "custom.") && !strings.HasPrefix(c.After, "hmac:") {
				t.Errorf("%s audited as %q, want an HMAC", c.Field, c.After)
			}
		}

		// Update without custom values keeps them.
		edit := m
		edit.Custom, edit.FirstName = nil, "Kalle"
		if got, err := r.update(m.ID, edit); err != nil || !reflect.DeepEqual(got.Custom, want) {
			t.Fatalf("update keeping values: %v, %v", got.Custom, err)
		}
		// The whole set given: missing ones are cleared, the required one
		// cannot be.
		edit.Custom = map[string]string{"Pituus": "182"}
		_, err = r.update(m.ID, edit)
		problemOn(t, err, "custom.Lisenssi", "required")
		edit.Custom = map[string]string{"Lisenssi": "L-123", "Pituus": "182", "Kilpailee": "false"}
		got, err := r.update(m.ID, edit)
		if err != nil || !reflect.DeepEqual(got.Custom, map[string]string{"Lisenssi": "L-123", "Pituus": "182", "Kilpailee": "false"}) {
			t.Fatalf("update: %v, %v", got.Custom, err)
		}
		ev := r.lastEvent()
		var changed []string
		for _, c := range ev.Changes {
			changed = append(changed, c.Field)
		}
		if fmt.Sprint(changed) != "[custom.Kilpailee custom.Koko custom.Pituus custom.Tuomarikortti]" {
			t.Fatalf("update changes %v", changed)
		}
		if n := r.count(`SELECT COUNT(*) FROM custom_values WHERE association_id = $1 AND member_id = $2`, m.ID); n != 3 {
			t.Fatalf("%d stored values", n)
		}

		// Deleting a field deletes its values, audited with their number.
		pituus := r.fields()[1]
		var deleted int64
		if err := r.write(r.aid, func(tx *store.TenantTx) error {
			var err error
			deleted, err = member.DeleteCustomField(r.ctx, tx, r.env.Audit, pituus.ID)
			return err
		}); err != nil || deleted != 1 {
			t.Fatalf("delete field: %d, %v", deleted, err)
		}
		del := r.lastEvent()
		if del.Action != "custom_field.delete" || fmt.Sprint(del.Details["values_deleted"]) != "1" ||
			strings.Contains(fmt.Sprint(del.Changes, del.Details), "182") {
			t.Fatalf("delete event %+v", del)
		}
		if got, _ := r.get(m.ID); !reflect.DeepEqual(got.Custom, map[string]string{"Lisenssi": "L-123", "Kilpailee": "false"}) {
			t.Fatalf("after deleting a field: %v", got.Custom)
		}
	})
}

// TestCustomFieldsOfAnotherAssociation: one association's field ids and
// names mean nothing in another.
func TestCustomFieldsOfAnotherAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		b := r.env.Association(t, "B ry", 0)
		theirs, err := r.addField(b.ID, member.CustomField{Name: "Salainen", Kind: "text"})
		if err != nil {
			t.Fatal(err)
		}
		theirMember := r.createIn(b.ID, member.Member{Status: "active", LastName: "Bee",
			Custom: map[string]string{"Salainen": "arvo"}})

		err = r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
			_, err := member.GetCustomField(r.ctx, tx, theirs.ID)
			return err
		})
		if !errors.Is(err, member.ErrFieldNotFound) {
			t.Fatalf("get: %v", err)
		}
		err = r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.UpdateCustomField(r.ctx, tx, r.env.Audit, theirs.ID, member.CustomField{Name: "Oma"})
			return err
		})
		if !errors.Is(err, member.ErrFieldNotFound) {
			t.Fatalf("update: %v", err)
		}
		err = r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.DeleteCustomField(r.ctx, tx, r.env.Audit, theirs.ID)
			return err
		})
		if !errors.Is(err, member.ErrFieldNotFound) {
			t.Fatalf("delete: %v", err)
		}
		if len(r.fields()) != 0 {
			t.Fatal("A sees B's field")
		}
		err = r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.Create(r.ctx, tx, r.env.Audit, r.now(), member.Member{Status: "active", LastName: "Aa",
				Custom: map[string]string{"Salainen": "x"}})
			return err
		})
		problemOn(t, err, "custom.Salainen", "no such custom field")
		// A's own field of the same name is another field.
		r.mustField(member.CustomField{Name: "Salainen", Kind: "number"})
		err = r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
			values, err := member.CustomValuesFor(r.ctx, tx, []string{theirMember.ID})
			if len(values) != 0 {
				return fmt.Errorf("A reads B's values: %v", values)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var still member.Member
		if err := r.env.DB.For(b.ID).Read(r.ctx, func(tx *store.TenantTx) error {
			var err error
			still, err = member.Get(r.ctx, tx, theirMember.ID)
			return err
		}); err != nil || still.Custom["Salainen"] != "arvo" {
			t.Fatalf("B's value: %v, %v", still.Custom, err)
		}
	})
}

// TestAnonymiseErasesCardAdditions: anonymising erases c/o, further
// addresses, the e-mail invoice flag and custom values, and the audit names
// the fields, never the values.
func TestAnonymiseErasesCardAdditions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		r.mustField(member.CustomField{Name: "Lisenssi", Kind: "text"})
		r.mustField(member.CustomField{Name: "Tuomari", Kind: "yesno"})
		card := member.Member{Status: "active", LastName: "Salo", Email: "salo@example.fi", CareOf: "Virtanen",
			ExtraEmails: []string{"toinen@example.fi"}, EmailInvoices: true, Municipality: "Espoo",
			Custom: map[string]string{"Lisenssi": "LIS-998877", "Tuomari": "true"}}
		m := r.create(card)
		if m.CareOf != "Virtanen" || !reflect.DeepEqual(m.ExtraEmails, []string{"toinen@example.fi"}) || !m.EmailInvoices {
			t.Fatalf("created %+v", m)
		}
		if got, _ := r.get(m.ID); got.CareOf != "Virtanen" || !reflect.DeepEqual(got.ExtraEmails, m.ExtraEmails) ||
			!got.EmailInvoices || got.Municipality != "Espoo" {
			t.Fatalf("read %+v", got)
		}
		if _, err := r.status(m.ID, "inactive", date(2026, 1, 31), ""); err != nil {
			t.Fatal(err)
		}
		if anon, err := r.delete(m.ID); err != nil || !anon {
			t.Fatalf("anonymise: %v, %v", anon, err)
		}
		got, err := r.get(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CareOf != "" || got.ExtraEmails != nil || got.EmailInvoices || got.Custom != nil || got.Municipality != "" {
			t.Fatalf("anonymised %+v", got)
		}
		if n := r.count(`SELECT COUNT(*) FROM custom_values WHERE association_id = $1`); n != 0 {
			t.Fatalf("%d custom values left", n)
		}
		ev := r.lastEvent()
		want := "[last_name email extra_emails email_invoices care_of municipality custom.Lisenssi custom.Tuomari]"
		if ev.Action != "member.anonymise" || fmt.Sprint(ev.Details["erased"]) != want {
			t.Fatalf("anonymise event %s %v", ev.Action, ev.Details["erased"])
		}
		all := strings.ToLower(fmt.Sprint(eventsText(r)))
		for _, secret := range []string{"virtanen", "toinen@", "lis-998877", "espoo"} {
			if strings.Contains(all, secret) {
				t.Errorf("audit events contain %q", secret)
			}
		}

		// Deleting a member without history removes its values too.
		plain := r.create(member.Member{Status: "active", LastName: "Lyhyt", Custom: map[string]string{"Lisenssi": "X"}})
		if anon, err := r.delete(plain.ID); err != nil || anon {
			t.Fatalf("delete: %v, %v", anon, err)
		}
		if ev := r.lastEvent(); fmt.Sprint(ev.Details["erased"]) != "[last_name custom.Lisenssi]" {
			t.Fatalf("delete event %v", ev.Details)
		}
		if n := r.count(`SELECT COUNT(*) FROM custom_values WHERE association_id = $1`); n != 0 {
			t.Fatalf("%d custom values left after delete", n)
		}
	})
}

// eventsText is every stored audit event's changes and details, as text.
func eventsText(r *reg) []string {
	r.t.Helper()
	var out []string
	for _, e := range r.events() {
		out = append(out, fmt.Sprint(e.Changes, e.Details))
	}
	return out
}

// TestRejectErasesCustomValues: a rejected application is deleted with its
// values.
func TestRejectErasesCustomValues(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		r.mustField(member.CustomField{Name: "Lisenssi", Kind: "text"})
		m := r.create(member.Member{Status: "applied", LastName: "Hakija", Custom: map[string]string{"Lisenssi": "X"}})
		if _, err := r.status(m.ID, member.StatusRejected, date(2026, 1, 31), ""); err != nil {
			t.Fatal(err)
		}
		if n := r.count(`SELECT COUNT(*) FROM custom_values WHERE association_id = $1`); n != 0 {
			t.Fatalf("%d custom values left", n)
		}
	})
}

func manyChoices(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}
