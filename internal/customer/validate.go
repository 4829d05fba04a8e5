package customer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/valid"
)

// Longest values accepted on the card, in characters (as on a member's).
const (
	maxName   = 100
	maxOrg    = 200
	maxStreet = 200
	maxPlace  = 100
	maxNotes  = 4000
)

// Languages decide the language of invoices: those of members.
var Languages = member.Languages

// FieldError is one problem with one field of a card. Field is the field's
// JSON name (as in Customer's json tags), so a form or a problem+json answer
// can point at it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Problems is the error returned when a card does not validate. Nothing is
// written when it is returned.
type Problems []FieldError

func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Error()
	}
	return "invalid customer card: " + strings.Join(parts, "; ")
}

// Normalize returns the card in canonical form, as a member's card is
// normalised: text trimmed (a typed "c/o" dropped from the c/o line), kind
// and language lowercased (person and fi when empty), country uppercased
// (FI when empty), e-mail lowercased, business ID as NNNNNNN-C, postcode as
// the country's post writes it, phone in E.164 with the mobile flag
// following a Finnish number. Values that do not validate are left trimmed
// for Validate to report.
func (c Customer) Normalize() Customer {
	for _, p := range []*string{&c.FirstName, &c.LastName, &c.OrgName, &c.BusinessID, &c.CareOf, &c.Street,
		&c.Postcode, &c.Town, &c.Phone} {
		*p = strings.TrimSpace(*p)
	}
	c.Notes = strings.TrimSpace(c.Notes)
	if len(c.CareOf) >= 3 && strings.EqualFold(c.CareOf[:3], "c/o") {
		c.CareOf = strings.TrimSpace(c.CareOf[3:])
	}
	for _, p := range []*string{&c.Kind, &c.Language, &c.Email} {
		*p = strings.ToLower(strings.TrimSpace(*p))
	}
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	if c.Kind == "" {
		c.Kind = KindPerson
	}
	if c.Country == "" {
		c.Country = "FI"
	}
	if c.Language == "" {
		c.Language = "fi"
	}
	if id, err := valid.BusinessID("business_id", c.BusinessID); c.BusinessID != "" && err == nil {
		c.BusinessID = id
	}
	if pc, err := valid.Postcode("postcode", c.Country, c.Postcode); c.Postcode != "" && err == nil {
		c.Postcode = pc
	}
	if e, err := valid.Email("email", c.Email); c.Email != "" && err == nil {
		c.Email = e
	}
	if c.Phone == "" {
		c.PhoneMobile = false
	} else if e164, mobile, err := valid.Phone("phone", c.Phone); err == nil {
		c.Phone = e164
		if strings.HasPrefix(e164, "+358") {
			c.PhoneMobile = mobile
		}
	}
	return c
}

// Validate checks a normalised card and returns every problem found (nil
// when there are none).
func (c Customer) Validate() Problems {
	var ps Problems
	add := func(field, msg string) { ps = append(ps, FieldError{Field: field, Message: msg}) }
	check := func(field string, err error) {
		if err != nil {
			add(field, strings.TrimPrefix(err.Error(), field+": "))
		}
	}
	text := func(field, s string, max int, required bool) {
		switch {
		case s == "":
			if required {
				add(field, "required")
			}
		case utf8.RuneCountInString(s) > max:
			_, err := valid.Text(field, s, max)
			check(field, err)
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			add(field, "must be on one line")
		}
	}
	if c.Number < 0 {
		add("customer_number", "must be a positive number")
	}
	switch c.Kind {
	case KindPerson:
		text("last_name", c.LastName, maxName, true)
		if c.BusinessID != "" {
			add("business_id", "only organisations have a business ID")
		}
	case KindOrganisation:
		text("organisation_name", c.OrgName, maxOrg, true)
		text("last_name", c.LastName, maxName, false)
		if c.BusinessID != "" {
			_, err := valid.BusinessID("business_id", c.BusinessID)
			check("business_id", err)
		}
	default:
		add("kind", "must be person or organisation")
	}
	if c.Kind == KindPerson {
		// A person may name the organisation they are invoiced through.
		text("organisation_name", c.OrgName, maxOrg, false)
	}
	text("first_name", c.FirstName, maxName, false)
	text("care_of", c.CareOf, maxName, false)
	text("street", c.Street, maxStreet, false)
	text("town", c.Town, maxPlace, false)
	if utf8.RuneCountInString(c.Notes) > maxNotes {
		add("notes", "at most 4000 characters")
	}
	switch {
	case len(c.Country) != 2 || !member.IsCountry(c.Country):
		add("country", "must be a two-letter country code, like FI")
	case c.Postcode != "":
		_, err := valid.Postcode("postcode", c.Country, c.Postcode)
		check("postcode", err)
	}
	if c.Email != "" {
		_, err := valid.Email("email", c.Email)
		check("email", err)
	}
	if c.EmailInvoices && c.Email == "" {
		add("email_invoices", "needs an e-mail address")
	}
	if c.Phone != "" {
		_, _, err := valid.Phone("phone", c.Phone)
		check("phone", err)
	} else if c.PhoneMobile {
		add("phone_mobile", "needs a phone number")
	}
	if !slices.Contains(Languages, c.Language) {
		add("language", "must be fi, sv or en")
	}
	return ps
}
