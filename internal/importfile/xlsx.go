package importfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// unzipFactor bounds how far an XLSX file may unpack: at most this many
// times MaxBytes in total, counted from the sizes the archive declares
// (Go's zip reader refuses entries that unpack to more than they declare),
// so a zip bomb is refused before it is unpacked.
const unzipFactor = 10

// unzipXMLInMemory is the largest worksheet or shared string table kept in
// memory; larger ones are unpacked to a temporary file that is removed
// before ReadXLSX returns.
const unzipXMLInMemory = 16 << 20

// errNotXLSX is the one message for every file that cannot be read as a
// workbook: what went wrong inside a broken archive means nothing to the
// treasurer.
var errNotXLSX = errors.New("not a readable XLSX file; open it in Excel and save it again as \"Excel Workbook (.xlsx)\"")

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts a Compound File: an encrypted (password-protected)
	// workbook, or an Excel 97-2003 .xls file.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Read reads an uploaded file named name: an Excel workbook (.xlsx or
// .xlsm, or any file that starts like a zip archive) with ReadXLSX, and so
// an old .xls or an encrypted workbook, which ReadXLSX refuses with a clear
// message; anything else, such as .csv and .txt, with ReadCSV. Only the
// name and the first 8 bytes decide.
func Read(name string, r io.Reader, lim Limits) (*Table, error) {
	if r == nil {
		return nil, errors.New("no file")
	}
	head := make([]byte, len(oleMagic))
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("reading the file: %s", oneLine(err.Error()))
	}
	head = head[:n]
	r = io.MultiReader(bytes.NewReader(head), r)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls":
		return ReadXLSX(r, lim)
	}
	if bytes.HasPrefix(head, zipMagic) || bytes.Equal(head, oleMagic) {
		return ReadXLSX(r, lim)
	}
	return ReadCSV(r, lim)
}

// ReadXLSX reads an Excel workbook from r and returns its first worksheet
// as a Table, under the same rules and with the same kind of errors as
// ReadCSV. Encoding is "xlsx", Delimiter is 0 and RowNumbers are the
// spreadsheet's own row numbers.
//
// Cells are read as values, not as the text Excel shows: a cell formatted
// as a date is returned as "dd.mm.yyyy" (with " hh:mm" or " hh:mm:ss" when
// the format shows a time, and a time alone as "hh:mm" or "hh:mm:ss"), a
// number as its value without thousand separators, percent signs or
// currency (0.25 rather than "25 %", with at most the 15 significant digits
// Excel keeps), TRUE and FALSE as such, and a formula as the value Excel
// saved with it. Formulas are never evaluated, and a formula that was saved
// without a value reads as "".
//
// The file is read whole into memory (at most MaxBytes) before it is
// opened, and is refused unopened if its parts would unpack to more than
// 10 times MaxBytes.
func ReadXLSX(r io.Reader, lim Limits) (t *Table, err error) {
	if r == nil {
		return nil, errors.New("no file")
	}
	lim = lim.withDefaults()
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
	if len(raw) == 0 {
		return nil, errors.New("the file is empty")
	}
	if bytes.HasPrefix(raw, oleMagic) {
		if bytes.Contains(raw, utf16LEBytes("EncryptedPackage")) {
			return nil, errors.New("the workbook is protected with a password; remove the password in Excel (File > Info > Protect Workbook) and upload it again")
		}
		return nil, errors.New("the file is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as \"Excel Workbook (.xlsx)\"")
	}
	if !bytes.HasPrefix(raw, zipMagic) {
		return nil, errNotXLSX
	}

	// excelize is a large parser of untrusted input; whatever it does with
	// a hostile file, ReadXLSX must not take the server down with it.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, errNotXLSX
		}
	}()

	unzipLimit := lim.MaxBytes * unzipFactor
	if unzipLimit/unzipFactor != lim.MaxBytes || unzipLimit <= 0 {
		unzipLimit = math.MaxInt64
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: min(unzipLimit, unzipXMLInMemory),
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		if strings.Contains(err.Error(), "unzip size") {
			return nil, fmt.Errorf("the workbook unpacks to more than %s; split the file", formatSize(unzipLimit))
		}
		return nil, errNotXLSX
	}
	defer func() { _ = f.Close() }()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errNotXLSX
	}
	if err := normaliseNumberFormats(f); err != nil {
		return nil, errNotXLSX
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, errNotXLSX
	}
	defer func() { _ = rows.Close() }()

	t, err = parseSheet(rows, lim)
	if err != nil {
		return nil, err
	}
	t.Encoding = "xlsx"
	return t, nil
}

// parseSheet applies the header and row rules of parse to the rows of a
// worksheet. rows.Next steps through every row number, including rows the
// file leaves out, so counting calls gives the spreadsheet's row number.
func parseSheet(rows *excelize.Rows, lim Limits) (*Table, error) {
	b := newBuilder(lim, columnName)
	var (
		line int
		seen int64 // cells returned by Columns, blanks included
	)
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			return nil, xlsxRowError(err)
		}
		// Columns fills the gap before a cell far to the right with blanks,
		// so a small sheet could make it hand out billions of them. Like
		// the padding rule of parse, no more cells than MaxBytes in all.
		if seen += int64(len(cells)); seen > lim.MaxBytes {
			return nil, fmt.Errorf("row %d: the sheet has too many cells; split the file", line)
		}
		// Columns leaves out trailing empty cells but keeps cells that are
		// empty or only white space after trimming.
		empty := true
		for i, c := range cells {
			c, err := cleanCell(c)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %v", line, columnName(i), err)
			}
			cells[i] = c
			empty = empty && c == ""
		}
		switch {
		case !b.started() && empty:
			continue // blank rows above the table
		case !b.started():
			err = b.header(cells)
		case empty:
			b.empty(line)
		default:
			err = b.add(line, cells)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, xlsxRowError(err)
	}
	return b.table()
}

