package postcode

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// builtinTSV is Finland's postcode list the platform table is seeded with;
// data/README.md says where it comes from and under which terms.
//
//go:embed data/fi.tsv
var builtinTSV []byte

// BuiltinDate is the date of the post's file the built-in list was taken
// from; the seeded rows carry it as their updated_at.
const BuiltinDate = "2024-04-13"

// Entry is one postcode of the platform table.
type Entry struct {
	Code string
	// TownFI is the post town in Finnish, as the post prints it.
	TownFI string
	// TownSV is the Swedish name where it differs from the Finnish, or "".
	TownSV string
	// MunicipalityCode is Statistics Finland's three-digit code, or "".
	MunicipalityCode string
	// Municipality is the municipality's Finnish name, or "".
	Municipality string
}

// Builtin returns the embedded postcode list.
func Builtin() ([]Entry, error) {
	entries, err := ParseTSV(bytes.NewReader(builtinTSV))
	if err != nil {
		return nil, fmt.Errorf("built-in postcodes: %w", err)
	}
	return entries, nil
}

// maxLine bounds one line of an imported file, so a file without line
// breaks cannot make the reader hold it whole.
const maxLine = 4096

// ParseTSV reads the tab-separated form of the list: postcode, Finnish
// town, Swedish town, municipality code, municipality, of which only the
// first two are required. Lines starting with # and blank lines are skipped.
// A bad line is reported with its number and nothing is returned, so an
// import is all or nothing.
func ParseTSV(r io.Reader) ([]Entry, error) {
	return parseDelimited(r, '\t')
}

// parseDelimited reads lines of fields separated by sep (tab, semicolon or
// comma), the layout ParseTSV describes. Quotes are not interpreted: post
// town names contain neither separators nor quotes.
func parseDelimited(r io.Reader, sep byte) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxLine)
	var out []Entry
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, string(sep))
		for i := range fields {
			fields[i] = strings.Trim(strings.TrimSpace(fields[i]), `"`)
		}
		if n == 1 && !digitsOnly(fields[0]) {
			continue // a header row
		}
		e, err := entryFromFields(fields)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if prev, dup := seen[e.Code]; dup {
			return nil, fmt.Errorf("line %d: postcode %s already on line %d", n, e.Code, prev)
		}
		seen[e.Code] = n
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read postcode file: %w", err)
	}
	return out, nil
}

func entryFromFields(f []string) (Entry, error) {
	if len(f) < 2 {
		return Entry{}, fmt.Errorf("needs at least a postcode and a town")
	}
	if len(f) > 5 {
		return Entry{}, fmt.Errorf("has %d fields, at most 5 expected", len(f))
	}
	for len(f) < 5 {
		f = append(f, "")
	}
	e := Entry{Code: f[0], TownFI: f[1], TownSV: f[2], MunicipalityCode: f[3], Municipality: f[4]}
	return e, e.check()
}

// check validates an entry from outside: a Finnish postcode, a town, and
// names that fit on an address label.
func (e *Entry) check() error {
	if !ValidCode(e.Code) {
		return fmt.Errorf("postcode must be 5 digits")
	}
	if e.TownSV == e.TownFI {
		e.TownSV = ""
	}
	for _, v := range []struct{ name, s string }{
		{"town", e.TownFI}, {"Swedish town", e.TownSV}, {"municipality", e.Municipality},
	} {
		if !utf8.ValidString(v.s) || strings.ContainsFunc(v.s, isControl) {
			return fmt.Errorf("%s contains characters that are not allowed", v.name)
		}
		if utf8.RuneCountInString(v.s) > MaxTown {
			return fmt.Errorf("%s is longer than %d characters", v.name, MaxTown)
		}
	}
	if e.TownFI == "" {
		return fmt.Errorf("town is missing")
	}
	if e.MunicipalityCode != "" && (len(e.MunicipalityCode) != 3 || !digitsOnly(e.MunicipalityCode)) {
		return fmt.Errorf("municipality code must be 3 digits")
	}
	return nil
}

// MaxTown is the longest town name accepted, in characters; the post's own
// file allows 30.
const MaxTown = 60

// ValidCode reports whether code is a Finnish postcode: five ASCII digits.
func ValidCode(code string) bool { return len(code) == 5 && digitsOnly(code) }

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isControl reports characters that have no place in a name on an address
// label: C0 and C1 controls (line breaks, tabs) and the replacement
// character a badly decoded file leaves.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError
}
