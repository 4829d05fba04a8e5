package memberimport

import (
	"fmt"
	"strings"
	"unicode"

	"seura.fi/seura/internal/member"
)

// Field is a member card field a column can be imported into, named as in
// member.Member's JSON tags. The empty Field ignores the column.
type Field string

// The fields an import can fill.
const (
	Ignore       Field = ""
	Number       Field = "member_number"
	LastName     Field = "last_name"
	FirstName    Field = "first_name"
	OrgName      Field = "organisation_name"
	BusinessID   Field = "business_id"
	Gender       Field = "gender"
	BirthDate    Field = "birth_date"
	Email        Field = "email"
	ExtraEmails  Field = "extra_emails"
	EmailInvoice Field = "email_invoices"
	Phone        Field = "phone"
	CareOf       Field = "care_of"
	Street       Field = "street"
	Postcode     Field = "postcode"
	Town         Field = "town"
	Municipality Field = "municipality"
	Country      Field = "country"
	Language     Field = "language"
	Status       Field = "status"
	FeeName      Field = "fee" // the name of one of the association's fees
	JoinedOn     Field = "joined_on"
	LeftOn       Field = "left_on"
	Notes        Field = "notes"
)

// customPrefix starts the Field of one of the association's custom fields:
// "custom:" and the field's id. Ids, not names, so that renaming a field
// keeps remembered mappings.
const customPrefix = "custom:"

// CustomTarget is the Field a column is mapped to for the custom field with
// this id.
func CustomTarget(id string) Field { return Field(customPrefix + id) }

// CustomID returns the custom field's id when f is a custom field's target.
func (f Field) CustomID() (string, bool) {
	id, ok := strings.CutPrefix(string(f), customPrefix)
	return id, ok && id != ""
}

// Fields lists every importable field, in the order a mapping form shows
// them.
var Fields = []Field{Number, LastName, FirstName, OrgName, BusinessID, Gender, BirthDate, Email, ExtraEmails,
	EmailInvoice, Phone, CareOf, Street, Postcode, Town, Municipality, Country, Language, Status, FeeName, JoinedOn,
	LeftOn, Notes}

// headings are the column names Suggest recognises, in Finnish, Swedish and
// English, written as fold writes them (lowercase ASCII letters and digits).
var headings = map[Field][]string{
	Number: {"jasennumero", "jasennro", "jasen", "numero", "nro", "medlemsnummer", "medlemsnr", "medlemnummer",
		"membernumber", "memberno", "membernr", "memberid", "number"},
	LastName:  {"sukunimi", "efternamn", "lastname", "surname", "familyname"},
	FirstName: {"etunimi", "etunimet", "fornamn", "firstname", "givenname", "forename"},
	OrgName: {"organisaatio", "organisaationnimi", "yhteiso", "yritys", "organisation", "organisationsnamn",
		"foretag", "organization", "organisationname", "organizationname", "company"},
	BusinessID: {"ytunnus", "foretagsid", "fonummer", "fosignum", "organisationsnummer", "businessid",
		"businessidentitycode", "vatid"},
	Gender:    {"sukupuoli", "kon", "gender", "sex"},
	BirthDate: {"syntymaaika", "syntymapaiva", "syntynyt", "fodelsedatum", "fodelsedag", "fodd", "birthdate", "dateofbirth", "born", "dob"},
	Email: {"sahkoposti", "sahkopostiosoite", "sposti", "epost", "epostadress", "email", "emailaddress", "mail",
		"emailadress"},
	ExtraEmails: {"muutsahkopostit", "muutsahkopostiosoitteet", "lisasahkoposti", "lisasahkopostit", "toinensahkoposti",
		"sahkoposti2", "ovrigaepost", "ovrigaepostadresser", "extraepost", "epost2", "extraemails", "otheremails",
		"additionalemails", "email2"},
	EmailInvoice: {"laskutsahkopostilla", "laskusahkopostilla", "sahkopostilasku", "sahkopostilaskutus",
		"epostfaktura", "fakturapaepost", "fakturaperepost", "emailinvoices", "emailinvoice", "invoicebyemail",
		"invoicesbyemail"},
	Phone: {"puhelin", "puhelinnumero", "matkapuhelin", "puh", "gsm", "kannykka", "telefon", "telefonnummer",
		"mobil", "mobiltelefon", "mobilnummer", "phone", "phonenumber", "mobile", "mobilephone", "telephone", "tel"},
	CareOf: {"co", "careof", "coosoite", "coadress", "coaddress", "vastaanottaja"},
	Street: {"katuosoite", "osoite", "lahiosoite", "postiosoite", "gatuadress", "adress", "postadress", "utdelningsadress",
		"street", "streetaddress", "address"},
	Postcode: {"postinumero", "postinro", "postnummer", "postnr", "postcode", "postalcode", "zip", "zipcode"},
	Town: {"postitoimipaikka", "kaupunki", "paikkakunta", "postort", "ort", "stad", "town",
		"city", "posttown"},
	Municipality: {"kotikunta", "kunta", "kotipaikka", "asuinkunta", "hemkommun", "kommun", "hemort",
		"boendekommun", "municipality", "homemunicipality"},
	Country: {"maa", "land", "country"},
	Language: {"kieli", "asiointikieli", "aidinkieli", "sprak", "modersmal", "korrespondenssprak", "language",
		"lang"},
	Status: {"jasenyydentila", "jasentila", "tila", "medlemsstatus", "status", "medlemskapsstatus",
		"membershipstatus", "memberstatus"},
	FeeName: {"jasenmaksu", "jasenmaksuluokka", "jasenmaksutyyppi", "maksuluokka", "medlemsavgift", "avgift",
		"avgiftsklass", "avgiftstyp", "fee", "membershipfee", "feetype"},
	JoinedOn: {"liittymispaiva", "liittymispvm", "liittynyt", "jasenyysalkanut", "intradesdatum", "intradesdag",
		"medlemsedan", "intradd", "joined", "joinedon", "joindate", "datejoined", "membersince"},
	LeftOn: {"eroamispaiva", "eropaiva", "eronnut", "utradesdatum", "utradd", "left", "lefton", "leavingdate",
		"dateleft"},
	Notes: {"huomautukset", "huomautus", "lisatiedot", "muistiinpanot", "huom", "anteckningar", "anteckning",
		"kommentar", "ovrigt", "notes", "note", "comments", "remarks"},
}

