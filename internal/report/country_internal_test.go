package report

import "testing"

// TestCountryLine: a label abroad ends with the country in English capitals
// (the member card's country list names them), a Finnish one with none.
func TestCountryLine(t *testing.T) {
	for code, want := range map[string]string{"": "", "FI": "", "fi": "", "SE": "SWEDEN", "de": "GERMANY",
		"EE": "ESTONIA", "XX": "XX"} {
		if got := countryLine(code); got != want {
			t.Errorf("countryLine(%q) = %q, want %q", code, got, want)
		}
	}
}
