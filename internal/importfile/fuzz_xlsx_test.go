package importfile_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/importfile"
)

// FuzzReadXLSX feeds arbitrary uploads to ReadXLSX and Read: never a panic,
// errors are one line, and an accepted file is a well-formed table.
func FuzzReadXLSX(f *testing.F) {
	f.Add(memberWorkbook(f))
	f.Add(workbook(f, nil))
	f.Add(workbook(f, func(x *excelize.File, sh string) {
		must(f, x.SetSheetRow(sh, "B2", &[]any{"Nimi", "Päivä", "Nimi "}))
		must(f, x.SetSheetRow(sh, "B3", &[]any{"=1+1", time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC), 1e21}))
		must(f, x.SetCellFormula(sh, "D3", "B3&C3"))
	}))
	f.Add(rawWorkbook(f, `<row r="1">`+inlineStr("A1", "A")+inlineStr("C1", "C")+`</row>`+
		`<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="d"><v>2024-01-15T00:00:00Z</v></c></row>`+
		`<row r="9"><c r="XFD9" t="inlineStr"><is><t>x</t></is></c></row>`))
	f.Add(rawWorkbook(f, `<row r="1">`+inlineStr("A1", "Nimi")+`</row><row r="1048577">`+inlineStr("A1048577", "x")+`</row>`))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})

	small := importfile.Limits{MaxBytes: 8192, MaxRows: 8, MaxCellBytes: 16}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, lim := range []importfile.Limits{{}, small} {
			tab, err := importfile.ReadXLSX(bytes.NewReader(in), lim)
			if err != nil {
				if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
					t.Fatalf("bad error message %q", msg)
				}
				continue
			}
			checkTableXLSX(t, tab, lim)
		}
		tab, err := importfile.Read("upload.xlsx", bytes.NewReader(in), small)
		if err == nil {
			checkTableXLSX(t, tab, small)
		} else if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("bad error message %q", msg)
		}
	})
}
