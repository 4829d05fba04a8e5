package demo

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/customer"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// The rest of a register around the members: fees and the current period,
// groups, households, positions of trust, custom fields and customers.
//
// The few definitions (four fees, eight groups, three fields, a dozen
// positions, five customers) go through the domain packages with their
// usual audit events, exactly as a treasurer would make them. The
// per-member rows (fee of each member, group memberships, custom values,
// households) are written with each batch of members, a few multi-row
// statements per batch, so a million members cost seconds; they are
// audited as one "demo.generate" event per association that counts them,
// like the members themselves.
//
// Which members get what is a pure function of their member number (a
// multiplicative hash), birth date and join date, and households come from
// their own seeded stream, so the same seed always gives the same register.

// Fee names of the demo register.
const (
	FeeAdult     = "Aikuinen"
	FeeJunior    = "Juniori"
	FeeSupporter = "Kannatusjäsen"
	FeeFamily    = "Perhejäsen"
)

// Shares, in per mille of the active members the rule applies to.
const (
	supporterShare  = 40  // adults paying the supporting fee
	householdShare  = 70  // active adults who head a household
	photoShare      = 150 // members with a photography permission answered
	sportsAgeLimit  = 50  // the floorball turn is for ages 10..50
	seniorAge       = 65  // the seniors' section
	adultAge        = 18  // juniors are under this on the period's first day
	householdMaxLen = 4
)

// demoGroup is one group and which active members belong to it: a share
// (per mille) of those whose age on the reference day is in [minAge, maxAge].
type demoGroup struct {
	kind, name, description string
	minAge, maxAge          int
	share                   int
	salt                    int64
}

var demoGroups = []demoGroup{
	{group.KindActivity, "Kuoro", "Harjoitukset tiistaisin seurantalolla", 16, 120, 50, 7919},
	{group.KindActivity, "Sählyvuoro", "Torstaisin koulun salissa", 10, sportsAgeLimit, 100, 6007},
	{group.KindActivity, "Retket", "Luontoretket ja vaellukset", 0, 120, 50, 4421},
	{group.KindSection, "Juniorijaosto", "Alle 18-vuotiaiden toiminta", 0, adultAge - 1, 400, 3313},
	{group.KindSection, "Seniorijaosto", "Eläkeläisten kerho", seniorAge, 120, 250, 2909},
	{group.KindTag, "Talkooväki", "Lupautunut auttamaan tapahtumissa", adultAge, 80, 60, 1831},
	{group.KindTag, "Lehti paperina", "Haluaa jäsenlehden paperisena", adultAge, 120, 60, 1223},
	{group.KindTag, "Uusi jäsen", "Liittynyt viimeisen kolmen kuukauden aikana", 0, 120, 0, 0},
}

// RegisterResult counts what was written besides the members for one
// association.
type RegisterResult struct {
	Fees, Groups, GroupMembers, Households, HouseholdMembers int
	Positions, CustomFields, CustomValues, Customers         int
}

// hashed is an SQL condition selecting share per mille of members by a
// multiplicative hash of their number (see picked).
func hashed(salt int64, share int) string {
	return fmt.Sprintf("((member_number * %d + %d) %% 1000) < %d", salt, salt%997, share)
}

// picked selects share per mille of members by a multiplicative hash of
// their number: deterministic, spread evenly over the register, and
// different for each salt.
func picked(number, salt int64, share int) bool {
	return (number*salt+salt%997)%1000 < int64(share)
}

// register is one association's definitions, made before its members
// stream in, and what has been written so far. Each batch of members gets
// its fees, groups, custom values and households while its rows are still
// in the database's cache: a pass over the whole table afterwards would
// read and rewrite every member again.
type register struct {
	now, today  time.Time
	adultBefore time.Time // born on or before: an adult on the period's first day
	fees        map[string]fee.Fee
	groups      []groupRule
	fields      map[string]string // custom field name -> id
	homes       *householder
	counts      RegisterResult
}

type groupRule struct {
	demoGroup
	id string
}

