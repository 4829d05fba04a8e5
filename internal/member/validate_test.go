package member_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/member"
)

// now is the reference time validation tests run at.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func person() member.Member {
	return member.Member{Status: member.StatusActive, FirstName: "Matti", LastName: "Virtanen"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*member.Member)
		field string // "" when the card is valid
		msg   string // substring of the message
	}{
		{name: "minimal person", edit: func(*member.Member) {}},
		{name: "no first name", edit: func(m *member.Member) { m.FirstName = "" }},
		{name: "no last name", edit: func(m *member.Member) { m.LastName = "  " }, field: "last_name", msg: "required"},
		{name: "long last name", edit: func(m *member.Member) { m.LastName = strings.Repeat("a", 101) }, field: "last_name", msg: "at most 100"},
		{name: "line break in name", edit: func(m *member.Member) { m.FirstName = "Matti\nBcc" }, field: "first_name", msg: "one line"},
		{name: "no status", edit: func(m *member.Member) { m.Status = "" }, field: "status", msg: "required"},
		{name: "unknown status", edit: func(m *member.Member) { m.Status = "passive" }, field: "status", msg: "must be"},
		{name: "status in capitals", edit: func(m *member.Member) { m.Status = " Active " }},
		{name: "unknown kind", edit: func(m *member.Member) { m.Kind = "robot" }, field: "kind"},
		{name: "gender woman", edit: func(m *member.Member) { m.Gender = "woman" }},
		{name: "gender other", edit: func(m *member.Member) { m.Gender = "f" }, field: "gender"},
		{name: "person with business ID", edit: func(m *member.Member) { m.BusinessID = "0112038-9" }, field: "business_id", msg: "only organisations"},

		{name: "organisation", edit: func(m *member.Member) {
			*m = member.Member{Kind: "organisation", Status: "active", OrgName: "Nokia Oyj", BusinessID: "01120389"}
		}},
		{name: "organisation without name", edit: func(m *member.Member) {
			*m = member.Member{Kind: "organisation", Status: "active", LastName: "Virtanen"}
		}, field: "organisation_name", msg: "required"},
		{name: "organisation with gender", edit: func(m *member.Member) {
			*m = member.Member{Kind: "organisation", Status: "active", OrgName: "Oy", Gender: "man"}
		}, field: "gender"},
		{name: "Y-tunnus with a wrong check digit", edit: func(m *member.Member) {
			*m = member.Member{Kind: "organisation", Status: "active", OrgName: "Nokia Oyj", BusinessID: "0112038-8"}
		}, field: "business_id", msg: "check digit"},
		{name: "Y-tunnus remainder 1", edit: func(m *member.Member) {
			*m = member.Member{Kind: "organisation", Status: "active", OrgName: "X", BusinessID: "0000006-0"}
		}, field: "business_id", msg: "not a valid"},

		{name: "Finnish postcode", edit: func(m *member.Member) { m.Postcode = " 00100 " }},
		{name: "bad Finnish postcode", edit: func(m *member.Member) { m.Postcode = "0010" }, field: "postcode", msg: "5 digits"},
		{name: "letters in Finnish postcode", edit: func(m *member.Member) { m.Postcode = "FI-00100" }, field: "postcode"},
		{name: "Swedish postcode", edit: func(m *member.Member) { m.Country = "se"; m.Postcode = "11455" }},
		{name: "bad Swedish postcode", edit: func(m *member.Member) { m.Country = "SE"; m.Postcode = "01455" }, field: "postcode"},
		{name: "Åland postcode outside 22", edit: func(m *member.Member) { m.Country = "AX"; m.Postcode = "00100" }, field: "postcode"},
		{name: "bad country", edit: func(m *member.Member) { m.Country = "Finland" }, field: "country"},

		{name: "phone", edit: func(m *member.Member) { m.Phone = "040 123 4567" }},
		{name: "phone with letters", edit: func(m *member.Member) { m.Phone = "040 CALL ME" }, field: "phone"},
		{name: "phone +358 0", edit: func(m *member.Member) { m.Phone = "+358 040 123 4567" }, field: "phone", msg: "leave out the 0"},
		{name: "mobile flag without phone", edit: func(m *member.Member) { m.PhoneMobile = true }},
		{name: "email", edit: func(m *member.Member) { m.Email = " Matti@Example.FI " }},
		{name: "two emails", edit: func(m *member.Member) { m.Email = "a@x.fi, b@x.fi" }, field: "email", msg: "only one"},
		{name: "bad email", edit: func(m *member.Member) { m.Email = "matti@localhost" }, field: "email"},
		{name: "language sv", edit: func(m *member.Member) { m.Language = "SV" }},
		{name: "language de", edit: func(m *member.Member) { m.Language = "de" }, field: "language"},

		{name: "birth date today", edit: func(m *member.Member) { m.BirthDate = date(2026, 3, 2) }},
		{name: "birth date in the future", edit: func(m *member.Member) { m.BirthDate = date(2026, 3, 3) }, field: "birth_date", msg: "future"},
		{name: "birth year 1800", edit: func(m *member.Member) { m.BirthDate = date(1800, 1, 1) }, field: "birth_date"},
		{name: "joined before birth", edit: func(m *member.Member) {
			m.BirthDate, m.JoinedOn = date(1990, 5, 1), date(1990, 4, 30)
		}, field: "joined_on", msg: "before the date of birth"},
		{name: "joined on birth day", edit: func(m *member.Member) { m.BirthDate, m.JoinedOn = date(1990, 5, 1), date(1990, 5, 1) }},
		{name: "left_on on an active member", edit: func(m *member.Member) { m.LeftOn = date(2025, 1, 1) }, field: "left_on", msg: "only former"},
		{name: "left_on on an applicant", edit: func(m *member.Member) { m.Status = "applied"; m.LeftOn = date(2025, 1, 1) }, field: "left_on"},
		{name: "left_on on a former member", edit: func(m *member.Member) { m.Status = "inactive"; m.LeftOn = date(2025, 1, 1) }},
		{name: "left before joining", edit: func(m *member.Member) {
			m.Status, m.JoinedOn, m.LeftOn = "deceased", date(2020, 1, 1), date(2019, 1, 1)
		}, field: "left_on", msg: "before the joining date"},
		{name: "negative number", edit: func(m *member.Member) { m.Number = -1 }, field: "member_number"},

		{name: "c/o", edit: func(m *member.Member) { m.CareOf = " c/o Virtanen " }},
		{name: "long c/o", edit: func(m *member.Member) { m.CareOf = strings.Repeat("a", 101) }, field: "care_of", msg: "at most 100"},
		{name: "c/o on two lines", edit: func(m *member.Member) { m.CareOf = "Virtanen\nBcc" }, field: "care_of", msg: "one line"},
		{name: "further e-mail addresses", edit: func(m *member.Member) {
			m.Email, m.ExtraEmails = "a@example.fi", []string{" B@Example.fi ", "", "c@example.fi"}
		}},
		{name: "bad further address", edit: func(m *member.Member) {
			m.Email, m.ExtraEmails = "a@example.fi", []string{"b@example.fi", "c@localhost"}
		}, field: "extra_emails", msg: "address 2"},
		{name: "two addresses in one further address", edit: func(m *member.Member) {
			m.Email, m.ExtraEmails = "a@example.fi", []string{"b@example.fi, c@example.fi"}
		}, field: "extra_emails", msg: "address 1"},
		{name: "six further addresses", edit: func(m *member.Member) {
			m.Email = "a@example.fi"
			for i := range 6 {
				m.ExtraEmails = append(m.ExtraEmails, fmt.Sprintf("x%d@example.fi", i))
			}
		}, field: "extra_emails", msg: "at most 5"},
		{name: "five further addresses", edit: func(m *member.Member) {
			m.Email = "a@example.fi"
			for i := range 5 {
				m.ExtraEmails = append(m.ExtraEmails, fmt.Sprintf("x%d@example.fi", i))
			}
		}},
		{name: "invoices by e-mail", edit: func(m *member.Member) { m.Email, m.EmailInvoices = "a@example.fi", true }},
		{name: "invoices by e-mail without address", edit: func(m *member.Member) { m.EmailInvoices = true }, field: "email_invoices", msg: "needs an e-mail address"},
		{name: "invoices by e-mail to a further address", edit: func(m *member.Member) {
			m.ExtraEmails, m.EmailInvoices = []string{"b@example.fi"}, true
		}},
		{name: "country code in lowercase", edit: func(m *member.Member) { m.Country = "de" }},
		{name: "Åland", edit: func(m *member.Member) { m.Country = "AX" }},
		{name: "no such country", edit: func(m *member.Member) { m.Country = "XX" }, field: "country", msg: "ISO 3166-1"},
		{name: "former country", edit: func(m *member.Member) { m.Country = "SU" }, field: "country", msg: "ISO 3166-1"},
		{name: "municipality not required", edit: func(m *member.Member) { m.Municipality = "" }},
		{name: "municipality", edit: func(m *member.Member) { m.Municipality = "Kauniainen" }},
		{name: "long municipality", edit: func(m *member.Member) { m.Municipality = strings.Repeat("a", 101) }, field: "municipality", msg: "at most 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := person()
			tt.edit(&m)
			ps := m.Normalize().ValidateAt(now)
			if tt.field == "" {
				if len(ps) != 0 {
					t.Fatalf("want valid, got %v", member.Problems(ps))
				}
				return
			}
			if len(ps) != 1 || ps[0].Field != tt.field || !strings.Contains(ps[0].Message, tt.msg) {
				t.Fatalf("want one problem on %s containing %q, got %#v", tt.field, tt.msg, ps)
			}
			if strings.HasPrefix(ps[0].Message, tt.field) {
				t.Fatalf("message repeats the field name: %q", ps[0].Message)
			}
		})
	}
}

