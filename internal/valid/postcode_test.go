package valid

import (
	"strings"
	"testing"
)

func TestPostcode(t *testing.T) {
	tests := []struct{ country, in, want, err string }{
		{"", "00100", "00100", ""},
		{"FI", " 00100 ", "00100", ""},
		{"fi", "99999", "99999", ""},
		{" FI ", "22100", "22100", ""}, // Åland written as Finland
		{"", "", "", "required"},
		{"FI", "0010", "", "must be 5 digits"},
		{"FI", "001000", "", "must be 5 digits"},
		{"FI", "00 100", "", "must be 5 digits"},
		{"FI", "FI-00100", "", "must be 5 digits"},
		{"FI", "00100 Helsinki", "", "must be 5 digits"},
		{"FI", "٠٠١٠٠", "", "must be 5 digits"},

		{"AX", "22100", "22100", ""},
		{"ax", " 22710", "22710", ""},
		{"AX", "00100", "", "starting with 22"},
		{"AX", "2210", "", "starting with 22"},

		{"SE", "11455", "114 55", ""},
		{"SE", "114 55", "114 55", ""},
		{"se", " 98499 ", "984 99", ""},
		{"SE", "01455", "", "like 114 55"},
		{"SE", "1145", "", "like 114 55"},
		{"SE", "11 455", "", "like 114 55"},
		{"SE", "114  55", "", "like 114 55"},
		{"SE", "SE-114 55", "", "like 114 55"},

		{"GB", "sw1a 1aa", "SW1A 1AA", ""},
		{"GB", " SW1A   1AA ", "SW1A 1AA", ""},
		{"DE", "10115", "10115", ""},
		{"PT", "1010-001", "1010-001", ""},
		{"NL", "1234 ab", "1234 AB", ""},
		{"US", "12345-6789", "12345-6789", ""},
		{"US", "12345-67890", "", "1 to 10"},
		{"DE", "-", "", "1 to 10"},
		{"DE", "- -", "", "1 to 10"},
		{"DE", "10115!", "", "letters, digits, spaces and hyphens"},
		{"DE", "ſ", "", "letters, digits, spaces and hyphens"}, // would upper-case to S
		{"DE", "10115\n1", "10115 1", ""},
		{"Finland", "00100", "", "two-letter code"},
		{"F1", "00100", "", "two-letter code"},
	}
	for _, tt := range tests {
		got, err := Postcode(testField, tt.country, tt.in)
		checkResult(t, tt.country+" "+tt.in, got, err, tt.want, tt.err)
	}
}

func FuzzPostcode(f *testing.F) {
	for _, c := range [][2]string{
		{"", "00100"}, {"FI", " 00100 "}, {"AX", "22100"}, {"SE", "114 55"},
		{"SE", "11455"}, {"GB", "sw1a 1aa"}, {"PT", "1010-001"}, {"DE", "ſ"},
		{"xx", " a\u00a0 b "}, {"Finland", "1"}, {"", ""}, {"SE", "114 5\n"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, country, s string) {
		got, err := Postcode(testField, country, s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if got == "" || len(got) > 10 || got != strings.ToUpper(got) ||
			got != strings.Join(strings.Fields(got), " ") {
			t.Fatalf("%q %q: not canonical: %q", country, s, got)
		}
		for _, r := range got {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-') {
				t.Fatalf("%q %q: character %q in %q", country, s, r, got)
			}
		}
		again, err := Postcode(testField, country, got)
		if err != nil || again != got {
			t.Fatalf("%q %q: re-validating %q gave %q, %v", country, s, got, again, err)
		}
	})
}
