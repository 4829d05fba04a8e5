package demo

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var refDate = time.Date(2025, time.March, 15, 12, 30, 0, 0, time.UTC)

func samePerson(a, b Person) bool {
	return a.FirstName == b.FirstName && a.LastName == b.LastName &&
		a.Gender == b.Gender && a.BirthDate.Equal(b.BirthDate) &&
		a.Email == b.Email && a.Phone == b.Phone && a.Street == b.Street &&
		a.Postcode == b.Postcode && a.Town == b.Town &&
		a.Municipality == b.Municipality && a.Language == b.Language &&
		a.JoinedOn.Equal(b.JoinedOn) && a.Status == b.Status &&
		a.LeftOn.Equal(b.LeftOn)
}

func TestDeterminism(t *testing.T) {
	a, b, c := New(42, refDate), New(42, refDate), New(43, refDate)
	differ := 0
	for i := range 1000 {
		pa, pb, pc := a.Next(), b.Next(), c.Next()
		if !samePerson(pa, pb) {
			t.Fatalf("person %d differs for the same seed:\n%+v\n%+v", i, pa, pb)
		}
		if !samePerson(pa, pc) {
			differ++
		}
	}
	if differ < 990 {
		t.Errorf("seeds 42 and 43 gave %d identical people of 1000", 1000-differ)
	}

	// The time of day and location of the reference date do not matter,
	// only its calendar date.
	hel := time.FixedZone("EET", 2*3600)
	d := New(42, time.Date(2025, time.March, 15, 23, 59, 0, 0, hel))
	e := New(42, refDate)
	for i := range 100 {
		if pd, pe := d.Next(), e.Next(); !samePerson(pd, pe) {
			t.Fatalf("person %d depends on the time of day", i)
		}
	}
}

// Pinned values guard against accidental changes to the sequence (and show
// that it does not depend on the Go version: only the PCG output is used).
func TestStableSequence(t *testing.T) {
	g := New(1, refDate)
	p := g.Next()
	want := Person{
		FirstName: "Anne", LastName: "Seppälä", Gender: "woman",
		BirthDate: time.Date(1969, time.June, 30, 0, 0, 0, 0, time.UTC),
		Email:     "anne.seppala+1@example.fi", Phone: "+358404936133",
		Street: "Kirkkotie 38 B 2", Postcode: "15100", Town: "Lahti",
		Municipality: "Lahti", Language: "fi",
		JoinedOn: time.Date(2019, time.January, 29, 0, 0, 0, 0, time.UTC),
		Status:   StatusActive,
	}
	if !samePerson(p, want) {
		t.Errorf("first person for seed 1:\n got %+v\nwant %+v", p, want)
	}
}

