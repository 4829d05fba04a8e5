package importfile_test

import (
	"archive/zip"
	"bytes"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/importfile"
)

// workbook builds an XLSX file with excelize: build gets the file with its
// first sheet named "Jäsenet".
func workbook(t testing.TB, build func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Jäsenet"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	if build != nil {
		build(f, sheet)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// must fails the test on an excelize error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func style(t testing.TB, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	must(t, err)
	return id
}

// rawWorkbook builds an XLSX file by hand around the given sheetData
// contents, for what excelize's writer will not produce: huge cells,
// formulas without a saved value, control characters.
func rawWorkbook(t testing.TB, sheetData string) []byte {
	t.Helper()
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`</Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			sheetData + `</sheetData></worksheet>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		must(t, err)
		_, err = w.Write([]byte(p.body))
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func inlineStr(ref, s string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">` + s + `</t></is></c>`
}

// memberWorkbook is a small register as a treasurer's Excel might save it:
// dates, formatted numbers, a formula, a gap, ragged and trailing rows.
func memberWorkbook(t testing.TB) []byte {
	return workbook(t, func(f *excelize.File, sh string) {
		date := style(t, f, &excelize.Style{NumFmt: 14})
		fiDate := "d.m.yyyy"
		custom := style(t, f, &excelize.Style{CustomNumFmt: &fiDate})
		dateTime := "d.m.yyyy h:mm"
		stamp := style(t, f, &excelize.Style{CustomNumFmt: &dateTime})
		thousands := style(t, f, &excelize.Style{NumFmt: 4}) // #,##0.00
		percent := style(t, f, &excelize.Style{NumFmt: 9})   // 0%
		euro := `#,##0.00 "€";[Red]-#,##0.00 "€"`
		money := style(t, f, &excelize.Style{CustomNumFmt: &euro})

		must(t, f.SetSheetRow(sh, "A1", &[]any{" Nimi\u00a0", "Liittynyt", "Summa", "Kaava", "Osuus", "Leima"}))
		must(t, f.SetSheetRow(sh, "A2", &[]any{"Jäämeri, Åsa", time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), 1234567.5, nil, 0.25, time.Date(2024, 3, 9, 18, 30, 0, 0, time.UTC)}))
		must(t, f.SetCellStyle(sh, "B2", "B2", date))
		must(t, f.SetCellStyle(sh, "C2", "C2", thousands))
		must(t, f.SetCellStyle(sh, "E2", "E2", percent))
		must(t, f.SetCellStyle(sh, "F2", "F2", stamp))
		// A formula whose saved value is not what it would compute now:
		// ReadXLSX must return the saved value, never evaluate.
		must(t, f.SetCellValue(sh, "D2", 5))
		must(t, f.SetCellFormula(sh, "D2", "1+1"))

		must(t, f.SetSheetRow(sh, "A3", &[]any{"  Öhman ", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), -42.125, nil, 0.30000000000000004, "=ei kaava"}))
		must(t, f.SetCellStyle(sh, "B3", "B3", custom))
		must(t, f.SetCellStyle(sh, "C3", "C3", money))
		must(t, f.SetCellStyle(sh, "A3", "A3", date)) // a date format on text changes nothing

		// Row 4 is left empty; row 5 is ragged.
		must(t, f.SetCellValue(sh, "A5", "Lyhyt"))
		// Trailing rows Excel keeps for formatting and white space.
		must(t, f.SetCellValue(sh, "B6", " \u00a0"))
		must(t, f.SetCellStyle(sh, "A7", "F9", percent))
	})
}

func TestReadXLSX(t *testing.T) {
	tab, err := importfile.ReadXLSX(bytes.NewReader(memberWorkbook(t)), importfile.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"Nimi", "Liittynyt", "Summa", "Kaava", "Osuus", "Leima"}
	wantRows := [][]string{
		{"Jäämeri, Åsa", "15.01.2024", "1234567.5", "5", "0.25", "09.03.2024 18:30"},
		{"Öhman", "31.12.1999", "-42.125", "", "0.3", "=ei kaava"},
		{"", "", "", "", "", ""},
		{"Lyhyt", "", "", "", "", ""},
	}
	if !reflect.DeepEqual(tab.Header, wantHeader) {
		t.Errorf("Header = %q, want %q", tab.Header, wantHeader)
	}
	if !reflect.DeepEqual(tab.Rows, wantRows) {
		t.Errorf("Rows =\n%q\nwant\n%q", tab.Rows, wantRows)
	}
	if want := []int{2, 3, 4, 5}; !reflect.DeepEqual(tab.RowNumbers, want) {
		t.Errorf("RowNumbers = %v, want %v", tab.RowNumbers, want)
	}
	if tab.Encoding != "xlsx" || tab.Delimiter != 0 {
		t.Errorf("Encoding, Delimiter = %q, %q", tab.Encoding, tab.Delimiter)
	}
	checkTableXLSX(t, tab, importfile.Limits{})
}