// TestValidateWithoutClock: Validate alone has no clock, so only ValidateAt
// refuses a future date of birth.
func TestValidateWithoutClock(t *testing.T) {
	m := person()
	m.BirthDate = now.AddDate(1, 0, 0)
	if ps := m.Normalize().Validate(); len(ps) != 0 {
		t.Fatalf("Validate: %v", ps)
	}
	if ps := m.Normalize().ValidateAt(now); len(ps) != 1 {
		t.Fatalf("ValidateAt: %v", ps)
	}
}

// TestBirthDateFutureInFinland: "today" is Finland's date, two or three
// hours ahead of UTC.
func TestBirthDateFutureInFinland(t *testing.T) {
	m := person()
	m.BirthDate = date(2026, 3, 3)
	lateUTC := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC) // already 3.3. in Helsinki
	if ps := m.Normalize().ValidateAt(lateUTC); len(ps) != 0 {
		t.Fatalf("born today in Finland refused: %v", ps)
	}
}

func TestNormalize(t *testing.T) {
	in := member.Member{Kind: " Organisation ", Status: "ACTIVE", OrgName: "  Nokia Oyj ", BusinessID: " 01120389 ",
		Email: " Info@Nokia.COM ", Phone: "040-123 45 67", Postcode: " 02610 ", Country: "",
		Language: " SV ", Street: " Karakaari 7 ", BirthDate: time.Date(1990, 5, 1, 22, 30, 0, 0, time.UTC)}
	got := in.Normalize()
	want := member.Member{Kind: "organisation", Status: "active", OrgName: "Nokia Oyj", BusinessID: "0112038-9",
		Email: "info@nokia.com", Phone: "+358401234567", PhoneMobile: true, Postcode: "02610", Country: "FI",
		Language: "sv", Street: "Karakaari 7", BirthDate: date(1990, 5, 1)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Normalize:\n got %+v\nwant %+v", got, want)
	}
	if again := got.Normalize(); !reflect.DeepEqual(again, got) {
		t.Fatalf("Normalize is not idempotent: %+v", again)
	}
}

