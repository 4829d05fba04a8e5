package importfile_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"seura.fi/seura/internal/importfile"
)

// win1252 encodes s as Excel's plain "CSV" does on Finnish Windows.
func win1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q as Windows-1252: %v", s, err)
	}
	return b
}

// utf16LE encodes s as Excel's "Unicode text": UTF-16LE with a byte order mark.
func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16BE(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

const bom = "\xEF\xBB\xBF"

// Seed inputs, shared with the fuzz target.
var (
	finnishCSV  = "Sähköposti;Nimi\r\nmatti@example.fi;Jäämeri\r\n"
	commaQuoted = "Nimi,Osoite,Lisätiedot\r\n" +
		"\"Virtanen, Matti\",\"Katu 1; B 2\",\"rivi 1\r\nrivi 2 \"\"lainaus\"\"\"\r\n" +
		"Maija,Tie 3,\r\n"
	excelTrailing = "Nimi;Sähköposti;Puhelin\r\nMatti;matti@example.fi;040 123\r\n;;\r\n;;\r\n  ;\u00a0;\r\n"
	ragged        = "A;B;C\r\n1\r\n1;2\r\n1;2;3\r\n"
	tooLong       = "A;B;C\r\n1;2;3\r\n1;2;3;4\r\n"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name       string
		in         []byte
		header     []string
		rows       [][]string
		rowNumbers []int
		enc        string
		delim      rune
	}{
		{
			name:   "windows-1252 from Finnish Excel",
			in:     win1252(t, finnishCSV),
			header: []string{"Sähköposti", "Nimi"}, rows: [][]string{{"matti@example.fi", "Jäämeri"}}, rowNumbers: []int{2},
			enc: "windows-1252", delim: ';',
		},
		{
			name:   "windows-1252 letters outside Latin-1",
			in:     win1252(t, "Nimi;Summa\r\nŠárka – Œ;5 €\r\n"),
			header: []string{"Nimi", "Summa"}, rows: [][]string{{"Šárka – Œ", "5 €"}}, rowNumbers: []int{2},
			enc: "windows-1252", delim: ';',
		},
		{
			name:   "utf-8 without BOM",
			in:     []byte(finnishCSV),
			header: []string{"Sähköposti", "Nimi"}, rows: [][]string{{"matti@example.fi", "Jäämeri"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "utf-8 with BOM (Excel's CSV UTF-8)",
			in:     []byte(bom + finnishCSV),
			header: []string{"Sähköposti", "Nimi"}, rows: [][]string{{"matti@example.fi", "Jäämeri"}}, rowNumbers: []int{2},
			enc: "utf-8-bom", delim: ';',
		},
		{
			name:   "utf-8 with a doubled BOM",
			in:     []byte(bom + bom + finnishCSV),
			header: []string{"Sähköposti", "Nimi"}, rows: [][]string{{"matti@example.fi", "Jäämeri"}}, rowNumbers: []int{2},
			enc: "utf-8-bom", delim: ';',
		},
		{
			name:   "utf-16le Unicode text is tab-separated even with more commas",
			in:     utf16LE("Nimi\tKotipaikka\r\nVirtanen, Matti, Juhani\tHelsinki 😀\r\n"),
			header: []string{"Nimi", "Kotipaikka"}, rows: [][]string{{"Virtanen, Matti, Juhani", "Helsinki 😀"}}, rowNumbers: []int{2},
			enc: "utf-16le", delim: '\t',
		},
		{
			name:   "utf-16be",
			in:     utf16BE("Nimi\tKaupunki\r\nÅsa\tÅbo\r\n"),
			header: []string{"Nimi", "Kaupunki"}, rows: [][]string{{"Åsa", "Åbo"}}, rowNumbers: []int{2},
			enc: "utf-16be", delim: '\t',
		},
		{
			name:   "utf-16 without tabs detects like any file",
			in:     utf16LE("Nimi;Kaupunki\r\nÅsa;Åbo\r\n"),
			header: []string{"Nimi", "Kaupunki"}, rows: [][]string{{"Åsa", "Åbo"}}, rowNumbers: []int{2},
			enc: "utf-16le", delim: ';',
		},
		{
			name:   "comma-separated with quoted delimiters, line breaks and quotes",
			in:     []byte(commaQuoted),
			header: []string{"Nimi", "Osoite", "Lisätiedot"},
			rows: [][]string{
				{"Virtanen, Matti", "Katu 1; B 2", "rivi 1\nrivi 2 \"lainaus\""},
				{"Maija", "Tie 3", ""},
			},
			rowNumbers: []int{2, 4},
			enc:        "utf-8", delim: ',',
		},
		{
			name:   "space after the comma before a quoted cell",
			in:     []byte("Nimi, Osoite\nMatti, \"Katu 1, B\"\n"),
			header: []string{"Nimi", "Osoite"}, rows: [][]string{{"Matti", "Katu 1, B"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ',',
		},
		{
			name:   "Excel trailing empty rows are dropped",
			in:     []byte(excelTrailing),
			header: []string{"Nimi", "Sähköposti", "Puhelin"}, rows: [][]string{{"Matti", "matti@example.fi", "040 123"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "empty rows between data rows are kept",
			in:     []byte("A;B\r\n;\r\n1;2\r\n;;;;\r\n3;4\r\n;\r\n"),
			header: []string{"A", "B"}, rows: [][]string{{"", ""}, {"1", "2"}, {"", ""}, {"3", "4"}}, rowNumbers: []int{2, 3, 4, 5},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "ragged rows are padded",
			in:     []byte(ragged),
			header: []string{"A", "B", "C"}, rows: [][]string{{"1", "", ""}, {"1", "2", ""}, {"1", "2", "3"}}, rowNumbers: []int{2, 3, 4},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "cells are trimmed of spaces, tabs, NBSP and zero-width spaces",
			in:     []byte(" Nimi \u00a0; Sähköposti\r\n\u00a0Matti\t;\u200b matti@example.fi \r\n"),
			header: []string{"Nimi", "Sähköposti"}, rows: [][]string{{"Matti", "matti@example.fi"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "header only",
			in:     []byte(bom + "Nimi;Sähköposti\r\n;\r\n"),
			header: []string{"Nimi", "Sähköposti"}, rows: [][]string{}, rowNumbers: []int{},
			enc: "utf-8-bom", delim: ';',
		},
		{
			name:   "blank rows above the header are skipped",
			in:     []byte("\r\n;;\r\nA;B\r\n1;2\r\n"),
			header: []string{"A", "B"}, rows: [][]string{{"1", "2"}}, rowNumbers: []int{4},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "a blank row of a million cells above the header",
			in:     []byte(strings.Repeat(";", 1_000_000) + "\nA;B\n1;2\n"),
			header: []string{"A", "B"}, rows: [][]string{{"1", "2"}}, rowNumbers: []int{3},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "trailing unnamed empty columns are dropped",
			in:     []byte("A;B;;\r\n1;2;;\r\n3\r\n"),
			header: []string{"A", "B"}, rows: [][]string{{"1", "2"}, {"3", ""}}, rowNumbers: []int{2, 3},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "tie goes to semicolon",
			in:     []byte("Nimi;Osoite, katu\n1;2\n"),
			header: []string{"Nimi", "Osoite, katu"}, rows: [][]string{{"1", "2"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "most frequent wins: comma",
			in:     []byte("a,b,c;d\n1,2,3;4\n"),
			header: []string{"a", "b", "c;d"}, rows: [][]string{{"1", "2", "3;4"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ',',
		},
		{
			name:   "delimiters inside quotes do not count",
			in:     []byte("\"a;b;c\",d\n1,2\n"),
			header: []string{"a;b;c", "d"}, rows: [][]string{{"1", "2"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ',',
		},
		{
			name:   "tab-separated utf-8 keeps empty cells",
			in:     []byte("A\tB\tC\n1\t\t3\n"),
			header: []string{"A", "B", "C"}, rows: [][]string{{"1", "", "3"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: '\t',
		},
		{
			name:   "single column",
			in:     []byte("Sähköposti\nmatti@example.fi\n\nmaija@example.fi"),
			header: []string{"Sähköposti"}, rows: [][]string{{"matti@example.fi"}, {""}, {"maija@example.fi"}}, rowNumbers: []int{2, 3, 4},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "classic Mac line endings",
			in:     []byte("A;B\r1;2\r3;4\r"),
			header: []string{"A", "B"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, rowNumbers: []int{2, 3},
			enc: "utf-8", delim: ';',
		},
		{
			name:   "no final line break",
			in:     []byte("A;B\n1;2"),
			header: []string{"A", "B"}, rows: [][]string{{"1", "2"}}, rowNumbers: []int{2},
			enc: "utf-8", delim: ';',
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := importfile.ReadCSV(bytes.NewReader(tc.in), importfile.Limits{})
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if !reflect.DeepEqual(got.Header, tc.header) {
				t.Errorf("Header = %q, want %q", got.Header, tc.header)
			}
			if !reflect.DeepEqual(got.Rows, tc.rows) {
				t.Errorf("Rows = %q, want %q", got.Rows, tc.rows)
			}
			if !reflect.DeepEqual(got.RowNumbers, tc.rowNumbers) {
				t.Errorf("RowNumbers = %v, want %v", got.RowNumbers, tc.rowNumbers)
			}
			if got.Encoding != tc.enc {
				t.Errorf("Encoding = %q, want %q", got.Encoding, tc.enc)
			}
			if got.Delimiter != tc.delim {
				t.Errorf("Delimiter = %q, want %q", got.Delimiter, tc.delim)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	longCell := strings.Repeat("x", 10_001)
	var rows12 strings.Builder // the long cell is on line 12
	rows12.WriteString("Nimi;Sähköposti\r\n")
	for range 10 {
		rows12.WriteString("Matti;matti@example.fi\r\n")
	}
	rows12.WriteString("Maija;" + longCell + "\r\n")

	tests := []struct {
		name string
		in   []byte
		lim  importfile.Limits
		err  string
	}{
		// Empty files.
		{name: "empty", in: nil, err: "the file is empty"},
		{name: "only a BOM", in: []byte(bom), err: "the file is empty"},
		{name: "only a UTF-16 BOM", in: []byte{0xFF, 0xFE}, err: "the file is empty"},
		{name: "only whitespace", in: []byte(" \r\n\t\r\n\u00a0\n"), err: "the file is empty"},
		{name: "only delimiters and quotes", in: []byte(";;\r\n,,\r\n\"\";\"\"\r\n"), err: "the file is empty"},

		// Encoding.
		{name: "NUL", in: []byte("A;B\r\n1;2\r\n3;\x004\r\n"), err: "line 3: contains a control character (0x00)"},
		{name: "escape", in: []byte("A;B\r\n1;\x1b[31m\r\n"), err: "line 2: contains a control character (0x1B)"},
		{name: "C1 control", in: []byte("A;B\n1;\u0085\n"), err: "line 2: contains a control character (U+0085)"},
		{name: "control in windows-1252", in: append(win1252(t, "Nimi;Jäsen\r\n"), 'x', 0x07), err: "line 2: contains a control character (0x07)"},
		{name: "UTF-16 without BOM", in: []byte("A\x00;\x00B\x00"), err: "may be UTF-16 without a byte order mark"},
		{name: "undefined 0x81", in: append(win1252(t, "Nimi;Jäsen\r\n"), 'x', 0x81, 'y'), err: "line 2: byte 0x81 is neither UTF-8 nor Windows-1252 text"},
		{name: "undefined 0x9D", in: []byte("A\n\n\xE4\x9D\n"), err: "line 3: byte 0x9D"},
		{name: "mixed UTF-8 and Windows-1252", in: append([]byte("Nimi;Jäsen\r\n"), 'J', 0xE4, 'r', 'v', 'i'), err: "line 2: the file mixes UTF-8 and Windows-1252 text (byte 0xE4 is not UTF-8)"},
		{name: "BOM but not UTF-8", in: append([]byte(bom+"A;B\n"), 0xE4), err: "line 2: not valid UTF-8 although the file starts with a UTF-8 byte order mark"},
		{name: "UTF-16 odd length", in: append(utf16LE("A\tB"), 'x'), err: "odd number of bytes"},
		{name: "UTF-16 lone surrogate", in: append(utf16LE("A\tB\r\n"), 0x00, 0xD8, 'x', 0), err: "line 2: not valid UTF-16"},
		{name: "xlsx", in: []byte("PK\x03\x04\x14\x00\x06\x00"), err: "the file is a spreadsheet workbook (.xlsx or .ods), not CSV"},
		{name: "xls", in: []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), err: "old Excel workbook (.xls)"},

		// Quotes.
		{name: "bare quote", in: []byte("A;B\r\n1;ab\"c\r\n"), err: "line 2: a quote (\") in a cell that does not start with one"},
		{name: "undoubled quote in quoted cell", in: []byte("A;B\r\n1;\"a\"b\"\r\n"), err: "line 2: a quote (\") inside a quoted cell must be doubled"},
		{name: "unclosed quote", in: []byte("A;B\r\n1;2\r\n3;\"abc\r\n4;5\r\n6;7\r\n"), err: "line 3: a quoted cell is never closed"},

		// Header.
		{name: "unnamed column", in: []byte("Nimi;Sukunimi;;Puhelin\r\n1;2;3;4\r\n"), err: "header: column 3 has no name"},
		{name: "unnamed column, whitespace", in: []byte("Nimi;Sukunimi; \u00a0 ;Puhelin\r\n"), err: "header: column 3 has no name"},
		{name: "unnamed trailing column with data", in: []byte("Nimi;Sukunimi;\r\n1;2;\r\n3;4;5\r\n"), err: "row 3, column 3: a value in a column the header has no name for"},
		{name: "duplicate names", in: []byte("Nimi;Sähköposti;Puhelin; SÄHKÖPOSTI \r\n"), err: `header: column 2 "Sähköposti" and column 4 "SÄHKÖPOSTI" have the same name`},
		{name: "duplicate names with line breaks", in: []byte("\"a\nb\";\"A\nB\"\r\n"), err: `header: column 1 "a\nb" and column 2 "A\nB" have the same name`},
		{name: "long header cell", in: []byte("A;" + longCell + "\r\n"), err: "header: column 2: cell is longer than 10000 bytes"},

		// Rows.
		{name: "row longer than header", in: []byte(tooLong), err: "row 3: 4 cells, the header has 3"},
		{name: "row of a million cells", in: []byte("A;B\n1" + strings.Repeat(";", 1_000_000) + "\n"), err: "row 2: 1000001 cells, the header has 2"},
		{name: "header wider than Excel", in: []byte(columns(16_385) + "\n"), err: "header: 16385 columns, more than the 16384 Excel allows"},
		{name: "long row after multi-line cell", in: []byte("A;B\n\"1\n2\";3\n4;5;6;7;8\n"), err: "row 4: 5 cells, the header has 2"},

		// Limits.
		{name: "file too large", in: []byte(strings.Repeat("a", 1<<10+1)), lim: importfile.Limits{MaxBytes: 1 << 10}, err: "file is larger than 1 KiB"},
		{name: "file too large, odd limit", in: []byte("A;B\n1;2\n"), lim: importfile.Limits{MaxBytes: 5}, err: "file is larger than 5 bytes"},
		{name: "too many rows", in: []byte("A\n1\n2\n3\n"), lim: importfile.Limits{MaxRows: 2}, err: "row 4: the file has more than 2 rows"},
		{name: "too many rows counting inner empty rows", in: []byte("A;B\n1;\n;\n;\n2;\n"), lim: importfile.Limits{MaxRows: 3}, err: "row 5: the file has more than 3 rows"},
		{name: "long cell", in: []byte(rows12.String()), err: `row 12, column "Sähköposti": cell is longer than 10000 bytes`},
		{name: "long cell, custom limit", in: []byte("A;B\n1;123456\n"), lim: importfile.Limits{MaxCellBytes: 5}, err: `row 2, column "B": cell is longer than 5 bytes`},
		{name: "long column name is shortened", in: []byte("A;" + strings.Repeat("ä", 50) + "\n1;" + strings.Repeat("x", 101) + "\n"), lim: importfile.Limits{MaxCellBytes: 100}, err: `row 2, column "` + strings.Repeat("ä", 40) + `…": cell`},
		{name: "padding cannot explode", in: []byte(columns(100) + "\n" + strings.Repeat("x\n", 40)),
			lim: importfile.Limits{MaxBytes: 1 << 10}, err: "row 12: the table has too many cells (11 rows × 100 columns)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := importfile.ReadCSV(bytes.NewReader(tc.in), tc.lim)
			if err == nil {
				t.Fatalf("ReadCSV = %+v, want error containing %q", got, tc.err)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %q does not contain %q", err, tc.err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error %q is not one line", err)
			}
		})
	}
}

// The five bytes undefined in Windows-1252 are refused and every other byte
// from 0x80 up decodes, so no valid Excel file is refused.
func TestWindows1252Bytes(t *testing.T) {
	undefined := map[byte]bool{0x81: true, 0x8D: true, 0x8F: true, 0x90: true, 0x9D: true}
	for c := 0x80; c <= 0xFF; c++ {
		in := []byte{'A', ';', 'B', '\n', '1', ';', byte(c), 'x', '\n'}
		tab, err := importfile.ReadCSV(bytes.NewReader(in), importfile.Limits{})
		switch {
		case undefined[byte(c)] && err == nil:
			t.Errorf("byte 0x%02X accepted as %q", c, tab.Rows[0][1])
		case !undefined[byte(c)] && err != nil:
			t.Errorf("byte 0x%02X: %v", c, err)
		case err == nil && tab.Encoding != "windows-1252":
			t.Errorf("byte 0x%02X: encoding %q", c, tab.Encoding)
		}
	}
}

func TestLimitsDefaultMessage(t *testing.T) {
	r := &countingReader{r: endless('a')}
	_, err := importfile.ReadCSV(r, importfile.Limits{})
	if err == nil || err.Error() != "file is larger than 20 MiB" {
		t.Fatalf("err = %v, want file is larger than 20 MiB", err)
	}
	if r.n > importfile.DefaultMaxBytes+1 {
		t.Fatalf("read %d bytes, want at most MaxBytes+1", r.n)
	}
}

// A single 10 MB cell fails with the cell error, quickly and without memory
// growing beyond a small multiple of the file: reading it takes about two
// times its size and decoding one more; the cell itself is never copied.
func TestHugeCell(t *testing.T) {
	in := []byte("Nimi;Sähköposti\r\nMatti;" + strings.Repeat("x", 10_000_000) + "\r\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := importfile.ReadCSV(bytes.NewReader(in), importfile.Limits{})
	runtime.ReadMemStats(&after)
	want := `row 2, column "Sähköposti": cell is longer than 10000 bytes`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 5*uint64(len(in)) {
		t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(in))
	}
}

func TestReadError(t *testing.T) {
	_, err := importfile.ReadCSV(io.MultiReader(strings.NewReader("A;B\n"), errReader{}), importfile.Limits{})
	if err == nil || err.Error() != "reading the file: connection reset by peer" {
		t.Fatalf("err = %v", err)
	}
	if _, err := importfile.ReadCSV(nil, importfile.Limits{}); err == nil {
		t.Fatal("nil reader accepted")
	}
}

// Trailing empty rows never count against MaxRows: Excel may add many.
func TestTrailingEmptyRowsDoNotCount(t *testing.T) {
	in := "A;B\n1;2\n3;4\n" + strings.Repeat(";\n", 50)
	tab, err := importfile.ReadCSV(strings.NewReader(in), importfile.Limits{MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(tab.Rows))
	}
}

func TestLooksLikeFormula(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"=1+1", true},
		{"+358 40 123 4567", true},
		{"-", true},
		{"@SUM(A1)", true},
		{" =HYPERLINK(\"https://evil.example\")", true},
		{"\t=1", true},
		{"\r+1", true},
		{"\u00a0@x", true},
		{"Matti", false},
		{"matti@example.fi", false},
		{"", false},
		{" \t", false},
		{"a=b", false},
		{"'=1", false},
	}
	for _, tc := range tests {
		if got := importfile.LooksLikeFormula(tc.in); got != tc.want {
			t.Errorf("LooksLikeFormula(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// columns returns a semicolon-separated header of n distinct names.
func columns(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = "c" + strconv.Itoa(i)
	}
	return strings.Join(names, ";")
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection\nreset by peer") }

// BenchmarkReadCSV reads a register of 20 000 members as Finnish Excel saves
// it (Windows-1252, semicolons, a few quoted cells).
func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Etunimi;Sukunimi;Sähköposti;Puhelin;Katuosoite;Postinumero;Postitoimipaikka;Liittymispäivä;Lisätiedot\r\n")
	for i := range 20_000 {
		sb.WriteString("Matti;Jäämeri-Öhman;matti." + strconv.Itoa(i) + "@example.fi;+358 40 123 4567;\"Keskuskatu 1; B 12\";00100;Helsinki;1.2.2020;\"Hallituksen jäsen\r\nvuodesta 2021\"\r\n")
	}
	in := win1252(b, sb.String())
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := importfile.ReadCSV(bytes.NewReader(in), importfile.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