func xlsxRowError(err error) error {
	if errors.Is(err, excelize.ErrMaxRows) {
		return fmt.Errorf("the sheet has more than %d rows, more than Excel allows", excelize.TotalRows)
	}
	return errNotXLSX
}

// cleanCell gives a cell the guarantees of a CSV cell: valid UTF-8, no
// control characters other than tab and line breaks, line breaks as "\n",
// trimmed.
func cleanCell(c string) (string, error) {
	if !utf8.ValidString(c) {
		return "", errors.New("not valid text")
	}
	if strings.IndexByte(c, '\r') >= 0 {
		c = strings.ReplaceAll(c, "\r\n", "\n")
		c = strings.ReplaceAll(c, "\r", "\n")
	}
	for _, r := range c {
		if (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7F && r <= 0x9F) {
			return "", fmt.Errorf("contains a control character (U+%04X)", r)
		}
	}
	return trim(c), nil
}

// columnName is the letter name of the 0-based column i, as Excel shows it.
func columnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return name
}

func utf16LEBytes(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// Date classes of number formats, and the format each is read as.
const (
	fmtOther = iota
	fmtDate
	fmtDateTime
	fmtDateTimeSec
	fmtTime
	fmtTimeSec
	fmtElapsed
	fmtElapsedSec
	numFmtClasses
)

var classCodes = [numFmtClasses]string{
	fmtDate:        "dd.mm.yyyy",
	fmtDateTime:    "dd.mm.yyyy hh:mm",
	fmtDateTimeSec: "dd.mm.yyyy hh:mm:ss",
	fmtTime:        "hh:mm",
	fmtTimeSec:     "hh:mm:ss",
	fmtElapsed:     "[h]:mm",
	fmtElapsedSec:  "[h]:mm:ss",
}

// noNumFmt is a number format id with no format code, so excelize returns
// such a cell's value as it is.
const noNumFmt = -1

// normaliseNumberFormats rewrites the workbook's cell formats, in memory
// only, so that excelize's formatted value of every cell is what ReadXLSX
// returns: date and time formats become the fixed formats of classCodes,
// every other format none at all. excelize offers no way to learn a cell's
// format while streaming rows, so this is done once for the styles the
// cells refer to.
func normaliseNumberFormats(f *excelize.File) error {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			if nf != nil {
				custom[nf.NumFmtID] = nf.FormatCode
			}
		}
	}
	classes := make([]int, len(f.Styles.CellXfs.Xf))
	var used [numFmtClasses]bool
	for i, xf := range f.Styles.CellXfs.Xf {
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		if code, ok := custom[id]; ok {
			classes[i] = classifyFormatCode(code)
		} else {
			classes[i] = classifyBuiltIn(id)
		}
		used[classes[i]] = true
	}
	var ids [numFmtClasses]int
	for c := fmtOther + 1; c < numFmtClasses; c++ {
		if !used[c] {
			continue
		}
		code := classCodes[c]
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		xfs := f.Styles.CellXfs.Xf
		if style < 0 || style >= len(xfs) || xfs[style].NumFmtID == nil {
			return errors.New("no number format")
		}
		ids[c] = *xfs[style].NumFmtID
	}
	xfs := f.Styles.CellXfs.Xf
	for i, c := range classes {
		id := noNumFmt
		if c != fmtOther {
			id = ids[c]
		}
		xfs[i].NumFmtID = &id
	}
	return nil
}

// classifyBuiltIn classifies Excel's built-in number formats by id.
func classifyBuiltIn(id int) int {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case id == 18 || id == 20:
		return fmtTime
	case id == 19 || id == 21 || id == 45 || id == 47:
		return fmtTimeSec
	case id == 46:
		return fmtElapsedSec
	case id >= 32 && id <= 35:
		return fmtTime
	}
	return fmtOther
}

// classifyFormatCode tells whether a custom number format code shows a date,
// a time or both, by the letters it uses outside quoted text, escapes and
// brackets: y and d mean a date, h and s a time, and m a month unless h or
// s is there too. [h], [m] and [s] are elapsed time.
func classifyFormatCode(code string) int {
	var date, timeOf, sec, month, elapsed bool
	lower := strings.ToLower(code)
	lower = strings.ReplaceAll(lower, "am/pm", "")
	lower = strings.ReplaceAll(lower, "a/p", "")
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case '"':
			if j := strings.IndexByte(lower[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(lower)
			}
		case '\\', '_', '*':
			i++ // the next character is shown as it is
		case '[':
			j := strings.IndexByte(lower[i+1:], ']')
			if j < 0 {
				i = len(lower)
				continue
			}
			inner := lower[i+1 : i+1+j]
			if inner != "" && strings.Trim(inner, "hms") == "" {
				elapsed = true
				sec = sec || strings.Contains(inner, "s")
			}
			i += j + 1
		case 'y', 'd':
			date = true
		case 'h':
			timeOf = true
		case 's':
			timeOf, sec = true, true
		case 'm':
			month = true
		}
	}
	if month && !timeOf && !elapsed {
		date = true
	}
	switch {
	case elapsed && sec:
		return fmtElapsedSec
	case elapsed:
		return fmtElapsed
	case date && timeOf && sec:
		return fmtDateTimeSec
	case date && timeOf:
		return fmtDateTime
	case date:
		return fmtDate
	case timeOf && sec:
		return fmtTimeSec
	case timeOf:
		return fmtTime
	}
	return fmtOther
}
