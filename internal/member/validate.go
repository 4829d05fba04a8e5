package member

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/valid"
)

// Kinds of member.
const (
	KindPerson       = "person"
	KindOrganisation = "organisation"
)

// Genders a person's card may carry ("" when not given).
const (
	GenderMan   = "man"
	GenderWoman = "woman"
)

// Languages decide the language of letters and invoices.
var Languages = []string{"fi", "sv", "en"}

// Longest values accepted on the card, in characters.
const (
	maxName   = 100
	maxOrg    = 200
	maxStreet = 200
	maxPlace  = 100
	maxNotes  = 4000
	// MaxExtraEmails is how many e-mail addresses a card may have besides
	// the primary one.
	MaxExtraEmails = 5
)

// FieldError is one problem with one field of a card. Field is the field's
// JSON name (as in Member's json tags), so a form or a problem+json answer
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
	return "invalid member card: " + strings.Join(parts, "; ")
}

// fieldError turns a validator's "field: reason" error into a FieldError.
func fieldError(field string, err error) FieldError {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, field+": ")
	return FieldError{Field: field, Message: msg}
}

// Normalize returns the card in canonical form: text trimmed (a typed
// "c/o" prefix dropped from the c/o line, which the address adds itself),
// kind, gender, status and language lowercased, country uppercased (FI when
// empty), e-mail addresses lowercased, empty and repeated further addresses
// dropped (the first further one becomes the primary one when that is
// empty), business ID as NNNNNNN-C, postcode as the country's post
// writes it, phone in E.164, and dates as midnight UTC. Values that do not
// validate are left trimmed, for Validate to report. For a Finnish phone
// number the mobile flag follows the number; for other countries (whose
// numbering plans we do not know) the flag given is kept; without a phone it
// is false. Callers normalise before Validate.
func (m Member) Normalize() Member {
	for _, p := range []*string{&m.FirstName, &m.LastName, &m.OrgName, &m.CareOf, &m.Street, &m.Postcode, &m.Town,
		&m.Municipality, &m.Notes, &m.BusinessID, &m.Phone} {
		*p = strings.TrimSpace(*p)
	}
	m.CareOf = trimCareOf(m.CareOf)
	for _, p := range []*string{&m.Kind, &m.Gender, &m.Status, &m.Language, &m.Email} {
		*p = strings.ToLower(strings.TrimSpace(*p))
	}
	m.Country = strings.ToUpper(strings.TrimSpace(m.Country))
	if m.Kind == "" {
		m.Kind = KindPerson
	}
	if m.Country == "" {
		m.Country = "FI"
	}
	if m.Language == "" {
		m.Language = "fi"
	}
	if m.BusinessID != "" {
		if id, err := valid.BusinessID("business_id", m.BusinessID); err == nil {
			m.BusinessID = id
		}
	}
	if m.Postcode != "" {
		if pc, err := valid.Postcode("postcode", m.Country, m.Postcode); err == nil {
			m.Postcode = pc
		}
	}
	if m.Email != "" {
		if e, err := valid.Email("email", m.Email); err == nil {
			m.Email = e
		}
	}
	m.Email, m.ExtraEmails = normalizeExtraEmails(m.Email, m.ExtraEmails)
	if m.Phone == "" {
		m.PhoneMobile = false
	} else if e164, mobile, err := valid.Phone("phone", m.Phone); err == nil {
		m.Phone = e164
		if strings.HasPrefix(e164, "+358") {
			m.PhoneMobile = mobile
		}
	}
	m.BirthDate, m.JoinedOn, m.LeftOn = clock.Date(m.BirthDate), clock.Date(m.JoinedOn), clock.Date(m.LeftOn)
	return m
}

