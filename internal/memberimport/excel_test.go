package memberimport_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	mi "seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// readFixture reads a file of testdata as an upload is read.
func readFixture(t *testing.T, name string) *importfile.Table {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := importfile.Read(name, bytes.NewReader(raw), importfile.Limits{})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return tab
}

// byNumber indexes members by member number.
func byNumber(ms []member.Member) map[int64]member.Member {
	out := map[int64]member.Member{}
	for _, m := range ms {
		out[m.Number] = m
	}
	return out
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// TestExcelLocaleFiles imports what Excel saves on Finnish and Swedish
// computers, kept as files under testdata: a plain "CSV" (Windows-1252,
// semicolons, dd.mm.yyyy dates and d.m.yyyy without leading zeros), a "CSV
// UTF-8" (byte order mark, commas, ISO and Finnish dates mixed, a quoted
// comma), and a workbook whose dates are serial numbers with a built-in and
// a custom date format.
func TestExcelLocaleFiles(t *testing.T) {
	type want struct {
		last, first, birth, joined, email, phone, municipality, language string
	}
	cases := []struct {
		file     string
		encoding string
		members  map[int64]want
	}{
		{"excel-fi-windows1252-semicolon.csv", "windows-1252", map[int64]want{
			301: {"Äijälä", "Öljy-Pekka", "1980-02-01", "2001-03-15", "pekka@example.fi", "+358401234567", "Helsinki", "fi"},
			302: {"Kärkkäinen", "Sisko", "1975-11-09", "2010-01-01", "", "+358507654321", "Tampere", "fi"},
			303: {"Öhman", "Åsa", "1999-12-31", "2020-01-02", "asa@example.fi", "", "Mustasaari", "fi"},
		}},
		{"excel-sv-utf8bom-comma.csv", "utf-8-bom", map[int64]want{
			401: {"Sjöberg", "Märta", "1965-07-04", "", "marta@example.fi", "+358401112222", "Raseborg", "sv"},
			402: {"Nyström, jr", "Göran", "1988-08-12", "", "goran@example.fi", "", "Jakobstad", "sv"},
			403: {"Åkerlund", "Zoë", "1990-01-31", "", "", "", "Esbo", "en"},
		}},
		{"excel-serial-dates.xlsx", "xlsx", map[int64]want{
			501: {"Virtanen", "Matti", "1980-02-01", "2001-03-01", "matti@example.fi", "", "", "fi"},
			502: {"Lindqvist", "Ebba", "1975-11-19", "2010-01-01", "", "", "", "fi"},
			503: {"Mäkinen", "Aino", "1999-12-31", "2020-01-01", "aino@example.fi", "", "", "fi"},
		}},
	}
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		for _, tc := range cases {
			t.Run(tc.file, func(t *testing.T) {
				f := newFix(t, e)
				tab := readFixture(t, tc.file)
				if tc.encoding != "xlsx" && tab.Encoding != tc.encoding {
					t.Errorf("encoding %q, want %q", tab.Encoding, tc.encoding)
				}
				if res := f.plan(tab, nil); !res.OK() || res.New != len(tc.members) {
					t.Fatalf("dry run: new %d, problems %v", res.New, res.Problems)
				}
				if res := f.commit(tab); !res.Committed {
					t.Fatalf("not imported: %v", res.Problems)
				}
				got := byNumber(f.members())
				if len(got) != len(tc.members) {
					t.Fatalf("%d members, want %d", len(got), len(tc.members))
				}
				for n, w := range tc.members {
					m := got[n]
					g := want{m.LastName, m.FirstName, date(m.BirthDate), date(m.JoinedOn), m.Email, m.Phone, m.Municipality, m.Language}
					if g != w {
						t.Errorf("member %d:\n got %+v\nwant %+v", n, g, w)
					}
				}
				// The same file again changes nothing.
				if res := f.plan(tab, nil); res.Unchanged != len(tc.members) || res.New+res.Updated != 0 {
					t.Errorf("second run: %+v", res)
				}
			})
		}
	})
}

// TestMalformedFilesWriteNothing: a file that cannot be read is refused
// with an error that says what is wrong and where, and a formula written
// to run when the register is opened in a spreadsheet is a problem of its
// row; in every case nothing is written.
func TestMalformedFilesWriteNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		before := f.state()
		hugeCell := "Sukunimi;Etunimi\nVirtanen;" + strings.Repeat("x", 10<<20) + "\n"
		unreadable := []struct {
			name, content, want string
		}{
			{"jasenet.csv", "Sukunimi;Etunimi\nVirtanen;Matti\x81\n", "byte 0x81 is neither UTF-8 nor Windows-1252"},
			{"jasenet.xlsx", "PK\x03\x04 this is not a workbook", "not a readable XLSX file"},
			{"jasenet.csv", "", "the file is empty"},
			{"jasenet.csv", hugeCell, `row 2, column "Etunimi": cell is longer than 10000 bytes`},
		}
		for _, u := range unreadable {
			_, err := importfile.Read(u.name, strings.NewReader(u.content), importfile.Limits{})
			if err == nil || !strings.Contains(err.Error(), u.want) {
				t.Errorf("%s %.40q: error %v, want %q", u.name, u.content, err, u.want)
			}
		}

		tab := table(t, "Sukunimi;Etunimi;Sähköposti\n"+
			"Virtanen;Matti;matti@example.fi\n"+
			`"=HYPERLINK(""http://example.com/x"";""Klikkaa"")";Liisa;liisa@example.fi`+"\n")
		var res *mi.Result
		err := f.env.DB.For(f.aid).Write(f.ctx, func(tx *store.TenantTx) error {
			var err error
			res, err = mi.Commit(f.ctx, tx, f.env.Audit, tab, mi.Suggest(tab.Header), f.env.Clock.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Committed || len(res.Problems) != 1 {
			t.Fatalf("formula: %+v", res)
		}
		if p := res.Problems[0]; p.Row != 3 || p.Column != "Sukunimi" || !strings.Contains(p.Message, "formula") {
			t.Errorf("formula problem %v", p)
		}
		if f.state() != before {
			t.Error("a refused file changed the register or the audit trail")
		}
	})
}
