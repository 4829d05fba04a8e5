package report_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/report"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// register is a small register with every status, a household, a fee, a
// group and a custom field: the known data the built-in reports are checked
// against.
type register struct {
	env   *testenv.Env
	aid   string
	ids   map[int64]string
	field string // custom field id
}

func newRegister(t *testing.T, e testenv.Engine) register {
	t.Helper()
	env := testenv.New(t, e)
	a := env.Association(t, "Östra Idrottsföreningen", 0)
	ms := []member.Member{
		{Number: 1, Status: member.StatusActive, FirstName: "Matti", LastName: "Virtanen", Municipality: "Helsinki",
			BirthDate: day("1976-05-10"), Email: "matti@example.fi", Street: "Mannerheimintie 1", Postcode: "00100", Town: "Helsinki"},
		{Number: 2, Status: member.StatusActive, FirstName: "Anna", LastName: "Åberg", Municipality: "Espoo",
			BirthDate: day("1956-12-01"), Street: "Storgatan 2", Postcode: "02100", Town: "Esbo"},
		{Number: 3, Status: member.StatusInactive, FirstName: "Liisa", LastName: "Korhonen", Municipality: "Tampere",
			BirthDate: day("1966-01-01"), Email: "liisa@example.fi"},
		{Number: 4, Status: member.StatusDeceased, FirstName: "Veikko", LastName: "Nieminen", Municipality: "Turku",
			BirthDate: day("1946-07-07")},
		{Number: 5, Status: member.StatusActive, FirstName: "Pekka", LastName: "Lahtinen", Municipality: "Espoo",
			BirthDate: day("1977-03-03"), Email: "pekka@example.fi", Street: "Storgatan 2", Postcode: "02100", Town: "Esbo"},
		{Number: 6, Status: member.StatusActive, Kind: "organisation", OrgName: "Oy Yritys Ab", Municipality: "Vantaa",
			Street: "Tikkurilantie 3", Postcode: "01300", Town: "Vantaa", Country: "FI"},
		{Number: 7, Status: member.StatusActive, FirstName: "Hilma", LastName: "Mäkelä", Municipality: "Porvoo",
			BirthDate: day("1920-02-02"), Email: "=HYPERLINK(\"http://x\")@example.fi", Street: "Kungsgatan 9",
			Postcode: "11122", Town: "Stockholm", Country: "SE"},
		{Number: 8, Status: member.StatusApplied, FirstName: "Uusi", LastName: "Hakija", Municipality: "Helsinki",
			BirthDate: day("2006-06-06")},
	}
	ctx := context.Background()
	r := register{env: env, aid: a.ID, ids: map[int64]string{}}
	now := env.Clock.Now()
	err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
		if err := member.InsertBatch(ctx, tx, now, ms); err != nil {
			return err
		}
		for _, m := range ms {
			r.ids[m.Number] = m.ID
		}
		fee := uuid.NewString()
		if _, err := tx.Exec(ctx, `INSERT INTO fees (association_id, id, name, created_at, updated_at) VALUES ($1, $2, 'Jäsenmaksu', $3, $3)`, fee, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE members SET fee_id = $2 WHERE association_id = $1 AND id IN ($3, $4)`, fee, r.ids[1], r.ids[5]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE members SET care_of = 'Öberg' WHERE association_id = $1 AND id = $2`, r.ids[7]); err != nil {
			return err
		}
		hh := uuid.NewString()
		if _, err := tx.Exec(ctx, `INSERT INTO households (association_id, id, name, recipient_member_id, created_at) VALUES ($1, $2, 'Åberg–Lahtinen', $3, $4)`, hh, r.ids[2], now); err != nil {
			return err
		}
		for _, n := range []int64{2, 5} {
			if _, err := tx.Exec(ctx, `INSERT INTO household_members (association_id, household_id, member_id, added_at) VALUES ($1, $2, $3, $4)`, hh, r.ids[n], now); err != nil {
				return err
			}
		}
		g := uuid.NewString()
		if _, err := tx.Exec(ctx, `INSERT INTO groups (association_id, id, kind, name, created_at) VALUES ($1, $2, 'section', 'Hiihtojaosto', $3)`, g, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO group_members (association_id, group_id, member_id, added_at) VALUES ($1, $2, $3, $4)`, g, r.ids[1], now); err != nil {
			return err
		}
		r.field = uuid.NewString()
		if _, err := tx.Exec(ctx, `INSERT INTO custom_fields (association_id, id, name, kind, created_at) VALUES ($1, $2, 'Seuran paita', 'text', $3)`, r.field, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO custom_values (association_id, member_id, field_id, value) VALUES ($1, $2, $3, 'XL')`, r.ids[5], r.field)
		return err
	})
	if err != nil {
		t.Fatalf("build register: %v", err)
	}
	return r
}

