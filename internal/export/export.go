// Package export writes lists, such as member lists for the board, as files
// that Excel on Finnish and Swedish Windows opens correctly (CSV and XLSX),
// and as PDF for printing: a paged table and sheets of address labels.
//
// The callers hand over a header and rows of strings; this package knows
// nothing about members. What it adds is safety against CSV (formula)
// injection: a value that a spreadsheet could take for a formula (see
// importfile.LooksLikeFormula) is written with an apostrophe in front, as
// OWASP advises, so that =HYPERLINK(...) typed into a member's name reaches
// the board as text and never as a live formula. The apostrophe is part of
// the written value; phone numbers such as "+358 40 123 4567" and negative
// amounts get it too, which is the price of never writing a formula.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"seura.fi/seura/internal/importfile"
)

// Neutralise returns s as it is written into a CSV or XLSX file: with an
// apostrophe in front when a spreadsheet could take it for a formula.
func Neutralise(s string) string {
	if importfile.LooksLikeFormula(s) {
		return "'" + s
	}
	return s
}

// CSV writes header and rows as CSV the way Excel on Finnish and Swedish
// Windows opens it with a double click: UTF-8 with a byte order mark (without
// it Excel takes the file for Windows-1252), cells separated by ';' (the
// list separator of those locales), lines ended with CRLF, and cells quoted
// when they hold ';', '"', a line break or leading white space. A nil
// header writes no header row; rows may be nil. Rows are written as they
// come, of whatever length, and are not held in memory.
func CSV(w io.Writer, header []string, rows func(yield func([]string) bool)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true
	var buf []string
	write := func(rec []string) error {
		buf = buf[:0]
		for _, c := range rec {
			buf = append(buf, Neutralise(c))
		}
		return cw.Write(buf)
	}
	if header != nil {
		if err := write(header); err != nil {
			return err
		}
	}
	var err error
	if rows != nil {
		rows(func(rec []string) bool {
			err = write(rec)
			return err == nil
		})
	}
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// widthSample is how many rows XLSX holds back to size the columns by.
const widthSample = 100

// Column widths in Excel's units, roughly characters of the default font.
const (
	minWidth = 8
	maxWidth = 60
)

// XLSX writes header and rows as a workbook of one sheet named sheet (made
// a valid sheet name: characters Excel forbids become '_' and it is cut to
// 31 characters (UTF-16 units, as Excel counts); "" means "Sheet1"). It streams: memory stays bounded
// however many rows there are, as excelize keeps rows past a few megabytes
// in a temporary file until the workbook is written to w.
//
// Every cell is a string cell, never a number or a formula, so member
// numbers and phone numbers keep their leading zeros and a value that looks
// like a formula (written with an apostrophe, see Neutralise) stays text.
// The header is bold and frozen, so it stays in view when scrolling, and
// columns are as wide as the header and the first 100 rows need, within
// 8 to 60 characters. Excel holds at most 1,048,576 rows and 16,384 columns,
// and a cell of at most 32,767 characters; longer cells are cut to that,
// more rows or columns are an error.
func XLSX(w io.Writer, sheet string, header []string, rows func(yield func([]string) bool)) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	sheet = SheetName(sheet)
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}

	// Hold back the first rows to size the columns: widths and panes must
	// be set before the first row is written.
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
	widths := columnWidths(header, sample)
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	r := 1
	if len(header) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := setRow(sw, r, header, bold); err != nil {
			return err
		}
		r++
	}
	for _, rec := range sample {
		if err := setRow(sw, r, rec, 0); err != nil {
			return err
		}
		r++
	}
	if next != nil {
		for {
			rec, ok := next()
			if !ok {
				break
			}
			if err := setRow(sw, r, rec, 0); err != nil {
				return err
			}
			r++
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

func setRow(sw *excelize.StreamWriter, r int, rec []string, style int) error {
	if r > excelize.TotalRows {
		return fmt.Errorf("more than %d rows, more than Excel allows", excelize.TotalRows-1)
	}
	if len(rec) > excelize.MaxColumns {
		return fmt.Errorf("row %d: %d columns, more than the %d Excel allows", r, len(rec), excelize.MaxColumns)
	}
	cells := make([]any, len(rec))
	for i, c := range rec {
		cells[i] = excelize.Cell{StyleID: style, Value: Neutralise(c)}
	}
	cell, err := excelize.CoordinatesToCellName(1, r)
	if err != nil {
		return err
	}
	return sw.SetRow(cell, cells)
}

// columnWidths sizes each column by its longest line among the header and
// sample rows.
func columnWidths(header []string, sample [][]string) []float64 {
	var longest []int
	measure := func(rec []string) {
		for i, c := range rec {
			if i >= excelize.MaxColumns {
				break
			}
			for len(longest) <= i {
				longest = append(longest, 0)
			}
			for line := range strings.SplitSeq(Neutralise(c), "\n") {
				longest[i] = max(longest[i], utf8.RuneCountInString(line))
			}
		}
	}
	measure(header)
	for _, rec := range sample {
		measure(rec)
	}
	widths := make([]float64, len(longest))
	for i, n := range longest {
		widths[i] = float64(min(max(n+2, minWidth), maxWidth))
	}
	return widths
}

// SheetName makes name a valid Excel sheet name: the characters : \ / ? * [
// and ] become '_', apostrophes at either end are dropped, it is cut to 31
// characters, and "" becomes "Sheet1".
func SheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			return '_'
		}
		if r < 0x20 || r == utf8.RuneError {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	units := 0
	for i, r := range name {
		if units += utf16.RuneLen(r); units > excelize.MaxSheetNameLength {
			name = strings.TrimRight(name[:i], "'")
			break
		}
	}
	if strings.TrimSpace(name) == "" {
		return "Sheet1"
	}
	return name
}
