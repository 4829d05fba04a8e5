package valid

import "strings"

// businessIDForm is the hint given whenever the shape of a business ID is
// wrong, so people see what to type rather than what went wrong.
const businessIDForm = "use the form 1234567-8"

// BusinessID checks a Finnish business ID (Y-tunnus) and returns it in the
// canonical form "NNNNNNN-C".
//
// People copy the ID from letters and registers with or without the hyphen
// and with stray spaces around it, so both "1234567-8" and "12345678" are
// accepted. IDs issued before 1991 have a six-digit body that is written
// with or without the leading zero, so "123456-7" means "0123456-7"; this is
// only recognised with the hyphen, as seven bare digits could equally be a
// full body that lacks its check digit. The check digit catches most typos,
// which matter because the ID links the association to the trade register.
func BusinessID(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fail(field, "required")
	}
	body, check, hyphen := strings.Cut(s, "-")
	if !hyphen {
		if len(s) != 8 {
			return "", fail(field, businessIDForm)
		}
		body, check = s[:7], s[7:]
	}
	if hyphen && len(body) == 6 {
		body = "0" + body
	}
	if len(body) != 7 || len(check) != 1 || !digits(body) || !digits(check) {
		return "", fail(field, businessIDForm)
	}
	want, ok := businessIDCheck(body)
	if !ok {
		return "", fail(field, "not a valid business ID")
	}
	if check[0] != want {
		return "", fail(field, "check digit does not match, check for a typo")
	}
	return body + "-" + check, nil
}

// businessIDCheck computes the check digit of a seven-digit body: the digits
// are weighted 7, 9, 10, 5, 8, 4, 2 and summed; a remainder mod 11 of 0 gives
// check digit 0, of 1 is never issued (ok is false), else it is 11-remainder.
func businessIDCheck(body string) (check byte, ok bool) {
	weights := [7]int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	switch r := sum % 11; r {
	case 0:
		return '0', true
	case 1:
		return 0, false
	default:
		return byte('0' + 11 - r), true
	}
}