// run reads a report as text, dates as dd.mm.yyyy.
func (r register) run(t *testing.T, d report.Definition) [][]string {
	t.Helper()
	var out [][]string
	err := r.env.DB.For(r.aid).Read(context.Background(), func(tx *store.TenantTx) error {
		rows, err := report.Run(context.Background(), tx, d)
		if err != nil {
			return err
		}
		for row := range rows.All() {
			out = append(out, row.Strings("02.01.2006"))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("run %+v: %v", d, err)
	}
	return out
}

func builtin(id string, year int) report.Definition {
	b, ok := report.BuiltinByID(id)
	if !ok {
		panic(id)
	}
	return b.Definition(year)
}

func want(t *testing.T, name string, got, want [][]string) {
	t.Helper()
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%s:\n got %q\nwant %q", name, got, want)
	}
}

func TestBuiltinReports(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		// The statutory list: exactly the Active members, full name and
		// municipality, by name (Å and Ä after Z, as in Finnish and Swedish).
		want(t, "statutory", r.run(t, builtin(report.BuiltinStatutory, 0)), [][]string{
			{"Lahtinen, Pekka", "Espoo"}, {"Mäkelä, Hilma", "Porvoo"}, {"Oy Yritys Ab", "Vantaa"},
			{"Virtanen, Matti", "Helsinki"}, {"Åberg, Anna", "Espoo"},
		})
		want(t, "status counts", r.run(t, builtin(report.BuiltinStatusCounts, 0)), [][]string{
			{"active", "5"}, {"applied", "1"}, {"deceased", "1"}, {"inactive", "1"},
		})
		want(t, "fee counts", r.run(t, builtin(report.BuiltinFeeCounts, 0)), [][]string{
			{"Jäsenmaksu", "2"}, {"", "3"},
		})
		// 2026: Mäkelä turns 106 (every birthday from 100 on), Virtanen 50,
		// Åberg 70; Lahtinen (49) does not, nor does the former member
		// Korhonen (60). By birthday within the year.
		want(t, "milestones 2026", r.run(t, builtin(report.BuiltinMilestones, 2026)), [][]string{
			{"Mäkelä, Hilma", "02.02.1920", "Öberg", "Kungsgatan 9", "11122", "Stockholm", "106"},
			{"Virtanen, Matti", "10.05.1976", "", "Mannerheimintie 1", "00100", "Helsinki", "50"},
			{"Åberg, Anna", "01.12.1956", "", "Storgatan 2", "02100", "Esbo", "70"},
		})
		spring := builtin(report.BuiltinMilestones, 2026)
		spring.MilestoneFrom, spring.MilestoneTo = "1.2.2026", "2026-05-10"
		want(t, "milestones in spring 2026", r.run(t, spring), [][]string{
			{"Mäkelä, Hilma", "02.02.1920", "Öberg", "Kungsgatan 9", "11122", "Stockholm", "106"},
			{"Virtanen, Matti", "10.05.1976", "", "Mannerheimintie 1", "00100", "Helsinki", "50"},
		})
		want(t, "milestones 2027", r.run(t, builtin(report.BuiltinMilestones, 2027)), [][]string{
			{"Mäkelä, Hilma", "02.02.1920", "Öberg", "Kungsgatan 9", "11122", "Stockholm", "107"},
			{"Lahtinen, Pekka", "03.03.1977", "", "Storgatan 2", "02100", "Esbo", "50"},
		})
		want(t, "households", r.run(t, builtin(report.BuiltinHouseholds, 0)), [][]string{
			{"Åberg–Lahtinen", "Åberg, Anna", "Storgatan 2", "02100", "Esbo"},
			{"Åberg–Lahtinen", "Lahtinen, Pekka", "Storgatan 2", "02100", "Esbo"},
		})
		want(t, "without e-mail", r.run(t, builtin(report.BuiltinWithoutEmail, 0)), [][]string{
			{"6", "Oy Yritys Ab", "", "", "Tikkurilantie 3", "01300", "Vantaa"},
			{"2", "Åberg, Anna", "", "", "Storgatan 2", "02100", "Esbo"},
		})
	})
}

