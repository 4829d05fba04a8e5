package valid

import "strings"

// Postcode checks a postal code for the given country (an ISO 3166-1
// alpha-2 code; empty means Finland, where nearly all members live) and
// returns it in the form the country's post prints on letters, so that
// address labels and duplicate checks see one spelling.
//
//   - FI: five digits, as Posti uses them ("00100").
//   - AX: Åland has its own country code but Finnish postcodes, all 22xxx.
//   - SE: five digits, written "NNN NN" ("114 55"); people type either
//     form. Swedish codes never begin with 0.
//   - others: we do not know every country's rules, so accept 1–10 ASCII
//     letters, digits, spaces and hyphens (with at least one letter or
//     digit), uppercase them and collapse runs of spaces, which covers
//     formats such as "SW1A 1AA", "10115" and "1010-001".
func Postcode(field, country, s string) (string, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fail(field, "required")
	}
	switch country {
	case "", "FI":
		if len(s) != 5 || !digits(s) {
			return "", fail(field, "must be 5 digits")
		}
		return s, nil
	case "AX":
		if len(s) != 5 || !digits(s) || !strings.HasPrefix(s, "22") {
			return "", fail(field, "must be 5 digits starting with 22")
		}
		return s, nil
	case "SE":
		if len(s) == 6 && s[3] == ' ' {
			s = s[:3] + s[4:]
		}
		if len(s) != 5 || !digits(s) || s[0] == '0' {
			return "", fail(field, "must be 5 digits, like 114 55")
		}
		return s[:3] + " " + s[3:], nil
	}
	if len(country) != 2 || !asciiLetters(country) {
		return "", fail(field, "country must be a two-letter code")
	}
	return otherPostcode(field, s)
}

// otherPostcode applies the loose rule for countries without a specific one.
func otherPostcode(field, s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	alnum := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			alnum = true
		case r == ' ', r == '-':
		default:
			return "", fail(field, "may only contain letters, digits, spaces and hyphens")
		}
	}
	if !alnum || len(s) > 10 {
		return "", fail(field, "must be 1 to 10 letters or digits")
	}
	return strings.ToUpper(s), nil
}

// asciiLetters reports whether s is all ASCII letters.
func asciiLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
