package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// pageObject matches a page object of a PDF (not the page tree).
var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func pdfPages(b []byte) int { return len(pageObject.FindAll(b, -1)) }

func rowsOf(n int, f func(i int) []string) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for i := range n {
			if !yield(f(i)) {
				return
			}
		}
	}
}

func TestPDFListPagesAndLetters(t *testing.T) {
	compressPDF = false
	t.Cleanup(func() { compressPDF = true })
	// A landscape page holds 27 rows: 10 mm margins, 20 mm of title,
	// subtitle and header row, 6 mm kept for the page number, 6 mm a row.
	for _, tc := range []struct{ rows, pages int }{{0, 1}, {1, 1}, {27, 1}, {28, 2}, {54, 2}, {55, 3}} {
		var buf bytes.Buffer
		err := PDFList(&buf, "Östra Sportklubben", "Jäsenluettelo 28.11.2026", []string{"Nimi", "Kotikunta"},
			rowsOf(tc.rows, func(i int) []string { return []string{fmt.Sprintf("Åkerström, Märta %d", i), "Mäntsälä"} }))
		if err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", b[:min(len(b), 20)])
		}
		if got := pdfPages(b); got != tc.pages {
			t.Errorf("%d rows: %d pages, want %d", tc.rows, got, tc.pages)
		}
		// The letters are written in Windows-1252: Ö is 0xD6, ä 0xE4.
		if !bytes.Contains(b, []byte("\xd6stra Sportklubben")) || !bytes.Contains(b, []byte("J\xe4senluettelo")) {
			t.Errorf("%d rows: title not in Windows-1252", tc.rows)
		}
		if tc.rows > 0 && !bytes.Contains(b, []byte("\xc5kerstr\xf6m, M\xe4rta 0")) {
			t.Errorf("%d rows: first row missing", tc.rows)
		}
		if !strings.Contains(string(b), fmt.Sprintf("1 / %d", tc.pages)) {
			t.Errorf("%d rows: no page number 1 / %d", tc.rows, tc.pages)
		}
	}
}

func TestPDFLabelsSheets(t *testing.T) {
	compressPDF = false
	t.Cleanup(func() { compressPDF = true })
	for _, tc := range []struct{ labels, pages int }{{0, 1}, {1, 1}, {24, 1}, {25, 2}, {48, 2}, {49, 3}} {
		var buf bytes.Buffer
		err := PDFLabels(&buf, rowsOf(tc.labels, func(i int) []string {
			return []string{fmt.Sprintf("Märta Åkerström %d", i), "c/o Öberg", "", "Storgatan 1", "00100 HELSINKI", "SVERIGE"}
		}))
		if err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if got := pdfPages(b); got != tc.pages {
			t.Errorf("%d labels: %d pages, want %d", tc.labels, got, tc.pages)
		}
		if tc.labels > 0 && !bytes.Contains(b, []byte("M\xe4rta \xc5kerstr\xf6m 0")) {
			t.Errorf("%d labels: first label missing", tc.labels)
		}
	}
}