func TestReportBuilder(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		// Former and deceased members are reachable; related data and
		// custom fields are columns.
		want(t, "former and deceased", r.run(t, report.Definition{
			Columns: []string{"member_number", "status", "left_on"},
			Filters: []report.Filter{{Field: "status", Op: report.OpIn, Value: "Eronnut, avliden"}},
		}), [][]string{{"3", "inactive", ""}, {"4", "deceased", ""}})
		want(t, "related", r.run(t, report.Definition{
			Columns: []string{"member_number", "fee", "groups", "household", report.CustomPrefix + r.field},
			Filters: []report.Filter{{Field: "status", Op: report.OpEquals, Value: "active"}},
			Sort:    "member_number", Desc: true,
		}), [][]string{{"7", "", "", "", ""}, {"6", "", "", "", ""}, {"5", "Jäsenmaksu", "", "Åberg–Lahtinen", "XL"},
			{"2", "", "", "Åberg–Lahtinen", ""}, {"1", "Jäsenmaksu", "Hiihtojaosto", "", ""}})
		want(t, "operators", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{
				{Field: "last_name", Op: report.OpStartsWith, Value: "ÅB"},
			},
		}), [][]string{{"2"}})
		want(t, "dates", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{
				{Field: "birth_date", Op: report.OpAfter, Value: "1.1.1966"},
				{Field: "birth_date", Op: report.OpBefore, Value: "2000-01-01"},
			},
		}), [][]string{{"1"}, {"5"}})
		want(t, "contains is literal", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{{Field: "email", Op: report.OpContains, Value: "%"}},
		}), nil)
		want(t, "custom field filter", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{{Field: report.CustomPrefix + r.field, Op: report.OpEquals, Value: "xl"}},
		}), [][]string{{"5"}})
		want(t, "empty", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{{Field: "birth_date", Op: report.OpEmpty}},
		}), [][]string{{"6"}})
		// A value is only ever a bound parameter.
		want(t, "injection in value", r.run(t, report.Definition{
			Columns: []string{"member_number"},
			Filters: []report.Filter{{Field: "last_name", Op: report.OpEquals, Value: "x' OR '1'='1"}},
		}), nil)
	})
}

