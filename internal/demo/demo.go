// Package demo generates realistic, deterministic fake members for demos and
// benchmarks.
//
// Generation is streaming: a Generator holds only its random state and a
// small scratch buffer, and each call to Next costs one allocation (the
// email, phone and street strings share one backing string; every other
// string comes from the compiled-in tables). A million members can be
// generated without ever holding more than one at a time.
//
// All addresses use real Finnish postcodes, post towns and municipalities,
// but the street addresses, names and phone numbers are random
// combinations. Phone numbers are drawn from real Finnish mobile ranges
// (Finland has no reserved fictional range), so they may belong to real
// subscribers: never call or text them. Email addresses use only the
// reserved example.fi, example.com and example.org domains.
package demo

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Person is one generated member's card.
type Person struct {
	FirstName, LastName string
	Gender              string    // "man" or "woman", consistent with FirstName
	BirthDate           time.Time // UTC date; age 6..95 on the reference date
	Email               string    // lowercase ASCII, e.g. matti.virtanen+12@example.fi
	Phone               string    // Finnish mobile in E.164, e.g. +358401234567
	Street              string    // e.g. "Mannerheimintie 12 A 5" or "Storgatan 3"
	Postcode            string    // a real Finnish postcode
	Town                string    // post town; Swedish name for Swedish speakers in bilingual municipalities
	Municipality        string    // municipality of residence (Finnish name)
	Language            string    // "fi", "sv" or "en"
	JoinedOn            time.Time // UTC date, on or after the 6th birthday, not after the reference date
	Status              string    // "active", "inactive", "applied" or "deceased"
	LeftOn              time.Time // zero unless Status is "inactive" or "deceased"; then after JoinedOn
}

// Status values.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusApplied  = "applied"
	StatusDeceased = "deceased"
)

// pcgStream is the second PCG seed word; the user seed is the first.
const pcgStream = 0x5E0A_DE30_C0FF_EE01

const (
	minAge = 6
	maxAge = 95
)

// Generator yields people from a seed. The same seed and reference date
// always give the same sequence. A Generator is not safe for concurrent use;
// give each goroutine its own.
type Generator struct {
	src   *rand.PCG
	today int64 // reference date, days since 1970-01-01
	// latest[a] is the latest birth day (days since epoch) of someone who
	// is at least a years old on the reference date.
	latest [maxAge + 2]int64
	n      uint64 // members generated so far
	buf    []byte
}

// New returns a Generator for seed whose members are generated as of the
// calendar date of today (in today's location).
//
// Only math/rand/v2's PCG source is used, with our own derivations on top of
// its raw output, so the sequence does not depend on the Go version.
func New(seed uint64, today time.Time) *Generator {
	y, m, d := today.Date()
	g := &Generator{
		src:   rand.NewPCG(seed, pcgStream),
		today: dayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)),
		buf:   make([]byte, 0, 128),
	}
	for a := minAge; a <= maxAge+1; a++ {
		t := time.Date(y-a, m, d, 0, 0, 0, 0, time.UTC)
		if t.Month() != m { // 29 February in a common year
			t = time.Date(y-a, m+1, 0, 0, 0, 0, 0, time.UTC)
		}
		g.latest[a] = dayOf(t)
	}
	return g
}

