// Package importfile is the first layer of the member import: it turns an
// uploaded CSV file, as Excel saves it in a Finnish or Swedish locale, into a
// header and rows of trimmed strings, or into an error that tells the
// treasurer what is wrong with the file and where.
//
// It deliberately knows nothing about members: mapping columns, validating
// values and committing all-or-nothing belong to the import wizard above it.
// What it does guarantee is that whatever it returns is well formed (valid
// UTF-8, no control characters other than tab and line breaks inside cells,
// no surrounding whitespace, every row exactly as long as the header), so the
// layers above never have to think about encodings, delimiters or Excel's
// quirks. It never panics, whatever the bytes.
package importfile

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The defaults are generous for any association's register (the largest have
// tens of thousands of members and a few dozen columns) while keeping one
// upload's memory use to a few hundred megabytes at worst.
const (
	DefaultMaxBytes     = 20 << 20 // 20 MiB
	DefaultMaxRows      = 200_000
	DefaultMaxCellBytes = 10_000
)

// Table is a decoded file: a header row and data rows, every row as long as
// the header.
type Table struct {
	// Header holds the column names, trimmed, non-empty and unique ignoring
	// case, so the wizard can map columns by name.
	Header []string
	// Rows are the data rows, without the header. Short rows are padded
	// with "" because Excel leaves out trailing empty cells; fully empty rows
	// at the end are dropped because Excel writes them for formatted but
	// empty rows. Fully empty rows between data rows, including blank
	// lines, are kept (as all "") so that the caller decides and row
	// numbers keep matching the file.
	Rows [][]string
	// Encoding is how the bytes were decoded, for showing to the user when
	// letters look wrong: "utf-8", "utf-8-bom", "windows-1252" (Excel's
	// plain "CSV" on Finnish and Swedish Windows), or "utf-16le" or
	// "utf-16be" (Excel's "Unicode text").
	Encoding string
	// Delimiter is the cell separator that was detected: ';' ',' or '\t'.
	// A file with a single column reports ';'.
	Delimiter rune
	// RowNumbers holds, for each data row, the 1-based line number in the
	// file where the row starts, so errors can say "row 17" about the line
	// the user can find. It differs from Excel's row number only when a
	// quoted cell above contains a line break.
	RowNumbers []int
}

// Limits bound what one upload may cost. A zero or negative field means its
// default (DefaultMaxBytes, DefaultMaxRows, DefaultMaxCellBytes).
//
// MaxBytes is what bounds memory: the file is read through an
// io.LimitReader of MaxBytes+1 and is refused as soon as it is longer, and
// short rows are never padded to more cells in total than MaxBytes (a file
// of MaxBytes bytes cannot hold more cells than that when every row is
// written out in full), so padding cannot multiply a small file into a huge
// table. The worst case is a file of nothing but delimiters, which needs
// roughly 20 times MaxBytes of memory for the returned string headers.
type Limits struct {
	MaxBytes     int64 // the largest file accepted, in bytes
	MaxRows      int   // the most data rows, not counting the header or trailing empty rows
	MaxCellBytes int   // the longest cell after trimming, in bytes of UTF-8
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = DefaultMaxCellBytes
	}
	return l
}

// ReadCSV reads a whole CSV file from r and returns it as a Table, or an
// error of one line, without a trailing period, that names what is wrong and,
// where there is one, the line, row or column ("row 12, column
// \"Sähköposti\": cell is longer than 10000 bytes").
//
// The first row with any content is the header; blank rows above it are
// skipped because people often leave a gap above the table. A file with a
// header and no data rows is not an error: the caller decides what that
// means. See Table and Limits for the rest of the rules.
func ReadCSV(r io.Reader, lim Limits) (*Table, error) {
	if r == nil {
		return nil, errors.New("no file")
	}
	lim = lim.withDefaults()

	// Read at most one byte more than allowed: enough to know the file is
	// too large without ever holding more than MaxBytes+1 of it.
	n := lim.MaxBytes
	if n < math.MaxInt64 {
		n++
	}
	raw, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, fmt.Errorf("reading the file: %s", oneLine(err.Error()))
	}
	if int64(len(raw)) > lim.MaxBytes {
		return nil, fmt.Errorf("file is larger than %s", formatSize(lim.MaxBytes))
	}

	text, enc, err := decode(raw)
	if err != nil {
		return nil, err
	}
	// Files edited on a classic Mac end lines with CR alone; like
	// encoding/csv, the splitter only knows LF and CRLF and would see one
	// long line.
	if strings.IndexByte(text, '\r') >= 0 && strings.IndexByte(text, '\n') < 0 {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	if err := checkControls(text, enc); err != nil {
		return nil, err
	}

	delim, ok := detectDelimiter(text, enc == encUTF16LE || enc == encUTF16BE)
	if !ok {
		return nil, errors.New("the file is empty")
	}
	t, err := parse(text, delim, lim)
	if err != nil {
		return nil, err
	}
	t.Encoding = enc
	t.Delimiter = delim
	return t, nil
}

