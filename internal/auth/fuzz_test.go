package auth_test

import (
	"net/mail"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
)

// FuzzNormalizeEmail feeds addresses typed into forms: never a panic, an
// accepted address is lower case, trimmed, a plain addr-spec with a dotted
// domain, and normalising it again changes nothing.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Anna.Virtanen@Example.FI", " kassa@example.fi ", "a@b", "Anna <a@example.fi>", "@example.fi",
		"a@@example.fi", "ä@example.fi", "a@example.fi\r\nBcc: x@example.fi", strings.Repeat("a", 250) + "@example.fi", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := auth.NormalizeEmail(in)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error for %q", in)
			}
			return
		}
		if out != strings.ToLower(out) || out != strings.TrimSpace(out) || len(out) > 254 {
			t.Fatalf("%q normalised to %q", in, out)
		}
		if strings.ContainsAny(out, "\r\n<> ") {
			t.Fatalf("%q normalised to %q, which could break a mail header", in, out)
		}
		if a, err := mail.ParseAddress(out); err != nil || a.Address != out {
			t.Fatalf("%q normalised to %q, not a plain address", in, out)
		}
		if again, err := auth.NormalizeEmail(out); err != nil || again != out {
			t.Fatalf("normalising %q again gave %q, %v", out, again, err)
		}
	})
}
