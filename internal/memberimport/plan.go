// Package memberimport imports members from a spreadsheet, all or nothing,
// with a dry run first.
//
// The layers: importfile turns the uploaded bytes into a Table of trimmed
// strings; Suggest proposes which column goes into which card field and the
// user corrects it (a Mapping; Recall offers the one the association chose
// for its last file with the same headings); Plan is the dry run, which says
// for every row whether it would create a member, update one (and which
// fields), leave one unchanged, or has a problem (with the file's row
// number, the column and the reason); Commit does the same inside the write transaction and
// writes only when no row has a problem. Re-running an import never creates
// duplicates: rows are matched to existing members by member number, else by
// e-mail, else by name and date of birth, and an unchanged file imports as
// all Unchanged.
//
// Rules the import follows, beyond the member card's own:
//   - Empty cells never erase: an update changes only the fields whose cells
//     have a value. Clearing a field is done on the card.
//   - Statuses are not changed by an import: a row whose status differs from
//     the member's is a problem (status changes have their own rules and
//     history, see member.ChangeStatus). New rows without a status column
//     or value are Active.
//   - Only Active members can be edited: a row that would change a card of
//     a member who is not Active is a problem.
//   - Values that a spreadsheet could take for a formula are refused (see
//     importfile.LooksLikeFormula), except phone numbers written "+358 …".
//   - The fee column names one of the association's fees; a row without
//     one leaves a new member the default fee (see fee.go).
package memberimport

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// Action is what the import does with one row.
type Action string

// Actions.
const (
	New       Action = "new"       // creates a member
	Update    Action = "update"    // changes an existing member's card
	Unchanged Action = "unchanged" // matches a member whose card already says the same
	Skip      Action = "skip"      // the row is empty (in the mapped columns)
	Problem   Action = "problem"   // the row cannot be imported; see Result.Problems
)

// RowOutcome is what happens to one data row of the file.
type RowOutcome struct {
	// Row is the row's line number in the file (Table.RowNumbers).
	Row    int    `json:"row"`
	Action Action `json:"action"`
	// MemberNumber is the member the row matched, or for a new row the
	// number it gets; 0 for skipped rows and for problem rows that matched
	// nobody.
	MemberNumber int64 `json:"member_number,omitempty"`
	// Changed lists the fields an update changes.
	Changed []Field `json:"changed,omitempty"`
}

// RowProblem is one reason a row cannot be imported.
type RowProblem struct {
	Row     int    `json:"row"`              // line number in the file
	Column  string `json:"column,omitempty"` // the column's heading; "" when the problem is not one cell's
	Field   Field  `json:"field,omitempty"`  // the card field concerned, if any
	Message string `json:"message"`
}

func (p RowProblem) String() string {
	if p.Column != "" {
		return fmt.Sprintf("row %d, column %q: %s", p.Row, p.Column, p.Message)
	}
	return fmt.Sprintf("row %d: %s", p.Row, p.Message)
}

// Result is the outcome of a dry run or an import.
type Result struct {
	Rows        int `json:"rows"`         // data rows in the file, empty ones included
	New         int `json:"new"`          // rows that create a member
	Updated     int `json:"updated"`      // rows that change a member
	Unchanged   int `json:"unchanged"`    // rows that match a member with the same data
	Skipped     int `json:"skipped"`      // empty rows
	ProblemRows int `json:"problem_rows"` // rows with at least one problem
	// Outcomes has one entry per data row, in file order.
	Outcomes []RowOutcome `json:"outcomes"`
	// Problems are ordered by row: the first MaxProblems of them, so that a
	// file of nonsense cannot make an answer of hundreds of megabytes.
	Problems []RowProblem `json:"problems"`
	// ProblemsOmitted counts the problems past MaxProblems (later rows).
	ProblemsOmitted int `json:"problems_omitted"`
	// Committed is true once Commit has written the import.
	Committed bool `json:"committed"`
}