var (
	phoneRE  = regexp.MustCompile(`^\+3584\d{7,9}$|^\+35850\d{6,8}$`)
	emailRE  = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*\+[1-9][0-9]*@example\.(fi|com|org)$`)
	streetRE = regexp.MustCompile(`^\p{L}[\p{L} :-]*\p{L} [1-9]\d*( [A-D] [1-9]\d*)?$`)
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkPerson(t *testing.T, i int, p Person, ref time.Time) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("person %d (%+v): "+format, append([]any{i, p}, args...)...)
	}
	today := time.Date(ref.Year(), ref.Month(), ref.Day(), 0, 0, 0, 0, time.UTC)

	// Names and gender.
	var men, women, surnames []string
	switch p.Language {
	case "fi":
		men, women = fiMaleNames, fiFemaleNames
		surnames = append(append([]string{}, fiSurnames...), svSurnames...)
	case "sv":
		men, women = svMaleNames, svFemaleNames
		surnames = append(append([]string{}, svSurnames...), fiSurnames...)
	case "en":
		men, women, surnames = enMaleNames, enFemaleNames, enSurnames
	default:
		fail("bad language %q", p.Language)
		return
	}
	switch p.Gender {
	case "man":
		if !contains(men, p.FirstName) {
			fail("first name not a %s man's name", p.Language)
		}
	case "woman":
		if !contains(women, p.FirstName) {
			fail("first name not a %s woman's name", p.Language)
		}
	default:
		fail("bad gender")
	}
	if !contains(surnames, p.LastName) {
		fail("unknown surname")
	}

	// Place.
	var pl *place
	for j := range places {
		if places[j].postcode == p.Postcode {
			pl = &places[j]
		}
	}
	if len(p.Postcode) != 5 || strings.Trim(p.Postcode, "0123456789") != "" {
		fail("postcode not 5 digits")
	}
	if pl == nil {
		fail("postcode not in table")
		return
	}
	wantTown := pl.fiTown
	if p.Language == "sv" && pl.svTown != "" {
		wantTown = pl.svTown
	}
	if p.Town != wantTown || p.Municipality != pl.municipality {
		fail("town/municipality %q/%q, want %q/%q", p.Town, p.Municipality, wantTown, pl.municipality)
	}
	if !streetRE.MatchString(p.Street) {
		fail("bad street %q", p.Street)
	}

	// Contact details.
	if !phoneRE.MatchString(p.Phone) || len(p.Phone) > 16 {
		fail("bad phone %q", p.Phone)
	}
	for k := 0; k < len(p.Email); k++ {
		if p.Email[k] >= 0x80 {
			fail("email not ASCII")
			break
		}
	}
	if !emailRE.MatchString(p.Email) {
		fail("bad email %q", p.Email)
	}

	// Dates.
	for _, d := range []time.Time{p.BirthDate, p.JoinedOn, p.LeftOn} {
		if d.IsZero() {
			continue
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			fail("date %v is not a UTC date", d)
		}
	}
	age := today.Year() - p.BirthDate.Year()
	if today.Month() < p.BirthDate.Month() ||
		today.Month() == p.BirthDate.Month() && today.Day() < p.BirthDate.Day() {
		age--
	}
	if age < 6 || age > 95 {
		fail("age %d", age)
	}
	sixth := p.BirthDate.AddDate(6, 0, 0)
	if p.JoinedOn.Before(sixth) {
		fail("joined before 6th birthday %v", sixth)
	}
	if p.JoinedOn.After(today) {
		fail("joined in the future")
	}
	switch p.Status {
	case StatusActive, StatusApplied:
		if !p.LeftOn.IsZero() {
			fail("LeftOn set for %s", p.Status)
		}
	case StatusInactive, StatusDeceased:
		if p.LeftOn.IsZero() {
			fail("LeftOn zero for %s", p.Status)
		}
		if !p.LeftOn.After(p.JoinedOn) {
			fail("left on or before joining")
		}
		if p.LeftOn.After(today) {
			fail("left in the future")
		}
	default:
		fail("bad status")
	}
}

func TestFieldsValid(t *testing.T) {
	refs := []time.Time{
		refDate,
		time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC), // leap day
		time.Date(2023, time.January, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, time.December, 31, 0, 0, 0, 0, time.UTC),
	}
	for r, ref := range refs {
		g := New(uint64(r)*7919+1, ref)
		emails := make(map[string]bool)
		for i := range 20000 {
			p := g.Next()
			checkPerson(t, i, p, ref)
			if emails[p.Email] {
				t.Errorf("duplicate email %q", p.Email)
			}
			emails[p.Email] = true
			if t.Failed() {
				t.FailNow()
			}
		}
	}
}

func TestDistribution(t *testing.T) {
	const n = 10000
	g := New(7, refDate)
	status := map[string]int{}
	lang := map[string]int{}
	gender := map[string]int{}
	svInOstrobothnia, fiInOstrobothnia := 0, 0
	children, old := 0, 0
	for range n {
		p := g.Next()
		status[p.Status]++
		lang[p.Language]++
		gender[p.Gender]++
		if p.Municipality == "Vaasa" || p.Municipality == "Mustasaari" || p.Municipality == "Pietarsaari" {
			if p.Language == "sv" {
				svInOstrobothnia++
			} else {
				fiInOstrobothnia++
			}
		}
		age := refDate.Year() - p.BirthDate.Year()
		if age < 18 {
			children++
		}
		if age > 85 {
			old++
		}
	}
	within := func(what string, got int, want, tol float64) {
		t.Helper()
		f := float64(got) / n
		if f < want-tol || f > want+tol {
			t.Errorf("%s: %.3f, want %.3f±%.3f", what, f, want, tol)
		}
	}
	within("active", status[StatusActive], 0.85, 0.02)
	within("inactive", status[StatusInactive], 0.10, 0.015)
	within("applied", status[StatusApplied], 0.03, 0.01)
	within("deceased", status[StatusDeceased], 0.02, 0.008)
	within("fi", lang["fi"], 0.79, 0.02)
	within("sv", lang["sv"], 0.20, 0.02)
	within("en", lang["en"], 0.01, 0.005)
	within("women", gender["woman"], 0.52, 0.03)
	within("under 18", children, 0.13, 0.03)
	if old == 0 || old > n/50 {
		t.Errorf("%d people over 85", old)
	}
	if svInOstrobothnia <= fiInOstrobothnia {
		t.Errorf("Vaasa/Korsholm/Jakobstad: %d Swedish vs %d Finnish speakers; Swedish should dominate", svInOstrobothnia, fiInOstrobothnia)
	}
	if len(status) != 4 || len(lang) != 3 || len(gender) != 2 {
		t.Errorf("unexpected categories: %v %v %v", status, lang, gender)
	}
}

var localRE = regexp.MustCompile(`^[a-z0-9-]+$`)

func TestData(t *testing.T) {
	lists := []struct {
		name string
		list []string
		min  int
	}{
		{"fiMaleNames", fiMaleNames, 60},
		{"fiFemaleNames", fiFemaleNames, 60},
		{"svMaleNames", svMaleNames, 40},
		{"svFemaleNames", svFemaleNames, 40},
		{"fiSurnames", fiSurnames, 100},
		{"svSurnames", svSurnames, 50},
		{"streets", append(append([]string{}, fiStreets...), svStreets...), 60},
		{"enMaleNames", enMaleNames, 1},
		{"enFemaleNames", enFemaleNames, 1},
		{"enSurnames", enSurnames, 1},
	}
	for _, l := range lists {
		if len(l.list) < l.min {
			t.Errorf("%s has %d entries, want at least %d", l.name, len(l.list), l.min)
		}
		seen := map[string]bool{}
		for _, s := range l.list {
			if !utf8.ValidString(s) || s == "" || strings.TrimSpace(s) != s {
				t.Errorf("%s: bad entry %q", l.name, s)
			}
			if seen[s] {
				t.Errorf("%s: duplicate %q", l.name, s)
			}
			seen[s] = true
			if a := emailASCII(s); !localRE.MatchString(a) {
				if !strings.Contains(l.name, "street") {
					t.Errorf("%s: %q transliterates to %q", l.name, s, a)
				}
			}
		}
	}
	for _, tc := range [][2]string{{"Väinö", "vaino"}, {"Åkerman", "akerman"}, {"Chloé", "chloe"},
		{"Müller", "muller"}, {"O'Brien", "obrien"}, {"Maj-Britt", "maj-britt"}, {"Jääskeläinen", "jaaskelainen"}} {
		if got := emailASCII(tc[0]); got != tc[1] {
			t.Errorf("emailASCII(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}

	if len(places) < 80 {
		t.Errorf("%d places, want at least 80", len(places))
	}
	seen := map[string]bool{}
	var fiW, svW uint32
	for _, p := range places {
		if len(p.postcode) != 5 || strings.Trim(p.postcode, "0123456789") != "" {
			t.Errorf("bad postcode %q", p.postcode)
		}
		if seen[p.postcode] {
			t.Errorf("duplicate postcode %q", p.postcode)
		}
		seen[p.postcode] = true
		for _, s := range []string{p.fiTown, p.svTown, p.municipality} {
			if !utf8.ValidString(s) {
				t.Errorf("%s: invalid UTF-8", p.postcode)
			}
		}
		if p.fiTown == "" || p.municipality == "" || p.fiW == 0 {
			t.Errorf("%s: incomplete entry %+v", p.postcode, p)
		}
		fiW += p.fiW
		svW += p.svW
	}
	for _, want := range []string{"00100", "02100", "33100", "20100", "90100", "65100", "06100", "68600", "22100"} {
		if !seen[want] {
			t.Errorf("postcode %s missing", want)
		}
	}
	if fiW == 0 || svW == 0 {
		t.Error("zero total weight")
	}
}

func TestAssociationName(t *testing.T) {
	if got := AssociationName(0); got != "Demoföreningen rf" {
		t.Errorf("AssociationName(0) = %q", got)
	}
	seen := map[string]int{}
	fi, sv := 0, 0
	for i := range 3000 {
		n := AssociationName(i)
		if n != AssociationName(i) {
			t.Fatalf("AssociationName(%d) not deterministic", i)
		}
		if !utf8.ValidString(n) {
			t.Errorf("AssociationName(%d) invalid UTF-8", i)
		}
		switch {
		case strings.HasSuffix(n, " ry"):
			fi++
		case strings.HasSuffix(n, " rf"):
			sv++
		default:
			t.Errorf("AssociationName(%d) = %q lacks ry/rf", i, n)
		}
		if j, dup := seen[n]; dup {
			t.Errorf("AssociationName(%d) = AssociationName(%d) = %q", i, j, n)
		}
		seen[n] = i
	}
	if fi < 1000 || sv < 500 {
		t.Errorf("%d Finnish and %d Swedish names", fi, sv)
	}
	for i := 1; i <= 5; i++ {
		t.Logf("AssociationName(%d) = %q", i, AssociationName(i))
	}
}

func TestAllocs(t *testing.T) {
	g := New(1, refDate)
	g.Next()
	if a := testing.AllocsPerRun(1000, func() { g.Next() }); a > 2 {
		t.Errorf("Next allocates %.1f times per person", a)
	}
}

var sink Person

func BenchmarkNext(b *testing.B) {
	g := New(1, refDate)
	b.ReportAllocs()
	for b.Loop() {
		sink = g.Next()
	}
}

func BenchmarkMillion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		g := New(1, refDate)
		for range 1_000_000 {
			sink = g.Next()
		}
	}
}
