package importfile

import "testing"

func TestClassifyFormatCode(t *testing.T) {
	tests := map[string]int{
		"General":                      fmtOther,
		"0":                            fmtOther,
		"0.00E+00":                     fmtOther,
		"#,##0.00 \"€\"":               fmtOther,
		"# ##0,00 [$€-40B]":            fmtOther,
		"\"day\" 0":                    fmtOther,
		"@":                            fmtOther,
		"0%;[Red]-0%":                  fmtOther,
		"d.m.yyyy":                     fmtDate,
		"[$-40B]d\\.m\\.yyyy;@":        fmtDate,
		"dd/mm/yy":                     fmtDate,
		"mmm yyyy":                     fmtDate,
		"mmmm":                         fmtDate,
		"d.m.yyyy h:mm":                fmtDateTime,
		"yyyy-mm-dd hh:mm:ss":          fmtDateTimeSec,
		"h:mm AM/PM":                   fmtTime,
		"hh:mm:ss":                     fmtTimeSec,
		"mm:ss":                        fmtTimeSec,
		"[h]:mm":                       fmtElapsed,
		"[mm]:ss":                      fmtElapsedSec,
		"[Red][<=100]0;[Blue]0":        fmtOther,
		"* #,##0 _€;* -#,##0 _€":       fmtOther,
		"\"Päivä\" d.m.":               fmtDate,
		"_-* #,##0 \\d_-;-* #,##0_-;@": fmtOther,
	}
	for code, want := range tests {
		if got := classifyFormatCode(code); got != want {
			t.Errorf("classifyFormatCode(%q) = %d, want %d", code, got, want)
		}
	}
}