// newRegister creates the fees, groups and custom fields. The adults' fee
// becomes the default only in finish, so that the database's default-fee
// trigger does not touch every member as it is inserted.
func newRegister(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, seed uint64) (*register, error) {
	r := &register{now: now.UTC(), today: clock.Today(now), fields: map[string]string{}}
	r.adultBefore = time.Date(r.today.Year()-adultAge, time.January, 1, 0, 0, 0, 0, time.UTC)
	r.homes = newHouseholder(seed, r.today)
	var err error
	if r.fees, err = createFees(ctx, tx, rec, now); err != nil {
		return nil, err
	}
	for _, d := range demoGroups {
		g, err := group.Create(ctx, tx, rec, now, group.Group{Kind: d.kind, Name: d.name, Description: d.description})
		if err != nil {
			return nil, fmt.Errorf("create group %s: %w", d.name, err)
		}
		r.groups = append(r.groups, groupRule{d, g.ID})
	}
	for i, f := range []member.CustomField{
		{Name: FieldLicence, Kind: member.FieldText},
		{Name: FieldMeetGroup, Kind: member.FieldChoice, Choices: meetGroups},
		{Name: FieldPhotoAllow, Kind: member.FieldYesNo},
	} {
		f.Position = i + 1
		made, err := member.CreateCustomField(ctx, tx, rec, now, f)
		if err != nil {
			return nil, fmt.Errorf("create field %s: %w", f.Name, err)
		}
		r.fields[f.Name] = made.ID
	}
	r.counts.Fees, r.counts.Groups, r.counts.CustomFields = len(r.fees), len(r.groups), len(r.fields)
	return r, nil
}

// addBatch writes the register rows of a batch of members just inserted.
func (r *register) addBatch(ctx context.Context, tx *store.TenantTx, batch []member.Member) error {
	if len(batch) == 0 {
		return nil
	}
	if err := r.assignFees(ctx, tx, batch); err != nil {
		return err
	}
	var links, values []any
	for i := range batch {
		m := &batch[i]
		if m.Status != member.StatusActive {
			continue
		}
		age := fee.AgeOn(m.BirthDate, r.today)
		for _, g := range r.groups {
			if r.inGroup(g, m, age) {
				links = append(links, g.id, m.ID, r.now)
				switch g.name {
				case "Sählyvuoro":
					values = append(values, m.ID, r.fields[FieldLicence], "SB-"+strconv.FormatInt(100000+m.Number, 10))
				case "Kuoro":
					values = append(values, m.ID, r.fields[FieldMeetGroup], meetGroups[m.Number%int64(len(meetGroups))])
				}
			}
		}
		if picked(m.Number, 577, photoShare) {
			values = append(values, m.ID, r.fields[FieldPhotoAllow], strconv.FormatBool(m.Number%10 < 8))
		}
	}
	if err := insertRows(ctx, tx, "group_members (association_id, group_id, member_id, added_at)", 3, links); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "custom_values (association_id, member_id, field_id, value)", 3, values); err != nil {
		return err
	}
	r.counts.GroupMembers += len(links) / 3
	r.counts.CustomValues += len(values) / 3
	return r.flushHouseholds(ctx, tx, batch)
}

func (r *register) inGroup(g groupRule, m *member.Member, age int) bool {
	if g.share == 0 { // new members: joined in the last three months
		return m.JoinedOn.After(r.today.AddDate(0, -3, 0)) && !m.JoinedOn.After(r.today)
	}
	return age >= g.minAge && age <= g.maxAge && picked(m.Number, g.salt, g.share)
}

// assignFees puts the batch's people on the age-based fee for their age on
// the period's first day (as a period change would), some adults on the
// supporting fee.
func (r *register) assignFees(ctx context.Context, tx *store.TenantTx, batch []member.Member) error {
	lo, hi := batch[0].Number, batch[len(batch)-1].Number
	_, err := tx.Exec(ctx, `UPDATE members SET fee_id = CASE WHEN birth_date > $2 THEN $3 WHEN `+
		hashed(911, supporterShare)+` THEN $4 ELSE $5 END
		WHERE association_id = $1 AND member_number >= $6 AND member_number <= $7 AND birth_date IS NOT NULL`,
		r.adultBefore, r.fees[FeeJunior].ID, r.fees[FeeSupporter].ID, r.fees[FeeAdult].ID, lo, hi)
	if err != nil {
		return fmt.Errorf("assign fees to members %d-%d: %w", lo, hi, err)
	}
	return nil
}