// OK reports whether the import can be (or was) written: no row has a
// problem.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// Options are optional settings of Plan and Commit.
type Options struct {
	// Progress, if set, is called about every 1000 rows with the work done
	// and the total. Plan's total is the number of rows; Commit's is twice
	// that (checking every row, then writing it).
	Progress func(done, total int)
}

// progressEvery is how many rows pass between calls to Progress.
const progressEvery = 1000

// Plan is the dry run: it reads the file against the register and says what
// an import would do, writing nothing. Run it in a read transaction. An
// error means the import could not be checked at all (a bad mapping, a
// database error); problems with rows are in the Result.
func Plan(ctx context.Context, tx *store.TenantTx, t *importfile.Table, m Mapping, now time.Time, opts ...Options) (*Result, error) {
	p, err := plan(ctx, tx, t, m, now, options(opts), 1)
	if err != nil {
		return nil, err
	}
	return p.res, nil
}

func options(opts []Options) Options {
	if len(opts) > 0 {
		return opts[0]
	}
	return Options{}
}

// row is one data row as the planner sees it.
type row struct {
	card    member.Member // the row's values, normalised
	set     uint32        // bit fieldBit(f) is set for every field with a value in the row
	current int32         // index into planner.existing of the matched member, or -1
	out     int           // index into Result.Outcomes
	feeID   string        // the fee the row names (a fee's id), when it has a fee
	// custom holds the row's custom values in canonical form, by index
	// into planner.customs ("" for none); nil when the row has none.
	custom []string
}

// existing is what the planner keeps of each member in the register: the
// keys rows are matched by, never a whole card.
type existing struct {
	id        string
	number    int64
	status    string
	firstName string // lowercase
	birth     time.Time
	updated   time.Time
}

// planner holds one run of Plan.
type planner struct {
	ctx     context.Context
	tx      *store.TenantTx
	t       *importfile.Table
	m       Mapping
	now     time.Time
	opt     Options
	phases  int
	res     *Result
	rows    []row
	problem []bool // by outcome index
	// reported has, by outcome index, the bits (fieldBit) of the card
	// fields already reported, so validation does not report them again
	// even after keepFirstProblems dropped them from the list.
	reported []uint32
	existing []existing
	ix       indexes
	// matched maps the id of each matched member to its row (index into
	// rows).
	matched map[string]int
	// maxFileNumber is the largest member number in the file.
	maxFileNumber int64
	// cards are the merged cards of the rows that update a member, by
	// index into rows; only Commit needs them.
	updates map[int]member.Member
	// With a fee column: the association's fees by feeKey of their names,
	// their names for messages, and each member's fee now (by member id).
	feeByName map[string]string
	feeNames  []string
	memberFee map[string]string
	// The association's custom fields, the columns mapped to them, the
	// custom values each update changes (by index into rows) and the cells
	// of custom fields already reported.
	fields         []member.CustomField
	customs        []customColumn
	customChanges  map[int][]customChange
	customProblems map[cellKey]bool
}

func plan(ctx context.Context, tx *store.TenantTx, t *importfile.Table, m Mapping, now time.Time, opt Options, phases int) (*planner, error) {
	if t == nil {
		return nil, fmt.Errorf("no file")
	}
	if err := m.Check(t.Header); err != nil {
		return nil, err
	}
	if len(t.RowNumbers) != len(t.Rows) {
		return nil, fmt.Errorf("the table has %d rows but %d row numbers", len(t.Rows), len(t.RowNumbers))
	}
	p := &planner{ctx: ctx, tx: tx, t: t, m: m, now: now, opt: opt, phases: phases,
		res:     &Result{Rows: len(t.Rows), Outcomes: make([]RowOutcome, len(t.Rows)), Problems: []RowProblem{}},
		problem: make([]bool, len(t.Rows)), reported: make([]uint32, len(t.Rows)), updates: map[int]member.Member{},
		customChanges: map[int][]customChange{}, customProblems: map[cellKey]bool{}}
	if err := p.loadFees(); err != nil {
		return nil, err
	}
	if err := p.loadCustom(); err != nil {
		return nil, err
	}
	p.parse()
	if err := p.loadKeys(); err != nil {
		return nil, err
	}
	p.match()
	if err := p.compare(); err != nil {
		return nil, err
	}
	p.finish()
	return p, nil
}

