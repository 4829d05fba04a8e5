package export

import (
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/go-pdf/fpdf"
)

// compressPDF compresses page contents; tests turn it off to read the text.
var compressPDF = true

// Page geometry of the list, in millimetres (A4 landscape).
const (
	listMargin    = 10.0
	listRowHeight = 6.0
	listFontSize  = 9.0
)

// PDFList writes header and rows as a table on A4 landscape pages for
// printing: title (the association's name) and subtitle (what the list is
// and its date) on top of every page, the header repeated on every page and
// "page n / total" at the foot. Columns are as wide as the header and the
// first 100 rows need, shrunk to fit the page; a cell too long for its
// column is cut with "…".
//
// The PDF core fonts are Windows-1252 (Latin-1), which holds every letter
// of Finnish and Swedish (å, ä, ö, š, ž, é, ü); other characters print as
// "?". Rows are read as they come, but the document is built in memory
// before it is written (a PDF's page index comes last).
func PDFList(w io.Writer, title, subtitle string, header []string, rows func(yield func([]string) bool)) error {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(compressPDF)
	pdf.SetMargins(listMargin, listMargin, listMargin)
	pdf.SetAutoPageBreak(false, listMargin)
	pdf.AliasNbPages("{nb}")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(title+" – "+subtitle, true)
	pdf.SetCreator("Seura", true)

	var (
		sample [][]string
		next   func() ([]string, bool)
		stop   func()
	)
	if rows != nil {
		next, stop = iter.Pull(iter.Seq[[]string](rows))
		defer stop()
		for len(sample) < widthSample {
			rec, ok := next()
			if !ok {
				break
			}
			sample = append(sample, rec)
		}
	}
	pdf.SetFont("Helvetica", "", listFontSize)
	widths := pdfWidths(pdf, tr, header, sample)

	_, pageHeight := pdf.GetPageSize()
	drawHeader := func() {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(0, 7, tr(title), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", listFontSize)
		pdf.CellFormat(0, 5, tr(subtitle), "", 1, "L", false, 0, "")
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "B", listFontSize)
		pdf.SetFillColor(230, 230, 230)
		for i, h := range header {
			pdf.CellFormat(widths[i], listRowHeight, fit(pdf, tr(h), widths[i]), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(listRowHeight)
		pdf.SetFont("Helvetica", "", listFontSize)
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(pageHeight - listMargin)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("%d / {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	newPage := func() {
		pdf.AddPage()
		drawHeader()
	}
	newPage()
	bottom := pageHeight - listMargin - 6
	writeRow := func(rec []string) {
		if pdf.GetY()+listRowHeight > bottom {
			newPage()
		}
		for i := range widths {
			cell := ""
			if i < len(rec) {
				cell = strings.ReplaceAll(rec[i], "\n", " ")
			}
			pdf.CellFormat(widths[i], listRowHeight, fit(pdf, tr(cell), widths[i]), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(listRowHeight)
	}
	for _, rec := range sample {
		writeRow(rec)
	}
	if next != nil {
		for {
			rec, ok := next()
			if !ok {
				break
			}
			writeRow(rec)
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return pdf.Output(w)
}

// pdfWidths sizes columns by their widest text among the header and sample
// rows, then shrinks the wide ones so the table fits the page.
func pdfWidths(pdf *fpdf.Fpdf, tr func(string) string, header []string, sample [][]string) []float64 {
	n := len(header)
	for _, rec := range sample {
		n = max(n, len(rec))
	}
	widths := make([]float64, n)
	measure := func(rec []string) {
		for i, c := range rec {
			widths[i] = max(widths[i], pdf.GetStringWidth(tr(c))+3)
		}
	}
	pdf.SetFont("Helvetica", "B", listFontSize)
	measure(header)
	pdf.SetFont("Helvetica", "", listFontSize)
	for _, rec := range sample {
		measure(rec)
	}
	pageWidth, _ := pdf.GetPageSize()
	avail := pageWidth - 2*listMargin
	total := 0.0
	for i := range widths {
		widths[i] = max(widths[i], 12)
		total += widths[i]
	}
	if total > avail {
		// Shrink in proportion: every column keeps a share of the page.
		for i := range widths {
			widths[i] *= avail / total
		}
	}
	return widths
}

// fit cuts s (already in the font's encoding) to fit width w, with an
// ellipsis.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s)+2 <= w {
		return s
	}
	const ellipsis = "\x85" // … in Windows-1252
	// No column of an A4 page holds more than a few hundred characters, so
	// a longer text is cut before it is measured; then the longest prefix
	// that fits is found by halving (one byte is one character in
	// Windows-1252), so a long note costs a few measurements, not one per
	// character.
	const widest = 512
	if len(s) > widest {
		s = s[:widest]
	}
	lo, hi := 0, len(s) // s[:lo] fits, s[:hi+1] does not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if pdf.GetStringWidth(s[:mid]+ellipsis)+2 <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return s[:lo] + ellipsis
}

// Label sheet geometry (A4 portrait, 3 × 8 labels of 70 × 37 mm, as the
// common "24 per sheet" label sheets are).
const (
	labelCols    = 3
	labelRows    = 8
	labelWidth   = 70.0
	labelHeight  = 37.0
	labelPadding = 5.0
	labelLine    = 4.6
	labelFont    = 10.0
	// LabelsPerPage is how many labels one sheet holds.
	LabelsPerPage = labelCols * labelRows
)

// PDFLabels writes address labels on A4 sheets of 3 × 8 labels of
// 70 × 37 mm, one label per item of labels, each item its lines (name,
// c/o, street, postcode and town, country). Empty lines are left out and
// at most six lines are printed. Letters are Windows-1252, as in PDFList.
func PDFLabels(w io.Writer, labels func(yield func([]string) bool)) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(compressPDF)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Seura", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFont("Helvetica", "", labelFont)
	_, pageHeight := pdf.GetPageSize()
	top := (pageHeight - labelRows*labelHeight) / 2
	i := 0
	if labels != nil {
		labels(func(lines []string) bool {
			if i%LabelsPerPage == 0 {
				pdf.AddPage()
			}
			slot := i % LabelsPerPage
			x := float64(slot%labelCols)*labelWidth + labelPadding
			y := top + float64(slot/labelCols)*labelHeight + labelPadding
			n := 0
			for _, l := range lines {
				l = strings.TrimSpace(strings.ReplaceAll(l, "\n", " "))
				if l == "" || n == 6 {
					continue
				}
				pdf.SetXY(x, y+float64(n)*labelLine)
				pdf.CellFormat(labelWidth-2*labelPadding, labelLine, fit(pdf, tr(l), labelWidth-2*labelPadding), "", 0, "L", false, 0, "")
				n++
			}
			i++
			return true
		})
	}
	if i == 0 {
		pdf.AddPage() // a document needs a page; an empty sheet says "nothing"
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return pdf.Output(w)
}
