package importfile

import (
	"errors"
	"fmt"
)

// builder applies the header and row rules that CSV and XLSX files share:
// blank rows above the header are skipped, the header is checked and its
// unnamed trailing columns dropped, empty rows count only once a data row
// follows them, short rows are padded, and the limits hold.
type builder struct {
	t       *Table
	lim     Limits
	width   int              // columns kept: up to the last named one
	pending []int            // line numbers of empty rows not yet known to be trailing
	tooMany bool             // more empty rows are pending than MaxRows allows
	colName func(int) string // how an error names a column without a heading
}

func newBuilder(lim Limits, colName func(int) string) *builder {
	return &builder{t: &Table{Rows: [][]string{}, RowNumbers: []int{}}, lim: lim, colName: colName}
}

// started reports whether the header has been read.
func (b *builder) started() bool { return b.t.Header != nil }

// header takes the first row that is not empty; its cells are trimmed.
func (b *builder) header(cells []string) error {
	if len(cells) > maxFields {
		return fmt.Errorf("header: %d columns, more than the %d Excel allows", len(cells), maxFields)
	}
	if err := checkHeader(cells, b.lim); err != nil {
		return err
	}
	b.width = len(cells)
	for b.width > 0 && cells[b.width-1] == "" {
		b.width--
	}
	b.t.Header = cells[:b.width:b.width]
	return nil
}

// empty notes an empty data row. Excel writes rows that were formatted but
// left empty; they only count once a data row follows, and remembering more
// of them than could ever be accepted is pointless.
func (b *builder) empty(line int) {
	if len(b.t.Rows)+len(b.pending) < b.lim.MaxRows {
		b.pending = append(b.pending, line)
	} else {
		b.tooMany = true
	}
}

// add appends a data row of trimmed cells that starts at line.
func (b *builder) add(line int, cells []string) error {
	row := make([]string, b.width)
	for i, c := range cells {
		if i >= b.width {
			if c != "" {
				return fmt.Errorf("row %d, column %s: a value in a column the header has no name for", line, b.colName(i))
			}
			continue
		}
		if len(c) > b.lim.MaxCellBytes {
			return fmt.Errorf("row %d, column %s: cell is longer than %d bytes", line, quoteName(b.t.Header[i]), b.lim.MaxCellBytes)
		}
		row[i] = c
	}
	n := len(b.t.Rows) + len(b.pending) + 1
	if b.tooMany || n > b.lim.MaxRows {
		return fmt.Errorf("row %d: the file has more than %d rows (not counting the header)", line, b.lim.MaxRows)
	}
	// See Limits: padding must not turn a small file into a huge table.
	if int64(n)*int64(b.width) > b.lim.MaxBytes {
		return fmt.Errorf("row %d: the table has too many cells (%d rows × %d columns); split the file", line, n, b.width)
	}
	for _, l := range b.pending {
		b.t.Rows = append(b.t.Rows, make([]string, b.width))
		b.t.RowNumbers = append(b.t.RowNumbers, l)
	}
	b.pending = b.pending[:0]
	b.t.Rows = append(b.t.Rows, row)
	b.t.RowNumbers = append(b.t.RowNumbers, line)
	return nil
}

// table is the result, or an error for a file without a header.
func (b *builder) table() (*Table, error) {
	if !b.started() {
		return nil, errors.New("the file is empty")
	}
	return b.t, nil
}