// fieldBit is f's bit in row.set.
func fieldBit(f Field) uint32 {
	return 1 << uint32(slices.Index(Fields, f))
}

func (r *row) has(f Field) bool { return r.set&fieldBit(f) != 0 }

// MaxProblems is how many problems a result lists. Fixing a file is done
// from its first problems; past a thousand the rest are counted.
const MaxProblems = 1000

// add records a problem with row i (an index into the table).
func (p *planner) add(i int, f Field, msg string) {
	col := ""
	if c := p.m.Column(f); c >= 0 {
		col = p.t.Header[c]
	}
	p.res.Problems = append(p.res.Problems, RowProblem{Row: p.t.RowNumbers[i], Column: col, Field: f, Message: msg})
	if len(p.res.Problems) >= 2*MaxProblems {
		p.keepFirstProblems()
	}
	p.problem[i] = true
	if slices.Contains(Fields, f) {
		p.reported[i] |= fieldBit(f)
	}
	if _, custom := f.CustomID(); custom {
		p.customProblems[cellKey{i, f}] = true
	}
}

func (p *planner) progress(done int) {
	if p.opt.Progress != nil && (done%progressEvery == 0 || done == len(p.t.Rows)) {
		p.opt.Progress(done, p.phases*len(p.t.Rows))
	}
}

// parse turns each row's mapped cells into a card, recording the values
// that cannot be read.
func (p *planner) parse() {
	p.rows = make([]row, 0, len(p.t.Rows))
	for i, cells := range p.t.Rows {
		p.res.Outcomes[i].Row = p.t.RowNumbers[i]
		r := row{current: -1, out: i}
		for col, f := range p.m {
			v := cells[col]
			if _, custom := f.CustomID(); f == Ignore || custom || v == "" {
				continue
			}
			r.set |= fieldBit(f)
			if formulaCell(v) && !phoneWithPlus(f, v) {
				p.add(i, f, formulaMessage(v))
				continue
			}
			msg := ""
			if f == FeeName {
				msg = p.setFee(&r, v)
			} else {
				msg = setField(&r.card, f, v)
			}
			if msg != "" {
				p.add(i, f, msg)
			}
		}
		if hasCustom := p.parseCustom(i, cells, &r); r.set == 0 && !hasCustom {
			p.res.Outcomes[i].Action = Skip
			p.progress(i + 1)
			continue
		}
		if (r.has(OrgName) || r.has(BusinessID)) && !r.has(LastName) && !r.has(FirstName) {
			r.card.Kind = member.KindOrganisation
		}
		r.card = r.card.Normalize()
		p.rows = append(p.rows, r)
		p.progress(i + 1)
	}
}

// formulaCell reports whether a cell could be taken for a formula by a
// spreadsheet (see importfile.LooksLikeFormula).
func formulaCell(v string) bool { return importfile.LooksLikeFormula(v) }

// formulaMessage is the problem of a cell formulaCell refuses.
func formulaMessage(v string) string {
	return fmt.Sprintf("looks like a spreadsheet formula (it starts with %q); such values are not imported, so that they cannot run when the register is exported and opened in a spreadsheet", strings.TrimSpace(v)[:1])
}

// phoneWithPlus reports whether v is a phone number written with its
// country code ("+358 40 123 4567"), which LooksLikeFormula flags but which
// no spreadsheet runs as a formula once the import has stored it in E.164.
func phoneWithPlus(f Field, v string) bool {
	if f != Phone || !strings.HasPrefix(strings.TrimSpace(v), "+") {
		return false
	}
	_, _, err := valid.Phone("phone", v)
	return err == nil
}