// Next generates the next member.
func (g *Generator) Next() Person {
	g.n++
	var p Person

	// Status.
	r := g.intn(1000)
	switch {
	case r < 850:
		p.Status = StatusActive
	case r < 950:
		p.Status = StatusInactive
	case r < 980:
		p.Status = StatusApplied
	default:
		p.Status = StatusDeceased
	}

	// Language, then where the member lives.
	var pl *place
	r = g.intn(1000)
	switch {
	case r < 10:
		p.Language = "en"
		pl = &places[g.pick(placeCumFi)]
	case r < 210:
		p.Language = "sv"
		pl = &places[g.pick(placeCumSv)]
	default:
		p.Language = "fi"
		pl = &places[g.pick(placeCumFi)]
	}
	p.Postcode = pl.postcode
	p.Municipality = pl.municipality
	p.Town = pl.fiTown
	if p.Language == "sv" && pl.svTown != "" {
		p.Town = pl.svTown
	}

	// Name.
	woman := g.intn(100) < 52
	var first, last *nameList
	switch p.Language {
	case "sv":
		first = pickList(woman, &svFemale, &svMale)
		last = &svSur
		if g.intn(100) < 20 {
			last = &fiSur
		}
	case "en":
		first = pickList(woman, &enFemale, &enMale)
		last = &enSur
	default:
		first = pickList(woman, &fiFemale, &fiMale)
		last = &fiSur
		if g.intn(100) < 7 {
			last = &svSur
		}
	}
	p.Gender = "man"
	if woman {
		p.Gender = "woman"
	}
	fi := g.intn(len(first.names))
	li := g.intn(len(last.names))
	p.FirstName, p.LastName = first.names[fi], last.names[li]

	// Birth date.
	ab := &ageBuckets[g.pick(ageCum)]
	if p.Status == StatusDeceased {
		ab = &deceasedAgeBuckets[g.pick(deceasedCum)]
	}
	age := ab.lo + g.intn(ab.hi-ab.lo+1)
	if p.Status == StatusInactive && age == minAge {
		age++ // leave room for joining and leaving
	}
	hi := g.latest[age]
	lo := g.latest[age+1] + 1
	birth := lo + int64(g.intn(int(hi-lo+1)))
	bt := timeOf(birth)
	p.BirthDate = bt
	sixth := dayOf(bt.AddDate(6, 0, 0))

	// Membership dates.
	var joined, left int64
	hasLeft := p.Status == StatusInactive || p.Status == StatusDeceased
	switch p.Status {
	case StatusActive:
		joined = g.today - g.yearsAgo(7, g.today-sixth)
	case StatusApplied:
		joined = g.today - int64(g.intn(int(min(g.today-sixth+1, 45))))
	case StatusInactive:
		joined = g.today - 1 - g.yearsAgo(9, g.today-1-sixth)
		left = g.today - int64(g.intn(int(min(g.today-joined, 3653))))
	case StatusDeceased:
		joined = g.today - 1 - g.yearsAgo(20, g.today-1-sixth)
		left = g.today - int64(g.intn(int(min(g.today-joined, 1827))))
	}
	p.JoinedOn = timeOf(joined)
	if hasLeft {
		p.LeftOn = timeOf(left)
	}

	// Email, phone and street share one allocation.
	b := g.buf[:0]
	switch r := g.intn(100); {
	case r < 75:
		b = append(b, first.ascii[fi]...)
		b = append(b, '.')
		b = append(b, last.ascii[li]...)
	case r < 90:
		b = append(b, first.ascii[fi][0], '.')
		b = append(b, last.ascii[li]...)
	default:
		b = append(b, last.ascii[li]...)
		b = append(b, '.')
		b = append(b, first.ascii[fi]...)
	}
	b = append(b, '+')
	b = strconv.AppendUint(b, g.n, 10)
	switch r := g.intn(10); {
	case r < 7:
		b = append(b, "@example.fi"...)
	case r < 9:
		b = append(b, "@example.com"...)
	default:
		b = append(b, "@example.org"...)
	}
	emailEnd := len(b)

	b = append(b, "+358"...)
	b = append(b, mobilePrefixes[g.pick(mobilePrefixCum)]...)
	b = strconv.AppendInt(b, int64(1_000_000+g.intn(9_000_000)), 10)
	phoneEnd := len(b)

	streets := fiStreets
	if pl.aland || (p.Language == "sv" && pl.svTown != "") {
		streets = svStreets
	}
	b = append(b, streets[g.intn(len(streets))]...)
	b = append(b, ' ')
	house := 1 + g.intn(40)
	if g.intn(100) < 15 {
		house = 1 + g.intn(150)
	}
	b = strconv.AppendInt(b, int64(house), 10)
	if g.intn(100) < 55 { // apartment building
		b = append(b, ' ', stairs[g.pick(stairCum)], ' ')
		apt := 1 + g.intn(20)
		if g.intn(100) < 25 {
			apt = 1 + g.intn(80)
		}
		b = strconv.AppendInt(b, int64(apt), 10)
	}
	g.buf = b

	s := string(b)
	p.Email = s[:emailEnd]
	p.Phone = s[emailEnd:phoneEnd]
	p.Street = s[phoneEnd:]
	return p
}

// yearsAgo returns a number of days in [0, span]: exponentially distributed
// with the given mean in years, or uniform over the span when that overshoots.
func (g *Generator) yearsAgo(meanYears float64, span int64) int64 {
	if span <= 0 {
		return 0
	}
	d := int64(-math.Log(1-g.float()) * meanYears * 365.25)
	if d > span {
		d = int64(g.intn(int(span + 1)))
	}
	return d
}

// intn returns a value in [0, n) for n > 0 (Lemire's multiply-shift; the
// bias is below n/2^64, negligible here).
func (g *Generator) intn(n int) int {
	hi, _ := bits.Mul64(g.src.Uint64(), uint64(n))
	return int(hi)
}

// float returns a value in [0, 1).
func (g *Generator) float() float64 {
	return float64(g.src.Uint64()>>11) / (1 << 53)
}

