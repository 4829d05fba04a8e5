package valid

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Email checks an e-mail address and returns it trimmed and lowercased.
//
// The whole address is lowercased, not only the domain: accounts and member
// records are keyed by it, people type both "Matti@" and "matti@", and in
// practice mail providers deliver both to the same mailbox.
//
// The check is deliberately narrower than RFC 5322, because the address is
// used as a key and put into mail headers:
//   - exactly one @ and at most 254 characters (the SMTP limit);
//   - no display name, angle brackets, commas, semicolons, spaces or line
//     breaks, which would let one field carry several recipients or extra
//     headers;
//   - the part before @ is at most 64 ASCII letters, digits and
//     !#$%&'*+-/=?^_`{|}~ separated by single dots (an RFC 5322 dot-atom);
//     quoted local parts and other specials are refused;
//   - the domain has at least two dot-separated labels of letters, ASCII
//     digits and inner hyphens, at most 63 characters each, and the last one
//     is not all digits. Letters may be Unicode, so internationalised
//     domains ("info@hyvä-seura.fi") are kept as typed. Combining
//     marks are refused: without Unicode normalisation an "ä" typed as "a"
//     plus a mark would be a second key for the same address.
func Email(field, s string) (string, error) {
	e, reason := email(s)
	if reason != "" {
		return "", fail(field, reason)
	}
	return e, nil
}

// Emails checks a list of addresses as people paste them, separated by
// commas, semicolons, spaces or line breaks, and returns them checked as by
// Email, with duplicates dropped and the order kept. An error names the
// position of the first bad address.
func Emails(field, s string) ([]string, error) {
	if strings.ContainsAny(s, "<>") {
		return nil, fail(field, "write only the addresses, without names or <>")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
	if len(parts) == 0 {
		return nil, fail(field, "required")
	}
	out := make([]string, 0, len(parts))
	seen := make(map[string]bool, len(parts))
	for i, p := range parts {
		e, reason := email(p)
		if reason != "" {
			return nil, fail(field, "address "+strconv.Itoa(i+1)+": "+reason)
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// email does the work of Email, returning the reason for refusal, if any.
func email(s string) (string, string) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", "required"
	case strings.ContainsAny(s, "<>"):
		return "", "write only the address, without a name or <>"
	case strings.ContainsAny(s, ",;"):
		return "", "only one address"
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", "must not contain spaces or line breaks"
	case utf8.RuneCountInString(s) > 254:
		return "", "at most 254 characters"
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", "must contain one @"
	}
	if reason := emailLocal(local); reason != "" {
		return "", reason
	}
	if reason := emailDomain(domain); reason != "" {
		return "", reason
	}
	return s, ""
}

// emailLocal checks the part before the @.
func emailLocal(local string) string {
	switch {
	case local == "":
		return "missing the part before @"
	case len(local) > 64:
		return "the part before @ is too long"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "the part before @ cannot start or end with a dot or have two dots in a row"
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte(".!#$%&'*+-/=?^_`{|}~", c) >= 0
		if !ok {
			return "the part before @ has a character not allowed in addresses"
		}
	}
	return ""
}

// emailDomain checks the part after the @.
func emailDomain(domain string) string {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "the domain after @ needs a dot, like example.fi"
	}
	for _, l := range labels {
		if l == "" || utf8.RuneCountInString(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "the domain after @ is not valid"
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && (r < '0' || r > '9') && r != '-' {
				return "the domain after @ has a character not allowed in domain names"
			}
		}
	}
	if digits(labels[len(labels)-1]) {
		return "the domain after @ must end in a name, like .fi"
	}
	return ""
}