// setField sets f on c from the cell v, or says why v cannot be read.
func setField(c *member.Member, f Field, v string) string {
	switch f {
	case Number:
		n, err := strconv.ParseInt(strings.Map(dropSpace, v), 10, 64)
		if err != nil || n <= 0 || n > 1e15 {
			return "must be a whole number greater than zero, like 125"
		}
		c.Number = n
	case LastName:
		c.LastName = v
	case FirstName:
		c.FirstName = v
	case OrgName:
		c.OrgName = v
	case BusinessID:
		c.BusinessID = v
	case Gender:
		g, ok := genders[fold(v)]
		if !ok {
			return "must be man or woman (mies/nainen, man/kvinna)"
		}
		c.Gender = g
	case BirthDate, JoinedOn, LeftOn:
		d, err := valid.Date(string(f), dropMidnight(v))
		if err != nil {
			return strings.TrimPrefix(err.Error(), string(f)+": ")
		}
		switch f {
		case BirthDate:
			c.BirthDate = d
		case JoinedOn:
			c.JoinedOn = d
		default:
			c.LeftOn = d
		}
	case Email:
		c.Email = v
	case ExtraEmails:
		c.ExtraEmails = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	case EmailInvoice:
		b, ok := yesNo[fold(v)]
		if !ok {
			return "must be yes or no (kyllä/ei, ja/nej)"
		}
		c.EmailInvoices = b
	case Phone:
		c.Phone = v
	case CareOf:
		c.CareOf = v
	case Street:
		c.Street = v
	case Postcode:
		c.Postcode = v
	case Town:
		c.Town = v
	case Municipality:
		c.Municipality = v
	case Country:
		c.Country = v
	case Language:
		l, ok := languages[fold(v)]
		if !ok {
			return "must be Finnish, Swedish or English (fi, sv, en)"
		}
		c.Language = l
	case Status:
		s, ok := statuses[fold(v)]
		if !ok {
			return "must be active, applied, inactive or deceased (aktiivinen, hakenut, eronnut, kuollut; aktiv, ansökt, inaktiv, avliden)"
		}
		c.Status = s
	case Notes:
		c.Notes = v
	}
	return ""
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\u00a0' || r == '\u202f' {
		return -1
	}
	return r
}

// dropMidnight removes the time of day 00:00 that spreadsheets add to
// dates ("01.02.1980 00:00"), which ReadXLSX returns as written.
func dropMidnight(v string) string {
	for _, suffix := range []string{" 00:00:00", " 00:00", "T00:00:00"} {
		if s, ok := strings.CutSuffix(v, suffix); ok {
			return s
		}
	}
	return v
}

// Values recognised in the coded columns, folded as headings are.
var (
	languages = foldMap(map[string][]string{
		"fi": {"fi", "fin", "suomi", "suomeksi", "finska", "finnish", "finsk"},
		"sv": {"sv", "swe", "ruotsi", "ruotsiksi", "svenska", "swedish", "svensk"},
		"en": {"en", "eng", "englanti", "englanniksi", "engelska", "english", "engelsk"},
	})
	statuses = foldMap(map[string][]string{
		member.StatusActive:   {"active", "aktiivinen", "aktiivi", "voimassa", "aktiv", "jasen", "medlem"},
		member.StatusApplied:  {"applied", "hakenut", "haettu", "hakemus", "ansokt", "ansokan", "sokande"},
		member.StatusInactive: {"inactive", "eronnut", "entinen", "passiivinen", "inaktiivinen", "eiaktiivinen", "inaktiv", "uttradd", "fore detta", "former"},
		member.StatusDeceased: {"deceased", "kuollut", "vainaja", "avliden", "dod", "dead"},
	})
	yesNo = func() map[string]bool {
		out := map[string]bool{}
		for v, names := range map[bool][]string{
			true:  {"yes", "y", "true", "1", "x", "kylla", "k", "joo", "ja", "j"},
			false: {"no", "false", "0", "ei", "e", "nej"},
		} {
			for _, n := range names {
				out[fold(n)] = v
			}
		}
		return out
	}()
	genders = foldMap(map[string][]string{
		member.GenderMan:   {"man", "male", "m", "mies", "mann"},
		member.GenderWoman: {"woman", "female", "f", "w", "nainen", "n", "kvinna", "k"},
	})
)

