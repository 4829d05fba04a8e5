package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"seura.fi/seura/internal/i18n"
)

func TestCatalogsComplete(t *testing.T) {
	en := i18n.Keys("en")
	if len(en) == 0 {
		t.Fatal("the English catalog is empty")
	}
	for _, lang := range i18n.Languages {
		keys := i18n.Keys(lang)
		if !sort.StringsAreSorted(keys) {
			t.Errorf("Keys(%s) is not sorted", lang)
		}
		for _, other := range i18n.Languages {
			if other == lang {
				continue
			}
			for _, k := range i18n.Keys(other) {
				if _, found := slices.BinarySearch(keys, k); !found {
					t.Errorf("%s.json lacks %q, which %s.json has", lang, k, other)
				}
			}
		}
		for _, k := range keys {
			if strings.TrimSpace(i18n.T(lang, k)) == "" {
				t.Errorf("%s.json: %q is empty", lang, k)
			}
		}
	}
}

// verb matches one fmt verb, with an optional explicit argument index.
var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\*|\d+)?(\.(\*|\d+)?)?[a-zA-Z%]`)

func verbs(msg string) []string { return verb.FindAllString(msg, -1) }

func TestPrintfVerbsMatch(t *testing.T) {
	for _, k := range i18n.Keys("en") {
		en := i18n.T("en", k)
		want := verbs(en)
		for _, lang := range i18n.Languages {
			msg := i18n.T(lang, k)
			got := verbs(msg)
			// With explicit argument indexes a translation may reorder its
			// arguments; without them the order must match.
			if strings.Contains(msg, "%[") || strings.Contains(en, "%[") {
				got, want := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
				if !slices.Equal(got, want) {
					t.Errorf("%s %q: verbs %q, English has %q", lang, k, got, want)
				}
			} else if !slices.Equal(got, want) {
				t.Errorf("%s %q: verbs %q, English has %q", lang, k, got, want)
			}
		}
	}
}

func TestLanguageNames(t *testing.T) {
	// Pickers show {{t (print "lang." .)}} for every language.
	for _, l := range i18n.Languages {
		if !i18n.Valid(l) {
			t.Errorf("Valid(%q) = false", l)
		}
		if !i18n.Has("lang." + l) {
			t.Errorf("no name for language %q (key lang.%s)", l, l)
		}
	}
	if !i18n.Valid(i18n.Default) {
		t.Errorf("Default %q is not a language", i18n.Default)
	}
	if i18n.Valid("de") || i18n.Valid("") {
		t.Error("Valid accepts a language Seura does not speak")
	}
}

func TestT(t *testing.T) {
	k := i18n.Keys("en")[0]
	if got, want := i18n.T("de", k), i18n.T("en", k); got != want {
		t.Errorf("T(de, %q) = %q, want the English %q", k, got, want)
	}
	if got := i18n.T("fi", "no.such.key"); got != "no.such.key" {
		t.Errorf("T of a missing key = %q, want the key", got)
	}
	if i18n.Has("no.such.key") || !i18n.Has(k) {
		t.Error("Has is wrong")
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ header, want string }{
		{"sv-FI,sv;q=0.9,en;q=0.8", "sv"},
		{"en-GB", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"de", i18n.Default},
		{"", i18n.Default},
		{"*", i18n.Default},
		{"de-DE,de;q=0.9,*;q=0.5", i18n.Default},
		{"fi", "fi"},
		{"FI-fi", "fi"},
		{"SV", "sv"},
		// q-values decide, not order.
		{"en;q=0.5,sv;q=0.7", "sv"},
		{"de,en;q=0.3,sv;q=0.2", "en"},
		{"sv;q=0.1,fi;q=0.2,en;q=0.15", "fi"},
		{"en;q=0.8, fi", "fi"},
		{"en;q=1,sv;q=1", "en"}, // a tie goes to the first
		{"sv;q=0.5,en;q=0.5", "sv"},
		// q=0 means "not acceptable".
		{"en;q=0", i18n.Default},
		{"sv;q=0,en;q=0.1", "en"},
		{"fi;q=0.0,sv;q=0.001", "sv"},
		// Whitespace and other parameters, as RFC 9110 allows.
		{" en ; q=0.8 , sv ; q=0.9 ", "sv"},
		{"sv;level=1;q=0.2,en;q=0.5", "en"},
		{"en;Q=0.2,sv;q=0.3", "sv"},
		// Malformed values do not break the choice.
		{"en;q=abc", "en"},
		{"en;q=NaN,sv;q=0.1", "sv"},
		{"en;q=7,sv", "en"},
		{",,;;,en", "en"},
		{"sv-", "sv"},
		{"-sv", i18n.Default},
	}
	for _, tt := range tests {
		if got := i18n.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"sv-FI,sv;q=0.9,en;q=0.8", "en-GB", "de", "", "en;q=0", "fi;q=NaN", ";q=", "\xff\x00,sv;q=1e309",
		strings.Repeat("en;q=0.1,", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := i18n.Match(header)
		if !slices.Contains(i18n.Languages, got) {
			t.Fatalf("Match(%q) = %q, not one of %q", header, got, i18n.Languages)
		}
	})
}

// webDir is the web package, whose templates and handlers use the keys.
const webDir = "../web"

var (
	templateKey = regexp.MustCompile(`\{\{t "([a-z_.]+)"`)
	// A key as a Go string literal ("error.csrf") or in a redirect's query
	// ("/login?msg=msg.saved").
	codeKey = regexp.MustCompile(`(?:"|msg=)((?:msg|error)\.[a-z_.]+)`)
)

func TestWebKeysExist(t *testing.T) {
	check := func(pattern string, re *regexp.Regexp) int {
		files, err := filepath.Glob(filepath.Join(webDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no files match %s in %s", pattern, webDir)
		}
		n := 0
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				n++
				key := strings.TrimSuffix(m[1], ".")
				if !i18n.Has(key) {
					t.Errorf("%s uses %q, which en.json lacks", filepath.Base(file), key)
				}
			}
		}
		return n
	}
	if n := check(filepath.Join("templates", "*.html"), templateKey); n < 50 {
		t.Errorf("found only %d keys in the templates; has the {{t \"…\"}} syntax changed?", n)
	}
	if n := check("*.go", codeKey); n < 5 {
		t.Errorf("found only %d msg./error. keys in the Go code; has the pattern changed?", n)
	}
}
