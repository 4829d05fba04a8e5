package export_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/export"
	"seura.fi/seura/internal/importfile"
)

var (
	header = []string{"Nimi", "Sähköposti", "Puhelin", "Lisätiedot"}
	data   = [][]string{
		{"Jäämeri, Åsa", "asa@example.fi", "040 123 4567", "Kerho; \"Tiistai\""},
		{"Öhman Ülle", "", "+358 40 765 4321", "rivi 1\nrivi 2"},
		{`=HYPERLINK("http://x","y")`, "+1", "-2+3", "@SUM(A1)"},
		{"Žaneta Šůrová", "zanet@example.fi", "-", "0123"},
	}
	formulas = []string{`=HYPERLINK("http://x","y")`, "+1", "-2+3", "@SUM(A1)", "+358 40 765 4321", "-"}
)

func seq(rows [][]string) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for _, r := range rows {
			if !yield(r) {
				return
			}
		}
	}
}

// neutralised is data as it should come back: formula-like cells with an
// apostrophe in front.
func neutralised(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			if slices.Contains(formulas, c) {
				c = "'" + c
			}
			out[i][j] = c
		}
	}
	return out
}

func TestCSVBytes(t *testing.T) {
	var buf bytes.Buffer
	err := export.CSV(&buf, []string{"Nimi", "Summa"}, seq([][]string{
		{"Jäämeri; Åsa", `Katu "1"`},
		{"=1+1", "rivi\nkaksi"},
		{"", " alku"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFNimi;Summa\r\n" +
		"\"Jäämeri; Åsa\";\"Katu \"\"1\"\"\"\r\n" +
		"'=1+1;\"rivi\r\nkaksi\"\r\n" +
		";\" alku\"\r\n"
	if got := buf.String(); got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := export.CSV(&buf, header, seq(data)); err != nil {
		t.Fatal(err)
	}
	tab, err := importfile.ReadCSV(&buf, importfile.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != "utf-8-bom" || tab.Delimiter != ';' {
		t.Errorf("Encoding, Delimiter = %q, %q", tab.Encoding, tab.Delimiter)
	}
	if !reflect.DeepEqual(tab.Header, header) {
		t.Errorf("Header = %q", tab.Header)
	}
	if want := neutralised(data); !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("Rows =\n%q\nwant\n%q", tab.Rows, want)
	}
	for _, row := range tab.Rows {
		for _, c := range row {
			if importfile.LooksLikeFormula(c) {
				t.Errorf("cell %q came back as a formula", c)
			}
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := export.XLSX(&buf, "Jäsenet 2026", header, seq(data)); err != nil {
		t.Fatal(err)
	}
	tab, err := importfile.ReadXLSX(bytes.NewReader(buf.Bytes()), importfile.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Header, header) {
		t.Errorf("Header = %q", tab.Header)
	}
	if want := neutralised(data); !reflect.DeepEqual(tab.Rows, want) {
		t.Errorf("Rows =\n%q\nwant\n%q", tab.Rows, want)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"Jäsenet 2026"}) {
		t.Errorf("sheets %q", got)
	}
	const sh = "Jäsenet 2026"
	for r := 1; r <= len(data)+1; r++ {
		for c := 1; c <= len(header); c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if formula, err := f.GetCellFormula(sh, cell); err != nil || formula != "" {
				t.Errorf("%s: formula %q, %v", cell, formula, err)
			}
			if typ, err := f.GetCellType(sh, cell); err != nil || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeUnset) {
				t.Errorf("%s: type %v, %v", cell, typ, err)
			}
		}
	}
	if v, _ := f.GetCellValue(sh, "A4"); v != `'=HYPERLINK("http://x","y")` {
		t.Errorf("A4 = %q", v)
	}
	// The header is bold and frozen.
	id, err := f.GetCellStyle(sh, "B1")
	must(t, err)
	st, err := f.GetStyle(id)
	must(t, err)
	if st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v is not bold", st)
	}
	if id, _ := f.GetCellStyle(sh, "B2"); id != 0 {
		if st, _ := f.GetStyle(id); st.Font != nil && st.Font.Bold {
			t.Error("data row is bold")
		}
	}
	panes, err := f.GetPanes(sh)
	must(t, err)
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Errorf("panes %+v", panes)
	}
	for col, want := range map[string]float64{"A": 29, "B": 18, "C": 19, "D": 18} {
		if w, err := f.GetColWidth(sh, col); err != nil || w != want {
			t.Errorf("column %s width %v, want %v (%v)", col, w, want, err)
		}
	}
}

func TestXLSXEdges(t *testing.T) {
	// No rows, an invalid sheet name, a very long cell.
	var buf bytes.Buffer
	long := strings.Repeat("ä", 40000)
	if err := export.XLSX(&buf, "a/b:c", []string{"Nimi"}, seq([][]string{{long}})); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	must(t, err)
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"a_b_c"}) {
		t.Errorf("sheets %q", got)
	}
	if w, _ := f.GetColWidth("a_b_c", "A"); w != 60 {
		t.Errorf("width %v, want the maximum 60", w)
	}
	if v, _ := f.GetCellValue("a_b_c", "A2"); v != long[:2*32767] {
		t.Errorf("long cell: %d bytes", len(v))
	}

	buf.Reset()
	if err := export.XLSX(&buf, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := importfile.ReadXLSX(&buf, importfile.Limits{}); err == nil || err.Error() != "the file is empty" {
		t.Errorf("empty export read back: %v", err)
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "Sheet1",
		"Jäsenet":               "Jäsenet",
		"'Jäsenet'":             "Jäsenet",
		"a[1]*?":                "a_1___",
		strings.Repeat("ä", 40): strings.Repeat("ä", 31),
		strings.Repeat("😀", 20): strings.Repeat("😀", 15),
		"   ":                   "Sheet1",
	} {
		if got := export.SheetName(in); got != want {
			t.Errorf("SheetName(%q) = %q, want %q", in, got, want)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	many := func(yield func([]string) bool) {
		for i := range 100_000 {
			if !yield([]string{fmt.Sprint(i), "Jäsen"}) {
				return
			}
		}
	}
	if err := export.CSV(&failWriter{n: 1000}, header, many); err == nil {
		t.Error("CSV: no error from a failing writer")
	}
	if err := export.XLSX(&failWriter{n: 1000}, "", header, many); err == nil {
		t.Error("XLSX: no error from a failing writer")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkXLSX100k writes a member list of 100,000 rows and 12 columns.
// peak-heap-MB samples the heap while writing, to show memory is bounded.
func BenchmarkXLSX100k(b *testing.B) {
	hdr := []string{"Jäsennumero", "Etunimi", "Sukunimi", "Sähköposti", "Puhelin", "Katuosoite",
		"Postinumero", "Postitoimipaikka", "Liittynyt", "Jäsenlaji", "Maksettu", "Lisätiedot"}
	rows := func(yield func([]string) bool) {
		row := make([]string, len(hdr))
		for i := range 100_000 {
			row[0] = fmt.Sprint(10000 + i)
			row[1] = "Äijä"
			row[2] = fmt.Sprintf("Öhman-%d", i)
			row[3] = fmt.Sprintf("jasen%d@example.fi", i)
			row[4] = "+358 40 123 4567"
			row[5] = fmt.Sprintf("Mäntytie %d B %d", i%200, i%40)
			row[6] = fmt.Sprintf("%05d", i%99999)
			row[7] = "Jyväskylä"
			row[8] = "15.01.2024"
			row[9] = "Varsinainen jäsen"
			row[10] = "kyllä"
			row[11] = "Lisätietoa riviltä " + fmt.Sprint(i)
			if !yield(row) {
				return
			}
		}
	}
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		cw := &countWriter{}
		if err := export.XLSX(cw, "Jäsenet", hdr, rows); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	close(done)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