// parse splits text into records and applies the header and row rules.
func parse(text string, delim rune, lim Limits) (*Table, error) {
	sp := newSplitter(text, delim)
	b := newBuilder(lim, func(i int) string { return fmt.Sprint(i + 1) })
	var (
		rec     record
		columns int // cells in the header record, unnamed trailing ones included
	)
	for !sp.done() {
		if err := sp.next(&rec); err != nil {
			return nil, err
		}
		line := rec.line
		if !b.started() {
			if rec.empty {
				continue // blank rows above the table
			}
			if rec.n > maxFields {
				return nil, fmt.Errorf("header: %d columns, more than the %d Excel allows", rec.n, maxFields)
			}
			if err := b.header(trimAll(rec.cells)); err != nil {
				return nil, err
			}
			columns = len(rec.cells)
			continue
		}
		if rec.empty {
			b.empty(line)
			continue
		}
		if rec.n > columns {
			return nil, fmt.Errorf("row %d: %d cells, the header has %d", line, rec.n, columns)
		}
		if err := b.add(line, trimAll(rec.cells)); err != nil {
			return nil, err
		}
	}
	return b.table()
}

// trimAll trims every cell.
func trimAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = trim(c)
	}
	return out
}

// checkHeader applies the header rules to the trimmed header record rec.
// Trailing empty cells are allowed here: Excel writes them for columns that
// were once used, and parse drops them unless a row has a value there.
func checkHeader(rec []string, lim Limits) error {
	last := len(rec) - 1
	for last >= 0 && rec[last] == "" {
		last--
	}
	seen := make(map[string]int, last+1)
	for i, name := range rec[:last+1] {
		if name == "" {
			return fmt.Errorf("header: column %d has no name", i+1)
		}
		if len(name) > lim.MaxCellBytes {
			return fmt.Errorf("header: column %d: cell is longer than %d bytes", i+1, lim.MaxCellBytes)
		}
		key := foldKey(name)
		if j, dup := seen[key]; dup {
			return fmt.Errorf("header: column %d %s and column %d %s have the same name", j+1, quoteName(rec[j]), i+1, quoteName(name))
		}
		seen[key] = i
	}
	return nil
}

// detectDelimiter picks the delimiter from the header line: the first line
// with content, read up to its first line break outside quotes. The most
// frequent of ';' ',' and '\t' outside quotes wins and ties go to ';', the
// list separator of Finnish and Swedish Windows, then to tab. In UTF-16
// files, which Excel only writes as tab-separated "Unicode text", any tab
// wins. ok is false when the text has no content at all.
func detectDelimiter(text string, utf16 bool) (delim rune, ok bool) {
	var semi, comma, tab int
	inQuote, content := false, false
	for _, r := range text {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
			content = true
		case r == '\n':
			if content {
				return pickDelimiter(semi, comma, tab, utf16), true
			}
			semi, comma, tab = 0, 0, 0
		case r == ';':
			semi++
		case r == ',':
			comma++
		case r == '\t':
			tab++
		case !isTrimmable(r):
			content = true
		}
	}
	return pickDelimiter(semi, comma, tab, utf16), content
}

func pickDelimiter(semi, comma, tab int, utf16 bool) rune {
	switch {
	case utf16 && tab > 0:
		return '\t'
	case semi >= comma && semi >= tab:
		return ';'
	case tab >= comma:
		return '\t'
	default:
		return ','
	}
}

// trim removes what people cannot see around a value: Unicode white space,
// which includes the no-break space U+00A0 that Excel and web pages leave
// around pasted values, and the zero-width space and stray byte order marks
// that come along when addresses are copied from web pages and documents.
func trim(s string) string {
	return strings.TrimFunc(s, isTrimmable)
}

func isTrimmable(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF'
}

// foldKey maps a column name to a key that is equal for names equal under
// simple Unicode case folding (as strings.EqualFold), so duplicates are
// found with a map rather than by comparing every pair of columns.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		// The smallest rune of the folding orbit represents it.
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

// quoteName quotes a column name for an error message: escaped so that line
// breaks inside a quoted header cell cannot break the message into lines,
// and shortened so a huge cell does not become a huge message.
func quoteName(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		i, n := 0, 0
		for i = range s {
			if n == max {
				break
			}
			n++
		}
		s = s[:i] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// oneLine flattens a message from another package to one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