func foldMap(in map[string][]string) map[string]string {
	out := map[string]string{}
	for v, names := range in {
		for _, n := range names {
			out[fold(n)] = v
		}
	}
	return out
}

// pageSize is how many members one query of the register reads.
const pageSize = 2000

// eachMember calls fn for every member of the association, in pages, so
// memory holds one page of cards at a time.
func (p *planner) eachMember(fn func(member.Member)) error {
	var after int64
	for {
		ms, err := member.List(p.ctx, p.tx, after, pageSize)
		if err != nil {
			return err
		}
		for _, m := range ms {
			fn(m)
		}
		if len(ms) < pageSize {
			return nil
		}
		after = ms[len(ms)-1].Number
	}
}

// indexes find members of the register by the keys rows are matched by.
// They hold key strings and positions in planner.existing only.
type indexes struct {
	byNumber    map[int64]int32
	byEmail     map[string][]int32
	byNameBirth map[string][]int32
	maxNumber   int64
}

// loadKeys reads the register once, in pages, and keeps the keys rows are
// matched by; no row costs a query of its own.
func (p *planner) loadKeys() error {
	p.ix = indexes{byNumber: map[int64]int32{}, byEmail: map[string][]int32{}, byNameBirth: map[string][]int32{}}
	return p.eachMember(func(m member.Member) {
		e := int32(len(p.existing))
		p.existing = append(p.existing, existing{id: m.ID, number: m.Number, status: m.Status,
			firstName: strings.ToLower(m.FirstName), birth: m.BirthDate, updated: m.UpdatedAt})
		p.ix.byNumber[m.Number] = e
		p.ix.maxNumber = max(p.ix.maxNumber, m.Number)
		if m.Email != "" {
			k := strings.ToLower(m.Email)
			p.ix.byEmail[k] = append(p.ix.byEmail[k], e)
		}
		if k := nameBirthKey(m.LastName, m.FirstName, m.BirthDate); k != "" {
			p.ix.byNameBirth[k] = append(p.ix.byNameBirth[k], e)
		}
	})
}

// nameBirthKey is the key of a person by name and date of birth, ignoring
// case; "" when the last name or the date is missing.
func nameBirthKey(last, first string, birth time.Time) string {
	if last == "" || birth.IsZero() {
		return ""
	}
	return strings.ToLower(last) + "\x00" + strings.ToLower(first) + "\x00" + birth.Format(time.DateOnly)
}

