package valid

import (
	"regexp"
	"strings"
	"testing"
)

func TestPhone(t *testing.T) {
	tests := []struct {
		in, want string
		mobile   bool
		err      string
	}{
		{in: "040 123 4567", want: "+358401234567", mobile: true},
		{in: "040-1234567", want: "+358401234567", mobile: true},
		{in: "0401234567", want: "+358401234567", mobile: true},
		{in: "+358 40 1234567", want: "+358401234567", mobile: true},
		{in: "+358401234567", want: "+358401234567", mobile: true},
		{in: "00358401234567", want: "+358401234567", mobile: true},
		{in: " 050 123 4567 ", want: "+358501234567", mobile: true},
		{in: "+358 50 1234567", want: "+358501234567", mobile: true},
		{in: "045 123 4567", want: "+358451234567", mobile: true},
		{in: "049 123 4567", want: "+358491234567", mobile: true},
		{in: "(09) 123 4567", want: "+35891234567"},
		{in: "09/123 4567", want: "+35891234567"},
		{in: "09 1234 567", want: "+35891234567"},
		{in: "02.123.4567", want: "+35821234567"},
		{in: "018 123 45", want: "+3581812345"}, // Åland landline
		{in: "+358 18 12345", want: "+3581812345"},
		{in: "051 234 5678", want: "+358512345678"}, // 05x other than 050 is fixed line
		{in: "020 123 4567", want: "+358201234567"},
		{in: "+46 8 123 456 78", want: "+46812345678"},  // Stockholm
		{in: "0046 70 123 45 67", want: "+46701234567"}, // Swedish mobile: not flagged
		{in: "+39 06 1234 5678", want: "+390612345678"}, // Rome keeps its 0
		{in: "+1 (202) 555-0123", want: "+12025550123"}, // US
		{in: "+372 5123 4567", want: "+37251234567"},    // Estonian mobile
		{in: "\u00a0+358\u00a040\u00a01234567", want: "+358401234567", mobile: true},
		{in: "+123456789012345", want: "+123456789012345"}, // 15 digits

		{in: "", err: "required"},
		{in: "  ", err: "required"},
		{in: "040 123 456a", err: "may only contain"},
		{in: "040 CALL NOW", err: "may only contain"},
		{in: "040 123 4567 ext 12", err: "may only contain"},
		{in: "040 123 4567\n050 123 4567", err: "8 to 15 digits"}, // two numbers run together
		{in: "040 123 4567, 050 123 4567", err: "may only contain"},
		{in: "+358+401234567", err: "may only contain"},
		{in: "++358401234567", err: "may only contain"},
		{in: "٠٤٠١٢٣٤٥٦٧", err: "may only contain"},
		{in: "401234567", err: "must start with"},
		{in: "358401234567", err: "must start with"},
		{in: "()", err: "must start with"},
		{in: "040", err: "8 to 15 digits"},
		{in: "040 12", err: "8 to 15 digits"},
		{in: "+", err: "8 to 15 digits"},
		{in: "+4612345", err: "8 to 15 digits"},
		{in: "+1234567890123456", err: "8 to 15 digits"},
		{in: "+358 040 123 4567", err: "leave out the 0 after +358"},
		{in: "+358 (0)40 123 4567", err: "leave out the 0 after +358"},
		{in: "00358 040 123 4567", err: "leave out the 0 after +358"},
		{in: "+0358401234567", err: "country code cannot start with 0"},
		{in: "000358401234567", err: "country code cannot start with 0"},
	}
	for _, tt := range tests {
		got, mobile, err := Phone(testField, tt.in)
		checkResult(t, tt.in, got, err, tt.want, tt.err)
		if err == nil && mobile != tt.mobile {
			t.Fatalf("%q: mobile %v, want %v", tt.in, mobile, tt.mobile)
		}
	}
}

var canonicalPhone = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func FuzzPhone(f *testing.F) {
	for _, s := range []string{
		"040 123 4567", "040-1234567", "+358 40 1234567", "00358401234567",
		"(09) 123 4567", "018 123 45", "+46 8 123 456 78", "+358 040 1234567",
		"+0", "00", "0", "+", "040 123 456a", "+358+40", "\u00a0040\u00a01234567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, mobile, err := Phone(testField, s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if !canonicalPhone.MatchString(got) || strings.HasPrefix(got, "+3580") {
			t.Fatalf("%q: not canonical: %q", s, got)
		}
		if mobile && !strings.HasPrefix(got, "+3584") && !strings.HasPrefix(got, "+35850") {
			t.Fatalf("%q: %q flagged as mobile", s, got)
		}
		again, againMobile, err := Phone(testField, got)
		if err != nil || again != got || againMobile != mobile {
			t.Fatalf("%q: re-validating %q gave %q, %v, %v", s, got, again, againMobile, err)
		}
	})
}