// flushHouseholds inserts the households formed in the batch, with their
// first member as the recipient, and moves the other adults of each to
// the family fee.
func (r *register) flushHouseholds(ctx context.Context, tx *store.TenantTx, batch []member.Member) error {
	groups := r.homes.take()
	var homes, links, family []any
	for _, g := range groups {
		id := uuid.Must(uuid.NewV7()).String()
		head := batch[g[0]]
		homes = append(homes, id, head.LastName, head.ID, r.now)
		for k, i := range g {
			links = append(links, id, batch[i].ID, r.now)
			if k > 0 && !batch[i].BirthDate.After(r.adultBefore) {
				family = append(family, batch[i].ID)
			}
		}
	}
	if err := insertRows(ctx, tx, "households (association_id, id, name, recipient_member_id, created_at)", 4, homes); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "household_members (association_id, household_id, member_id, added_at)", 3, links); err != nil {
		return err
	}
	if len(family) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE members SET fee_id = $2 WHERE `+store.KeyedTenant("association_id")+` AND id IN (`+
			placeholderList(3, len(family))+`)`, append([]any{r.fees[FeeFamily].ID}, family...)...); err != nil {
			return fmt.Errorf("assign family fee: %w", err)
		}
	}
	r.counts.Households += len(homes) / 4
	r.counts.HouseholdMembers += len(links) / 3
	return nil
}

// finish makes the adults' fee the default, starts the calendar year as
// the current period, and adds positions of trust and customers, once the
// members exist.
func (r *register) finish(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, seed uint64) (RegisterResult, error) {
	if err := fee.SetDefault(ctx, tx, rec, r.now, r.fees[FeeAdult].ID); err != nil {
		return r.counts, fmt.Errorf("make %s the default fee: %w", FeeAdult, err)
	}
	if err := startPeriod(ctx, tx, rec, r.now, r.today); err != nil {
		return r.counts, err
	}
	var err error
	if r.counts.Positions, err = createPositions(ctx, tx, rec, r.now, r.today); err != nil {
		return r.counts, err
	}
	if r.counts.Customers, err = createCustomers(ctx, tx, rec, r.now, seed); err != nil {
		return r.counts, err
	}
	return r.counts, nil
}

func createFees(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time) (map[string]fee.Fee, error) {
	zero, adult := 0, adultAge
	defs := []fee.Fee{
		{Name: FeeAdult, Description: "Vuoden jäsenmaksu, 18 vuotta täyttäneet", PriceCents: 3500, AgeFrom: &adult, AgeBased: true, Position: 1},
		{Name: FeeJunior, Description: "Alle 18-vuotiaat", PriceCents: 1500, AgeFrom: &zero, AgeBased: true, Position: 2},
		{Name: FeeSupporter, Description: "Tukee seuran toimintaa", PriceCents: 5000, Position: 3},
		{Name: FeeFamily, Description: "Saman talouden muut aikuiset", PriceCents: 1000, Position: 4},
	}
	out := map[string]fee.Fee{}
	for _, d := range defs {
		f, err := fee.Create(ctx, tx, rec, now, d)
		if err != nil {
			return nil, fmt.Errorf("create fee %s: %w", d.Name, err)
		}
		out[f.Name] = f
	}
	return out, nil
}

// startPeriod starts the calendar year as the current period, audited as
// the period page's change is. Everyone is already on the fee for their
// age on its first day, so nobody moves, and the period is written
// directly: planning the change would read every member twice.
func startPeriod(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now, today time.Time) error {
	start := time.Date(today.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, -1)
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := tx.Exec(ctx, `INSERT INTO periods (association_id, id, starts_on, ends_on, created_at)
		VALUES ($1, $2, $3, $4, $5)`, id, start, end, now); err != nil {
		return fmt.Errorf("start period: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "period.change", ObjectType: "period", ObjectID: id,
		Details: map[string]any{"starts_on": start.Format(time.DateOnly), "ends_on": end.Format(time.DateOnly),
			"moved": 0, "moves": []map[string]string{}, "previous_period_shortened": false}})
}

// insertRows inserts rows of n values each (after the association, bound
// as $1): on SQLite one prepared row at a time, which it runs faster than
// parsing a statement of many rows; on PostgreSQL in multi-row statements
// within its parameter limit.
func insertRows(ctx context.Context, tx *store.TenantTx, into string, n int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	if tx.Dialect() == store.SQLite {
		st, err := tx.Prepare(ctx, "INSERT INTO "+into+" VALUES ($1"+strings.Repeat(", ?", n)+")")
		if err != nil {
			return fmt.Errorf("prepare insert into %s: %w", into, err)
		}
		defer st.Close()
		for i := 0; i < len(args); i += n {
			if _, err := st.Exec(ctx, args[i:i+n]...); err != nil {
				return fmt.Errorf("insert into %s: %w", into, err)
			}
		}
		return nil
	}
	const maxParams = 30000
	per := maxParams / n * n
	for len(args) > 0 {
		chunk := args[:min(per, len(args))]
		args = args[len(chunk):]
		rows := make([]string, 0, len(chunk)/n)
		for i := 0; i < len(chunk); i += n {
			rows = append(rows, "($1, "+placeholderList(i+2, n)+")")
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+into+" VALUES "+strings.Join(rows, ", "), chunk...); err != nil {
			return fmt.Errorf("insert into %s: %w", into, err)
		}
	}
	return nil
}

// placeholderList is "$from, $from+1, ..." for n parameters.
func placeholderList(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// Custom field names of the demo register.
const (
	FieldLicence    = "Lisenssinumero"
	FieldMeetGroup  = "Kokoontumisryhmä"
	FieldPhotoAllow = "Valokuvauslupa"
)

var meetGroups = []string{"Maanantairyhmä", "Keskiviikkoryhmä", "Lauantairyhmä"}

// birthRange gives the birth dates bounding ages lo..hi on day: born after
// the first and on or before the second.
func birthRange(day time.Time, lo, hi int) (after, onOrBefore time.Time) {
	return day.AddDate(-hi-1, 0, 0), day.AddDate(-lo, 0, 0)
}

// createPositions fills the board from active adults: the current chair,
// vice chair, secretary, treasurer, board members and auditors, and a
// former chair whose term has ended.
func createPositions(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now, today time.Time) (int, error) {
	titles := []string{"chair", "vice_chair", "secretary", "treasurer", "board_member", "board_member",
		"board_member", "deputy_board_member", "auditor", "deputy_auditor", "chair"}
	// The board comes from the first few hundred active members (an
	// indexed range, not a pass over the register), shuffled by a hash.
	_, adultBorn := birthRange(today, 25, 120)
	rows, err := tx.Query(ctx, `SELECT id, member_number, birth_date FROM members
		WHERE association_id = $1 AND status = 'active' ORDER BY member_number LIMIT 300`)
	if err != nil {
		return 0, fmt.Errorf("choose board: %w", err)
	}
	type candidate struct {
		id   string
		rank int64
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		var number int64
		var born sql.NullTime
		if err := rows.Scan(&c.id, &number, &born); err != nil {
			rows.Close()
			return 0, fmt.Errorf("choose board: %w", err)
		}
		if born.Valid && !born.Time.After(adultBorn) {
			c.rank = number * 7727 % 10007
			cands = append(cands, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("choose board: %w", err)
	}
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(a.rank, b.rank) })
	var ids []string
	for _, c := range cands[:min(len(cands), len(titles))] {
		ids = append(ids, c.id)
	}
	year := today.Year()
	jan1 := func(y int) time.Time { return time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC) }
	dec31 := func(y int) time.Time { return time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC) }
	n := 0
	for i, id := range ids {
		p := group.Position{MemberID: id, Title: titles[i], StartsOn: jan1(year)}
		switch {
		case i == 0: // the chair's second term
			p.StartsOn = jan1(year - 2)
		case i == len(titles)-1: // the former chair
			p.StartsOn, p.EndsOn = jan1(year-6), dec31(year-3)
		case titles[i] == "auditor" || titles[i] == "deputy_auditor":
			p.EndsOn = dec31(year)
		case titles[i] == "board_member" && i%2 == 0: // two-year terms, half renewed each year
			p.StartsOn, p.EndsOn = jan1(year-1), dec31(year)
		}
		if _, err := group.AddPosition(ctx, tx, rec, now, p); err != nil {
			return n, fmt.Errorf("add position %s: %w", p.Title, err)
		}
		n++
	}
	return n, nil
}

// demoOrganisations are customers that buy from the association: hall
// rent, advertisements, catering.
var demoOrganisations = []string{"Kahvila Kulmakuppi Oy", "Rakennusliike Kivijalka Oy", "Kotiseutuyhdistys Pihlaja ry"}

func createCustomers(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, seed uint64) (int, error) {
	gen := New(seed^0xC057_0E45, now)
	n := 0
	for i := range 5 {
		p := gen.Next()
		c := customer.Customer{Kind: customer.KindPerson, FirstName: p.FirstName, LastName: p.LastName,
			Street: p.Street, Postcode: p.Postcode, Town: p.Town, Country: "FI", Email: p.Email,
			Phone: p.Phone, PhoneMobile: true, Language: p.Language}
		if i < len(demoOrganisations) {
			c.Kind, c.FirstName, c.LastName, c.Language = customer.KindOrganisation, "", "", "fi"
			c.OrgName = demoOrganisations[i]
			c.Email = "laskut+" + fmt.Sprint(i+1) + "@example.fi"
			c.EmailInvoices = true
		}
		if _, err := customer.Create(ctx, tx, rec, now, c); err != nil {
			return n, fmt.Errorf("create customer %d: %w", i+1, err)
		}
		n++
	}
	return n, nil
}

// householder groups some members into households while they are
// generated: an active adult now and then starts one, and the next one to
// three people generated move in (same address, usually the same last
// name). Its own random stream leaves the members' sequence untouched.
type householder struct {
	rng    *rand.Rand
	adult  time.Time // born on or before: an adult on the reference day
	head   *Person
	left   int   // people still to move in with head
	open   []int // batch indices of the household being formed
	groups [][]int
}

func newHouseholder(seed uint64, today time.Time) *householder {
	y, m, d := today.Date()
	return &householder{rng: rand.New(rand.NewPCG(seed, 0x4055_E401_D5EE_D001)),
		adult: time.Date(y-adultAge, m, d, 0, 0, 0, 0, time.UTC)}
}

// shape possibly moves p in with the household being formed, or makes p
// the head of a new one; i is p's index in the current batch, room the
// number of places left in the batch after p.
func (h *householder) shape(p *Person, i, room int) {
	if h.left > 0 && h.head != nil {
		p.Street, p.Postcode, p.Town, p.Municipality = h.head.Street, h.head.Postcode, h.head.Town, h.head.Municipality
		if h.rng.IntN(10) < 8 {
			p.LastName = h.head.LastName
		}
		if p.Status == StatusActive {
			h.open = append(h.open, i)
		}
		h.left--
		if h.left == 0 {
			h.close()
		}
		return
	}
	if p.Status != StatusActive || p.BirthDate.After(h.adult) || room == 0 || h.rng.IntN(1000) >= householdShare {
		return
	}
	head := *p
	h.head = &head
	h.left = min(1+h.rng.IntN(householdMaxLen-1), room)
	h.open = append(h.open[:0], i)
}

// close ends the household being formed; one with fewer than two active
// members is dropped (the address stays shared, as in life).
func (h *householder) close() {
	if len(h.open) >= 2 {
		h.groups = append(h.groups, append([]int(nil), h.open...))
	}
	h.head, h.left, h.open = nil, 0, h.open[:0]
}

// take returns the households formed in the current batch, as indices
// into it, and forgets them.
func (h *householder) take() [][]int {
	h.close()
	gs := h.groups
	h.groups = nil
	return gs
}
