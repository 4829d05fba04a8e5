package customer

import (
	"slices"

	"seura.fi/seura/internal/member"
)

// Languages decide the language of invoices: those of members.
var Languages = member.Languages

// FieldError is one problem with one field of a card; Field is the field's
// JSON name, as in Customer's json tags. A customer's card follows the
// member card's rules, so the problems are the member card's too.
type FieldError = member.FieldError

// Problems is the error returned when a card does not validate. Nothing is
// written when it is returned.
type Problems = member.Problems

// cardFields are the member card's fields a customer's card has; the
// member card's other rules (status, gender, birth date …) do not apply.
var cardFields = []string{"kind", "first_name", "last_name", "organisation_name", "business_id", "care_of", "street",
	"postcode", "town", "country", "email", "email_invoices", "phone", "phone_mobile", "language", "notes"}

// asMember is the customer's card as a member's, whose rules it shares: an
// Active member, so that nothing of a membership is asked.
func (c Customer) asMember() member.Member {
	return member.Member{Number: 1, Status: member.StatusActive, Kind: c.Kind, FirstName: c.FirstName,
		LastName: c.LastName, OrgName: c.OrgName, BusinessID: c.BusinessID, CareOf: c.CareOf, Street: c.Street,
		Postcode: c.Postcode, Town: c.Town, Country: c.Country, Email: c.Email, EmailInvoices: c.EmailInvoices,
		Phone: c.Phone, PhoneMobile: c.PhoneMobile, Language: c.Language, Notes: c.Notes}
}

// Normalize returns the card in canonical form, exactly as a member's card
// is normalised (member.Member.Normalize): text trimmed, a typed "c/o"
// dropped, person, fi and FI when empty, business ID as NNNNNNN-C,
// postcode as the country's post writes it, phone in E.164. Values that do
// not validate are left trimmed for Validate to report.
func (c Customer) Normalize() Customer {
	m := c.asMember().Normalize()
	c.Kind, c.FirstName, c.LastName, c.OrgName, c.BusinessID = m.Kind, m.FirstName, m.LastName, m.OrgName, m.BusinessID
	c.CareOf, c.Street, c.Postcode, c.Town, c.Country = m.CareOf, m.Street, m.Postcode, m.Town, m.Country
	c.Email, c.EmailInvoices, c.Phone, c.PhoneMobile = m.Email, m.EmailInvoices, m.Phone, m.PhoneMobile
	c.Language, c.Notes = m.Language, m.Notes
	return c
}

// Validate checks a normalised card by the member card's rules for the
// fields a customer has, and returns every problem found (nil when there
// are none).
func (c Customer) Validate() Problems {
	var ps Problems
	if c.Number < 0 {
		ps = append(ps, FieldError{Field: "customer_number", Message: "must be a positive number"})
	}
	for _, p := range c.asMember().Validate() {
		if slices.Contains(cardFields, p.Field) {
			ps = append(ps, p)
		}
	}
	return ps
}