// TestReportWhitelist is the attacker's test: names and operators outside
// the catalogue never reach SQL; each is a clear error naming the part at
// fault.
func TestReportWhitelist(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		cases := []struct {
			name  string
			d     report.Definition
			field string
		}{
			{"column", report.Definition{Columns: []string{"email FROM members; DROP TABLE members; --"}}, "columns"},
			{"column of another table", report.Definition{Columns: []string{"password_hash"}}, "columns"},
			{"no columns", report.Definition{}, "columns"},
			{"filter field", report.Definition{Columns: []string{"email"}, Filters: []report.Filter{{Field: "1=1 OR m.id", Op: "equals", Value: "x"}}}, "field"},
			{"operator", report.Definition{Columns: []string{"email"}, Filters: []report.Filter{{Field: "email", Op: "= '' OR 1=1 --", Value: "x"}}}, "op"},
			{"operator for kind", report.Definition{Columns: []string{"email"}, Filters: []report.Filter{{Field: "birth_date", Op: "contains", Value: "19"}}}, "op"},
			{"bad date", report.Definition{Columns: []string{"email"}, Filters: []report.Filter{{Field: "birth_date", Op: "before", Value: "yesterday"}}}, "value"},
			{"sort", report.Definition{Columns: []string{"email"}, Sort: "(SELECT password_hash FROM users)"}, "sort"},
			{"group", report.Definition{GroupBy: "status; DELETE FROM members"}, "group_by"},
			{"custom field of nobody", report.Definition{Columns: []string{report.CustomPrefix + uuid.NewString()}}, "columns"},
			{"year", report.Definition{Columns: []string{"email"}, MilestoneYear: 20260}, "milestone_year"},
			{"period of another year", report.Definition{Columns: []string{"email"}, MilestoneYear: 2026, MilestoneFrom: "1.1.2027"}, "milestone_from"},
			{"period without a year", report.Definition{Columns: []string{"email"}, MilestoneTo: "1.1.2027"}, "milestone_from"},
			// Repeats show nothing new and only multiply the work.
			{"column twice", report.Definition{Columns: []string{"email", "groups", "email"}}, "columns"},
			{"filter twice", report.Definition{Columns: []string{"email"}, Filters: []report.Filter{
				{Field: "email", Op: "contains", Value: ""}, {Field: "email", Op: "contains", Value: ""}}}, "filters"},
		}
		for _, tc := range cases {
			err := r.env.DB.For(r.aid).Read(context.Background(), func(tx *store.TenantTx) error {
				_, err := report.Run(context.Background(), tx, tc.d)
				return err
			})
			var re *report.Error
			if !errors.As(err, &re) || re.Field != tc.field {
				t.Errorf("%s: got %v, want a report error on %s", tc.name, err, tc.field)
			}
		}
		// Nothing was changed.
		if n := len(r.run(t, report.Definition{Columns: []string{"member_number"}})); n != 8 {
			t.Errorf("after the attacks %d members, want 8", n)
		}
	})
}

