package importfile

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzSplitMatchesEncodingCSV holds the splitter to encoding/csv (LazyQuotes
// off, FieldsPerRecord -1, TrimLeadingSpace unless tab-separated): the same
// inputs fail, and otherwise the same records start on the same lines with
// the same cells after trimming. The one intended difference: the splitter
// returns a blank line as a record of one empty cell where encoding/csv
// skips it.
func FuzzSplitMatchesEncodingCSV(f *testing.F) {
	for _, s := range []string{
		"a;b\r\n1;2\r\n", "a,\"b,c\"\n\"x\r\ny\",\"q\"\"q\"\n", "a\tb\n\t\n", "\n\r\n;\n", "a; \"b\"\r\n",
		"a;\"b\"x\n", "a;\"b\n", "a;b\"c\n", "a\r\r\nb\r", "\"a\"\r", "x;\"\"\n\"\"", " \"a\"\t;\u00a0\"b\" \n",
	} {
		for d := range byte(3) {
			f.Add(s, d)
		}
	}
	f.Fuzz(func(t *testing.T, text string, d byte) {
		delim := []rune{';', ',', '\t'}[d%3]

		type rec struct {
			line  int
			cells []string
		}
		var want []rec
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma = delim
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = delim != '\t'
		var wantErr error
		for {
			fields, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				wantErr = err
				break
			}
			line, _ := cr.FieldPos(0)
			for i := range fields {
				fields[i] = trim(fields[i])
			}
			want = append(want, rec{line, fields})
		}

		var got []rec
		var blank []int // lines of blank-line records
		sp := newSplitter(text, delim)
		var r record
		var gotErr error
		for !sp.done() {
			if gotErr = sp.next(&r); gotErr != nil {
				break
			}
			if r.n != len(r.cells) {
				return // wider than maxFields: not stored, cannot compare
			}
			if r.n == 1 && r.cells[0] == "" {
				blank = append(blank, r.line)
				continue
			}
			cells := make([]string, len(r.cells))
			for i, c := range r.cells {
				cells[i] = trim(c)
			}
			got = append(got, rec{r.line, cells})
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("splitter error %v, encoding/csv error %v", gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		// A record of one empty quoted cell ("") is a blank record to the
		// splitter's caller too, but encoding/csv returns it.
		want = slices.DeleteFunc(want, func(w rec) bool {
			return len(w.cells) == 1 && w.cells[0] == "" && slices.Contains(blank, w.line)
		})
		if len(got) != len(want) {
			t.Fatalf("splitter %d records %v, encoding/csv %d %v", len(got), got, len(want), want)
		}
		for i := range got {
			if got[i].line != want[i].line || !slices.Equal(got[i].cells, want[i].cells) {
				t.Fatalf("record %d: splitter %v, encoding/csv %v", i, got[i], want[i])
			}
		}
	})
}
