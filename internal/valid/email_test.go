package valid

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEmail(t *testing.T) {
	long := strings.Repeat("a", 64)
	label := strings.Repeat("b", 63)
	tests := []struct{ in, want, err string }{
		{in: "matti@example.fi", want: "matti@example.fi"},
		{in: "  Matti.Virtanen@Example.FI\n", want: "matti.virtanen@example.fi"},
		{in: "o'brien+seura@mail.example.co.uk", want: "o'brien+seura@mail.example.co.uk"},
		{in: "a!#$%&'*+-/=?^_`{|}~b@x.fi", want: "a!#$%&'*+-/=?^_`{|}~b@x.fi"},
		{in: "info@hyvä-seura.fi", want: "info@hyvä-seura.fi"},
		{in: "INFO@HYVÄ-SEURA.FI", want: "info@hyvä-seura.fi"},
		{in: "info@xn--hyv-seura-q5a.fi", want: "info@xn--hyv-seura-q5a.fi"},
		{in: "x@例え.テスト", want: "x@例え.テスト"},
		{in: "x@1.example.fi", want: "x@1.example.fi"},
		{in: long + "@" + label + ".fi", want: long + "@" + label + ".fi"},

		{in: "", err: "required"},
		{in: "Matti Virtanen <matti@example.fi>", err: "without a name or <>"},
		{in: "<matti@example.fi>", err: "without a name or <>"},
		{in: "matti@example.fi, maija@example.fi", err: "only one address"},
		{in: "matti@example.fi;", err: "only one address"},
		{in: "matti@example.fi\nBcc: x@evil.fi", err: "spaces or line breaks"},
		{in: "matti@example.fi\r\n", want: "matti@example.fi"}, // trimmed
		{in: "matti @example.fi", err: "spaces or line breaks"},
		{in: "matti\x00@example.fi", err: "spaces or line breaks"},
		{in: "matti.example.fi", err: "one @"},
		{in: "matti@@example.fi", err: "one @"},
		{in: "a@b@example.fi", err: "one @"},
		{in: "@example.fi", err: "missing the part before @"},
		{in: long + "a@example.fi", err: "too long"},
		{in: ".matti@example.fi", err: "two dots"},
		{in: "matti.@example.fi", err: "two dots"},
		{in: "matti..v@example.fi", err: "two dots"},
		{in: `"matti"@example.fi`, err: "not allowed in addresses"},
		{in: `ma(tti)@example.fi`, err: "not allowed in addresses"},
		{in: `ma\tti@example.fi`, err: "not allowed in addresses"},
		{in: "mätti@example.fi", err: "not allowed in addresses"},
		{in: "matti@", err: "needs a dot"},
		{in: "matti@localhost", err: "needs a dot"},
		{in: "matti@example.fi.", err: "not valid"},
		{in: "matti@.example.fi", err: "not valid"},
		{in: "matti@example..fi", err: "not valid"},
		{in: "matti@-example.fi", err: "not valid"},
		{in: "matti@example-.fi", err: "not valid"},
		{in: "matti@" + label + "b.fi", err: "not valid"},
		{in: "matti@exa_mple.fi", err: "not allowed in domain names"},
		{in: "matti@[192.168.0.1]", err: "not allowed in domain names"},
		{in: "matti@hyva\u0308.fi", err: "not allowed in domain names"}, // decomposed ä
		{in: "matti@192.168.0.1", err: "must end in a name"},
		{in: "m@" + strings.Repeat("a.", 126) + "fi", err: "at most 254"},
	}
	for _, tt := range tests {
		got, err := Email(testField, tt.in)
		checkResult(t, tt.in, got, err, tt.want, tt.err)
	}
}

func TestEmails(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "a@x.fi", want: []string{"a@x.fi"}},
		{in: "a@x.fi, b@x.fi; c@x.fi\nd@x.fi\te@x.fi", want: []string{"a@x.fi", "b@x.fi", "c@x.fi", "d@x.fi", "e@x.fi"}},
		{in: "b@x.fi,a@x.fi,B@X.FI,,;", want: []string{"b@x.fi", "a@x.fi"}},
		{in: " ;, \n", err: "required"},
		{in: "", err: "required"},
		{in: "a@x.fi, b@x", err: "address 2: the domain after @ needs a dot"},
		{in: "Matti <a@x.fi>", err: "without names or <>"},
		{in: `"Matti" a@x.fi`, err: "address 1: must contain one @"},
	}
	for _, tt := range tests {
		got, err := Emails(testField, tt.in)
		if tt.err != "" {
			checkResult(t, tt.in, "", err, "", tt.err)
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Fatalf("%q: got %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"matti@example.fi", " Matti.Virtanen@Example.FI ", "info@hyvä-seura.fi",
		"Matti <m@x.fi>", "a@b@c.fi", "a..b@x.fi", "a@x.fi.", "x@İ.fi", "x@K.fi",
		"a@x.fi, b@y.fi", "a@x.fi\r\nBcc: b@y.fi", "\xff@x.fi", "a@x.\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Email(testField, s)
		if err == nil {
			checkEmail(t, s, got)
		} else {
			checkErr(t, err)
		}
		list, err := Emails(testField, s)
		if err != nil {
			checkErr(t, err)
			return
		}
		for i, e := range list {
			checkEmail(t, s, e)
			if slices.Contains(list[:i], e) {
				t.Fatalf("%q: duplicate %q in %q", s, e, list)
			}
		}
		again, err := Emails(testField, strings.Join(list, ", "))
		if err != nil || !slices.Equal(again, list) {
			t.Fatalf("%q: re-validating %q gave %q, %v", s, list, again, err)
		}
	})
}

// checkEmail asserts that an accepted address is canonical and stable.
func checkEmail(t *testing.T, in, got string) {
	t.Helper()
	if got != strings.ToLower(got) || got != strings.TrimSpace(got) || !utf8.ValidString(got) ||
		utf8.RuneCountInString(got) > 254 || strings.Count(got, "@") != 1 ||
		strings.ContainsAny(got, " \t\r\n<>,;\"") {
		t.Fatalf("%q: not canonical: %q", in, got)
	}
	again, err := Email(testField, got)
	if err != nil || again != got {
		t.Fatalf("%q: re-validating %q gave %q, %v", in, got, again, err)
	}
}