// heading maps a folded column name to its field.
var heading = func() map[string]Field {
	out := map[string]Field{}
	for f, names := range headings {
		for _, n := range names {
			out[n] = f
		}
	}
	return out
}()

// Mapping says, for each column of the file (by index), which field it is
// imported into; Ignore (the empty Field) leaves the column out. It is as
// long as the file's header.
type Mapping []Field

// Suggest proposes a mapping for a header, recognising the usual column
// names in Finnish, Swedish and English whatever their case, spacing,
// punctuation and diacritics ("JÄSENNUMERO", "e-post", "Födelse­datum").
// Unrecognised columns are ignored, and a field claimed by two columns goes
// to the first (so "Puhelin" wins over a later "Matkapuhelin"); the user
// adjusts the result before the import.
func Suggest(header []string) Mapping {
	m := make(Mapping, len(header))
	taken := map[Field]bool{}
	for i, h := range header {
		f, ok := heading[fold(h)]
		if !ok || taken[f] {
			continue
		}
		m[i] = f
		taken[f] = true
	}
	return m
}

// SuggestFor is Suggest for an association with custom fields: a column
// whose heading is a custom field's name (whatever its case, spacing and
// diacritics) goes to that field, before the usual names are recognised,
// since the association chose the name itself.
func SuggestFor(header []string, fields []member.CustomField) Mapping {
	byName := map[string]string{}
	for _, f := range fields {
		if k := fold(f.Name); k != "" {
			if _, dup := byName[k]; !dup {
				byName[k] = f.ID
			}
		}
	}
	m := make(Mapping, len(header))
	taken := map[Field]bool{}
	for i, h := range header {
		if id, ok := byName[fold(h)]; ok && !taken[CustomTarget(id)] {
			m[i] = CustomTarget(id)
			taken[m[i]] = true
		}
	}
	for i, h := range header {
		f, ok := heading[fold(h)]
		if m[i] != Ignore || !ok || taken[f] {
			continue
		}
		m[i] = f
		taken[f] = true
	}
	return m
}

// Check reports the first thing wrong with m for a file with this header:
// a length that differs from the header, an unknown field, or a field
// chosen for two columns. A custom field's target passes when it is well
// formed; whether the association has that field is checked by Plan and
// CheckCustom, which read the fields.
func (m Mapping) Check(header []string) error {
	if len(m) != len(header) {
		return fmt.Errorf("the mapping has %d columns, the file %d", len(m), len(header))
	}
	seen := map[Field]int{}
	for i, f := range m {
		if f == Ignore {
			continue
		}
		if !known(f) {
			return fmt.Errorf("column %q: unknown field %q", header[i], f)
		}
		if j, dup := seen[f]; dup {
			return fmt.Errorf("columns %q and %q are both mapped to %s", header[j], header[i], f)
		}
		seen[f] = i
	}
	return nil
}

// Column returns the index of the column mapped to f, or -1.
func (m Mapping) Column(f Field) int {
	for i, g := range m {
		if g == f && f != Ignore {
			return i
		}
	}
	return -1
}

// CheckCustom reports a column mapped to a custom field the association
// does not have (another association's, or one since deleted).
func (m Mapping) CheckCustom(header []string, fields []member.CustomField) error {
	for i, f := range m {
		id, ok := f.CustomID()
		if ok && customIndex(fields, id) < 0 {
			return fmt.Errorf("column %q: unknown field %q", header[i], f)
		}
	}
	return nil
}

// customIndex is the index of the field with this id in fields, or -1.
func customIndex(fields []member.CustomField, id string) int {
	for i, f := range fields {
		if f.ID == id {
			return i
		}
	}
	return -1
}

func known(f Field) bool {
	if _, ok := f.CustomID(); ok {
		return true
	}
	for _, g := range Fields {
		if g == f {
			return true
		}
	}
	return false
}

// fold reduces a column name to lowercase ASCII letters and digits:
// diacritics are dropped (ä → a, å → a, ö → o, é → e), and white space,
// punctuation and invisible characters (byte order marks, zero-width and
// soft hyphens) disappear.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		case unicode.IsLetter(r):
			if a, ok := plain[r]; ok {
				b.WriteByte(a)
			}
		}
	}
	return b.String()
}

// plain maps the letters with diacritics that appear in Nordic and other
// European headings to their base letter.
var plain = func() map[rune]byte {
	out := map[rune]byte{}
	for base, rs := range map[byte]string{
		'a': "äåáàâãā", 'o': "öøóòôõō", 'u': "üúùûū", 'e': "éèêëē", 'i': "íìîïī", 'c': "çč",
		'n': "ñ", 's': "šś", 'z': "žź", 'y': "ýÿ",
	} {
		for _, r := range rs {
			out[r] = base
		}
	}
	return out
}()