func TestReportPages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		d := report.Definition{Columns: []string{"member_number"}, Sort: "last_name"}
		var got []string
		cursor := ""
		for range 10 {
			var p report.Page
			err := r.env.DB.For(r.aid).Read(context.Background(), func(tx *store.TenantTx) error {
				var err error
				p, err = report.ReadPage(context.Background(), tx, d, cursor, 3)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range p.Rows {
				got = append(got, row[0].String())
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		// The organisation has no last name: it sorts first.
		if w := []string{"6", "8", "3", "5", "7", "4", "1", "2"}; !slices.Equal(got, w) {
			t.Errorf("pages %v, want %v", got, w)
		}
	})
}

// export exports d and returns the file.
func (r register) export(t *testing.T, d report.Definition, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	_, err := report.ExportReport(context.Background(), r.env.DB.For(r.aid), r.env.Audit, d,
		report.Request{Format: format, Name: "Jäsenluettelo", Association: "Östra IF", Lang: "fi", Now: r.env.Clock.Now()}, &buf)
	if err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return buf.Bytes()
}

// lastEvent is the newest audit event of the association.
func (r register) lastEvent(t *testing.T) audit.Entry {
	t.Helper()
	var es []audit.Entry
	err := r.env.DB.For(r.aid).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		es, err = audit.List(context.Background(), tx, 0, 1)
		return err
	})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit: %v", err)
	}
	return es[0]
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func TestExports(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		d := report.Definition{Columns: []string{"member_number", "full_name", "email", "birth_date", "status"},
			Filters: []report.Filter{{Field: "status", Op: report.OpEquals, Value: "active"}}}

		csv := string(r.export(t, d, report.FormatCSV))
		if !strings.HasPrefix(csv, "\uFEFFJäsennumero;Nimi;Sähköposti;Syntymäaika;Tila\r\n") {
			t.Errorf("CSV header: %q", csv[:min(len(csv), 80)])
		}
		// Dates as dd.mm.yyyy, statuses in the reader's language, and a
		// formula typed into a card written as text.
		if !strings.Contains(csv, "1;Virtanen, Matti;matti@example.fi;10.05.1976;Aktiivinen\r\n") {
			t.Errorf("CSV row of member 1 missing:\n%s", csv)
		}
		if !strings.Contains(csv, `;"'=HYPERLINK(""http://x"")@example.fi";`) {
			t.Errorf("formula not neutralised:\n%s", csv)
		}
		ev := r.lastEvent(t)
		if ev.Action != report.ActionReportExport || ev.Details["format"] != "csv" || ev.Details["rows"] != float64(5) || ev.Details["report"] != "Jäsenluettelo" {
			t.Errorf("audit after CSV: %s %v", ev.Action, ev.Details)
		}

		x, err := excelize.OpenReader(bytes.NewReader(r.export(t, d, report.FormatXLSX)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Jäsenluettelo")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 || rows[5][2] != `'=HYPERLINK("http://x")@example.fi` {
			t.Errorf("XLSX rows: %q", rows)
		}
		if ev := r.lastEvent(t); ev.Details["format"] != "xlsx" || ev.Details["rows"] != float64(5) {
			t.Errorf("audit after XLSX: %v", ev.Details)
		}

		pdf := r.export(t, d, report.FormatPDF)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pageObject.FindAll(pdf, -1)) != 1 {
			t.Errorf("PDF list: %d pages", len(pageObject.FindAll(pdf, -1)))
		}

		// Labels: the household of Åberg and Lahtinen gets one label.
		labels := r.export(t, d, report.FormatLabels)
		if !bytes.HasPrefix(labels, []byte("%PDF-")) {
			t.Error("labels are not a PDF")
		}
		if ev := r.lastEvent(t); ev.Details["format"] != "labels" || ev.Details["rows"] != float64(4) {
			t.Errorf("audit after labels: %v", ev.Details)
		}

		// The member list's labels: all pages of its search, the household
		// collapsed there too.
		var buf bytes.Buffer
		n, err := report.ExportMembers(context.Background(), r.env.DB.For(r.aid), r.env.Audit, member.Query{Sort: member.SortLastName},
			"sort=last_name", report.Request{Format: report.FormatLabels, Lang: "sv", Now: r.env.Clock.Now()}, &buf)
		if err != nil || n != 4 || len(pageObject.FindAll(buf.Bytes(), -1)) != 1 {
			t.Errorf("member labels: %d, %v", n, err)
		}
		if ev := r.lastEvent(t); ev.Action != report.ActionMemberExport || ev.Details["rows"] != float64(4) || ev.Details["filter"] != "sort=last_name" {
			t.Errorf("audit after member labels: %s %v", ev.Action, ev.Details)
		}
		buf.Reset()
		n, err = report.ExportMembers(context.Background(), r.env.DB.For(r.aid), r.env.Audit, member.Query{Statuses: []string{member.StatusAll}},
			"status=all", report.Request{Format: report.FormatCSV, Lang: "sv", Now: r.env.Clock.Now()}, &buf)
		if err != nil || n != 8 || !strings.HasPrefix(buf.String(), "\uFEFFMedlemsnummer;Efternamn;Förnamn;") ||
			!strings.Contains(buf.String(), "\r\n4;Nieminen;Veikko;;Avliden;") || !strings.Contains(buf.String(), ";Öberg;Kungsgatan 9;11122;Stockholm;Porvoo;SE;02.02.1920;") {
			t.Errorf("member CSV: %d %v\n%s", n, err, buf.String())
		}

		// An unknown format is refused before anything is read.
		before := len(r.env.AuditActions(t, r.aid))
		var none bytes.Buffer
		_, err = report.ExportReport(context.Background(), r.env.DB.For(r.aid), r.env.Audit, d,
			report.Request{Format: "docx", Lang: "fi"}, &none)
		var re *report.Error
		if !errors.As(err, &re) || re.Field != "format" || none.Len() != 0 || len(r.env.AuditActions(t, r.aid)) != before {
			t.Errorf("unknown format: %v", err)
		}
	})
}