// Validate checks a normalised card against the rules that need no clock
// and returns every problem found (nil when there are none). ValidateAt adds
// the rules about today.
func (m Member) Validate() []FieldError {
	var ps []FieldError
	add := func(field, msg string) { ps = append(ps, FieldError{Field: field, Message: msg}) }
	check := func(field string, err error) {
		if err != nil {
			ps = append(ps, fieldError(field, err))
		}
	}
	if m.Number < 0 {
		add("member_number", "must be a positive number")
	}
	switch m.Status {
	case StatusApplied, StatusActive, StatusInactive, StatusDeceased:
	case "":
		add("status", "required")
	default:
		add("status", "must be applied, active, inactive or deceased")
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
	switch m.Kind {
	case KindPerson:
		text("last_name", m.LastName, maxName, true)
		text("organisation_name", m.OrgName, maxOrg, false)
		if m.BusinessID != "" {
			add("business_id", "only organisations have a business ID")
		}
		switch m.Gender {
		case "", GenderMan, GenderWoman:
		default:
			add("gender", "must be man, woman or empty")
		}
	case KindOrganisation:
		text("organisation_name", m.OrgName, maxOrg, true)
		text("last_name", m.LastName, maxName, false)
		if m.BusinessID != "" {
			_, err := valid.BusinessID("business_id", m.BusinessID)
			check("business_id", err)
		}
		if m.Gender != "" {
			add("gender", "only persons have a gender")
		}
	default:
		add("kind", "must be person or organisation")
	}
	text("first_name", m.FirstName, maxName, false)
	text("care_of", m.CareOf, maxName, false)
	text("street", m.Street, maxStreet, false)
	text("town", m.Town, maxPlace, false)
	text("municipality", m.Municipality, maxPlace, false)
	if utf8.RuneCountInString(m.Notes) > maxNotes {
		add("notes", "at most 4000 characters")
	}
	switch {
	case len(m.Country) != 2 || !asciiUpper(m.Country):
		add("country", "must be a two-letter country code, like FI")
	case !IsCountry(m.Country):
		add("country", "is not a country code in ISO 3166-1")
	case m.Postcode != "":
		_, err := valid.Postcode("postcode", m.Country, m.Postcode)
		check("postcode", err)
	}
	if m.Email != "" {
		_, err := valid.Email("email", m.Email)
		check("email", err)
	}
	ps = append(ps, validateExtraEmails(m.ExtraEmails)...)
	if m.EmailInvoices && m.Email == "" {
		add("email_invoices", "needs an e-mail address")
	}
	if m.Phone != "" {
		_, _, err := valid.Phone("phone", m.Phone)
		check("phone", err)
	} else if m.PhoneMobile {
		add("phone_mobile", "needs a phone number")
	}
	if !slices.Contains(Languages, m.Language) {
		add("language", "must be fi, sv or en")
	}
	for _, d := range []struct {
		field string
		t     time.Time
	}{{"birth_date", m.BirthDate}, {"joined_on", m.JoinedOn}, {"left_on", m.LeftOn}} {
		if !d.t.IsZero() && (d.t.Year() < 1850 || d.t.Year() > 2200) {
			add(d.field, "year must be between 1850 and 2200")
		}
	}
	if !m.JoinedOn.IsZero() && !m.BirthDate.IsZero() && m.JoinedOn.Before(m.BirthDate) {
		add("joined_on", "cannot be before the date of birth")
	}
	if !m.LeftOn.IsZero() {
		switch {
		case m.Status != StatusInactive && m.Status != StatusDeceased:
			add("left_on", "only former and deceased members have a leaving date")
		case !m.JoinedOn.IsZero() && m.LeftOn.Before(m.JoinedOn):
			add("left_on", "cannot be before the joining date")
		}
	}
	return ps
}

// ValidateAt is Validate plus the rules about today (now, as a date in
// Finland): a date of birth cannot be in the future.
func (m Member) ValidateAt(now time.Time) []FieldError {
	ps := m.Validate()
	if !m.BirthDate.IsZero() && m.BirthDate.After(clock.Today(now)) {
		ps = append(ps, FieldError{Field: "birth_date", Message: "cannot be in the future"})
	}
	return ps
}

// trimCareOf drops a "c/o" the user typed before the name: the address
// writes it.
func trimCareOf(s string) string {
	if len(s) >= 3 && strings.EqualFold(s[:3], "c/o") {
		return strings.TrimSpace(s[3:])
	}
	return s
}

// normalizeExtraEmails lowercases and trims the further addresses, drops
// empty ones and repeats (of each other or of the primary), and promotes the
// first further address to primary when there is none.
func normalizeExtraEmails(primary string, extra []string) (string, []string) {
	var out []string
	seen := map[string]bool{}
	for _, e := range extra {
		e = strings.ToLower(strings.TrimSpace(e))
		if ok, err := valid.Email("extra_emails", e); err == nil {
			e = ok
		}
		if e == "" || seen[e] || e == primary {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	if primary == "" && len(out) > 0 {
		primary, out = out[0], out[1:]
	}
	if len(out) == 0 {
		out = nil
	}
	return primary, out
}

// validateExtraEmails checks the further addresses; problems name the
// address by its position (1 is the first further address).
func validateExtraEmails(extra []string) []FieldError {
	var ps []FieldError
	if len(extra) > MaxExtraEmails {
		ps = append(ps, FieldError{Field: "extra_emails",
			Message: "at most " + strconv.Itoa(MaxExtraEmails) + " further addresses"})
	}
	for i, e := range extra {
		if _, err := valid.Email("extra_emails", e); err != nil {
			ps = append(ps, FieldError{Field: "extra_emails",
				Message: "address " + strconv.Itoa(i+1) + ": " + strings.TrimPrefix(err.Error(), "extra_emails: ")})
		}
	}
	return ps
}

func asciiUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Country is one entry of the country list a card offers.
type Country struct{ Code, Name string }

// notISO are codes the language tables know as regions that ISO 3166-1
// only reserves (for the Universal Postal Union and others), or that stand
// for no country at all.
var notISO = map[string]bool{"AC": true, "CP": true, "DG": true, "EA": true, "EU": true, "EZ": true, "IC": true,
	"TA": true, "UN": true}

// countryCodes are the ISO 3166-1 alpha-2 codes of countries and
// territories that have a name in the languages the register speaks,
// sorted. The code table comes with the language tables of
// golang.org/x/text, so it follows ISO changes as that module does.
var countryCodes = func() map[string]language.Region {
	out := map[string]language.Region{}
	names := display.Regions(language.English)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code || r.Canonicalize() != r ||
				names.Name(r) == "" || notISO[code] {
				continue
			}
			out[code] = r
		}
	}
	return out
}()

// IsCountry reports whether code is an ISO 3166-1 alpha-2 code the card
// accepts (uppercase).
func IsCountry(code string) bool {
	_, ok := countryCodes[code]
	return ok
}

// countryLists caches Countries per language: built once, read by every
// form.
var countryLists sync.Map

// Countries lists the countries a card accepts with their names in lang
// (fi, sv or en; others get English), in that language's alphabetical
// order, so a form can offer them as a list to pick from.
func Countries(lang string) []Country {
	if v, ok := countryLists.Load(lang); ok {
		return v.([]Country)
	}
	tag := displayLanguage(lang)
	names := display.Regions(tag)
	out := make([]Country, 0, len(countryCodes))
	for code, r := range countryCodes {
		out = append(out, Country{Code: code, Name: names.Name(r)})
	}
	coll := collate.New(tag)
	slices.SortFunc(out, func(a, b Country) int { return coll.CompareString(a.Name, b.Name) })
	countryLists.Store(lang, out)
	return out
}

// CountryName is code's name in lang, or code itself when it is not a
// known country.
func CountryName(code, lang string) string {
	r, ok := countryCodes[code]
	if !ok {
		return code
	}
	return display.Regions(displayLanguage(lang)).Name(r)
}

func displayLanguage(lang string) language.Tag {
	switch lang {
	case "fi":
		return language.Finnish
	case "sv":
		return language.Swedish
	}
	return language.English
}