// match finds duplicates inside the file and the member each row is
// about.
//
// A row is matched by the first key it has, and rows are duplicates when
// their keys could match one member:
//   - A row with a member number is matched by the number alone, and two
//     rows with one number are duplicates. A number not in the register
//     makes a new member, unless the row's e-mail or name and date of birth
//     point at an existing member: then the file and the register disagree,
//     and the row is a problem rather than a guess.
//   - A row without a number but with an e-mail is matched by e-mail: the
//     one member with that address whose first name and date of birth do
//     not contradict the row's (so a changed surname still matches, while a
//     child sharing a parent's address, as families do, does not). If
//     several members qualify, the name and date of birth decide. Such a row
//     is a duplicate of any other row with the same e-mail, first name and
//     date of birth.
//   - Other rows are matched by last name, first name and date of birth
//     (ignoring case), and are duplicates of any other row with the same
//     three.
//
// A row whose member another row already matched is a duplicate too.
// Together these make a second import of the same file match every row to
// the member the first import created.
func (p *planner) match() {
	// Where each e-mail and each name and date of birth appear, up to
	// the first two rows.
	byEmail := map[string][2]int{}
	byName := map[string][2]int{}
	note := func(keys map[string][2]int, k string, ri int) {
		if k == "" {
			return
		}
		v, ok := keys[k]
		switch {
		case !ok:
			keys[k] = [2]int{ri, -1}
		case v[1] < 0:
			keys[k] = [2]int{v[0], ri}
		}
	}
	other := func(keys map[string][2]int, k string, ri int) int {
		v, ok := keys[k]
		switch {
		case !ok || v[1] < 0:
			return -1
		case v[0] == ri:
			return v[1]
		}
		return v[0]
	}
	for ri := range p.rows {
		c := &p.rows[ri].card
		note(byEmail, emailKey(c), ri)
		note(byName, nameBirthKey(c.LastName, c.FirstName, c.BirthDate), ri)
	}

	numbers := map[int64]int{}
	claimed := map[int32]int{}
	p.matched = map[string]int{}
	for ri := range p.rows {
		r := &p.rows[ri]
		i := r.out
		c := &r.card
		rowOf := func(other int) int { return p.t.RowNumbers[p.rows[other].out] }
		switch {
		case c.Number > 0:
			p.maxFileNumber = max(p.maxFileNumber, c.Number)
			if o, ok := numbers[c.Number]; ok {
				p.add(i, Number, fmt.Sprintf("member number %d is also on row %d", c.Number, rowOf(o)))
			} else {
				numbers[c.Number] = ri
			}
		case c.Email != "":
			if o := other(byEmail, emailKey(c), ri); o >= 0 {
				p.add(i, Email, fmt.Sprintf("the same e-mail, first name and date of birth are also on row %d", rowOf(o)))
			}
		default:
			if o := other(byName, nameBirthKey(c.LastName, c.FirstName, c.BirthDate), ri); o >= 0 {
				p.add(i, BirthDate, fmt.Sprintf("the same name and date of birth are also on row %d", rowOf(o)))
			}
		}
		if p.problem[i] {
			continue
		}
		e := p.find(r)
		if e < 0 {
			continue
		}
		ex := &p.existing[e]
		p.res.Outcomes[i].MemberNumber = ex.number
		if o, dup := claimed[e]; dup {
			p.add(i, "", fmt.Sprintf("row %d is already about member %d", rowOf(o), ex.number))
			continue
		}
		claimed[e] = ri
		r.current = e
		p.matched[ex.id] = ri
	}
}

// emailKey is the key of a row without a member number among the rows
// with e-mails; "" without an e-mail.
func emailKey(c *member.Member) string {
	if c.Email == "" {
		return ""
	}
	return strings.ToLower(c.Email) + "\x00" + strings.ToLower(c.FirstName) + "\x00" + c.BirthDate.Format(time.DateOnly)
}

// find returns the member row r is about (an index into existing), or -1
// for a new member; it records a problem when the register and the row
// disagree.
func (p *planner) find(r *row) int32 {
	c := &r.card
	if c.Number > 0 {
		if e, ok := p.ix.byNumber[c.Number]; ok {
			return e
		}
		if e, how := p.findByEmail(c), "e-mail"; e >= 0 || p.findByName(r, false) >= 0 {
			if e < 0 {
				e, how = p.findByName(r, false), "name and date of birth"
			}
			p.add(r.out, Number, fmt.Sprintf("member number %d is not in the register, but the %s match member %d: correct the number, or leave it empty to update member %d",
				c.Number, how, p.existing[e].number, p.existing[e].number))
		}
		return -1
	}
	if e := p.findByEmail(c); e >= 0 {
		return e
	}
	return p.findByName(r, true)
}

// findByEmail returns the one member with c's e-mail whose first name and
// date of birth do not contradict c's, or -1.
func (p *planner) findByEmail(c *member.Member) int32 {
	if c.Email == "" {
		return -1
	}
	found := int32(-1)
	first := strings.ToLower(c.FirstName)
	for _, e := range p.ix.byEmail[strings.ToLower(c.Email)] {
		ex := &p.existing[e]
		if first != "" && ex.firstName != "" && first != ex.firstName {
			continue
		}
		if !c.BirthDate.IsZero() && !ex.birth.IsZero() && !c.BirthDate.Equal(ex.birth) {
			continue
		}
		if found >= 0 {
			return -1 // several: let the name and date of birth decide
		}
		found = e
	}
	return found
}

