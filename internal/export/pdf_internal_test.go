package export

import (
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// TestFitCutsToTheLongestPrefix checks the cell cutting of the PDF list:
// the text that fits is kept whole, a longer one becomes the longest prefix
// that fits with its ellipsis, and a very long note (a megabyte) is cut
// the same way as a short overflow.
func TestFitCutsToTheLongestPrefix(t *testing.T) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 8)
	const ellipsis = "\x85"
	for _, tc := range []struct {
		s string
		w float64
	}{
		{"Virtanen", 40},
		{strings.Repeat("Ä", 30), 25},
		{strings.Repeat("iW", 2000), 60},
		{strings.Repeat("x", 1<<20), 250},
	} {
		got := fit(pdf, tc.s, tc.w)
		if pdf.GetStringWidth(tc.s)+2 <= tc.w {
			if got != tc.s {
				t.Errorf("%.20q fits in %v mm but became %.20q", tc.s, tc.w, got)
			}
			continue
		}
		kept, ok := strings.CutSuffix(got, ellipsis)
		if !ok || !strings.HasPrefix(tc.s, kept) {
			t.Fatalf("%.20q in %v mm: %.20q is not a prefix with an ellipsis", tc.s, tc.w, got)
		}
		if pdf.GetStringWidth(got)+2 > tc.w {
			t.Errorf("%.20q in %v mm: the cut text is still too wide", tc.s, tc.w)
		}
		if longer := tc.s[:len(kept)+1] + ellipsis; pdf.GetStringWidth(longer)+2 <= tc.w {
			t.Errorf("%.20q in %v mm: one more letter would still fit (kept %d)", tc.s, tc.w, len(kept))
		}
	}
}