func TestPhoneMobileFlag(t *testing.T) {
	tests := []struct {
		phone   string
		given   bool
		e164    string
		mobile  bool
		comment string
	}{
		{"040 123 4567", false, "+358401234567", true, "Finnish mobile"},
		{"050-123 4567", false, "+358501234567", true, "Finnish mobile 050"},
		{"+358 44 123 4567", false, "+358441234567", true, "international form"},
		{"(09) 123 4567", true, "+35891234567", false, "Helsinki landline: the flag follows the number"},
		{"+46 70 123 45 67", true, "+46701234567", true, "foreign: the flag given is kept"},
		{"+46 8 123 456 78", false, "+46812345678", false, "foreign landline"},
		{"", true, "", false, "no phone, no mobile"},
	}
	for _, tt := range tests {
		m := person()
		m.Phone, m.PhoneMobile = tt.phone, tt.given
		got := m.Normalize()
		if got.Phone != tt.e164 || got.PhoneMobile != tt.mobile {
			t.Errorf("%s (%q): got %q mobile %v, want %q mobile %v", tt.comment, tt.phone, got.Phone, got.PhoneMobile, tt.e164, tt.mobile)
		}
	}
}

func TestProblemsIsAnError(t *testing.T) {
	var err error = member.Problems{{Field: "last_name", Message: "required"}, {Field: "email", Message: "only one address"}}
	var ps member.Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatal("errors.As does not find Problems")
	}
	if msg := err.Error(); !strings.Contains(msg, "last_name: required") || !strings.Contains(msg, "email: only one address") {
		t.Fatalf("message %q", msg)
	}
}