// findByName returns the one member with r's name and date of birth, or -1;
// when several have them it records a problem if report is set.
func (p *planner) findByName(r *row, report bool) int32 {
	c := &r.card
	es := p.ix.byNameBirth[nameBirthKey(c.LastName, c.FirstName, c.BirthDate)]
	switch {
	case len(es) == 1:
		return es[0]
	case len(es) > 1 && report:
		nums := make([]string, len(es))
		for j, e := range es {
			nums[j] = strconv.FormatInt(p.existing[e].number, 10)
		}
		p.add(r.out, "", fmt.Sprintf("the name and date of birth match several members (numbers %s): add a member number column to tell them apart",
			strings.Join(nums, ", ")))
	}
	return -1
}

// compare reads the cards of the matched members, in one pass over the
// register, and works out what each matched row would change.
func (p *planner) compare() error {
	if len(p.matched) == 0 {
		return nil
	}
	customValues, err := p.loadCustomValues()
	if err != nil {
		return err
	}
	return p.eachMember(func(cur member.Member) {
		ri, ok := p.matched[cur.ID]
		if !ok {
			return
		}
		r := &p.rows[ri]
		i := r.out
		if r.has(Status) && r.card.Status != cur.Status {
			p.add(i, Status, fmt.Sprintf("the file says %s, but member %d is %s: statuses are changed on the member's card, not by an import",
				r.card.Status, cur.Number, cur.Status))
		}
		next := cur
		for _, f := range Fields {
			if f != Status && r.has(f) {
				apply(&next, f, &r.card)
			}
		}
		next = next.Normalize()
		var changed []Field
		for _, f := range Fields {
			switch {
			case !r.has(f):
			case f == FeeName:
				if r.feeID != p.memberFee[cur.ID] {
					changed = append(changed, f)
				}
			case value(cur, f) != value(next, f):
				changed = append(changed, f)
			}
		}
		customChanged := p.compareCustom(ri, customValues[cur.ID])
		for _, c := range customChanged {
			changed = append(changed, CustomTarget(p.customs[c.column].field.ID))
		}
		if len(changed) == 0 {
			return
		}
		if cur.Status != member.StatusActive {
			p.add(i, "", fmt.Sprintf("member %d is %s, and only active members' cards can be edited; the row would change %s",
				cur.Number, cur.Status, p.joinFields(changed)))
			return
		}
		for _, fe := range next.ValidateAt(p.now) {
			p.add(i, Field(fe.Field), fe.Message)
		}
		if requiresCustom(cur.Status) {
			p.checkRequired(i, func(f member.CustomField) string {
				if k := p.customColumnOf(f.ID); k >= 0 && r.customOf(k) != "" {
					return r.customOf(k)
				}
				return customValues[cur.ID][f.ID]
			})
		}
		if len(customChanged) > 0 {
			p.customChanges[ri] = customChanged
		}
		p.res.Outcomes[i].Changed = changed
		next.UpdatedAt = cur.UpdatedAt // the version read, for Commit's check
		p.updates[ri] = next
	})
}

// joinFields names fields for a message: a custom field by its name.
func (p *planner) joinFields(fs []Field) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
		if id, ok := f.CustomID(); ok {
			if k := p.customColumnOf(id); k >= 0 {
				s[i] = p.customs[k].field.Name
			}
		}
	}
	return strings.Join(s, ", ")
}

// apply copies field f from the row's card c to m.
func apply(m *member.Member, f Field, c *member.Member) {
	switch f {
	case Number:
		m.Number = c.Number
	case LastName:
		m.LastName = c.LastName
	case FirstName:
		m.FirstName = c.FirstName
	case OrgName:
		m.OrgName = c.OrgName
	case BusinessID:
		m.BusinessID = c.BusinessID
	case Gender:
		m.Gender = c.Gender
	case BirthDate:
		m.BirthDate = c.BirthDate
	case Email:
		m.Email = c.Email
	case ExtraEmails:
		m.ExtraEmails = c.ExtraEmails
	case EmailInvoice:
		m.EmailInvoices = c.EmailInvoices
	case Phone:
		m.Phone, m.PhoneMobile = c.Phone, c.PhoneMobile
	case CareOf:
		m.CareOf = c.CareOf
	case Street:
		m.Street = c.Street
	case Postcode:
		m.Postcode = c.Postcode
	case Town:
		m.Town = c.Town
	case Municipality:
		m.Municipality = c.Municipality
	case Country:
		m.Country = c.Country
	case Language:
		m.Language = c.Language
	case Status:
		m.Status = c.Status
	case JoinedOn:
		m.JoinedOn = c.JoinedOn
	case LeftOn:
		m.LeftOn = c.LeftOn
	case Notes:
		m.Notes = c.Notes
	}
}

