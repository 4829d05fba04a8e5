package importfile

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFields is the most cells a record may have: Excel's column limit
// (XFD). Without it, one line of a million delimiters would cost a
// million string headers before any other rule could refuse it.
const maxFields = 16_384

// splitter splits decoded text into records per RFC 4180, with the same
// results as encoding/csv with LazyQuotes off and FieldsPerRecord -1 (a
// differential fuzz test holds it to that), except that a blank line is a
// record with one empty cell instead of being skipped, so that blank lines
// and rows of empty cells are treated alike.
//
// It exists instead of encoding/csv because it works on the text already in
// memory: cells are substrings of it unless they contain doubled quotes or
// CRLF line breaks, so a huge cell usually costs no copy before its length
// refuses it (encoding/csv copies every record twice while reading it), and
// cells past maxFields are counted without being stored.
type splitter struct {
	text  string
	delim byte // ';' ',' or '\t'; ASCII, so byte scanning is UTF-8 safe
	// skipSpace skips white space before an opening quote (`a, "b, c"`), as
	// encoding/csv's TrimLeadingSpace does. It is off for tab-separated text,
	// where it would swallow the tabs of empty cells.
	skipSpace bool
	pos       int // offset of the next unread byte
	line      int // 1-based line number of text[pos]
	stops     string
}

func newSplitter(text string, delim rune) *splitter {
	d := byte(delim)
	return &splitter{text: text, delim: d, skipSpace: d != '\t', line: 1, stops: string([]byte{d, '\n', '"'})}
}

// record is one record of the file.
type record struct {
	cells []string // the first maxFields cells, untrimmed
	n     int      // the number of cells, including those not stored
	line  int      // the line the record starts on
	empty bool     // every cell is empty after trimming
}

func (s *splitter) done() bool { return s.pos >= len(s.text) }

// next reads the next record into rec, reusing rec.cells. It must not be
// called once done reports true.
func (s *splitter) next(rec *record) error {
	rec.cells = rec.cells[:0]
	rec.n = 0
	rec.line = s.line
	rec.empty = true
	for {
		cell, last, err := s.cell()
		if err != nil {
			return err
		}
		rec.n++
		if rec.n <= maxFields {
			rec.cells = append(rec.cells, cell)
		}
		if rec.empty && trim(cell) != "" {
			rec.empty = false
		}
		if last {
			return nil
		}
	}
}

// cell reads one cell and reports whether it ended the record.
func (s *splitter) cell() (cell string, last bool, err error) {
	start := s.pos
	if s.skipSpace {
		for s.pos < len(s.text) {
			r, size := utf8.DecodeRuneInString(s.text[s.pos:])
			if r == '\n' || !unicode.IsSpace(r) {
				break
			}
			s.pos += size
		}
	}
	if s.pos < len(s.text) && s.text[s.pos] == '"' {
		return s.quoted()
	}
	s.pos = start

	// Unquoted: up to the delimiter, the line break or the end.
	rest := s.text[s.pos:]
	i := strings.IndexAny(rest, s.stops)
	if i >= 0 && rest[i] == '"' {
		return "", false, fmt.Errorf("line %d: a quote (\") in a cell that does not start with one; put the whole cell in quotes and double the quote (\"\")", s.line)
	}
	if i < 0 {
		i = len(rest)
	}
	cell = rest[:i]
	s.pos += i
	if s.pos < len(s.text) && s.text[s.pos] == s.delim {
		s.pos++
		return cell, false, nil
	}
	// The end of the record: drop the CR of a CRLF, or one before the end
	// of the text, as encoding/csv does.
	cell = strings.TrimSuffix(cell, "\r")
	s.endLine()
	return cell, true, nil
}

// quoted reads a quoted cell; s.pos is at its opening quote.
func (s *splitter) quoted() (cell string, last bool, err error) {
	startLine := s.line
	s.pos++
	begin := s.pos
	var b *strings.Builder // only when the cell is not a plain substring
	for {
		i := strings.IndexByte(s.text[s.pos:], '"')
		if i < 0 {
			return "", false, fmt.Errorf("line %d: a quoted cell is never closed (a quote is missing)", startLine)
		}
		seg := s.text[s.pos : s.pos+i]
		s.line += strings.Count(seg, "\n")
		s.pos += i + 1 // past the quote
		if s.pos < len(s.text) && s.text[s.pos] == '"' {
			// A doubled quote is one quote of content.
			if b == nil {
				b = new(strings.Builder)
			}
			writeCRLFAsLF(b, seg)
			b.WriteByte('"')
			s.pos++
			continue
		}
		// The closing quote.
		if b != nil {
			writeCRLFAsLF(b, seg)
			cell = b.String()
		} else {
			cell = s.text[begin : s.pos-1]
			if strings.Contains(cell, "\r\n") {
				cell = strings.ReplaceAll(cell, "\r\n", "\n")
			}
		}
		break
	}
	switch rest := s.text[s.pos:]; {
	case rest == "" || rest == "\r" || rest[0] == '\n' || strings.HasPrefix(rest, "\r\n"):
		s.endLine()
		return cell, true, nil
	case rest[0] == s.delim:
		s.pos++
		return cell, false, nil
	}
	return "", false, fmt.Errorf("line %d: a quote (\") inside a quoted cell must be doubled (\"\")", s.line)
}

// endLine moves past the line break (CRLF, LF or a final CR) that ends a
// record.
func (s *splitter) endLine() {
	if strings.HasPrefix(s.text[s.pos:], "\r") {
		s.pos++
	}
	if s.pos < len(s.text) && s.text[s.pos] == '\n' {
		s.pos++
		s.line++
	}
}

// writeCRLFAsLF writes seg with CRLF line breaks as LF, as encoding/csv
// returns them: Excel writes line breaks inside cells as LF, and a file that
// went through a Windows tool may have them as CRLF.
func writeCRLFAsLF(b *strings.Builder, seg string) {
	for {
		i := strings.Index(seg, "\r\n")
		if i < 0 {
			b.WriteString(seg)
			return
		}
		b.WriteString(seg[:i])
		b.WriteByte('\n')
		seg = seg[i+2:]
	}
}
