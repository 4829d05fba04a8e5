package valid

import (
	"strings"
	"unicode"
)

// Phone checks a phone number and returns it in E.164 form ("+358401234567")
// so that numbers can be compared, deduplicated and dialled or texted by
// machines, together with whether it is a Finnish mobile number (the ones
// text messages can go to).
//
// Finnish numbers are accepted as people write them: with the trunk 0
// ("040 123 4567", "(09) 123 4567", "09/123 4567"), with +358 or the
// international prefix 00, and with spaces, hyphens, dots, slashes and
// parentheses between the digits. Finnish mobile numbers are those starting
// 04x or 050 (+3584x, +35850); Åland's +35818 is a landline.
//
// Other countries must be given as "+CC…" (or "00CC…"): without a country
// code a number is taken to be Finnish. They are accepted if they have 8 to
// 15 digits in all, the E.164 limit, and their mobile flag is always false,
// since telling mobiles apart needs each country's numbering plan.
//
// A 0 right after +358 is refused: it is the trunk prefix written by
// mistake ("+358 040…" or "+358 (0)40…") and such numbers cannot be dialled.
// It is not refused for other countries, because in some (Italy, Côte
// d'Ivoire) the 0 is part of the number.
func Phone(field, s string) (e164 string, mobile bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false, fail(field, "required")
	}
	n, ok := phoneDigits(s)
	if !ok {
		return "", false, fail(field, "may only contain digits, a leading +, spaces, hyphens and parentheses")
	}
	switch {
	case strings.HasPrefix(n, "+"):
		n = n[1:]
	case strings.HasPrefix(n, "00"):
		n = n[2:]
	case strings.HasPrefix(n, "0"):
		n = "358" + n[1:]
	default:
		return "", false, fail(field, "must start with + and the country code, or with 0 and the area or mobile code")
	}
	if len(n) < 8 || len(n) > 15 {
		return "", false, fail(field, "must have 8 to 15 digits including the country code")
	}
	if n[0] == '0' {
		return "", false, fail(field, "country code cannot start with 0")
	}
	nsn, finnish := strings.CutPrefix(n, "358")
	if finnish && nsn[0] == '0' {
		return "", false, fail(field, "leave out the 0 after +358")
	}
	mobile = finnish && (nsn[0] == '4' || strings.HasPrefix(nsn, "50"))
	return "+" + n, mobile, nil
}

// phoneDigits drops the separators people put in phone numbers and returns
// the digits, with the + kept if it came first. It fails on anything else,
// such as letters, extensions or a + in the middle.
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-', r == '.', r == '/', r == '(', r == ')', unicode.IsSpace(r):
		default:
			return "", false
		}
	}
	return b.String(), true
}