func TestReadXLSXCases(t *testing.T) {
	tests := []struct {
		name       string
		in         []byte
		lim        importfile.Limits
		header     []string
		rows       [][]string
		rowNumbers []int
		err        string
	}{
		{
			name: "blank rows above the header, only the first sheet",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetCellValue(sh, "B3", "Sähköposti"))
				must(t, f.SetCellValue(sh, "C3", "Puhelin"))
				must(t, f.SetCellValue(sh, "B4", "a@example.fi"))
				must(t, f.SetCellValue(sh, "C4", 358401234567))
				must(t, f.SetCellValue(sh, "A1", " "))
				_, err := f.NewSheet("Toinen")
				must(t, err)
				must(t, f.SetCellValue("Toinen", "A1", "Ei tämä"))
			}),
			// The empty column A has no name: an error, as in a CSV file.
			err: "header: column 1 has no name",
		},
		{
			name: "header starting further down",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetCellValue(sh, "A3", "Sähköposti"))
				must(t, f.SetCellValue(sh, "B3", "Puhelin"))
				must(t, f.SetCellValue(sh, "A4", "a@example.fi"))
				must(t, f.SetCellValue(sh, "B4", 358401234567))
				must(t, f.SetCellValue(sh, "B5", true))
				must(t, f.SetCellValue(sh, "A1", " "))
			}),
			header: []string{"Sähköposti", "Puhelin"}, rows: [][]string{{"a@example.fi", "358401234567"}, {"", "TRUE"}}, rowNumbers: []int{4, 5},
		},
		{
			name: "header only",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetSheetRow(sh, "A1", &[]any{"Nimi", "Osoite"}))
			}),
			header: []string{"Nimi", "Osoite"}, rows: [][]string{}, rowNumbers: []int{},
		},
		{
			name: "duplicate header",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetSheetRow(sh, "A1", &[]any{"Nimi", "NIMI "}))
			}),
			err: `header: column 1 "Nimi" and column 2 "NIMI" have the same name`,
		},
		{
			name: "a value beyond the header",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetSheetRow(sh, "A1", &[]any{"Nimi", "Osoite"}))
				must(t, f.SetSheetRow(sh, "A2", &[]any{"Matti", "Katu 1", "ylimääräinen"}))
			}),
			err: "row 2, column C: a value in a column the header has no name for",
		},
		{
			name: "too many rows",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetCellValue(sh, "A1", "Nimi"))
				for i := 2; i <= 5; i++ {
					must(t, f.SetCellValue(sh, "A"+string(rune('0'+i)), i))
				}
			}),
			lim: importfile.Limits{MaxRows: 3},
			err: "row 5: the file has more than 3 rows (not counting the header)",
		},
		{
			name: "cell too long for a small limit",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetSheetRow(sh, "A1", &[]any{"Nimi", "Lisätiedot"}))
				must(t, f.SetSheetRow(sh, "A2", &[]any{"Matti", strings.Repeat("x", 101)}))
			}),
			lim: importfile.Limits{MaxCellBytes: 100},
			err: `row 2, column "Lisätiedot": cell is longer than 100 bytes`,
		},
		{
			name:   "formula without a saved value, line breaks",
			in:     rawWorkbook(t, `<row r="1">`+inlineStr("A1", "A")+inlineStr("B1", "B")+`</row><row r="2">`+`<c r="A2"><f>1+1</f></c>`+inlineStr("B2", "rivi 1&#13;\nrivi 2")+`</row>`),
			header: []string{"A", "B"}, rows: [][]string{{"", "rivi 1\nrivi 2"}}, rowNumbers: []int{2},
		},
		{
			name: "control character",
			in:   rawWorkbook(t, `<row r="1">`+inlineStr("A1", "Nimi")+`</row><row r="2">`+inlineStr("A2", "a\u0085b")+`</row>`),
			err:  "row 2, column A: contains a control character (U+0085)",
		},
		{
			name: "10 MB in one cell",
			in:   rawWorkbook(t, `<row r="1">`+inlineStr("A1", "Nimi")+inlineStr("B1", "Lisätiedot")+`</row><row r="2">`+inlineStr("B2", strings.Repeat("ä", 5<<20))+`</row>`),
			err:  `row 2, column "Lisätiedot": cell is longer than 10000 bytes`,
		},
		{
			name: "unpacks to more than the limit",
			in:   rawWorkbook(t, `<row r="1">`+inlineStr("A1", "Nimi")+`</row><row r="2">`+inlineStr("A2", strings.Repeat("a", 1<<20))+`</row>`),
			lim:  importfile.Limits{MaxBytes: 16 << 10},
			err:  "the workbook unpacks to more than 160 KiB; split the file",
		},
		{
			name: "larger than MaxBytes",
			in:   memberWorkbook(t),
			lim:  importfile.Limits{MaxBytes: 1000},
			err:  "file is larger than 1000 bytes",
		},
		{
			name: "empty workbook",
			in:   workbook(t, nil),
			err:  "the file is empty",
		},
		{
			name: "only white space",
			in: workbook(t, func(f *excelize.File, sh string) {
				must(t, f.SetCellValue(sh, "C7", "\u00a0 "))
			}),
			err: "the file is empty",
		},
		{
			name: "empty file",
			in:   nil,
			err:  "the file is empty",
		},
		{
			name: "a CSV file",
			in:   []byte("Nimi;Osoite\r\nMatti;Katu 1\r\n"),
			err:  "not a readable XLSX file",
		},
		{
			name: "an old .xls file",
			in:   append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...),
			err:  "the file is an old Excel 97-2003 workbook (.xls)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := importfile.ReadXLSX(bytes.NewReader(tt.in), tt.lim)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q; got %q %q", tt.err, tab.Header, tab.Rows)
				}
				if !strings.HasPrefix(err.Error(), tt.err) || strings.ContainsAny(err.Error(), "\r\n") {
					t.Fatalf("error %q, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tab.Header, tt.header) || !reflect.DeepEqual(tab.Rows, tt.rows) || !reflect.DeepEqual(tab.RowNumbers, tt.rowNumbers) {
				t.Fatalf("got %q %q %v, want %q %q %v", tab.Header, tab.Rows, tab.RowNumbers, tt.header, tt.rows, tt.rowNumbers)
			}
			checkTableXLSX(t, tab, tt.lim)
		})
	}
}

