// Package valid checks values typed by people, with errors that name the
// field at fault so forms and the API can point at it.
package valid

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text trims s and requires it to be present and at most max characters.
func Text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%s: required", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", fmt.Errorf("%s: at most %d characters", field, max)
	}
	return s, nil
}