func TestSavedReports(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		other := r.env.Association(t, "Toinen seura", 1)
		ctx := context.Background()
		d := builtin(report.BuiltinStatutory, 0)
		var saved report.Saved
		err := r.env.DB.For(r.aid).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			saved, err = report.Save(ctx, tx, r.env.Audit, r.env.Clock.Now(), " Hallituksen lista ", report.Stored{Kind: report.SavedReport, Definition: &d}, "u1")
			if err != nil {
				return err
			}
			_, err = report.Save(ctx, tx, r.env.Audit, r.env.Clock.Now(), "Espoolaiset", report.Stored{Kind: report.SavedSearch, Query: "q=espoo&cursor=abc&status=all"}, "u1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = r.env.DB.For(r.aid).Write(ctx, func(tx *store.TenantTx) error {
			_, err := report.Save(ctx, tx, r.env.Audit, r.env.Clock.Now(), "Hallituksen lista", report.Stored{Kind: report.SavedReport, Definition: &d}, "u1")
			return err
		})
		var re *report.Error
		if !errors.As(err, &re) || re.Field != "name" {
			t.Errorf("duplicate name: %v", err)
		}
		bad := report.Definition{Columns: []string{"nope"}}
		err = r.env.DB.For(r.aid).Write(ctx, func(tx *store.TenantTx) error {
			_, err := report.Save(ctx, tx, r.env.Audit, r.env.Clock.Now(), "Rikki", report.Stored{Kind: report.SavedReport, Definition: &bad}, "u1")
			return err
		})
		if !errors.As(err, &re) || re.Field != "columns" {
			t.Errorf("bad definition saved: %v", err)
		}

		var list []report.Saved
		err = r.env.DB.For(r.aid).Read(ctx, func(tx *store.TenantTx) error {
			var err error
			list, err = report.ListSaved(ctx, tx)
			return err
		})
		if err != nil || len(list) != 2 || list[0].Name != "Espoolaiset" || list[0].Stored.Query != "q=espoo&status=all" ||
			list[1].Name != "Hallituksen lista" || list[1].Stored.Definition.Sort != "full_name" {
			t.Fatalf("saved: %+v %v", list, err)
		}
		// Another association cannot read or delete it.
		err = r.env.DB.For(other.ID).Write(ctx, func(tx *store.TenantTx) error {
			if _, err := report.GetSaved(ctx, tx, saved.ID); !errors.Is(err, report.ErrNotFound) {
				t.Errorf("other association read it: %v", err)
			}
			return report.DeleteSaved(ctx, tx, r.env.Audit, saved.ID)
		})
		if !errors.Is(err, report.ErrNotFound) {
			t.Errorf("other association deleted it: %v", err)
		}
		err = r.env.DB.For(r.aid).Write(ctx, func(tx *store.TenantTx) error {
			return report.DeleteSaved(ctx, tx, r.env.Audit, saved.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		acts := r.env.AuditActions(t, r.aid)
		if n := len(acts); n < 3 || acts[n-3] != "report.save" || acts[n-2] != "report.save" || acts[n-1] != "report.delete" {
			t.Errorf("audit: %v", acts)
		}
	})
}

