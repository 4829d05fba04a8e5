package memberimport_test

import (
	"strings"
	"testing"

	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/testenv"
)

// TestProblemsAreBounded plans a file of nonsense (every cell of 2,500 rows
// wrong): the result lists the first MaxProblems problems, of the earliest
// rows and in order, counts the rest, and still refuses the whole file.
func TestProblemsAreBounded(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFix(t, e)
		before := f.state()
		var b strings.Builder
		b.WriteString("Jäsennumero;Sukunimi;Sähköposti;Syntymäaika;Puhelin\n")
		const rows = 2500
		for range rows {
			b.WriteString("x;Virtanen;x;x;x\n")
		}
		res := f.plan(table(t, b.String()), nil)
		if res.OK() || res.ProblemRows != rows {
			t.Fatalf("a file of bad rows: OK %v, %d problem rows, want %d", res.OK(), res.ProblemRows, rows)
		}
		if len(res.Problems) != memberimport.MaxProblems {
			t.Fatalf("%d problems listed, want the first %d", len(res.Problems), memberimport.MaxProblems)
		}
		if total := len(res.Problems) + res.ProblemsOmitted; total != 4*rows {
			t.Errorf("%d problems listed and counted, want %d (four bad cells a row)", total, 4*rows)
		}
		for i, p := range res.Problems {
			if want := 2 + i/4; p.Row != want {
				t.Fatalf("problem %d is on row %d, want %d: the earliest rows come first", i, p.Row, want)
			}
		}
		if got := f.state(); got != before {
			t.Fatalf("a dry run wrote: %s", got)
		}
	})
}