// value is field f of m as a comparable string.
func value(m member.Member, f Field) string {
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	switch f {
	case Number:
		return strconv.FormatInt(m.Number, 10)
	case LastName:
		return m.LastName
	case FirstName:
		return m.FirstName
	case OrgName:
		return m.OrgName
	case BusinessID:
		return m.BusinessID
	case Gender:
		return m.Gender
	case BirthDate:
		return date(m.BirthDate)
	case Email:
		return m.Email
	case ExtraEmails:
		return strings.Join(m.ExtraEmails, ",")
	case EmailInvoice:
		return strconv.FormatBool(m.EmailInvoices)
	case Phone:
		return m.Phone + " " + strconv.FormatBool(m.PhoneMobile)
	case CareOf:
		return m.CareOf
	case Street:
		return m.Street
	case Postcode:
		return m.Postcode
	case Town:
		return m.Town
	case Municipality:
		return m.Municipality
	case Country:
		return m.Country
	case Language:
		return m.Language
	case Status:
		return m.Status
	case JoinedOn:
		return date(m.JoinedOn)
	case LeftOn:
		return date(m.LeftOn)
	case Notes:
		return m.Notes
	}
	return ""
}

// finish validates the new rows, gives them member numbers, and settles
// every row's action and the counts.
func (p *planner) finish() {
	next := max(p.ix.maxNumber, p.maxFileNumber) + 1
	// A row with a cell that could not be read is still validated, so the
	// report lists all of its problems at once; a field already reported is
	// not reported again.
	for ri := range p.rows {
		r := &p.rows[ri]
		i := r.out
		if r.current >= 0 {
			continue
		}
		if r.card.Status == "" {
			r.card.Status = member.StatusActive
		}
		for _, fe := range r.card.ValidateAt(p.now) {
			if f := Field(fe.Field); !slices.Contains(Fields, f) || p.reported[i]&fieldBit(f) == 0 {
				p.add(i, f, fe.Message)
			}
		}
		if requiresCustom(r.card.Status) {
			p.checkRequired(i, func(f member.CustomField) string {
				if k := p.customColumnOf(f.ID); k >= 0 {
					return r.customOf(k)
				}
				return ""
			})
		}
		if p.problem[i] {
			continue
		}
		if r.card.Number == 0 {
			r.card.Number = next
			next++
		}
		p.res.Outcomes[i].MemberNumber = r.card.Number
	}
	for ri := range p.rows {
		r := &p.rows[ri]
		o := &p.res.Outcomes[r.out]
		switch {
		case p.problem[r.out]:
			o.Action = Problem
			o.Changed = nil
			p.res.ProblemRows++
		case r.current < 0:
			o.Action = New
			p.res.New++
		case o.Changed != nil:
			o.Action = Update
			p.res.Updated++
		default:
			o.Action = Unchanged
			p.res.Unchanged++
		}
	}
	for _, o := range p.res.Outcomes {
		if o.Action == Skip {
			p.res.Skipped++
		}
	}
	p.keepFirstProblems()
}

// keepFirstProblems orders the problems by row and keeps the first
// MaxProblems, counting the rest. Memory stays bounded however many
// problems a file has, and the ones kept are those of the earliest rows.
func (p *planner) keepFirstProblems() {
	slices.SortStableFunc(p.res.Problems, func(a, b RowProblem) int { return a.Row - b.Row })
	if n := len(p.res.Problems); n > MaxProblems {
		p.res.ProblemsOmitted += n - MaxProblems
		p.res.Problems = slices.Clip(p.res.Problems[:MaxProblems])
	}
}