// TestMemberExportColumns checks that the member-list export has every
// card column the register keeps, the fee by name and each custom field as
// a column of its own, its values written for people in the export's
// language; the PDF list has its narrower set.
func TestMemberExportColumns(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newRegister(t, e)
		ctx := context.Background()
		err := r.env.DB.For(r.aid).Write(ctx, func(tx *store.TenantTx) error {
			now := r.env.Clock.Now()
			for _, f := range []struct{ name, kind, value string }{
				{"Pituus", member.FieldNumber, "182.5"}, {"Lisenssi voimassa", member.FieldDate, "2026-01-31"},
				{"Talkoot", member.FieldYesNo, "true"},
			} {
				id := uuid.NewString()
				if _, err := tx.Exec(ctx, `INSERT INTO custom_fields (association_id, id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)`,
					id, f.name, f.kind, now); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO custom_values (association_id, member_id, field_id, value) VALUES ($1, $2, $3, $4)`,
					r.ids[1], id, f.value); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `UPDATE members SET extra_emails = '["m2@example.fi","m3@example.fi"]', email_invoices = $3, language = 'sv'
				WHERE association_id = $1 AND id = $2`, r.ids[1], true)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		export := func(format, lang string) string {
			var buf bytes.Buffer
			n, err := report.ExportMembers(ctx, r.env.DB.For(r.aid), r.env.Audit, member.Query{Sort: member.SortNumber},
				"", report.Request{Format: format, Lang: lang, Now: r.env.Clock.Now(), Name: "Jäsenet"}, &buf)
			if err != nil || n != 5 {
				t.Fatalf("export %s: %d rows, %v", format, n, err)
			}
			return buf.String()
		}
		csv := export(report.FormatCSV, "fi")
		lines := strings.Split(strings.TrimPrefix(csv, "\uFEFF"), "\r\n")
		header := strings.Split(lines[0], ";")
		// Custom fields of one position are in the order of their names.
		wantTail := []string{"Kieli", "Jäsenmaksu", "Lisenssi voimassa", "Pituus", "Seuran paita", "Talkoot"}
		if got := header[len(header)-len(wantTail):]; !slices.Equal(got, wantTail) || !slices.Contains(header, "Laskut sähköpostilla") {
			t.Fatalf("header: %q", header)
		}
		row := strings.Split(lines[1], ";")
		if got := row[len(row)-len(wantTail):]; !slices.Equal(got, []string{"Svenska", "Jäsenmaksu", "31.01.2026", "182,5", "", "Kyllä"}) {
			t.Errorf("member 1 tail: %q", got)
		}
		if !strings.Contains(lines[1], ";matti@example.fi;m2@example.fi, m3@example.fi;Kyllä;") {
			t.Errorf("member 1 e-mails: %s", lines[1])
		}
		if !strings.HasSuffix(lines[3], ";;;XL;") { // member 5: the shirt, no other values
			t.Errorf("member 5: %s", lines[3])
		}
		en := strings.Split(strings.Split(export(report.FormatCSV, "en"), "\r\n")[1], ";")
		if got := en[len(en)-4:]; !slices.Equal(got, []string{"31.01.2026", "182.5", "", "Yes"}) {
			t.Errorf("English values: %q", got)
		}
		if pdf := export(report.FormatPDF, "fi"); !strings.HasPrefix(pdf, "%PDF") {
			t.Errorf("PDF list: %.20q", pdf)
		}
	})
}

// TestCustomForPeople checks how custom values are written into files.
func TestCustomForPeople(t *testing.T) {
	for _, c := range []struct{ lang, kind, in, want string }{
		{"fi", member.FieldNumber, "-12.5", "-12,5"}, {"sv", member.FieldNumber, "3", "3"}, {"en", member.FieldNumber, "0.25", "0.25"},
		{"fi", member.FieldDate, "2026-01-31", "31.01.2026"}, {"sv", member.FieldYesNo, "false", "Nej"},
		{"fi", member.FieldYesNo, "true", "Kyllä"}, {"fi", member.FieldChoice, "Punainen", "Punainen"}, {"fi", member.FieldText, "", ""},
	} {
		if got := report.CustomForPeople(c.lang, c.kind, c.in); got != c.want {
			t.Errorf("CustomForPeople(%s, %s, %q) = %q, want %q", c.lang, c.kind, c.in, got, c.want)
		}
	}
}