func TestReadXLSXBroken(t *testing.T) {
	good := memberWorkbook(t)
	rnd := rand.New(rand.NewSource(1))
	random := make([]byte, 4096)
	rnd.Read(random)
	zipRandom := append([]byte("PK\x03\x04"), random...)
	flipped := bytes.Clone(good)
	for i := len(flipped) / 3; i < len(flipped)/3+64; i++ {
		flipped[i] ^= 0xFF
	}
	for name, in := range map[string][]byte{
		"random bytes":     random,
		"random after PK":  zipRandom,
		"truncated":        good[:len(good)/2],
		"truncated at end": good[:len(good)-10],
	} {
		t.Run(name, func(t *testing.T) {
			tab, err := importfile.ReadXLSX(bytes.NewReader(in), importfile.Limits{})
			if err == nil {
				t.Fatalf("no error; got %q", tab.Header)
			}
			if !strings.HasPrefix(err.Error(), "not a readable XLSX file") {
				t.Fatalf("error %q", err)
			}
		})
	}
	// A damaged part inside an intact archive may or may not be noticed;
	// it must not panic and must give a well-formed answer.
	if tab, err := importfile.ReadXLSX(bytes.NewReader(flipped), importfile.Limits{}); err == nil {
		checkTableXLSX(t, tab, importfile.Limits{})
	} else if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error %q", err)
	}
}

func TestReadXLSXEncrypted(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetCellValue("Sheet1", "A1", "Nimi"))
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf, excelize.Options{Password: "salainen"}); err != nil {
		t.Fatal(err)
	}
	_, err := importfile.ReadXLSX(&buf, importfile.Limits{})
	if err == nil || !strings.HasPrefix(err.Error(), "the workbook is protected with a password") {
		t.Fatalf("error %v", err)
	}
}

func TestRead(t *testing.T) {
	xlsx := memberWorkbook(t)
	csv := []byte("Nimi;Osoite\r\nMatti;Katu 1\r\n")
	tests := []struct {
		name string
		in   []byte
		enc  string
		err  string
	}{
		{name: "jasenet.xlsx", in: xlsx, enc: "xlsx"},
		{name: "JASENET.XLSX", in: xlsx, enc: "xlsx"},
		{name: "upload", in: xlsx, enc: "xlsx"},
		{name: "jasenet.csv", in: xlsx, enc: "xlsx"}, // the bytes say what it is
		{name: "jasenet.csv", in: csv, enc: "utf-8"},
		{name: "jasenet.txt", in: csv, enc: "utf-8"},
		{name: "", in: csv, enc: "utf-8"},
		{name: "jasenet.xlsx", in: csv, err: "not a readable XLSX file"},
		{name: "jasenet.xlsx", in: nil, err: "the file is empty"},
		{name: "jasenet.csv", in: []byte("PK"), err: ""},
	}
	for _, tt := range tests {
		tab, err := importfile.Read(tt.name, bytes.NewReader(tt.in), importfile.Limits{})
		switch {
		case tt.err != "":
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Read(%q): error %v, want %q", tt.name, err, tt.err)
			}
		case tt.enc == "":
			// Only that it does not fail oddly: "PK" alone is a one-cell CSV.
			if err != nil {
				t.Errorf("Read(%q, %q): %v", tt.name, tt.in, err)
			}
		case err != nil:
			t.Errorf("Read(%q): %v", tt.name, err)
		case tab.Encoding != tt.enc:
			t.Errorf("Read(%q): Encoding %q, want %q", tt.name, tab.Encoding, tt.enc)
		}
	}
}

// checkTableXLSX is checkTable for a Table from ReadXLSX.
func checkTableXLSX(t *testing.T, tab *importfile.Table, lim importfile.Limits) {
	t.Helper()
	if tab.Encoding != "xlsx" || tab.Delimiter != 0 {
		t.Fatalf("Encoding, Delimiter = %q, %q", tab.Encoding, tab.Delimiter)
	}
	c := *tab
	c.Encoding, c.Delimiter = "utf-8", ';'
	checkTable(t, &c, lim)
}
