package valid

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

func TestBusinessID(t *testing.T) {
	tests := []struct{ in, want, err string }{
		// Check digits computed by hand: Nokia Oyj's 0112038-9 (sum 57,
		// remainder 2) and Kela's 0246246-0 (sum 132, remainder 0).
		{in: "0112038-9", want: "0112038-9"},
		{in: "  0112038-9\t", want: "0112038-9"},
		{in: "\u00a00112038-9\u00a0", want: "0112038-9"},
		{in: "01120389", want: "0112038-9"},
		{in: "112038-9", want: "0112038-9"},
		{in: "0246246-0", want: "0246246-0"},
		{in: "246246-0", want: "0246246-0"},
		{in: "1234567-1", want: "1234567-1"}, // sum 153, remainder 10

		{in: "", err: "required"},
		{in: "   ", err: "required"},
		{in: "1234567-8", err: "check digit does not match"},
		{in: "0112038-8", err: "check digit does not match"},
		{in: "01120388", err: "check digit does not match"},
		{in: "0000006-0", err: "not a valid business ID"}, // sum 12, remainder 1
		{in: "0000006-5", err: "not a valid business ID"},
		{in: "0112038", err: "use the form"},  // bare digits: missing check digit?
		{in: "1120389", err: "use the form"},  // six-digit body only with hyphen
		{in: "11203-89", err: "use the form"}, // body too short
		{in: "00112038-9", err: "use the form"},
		{in: "0112038-", err: "use the form"},
		{in: "0112038-89", err: "use the form"},
		{in: "0112038--9", err: "use the form"},
		{in: "-0112038-9", err: "use the form"},
		{in: "0112038 9", err: "use the form"},
		{in: "0112038 - 9", err: "use the form"},
		{in: "O112038-9", err: "use the form"},
		{in: "FI01120389", err: "use the form"},
		{in: "٠١١٢٠٣٨-٩", err: "use the form"}, // Arabic-Indic digits
		{in: "0112038-9\n0246246-0", err: "use the form"},
	}
	for _, tt := range tests {
		got, err := BusinessID(testField, tt.in)
		checkResult(t, tt.in, got, err, tt.want, tt.err)
	}
}

// refBusinessIDCheck is an independent statement of the check digit rule,
// working on the body as a number: it returns -1 for remainder 1.
func refBusinessIDCheck(n int) int {
	weights := []int{2, 4, 8, 5, 10, 9, 7} // from the last digit backwards
	sum := 0
	for _, w := range weights {
		sum += n % 10 * w
		n /= 10
	}
	switch sum % 11 {
	case 0:
		return 0
	case 1:
		return -1
	default:
		return 11 - sum%11
	}
}

// TestBusinessIDCheckDigits tries every check digit on a spread of bodies,
// against the reference rule.
func TestBusinessIDCheckDigits(t *testing.T) {
	valid, invalid := 0, 0
	for n := 0; n < 10_000_000; n += 7919 {
		want := refBusinessIDCheck(n)
		if want < 0 {
			invalid++
		} else {
			valid++
		}
		for c := range 10 {
			in := fmt.Sprintf("%07d-%d", n, c)
			got, err := BusinessID(testField, in)
			if c == want {
				if err != nil || got != in {
					t.Fatalf("%s: got %q, %v", in, got, err)
				}
				if got, err := BusinessID(testField, fmt.Sprintf("%07d%d", n, c)); err != nil || got != in {
					t.Fatalf("%s without hyphen: got %q, %v", in, got, err)
				}
				continue
			}
			if err == nil {
				t.Fatalf("%s: accepted, want check digit %d", in, want)
			}
			checkErr(t, err)
		}
	}
	if valid == 0 || invalid == 0 {
		t.Fatalf("sample has %d valid and %d remainder-1 bodies, want both", valid, invalid)
	}
}

var canonicalBusinessID = regexp.MustCompile(`^[0-9]{7}-[0-9]$`)

func FuzzBusinessID(f *testing.F) {
	for _, s := range []string{
		"0112038-9", "01120389", "112038-9", " 0246246-0 ", "0000006-0",
		"1234567-8", "", "-", "1234567-", "123456-", "١١٢٠٣٨-٩", "0112038-9\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := BusinessID(testField, s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if !canonicalBusinessID.MatchString(got) {
			t.Fatalf("%q: not canonical: %q", s, got)
		}
		n, _ := strconv.Atoi(got[:7])
		if refBusinessIDCheck(n) != int(got[8]-'0') {
			t.Fatalf("%q: accepted %q with a wrong check digit", s, got)
		}
		if again, err := BusinessID(testField, got); err != nil || again != got {
			t.Fatalf("%q: re-validating %q gave %q, %v", s, got, again, err)
		}
	})
}
