package importfile_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"seura.fi/seura/internal/importfile"
)

// FuzzReadCSV feeds arbitrary uploads: never a panic, errors are one line,
// and an accepted file is a well-formed table.
func FuzzReadCSV(f *testing.F) {
	seeds := [][]byte{
		win1252(f, finnishCSV),
		[]byte(bom + finnishCSV),
		[]byte(finnishCSV),
		utf16LE("Nimi\tKotipaikka\r\nVirtanen, Matti\tHelsinki\r\n"),
		utf16BE("Nimi\tKaupunki\r\nÅsa\tÅbo\r\n"),
		[]byte(commaQuoted),
		[]byte(excelTrailing),
		[]byte(ragged),
		[]byte(tooLong),
		[]byte("A;B\r\n;\r\n1;2\r\n;\r\n"),
		[]byte("A;B;;\r\n1;2;;\r\n3\r\n"),
		[]byte("A;B\r1;2\r"),
		[]byte("Nimi, Osoite\nMatti, \"Katu 1, B\"\n"),
		[]byte("A;B\r\n1;\"a\"b\"\r\n"),
		[]byte("A;B\r\n3;\"abc\r\n4;5\r\n"),
		[]byte("Nimi;Sähköposti;Puhelin; SÄHKÖPOSTI \r\n"),
		[]byte("A;B\n1;\u0085\n"),
		append(win1252(f, "Nimi;Jäsen\r\n"), 'x', 0x81),
		append([]byte("Nimi;Jäsen\r\n"), 'J', 0xE4),
		[]byte("=1+1;+358\n@x;-\n"),
		{},
		[]byte(bom),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	small := importfile.Limits{MaxBytes: 2048, MaxRows: 8, MaxCellBytes: 16}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, lim := range []importfile.Limits{{}, small} {
			tab, err := importfile.ReadCSV(bytes.NewReader(in), lim)
			if err != nil {
				if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
					t.Fatalf("bad error message %q", msg)
				}
				continue
			}
			checkTable(t, tab, lim)
		}
	})
}

func checkTable(t *testing.T, tab *importfile.Table, lim importfile.Limits) {
	t.Helper()
	switch tab.Encoding {
	case "utf-8", "utf-8-bom", "windows-1252", "utf-16le", "utf-16be":
	default:
		t.Fatalf("Encoding = %q", tab.Encoding)
	}
	if tab.Delimiter != ';' && tab.Delimiter != ',' && tab.Delimiter != '\t' {
		t.Fatalf("Delimiter = %q", tab.Delimiter)
	}
	if len(tab.Header) == 0 {
		t.Fatal("no header")
	}
	for i, h := range tab.Header {
		if h == "" {
			t.Fatalf("header column %d is empty", i+1)
		}
		checkCell(t, h)
		if len(tab.Header) <= 200 {
			for j := range i {
				if strings.EqualFold(tab.Header[j], h) {
					t.Fatalf("header columns %d and %d are both %q", j+1, i+1, h)
				}
			}
		}
	}
	if len(tab.Rows) != len(tab.RowNumbers) {
		t.Fatalf("%d rows but %d row numbers", len(tab.Rows), len(tab.RowNumbers))
	}
	if lim.MaxRows > 0 && len(tab.Rows) > lim.MaxRows {
		t.Fatalf("%d rows, limit %d", len(tab.Rows), lim.MaxRows)
	}
	prev := 1 // the header takes at least line 1
	for i, row := range tab.Rows {
		if len(row) != len(tab.Header) {
			t.Fatalf("row %d has %d cells, header %d", i, len(row), len(tab.Header))
		}
		if n := tab.RowNumbers[i]; n <= prev {
			t.Fatalf("row numbers not increasing: %v", tab.RowNumbers)
		} else {
			prev = n
		}
		empty := true
		for _, c := range row {
			checkCell(t, c)
			if lim.MaxCellBytes > 0 && len(c) > lim.MaxCellBytes {
				t.Fatalf("cell of %d bytes, limit %d", len(c), lim.MaxCellBytes)
			}
			empty = empty && c == ""
		}
		if empty && i == len(tab.Rows)-1 {
			t.Fatal("trailing empty row kept")
		}
	}
}

func checkCell(t *testing.T, c string) {
	t.Helper()
	if !utf8.ValidString(c) {
		t.Fatalf("cell %q is not valid UTF-8", c)
	}
	if first, _ := utf8.DecodeRuneInString(c); unicode.IsSpace(first) {
		t.Fatalf("cell %q starts with white space", c)
	}
	if last, _ := utf8.DecodeLastRuneInString(c); unicode.IsSpace(last) {
		t.Fatalf("cell %q ends with white space", c)
	}
	for _, r := range c {
		if (r < 0x20 && r != '\t' && r != '\r' && r != '\n') || (r >= 0x7F && r <= 0x9F) {
			t.Fatalf("cell %q contains control character %U", c, r)
		}
	}
}
