package valid

import "errors"

// fail builds the error every validator returns: "field: reason" on one line
// and without a trailing period, like Text, so a form or the API can show it
// next to the field. Reasons never quote the input, which could hold line
// breaks or markup.
func fail(field, reason string) error {
	return errors.New(field + ": " + reason)
}

// digits reports whether s is non-empty and all ASCII digits. It is used
// instead of unicode.IsDigit because that also accepts digits of other
// scripts (for example Arabic-Indic), which would pass here and then break
// check digits, sorting and strconv.
func digits(s string) bool {
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