func TestNormalizeCardAdditions(t *testing.T) {
	tests := []struct {
		name       string
		email      string
		extra      []string
		careOf     string
		wantEmail  string
		wantExtra  []string
		wantCareOf string
	}{
		{name: "kept", email: "a@example.fi", extra: []string{"b@example.fi"}, wantEmail: "a@example.fi",
			wantExtra: []string{"b@example.fi"}},
		{name: "lowercased, empty and repeats dropped", email: "A@Example.fi",
			extra: []string{" B@example.FI", "", "a@example.fi", "b@example.fi"}, wantEmail: "a@example.fi",
			wantExtra: []string{"b@example.fi"}},
		{name: "first further address becomes primary", extra: []string{"b@example.fi", "c@example.fi"},
			wantEmail: "b@example.fi", wantExtra: []string{"c@example.fi"}},
		{name: "only empty further addresses", extra: []string{" ", ""}},
		{name: "c/o prefix dropped", careOf: "C/O  Virtanen ", wantCareOf: "Virtanen"},
		{name: "c/o without prefix", careOf: " Matti Virtanen", wantCareOf: "Matti Virtanen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := person()
			m.Email, m.ExtraEmails, m.CareOf = tt.email, tt.extra, tt.careOf
			got := m.Normalize()
			if got.Email != tt.wantEmail || !reflect.DeepEqual(got.ExtraEmails, tt.wantExtra) || got.CareOf != tt.wantCareOf {
				t.Fatalf("got %q %q %q, want %q %q %q", got.Email, got.ExtraEmails, got.CareOf,
					tt.wantEmail, tt.wantExtra, tt.wantCareOf)
			}
			if again := got.Normalize(); !reflect.DeepEqual(again, got) {
				t.Fatalf("not idempotent: %+v", again)
			}
		})
	}
}

func TestCountries(t *testing.T) {
	for _, lang := range []string{"fi", "sv", "en"} {
		cs := member.Countries(lang)
		if len(cs) < 240 || len(cs) > 260 {
			t.Fatalf("%s: %d countries", lang, len(cs))
		}
		at := map[string]int{}
		for i, c := range cs {
			if c.Name == "" || !member.IsCountry(c.Code) {
				t.Fatalf("%s: %+v", lang, c)
			}
			at[c.Code] = i
		}
		for _, code := range []string{"FI", "SE", "AX", "EE", "NO", "DE", "US"} {
			if _, ok := at[code]; !ok {
				t.Errorf("%s: %s missing", lang, code)
			}
		}
		// Å comes after Z in Swedish order, not next to A.
		if lang == "sv" && at["AX"] < at["ZW"] {
			t.Errorf("sv: Åland sorted before Zimbabwe: %d < %d", at["AX"], at["ZW"])
		}
	}
	for _, tt := range []struct{ code, lang, want string }{
		{"SE", "fi", "Ruotsi"}, {"FI", "sv", "Finland"}, {"DE", "en", "Germany"}, {"AX", "fi", "Ahvenanmaa"},
		{"XX", "fi", "XX"},
	} {
		if got := member.CountryName(tt.code, tt.lang); got != tt.want {
			t.Errorf("CountryName(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}