// pick returns an index weighted by the cumulative weights cum.
func (g *Generator) pick(cum []uint32) int {
	x := uint32(g.intn(int(cum[len(cum)-1])))
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func timeOf(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

type ageBucket struct{ lo, hi, w int }

// More adults than children; few very old members.
var ageBuckets = []ageBucket{
	{6, 12, 7}, {13, 17, 6}, {18, 24, 9}, {25, 34, 14}, {35, 44, 15},
	{45, 54, 15}, {55, 64, 15}, {65, 74, 12}, {75, 84, 6}, {85, 95, 1},
}

var deceasedAgeBuckets = []ageBucket{
	{40, 64, 15}, {65, 74, 30}, {75, 84, 35}, {85, 95, 20},
}

var (
	ageCum      = bucketCum(ageBuckets)
	deceasedCum = bucketCum(deceasedAgeBuckets)
)

func bucketCum(bs []ageBucket) []uint32 {
	c := make([]uint32, len(bs))
	var t uint32
	for i, b := range bs {
		t += uint32(b.w)
		c[i] = t
	}
	return c
}

// Finnish mobile prefixes without the trunk 0, weighted roughly by use.
var (
	mobilePrefixes  = []string{"40", "50", "44", "45", "41", "46"}
	mobilePrefixCum = cumulate([]uint32{30, 30, 15, 10, 8, 7})
	stairs          = []byte{'A', 'B', 'C', 'D'}
	stairCum        = cumulate([]uint32{60, 25, 10, 5})
)

func cumulate(w []uint32) []uint32 {
	c := make([]uint32, len(w))
	var t uint32
	for i, x := range w {
		t += x
		c[i] = t
	}
	return c
}

var (
	placeCumFi = placeCum(func(p *place) uint32 { return p.fiW })
	placeCumSv = placeCum(func(p *place) uint32 { return p.svW })
)

func placeCum(w func(*place) uint32) []uint32 {
	c := make([]uint32, len(places))
	var t uint32
	for i := range places {
		t += w(&places[i])
		c[i] = t
	}
	return c
}

// nameList pairs names with their email-ready ASCII forms.
type nameList struct {
	names []string
	ascii []string
}

func newNameList(names []string) nameList {
	l := nameList{names: names, ascii: make([]string, len(names))}
	for i, n := range names {
		l.ascii[i] = emailASCII(n)
	}
	return l
}

var (
	fiMale   = newNameList(fiMaleNames)
	fiFemale = newNameList(fiFemaleNames)
	svMale   = newNameList(svMaleNames)
	svFemale = newNameList(svFemaleNames)
	enMale   = newNameList(enMaleNames)
	enFemale = newNameList(enFemaleNames)
	fiSur    = newNameList(fiSurnames)
	svSur    = newNameList(svSurnames)
	enSur    = newNameList(enSurnames)
)

func pickList(woman bool, women, men *nameList) *nameList {
	if woman {
		return women
	}
	return men
}

// emailASCII lowercases s and transliterates it to the letters, digits and
// hyphens allowed in an email local part: ä->a, ö->o, å->a, é->e, ü->u,
// ß->ss and so on. Other characters (apostrophes, spaces) are dropped.
func emailASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteString(translit[r])
		}
	}
	return b.String()
}

var translit = map[rune]string{
	'ä': "a", 'å': "a", 'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ā': "a",
	'æ': "ae",
	'ö': "o", 'ø': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'œ': "oe",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ě': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i",
	'ü': "u", 'ú': "u", 'ù': "u", 'û': "u", 'ů': "u",
	'ý': "y", 'ÿ': "y",
	'ç': "c", 'č': "c", 'ć': "c",
	'ñ': "n", 'ń': "n", 'ň': "n",
	'š': "s", 'ś': "s", 'ş': "s", 'ß': "ss",
	'ž': "z", 'ź': "z", 'ż': "z",
	'ł': "l", 'ğ': "g", 'ř': "r", 'ď': "d", 'ť': "t", 'ð': "d", 'þ': "th",
}

// AssociationName returns a realistic association name for index i,
// deterministically: "Demoföreningen rf" for 0, then a varied mix of Finnish
// ("Tampereen Pyöräilijät ry") and Swedish ("Vasa Segelsällskap rf") names.
// Names are unique for every non-negative i: once the town and activity
// combinations run out, a number is added ("Oulun Kuoro 2 ry").
func AssociationName(i int) string {
	if i <= 0 {
		return "Demoföreningen rf"
	}
	nFi := len(assocFiTowns) * len(assocFiKinds)
	nSv := len(assocSvTowns) * len(assocSvKinds)
	total := nFi + nSv
	k, round := (i-1)%total, (i-1)/total
	// Spread consecutive indices over the combinations with a bijection
	// k -> k*step mod total (step is coprime to total).
	k = int(uint64(k) * assocStep(total) % uint64(total))

	var town, kind, suffix string
	if k < nFi {
		town = assocFiTowns[k%len(assocFiTowns)]
		kind = assocFiKinds[k/len(assocFiTowns)]
		suffix = " ry"
	} else {
		k -= nFi
		town = assocSvTowns[k%len(assocSvTowns)]
		kind = assocSvKinds[k/len(assocSvTowns)]
		suffix = " rf"
	}
	name := town + " " + kind
	if round > 0 {
		name += " " + strconv.Itoa(round+1)
	}
	return name + suffix
}

// assocStep returns a multiplier coprime to total, near total times the
// golden ratio's fractional part.
func assocStep(total int) uint64 {
	s := uint64(float64(total)*0.6180339887) | 1
	for gcd(s, uint64(total)) != 1 {
		s += 2
	}
	return s
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
