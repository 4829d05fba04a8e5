package fee

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/store"
)

// Period is one fiscal year of the association. Dates are calendar dates
// (midnight UTC), both days included.
type Period struct {
	ID        string    `json:"id"`
	StartsOn  time.Time `json:"starts_on"`
	EndsOn    time.Time `json:"ends_on"`
	CreatedAt time.Time `json:"created_at"`
}

// Contains reports whether day falls within the period.
func (p Period) Contains(day time.Time) bool {
	day = clock.Date(day)
	return !day.Before(p.StartsOn) && !day.After(p.EndsOn)
}

// ErrNoPeriod is returned when the association has no period yet.
var ErrNoPeriod = errors.New("no period has been started")

// ErrPlanChanged is returned when the members to move differ from the plan
// the treasurer confirmed (someone changed a fee or a member meanwhile):
// nothing is changed, and the plan must be looked at again.
var ErrPlanChanged = errors.New("the period change plan has changed since it was shown; review it again")

// longestPeriod is the longest fiscal year the accounting act allows when the
// fiscal year is moved (18 months).
const longestPeriodMonths = 18

// Periods returns the association's periods, the newest first.
func Periods(ctx context.Context, tx *store.TenantTx) ([]Period, error) {
	rows, err := tx.Query(ctx, `SELECT id, starts_on, ends_on, created_at FROM periods WHERE association_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("list periods: %w", err)
	}
	defer rows.Close()
	var out []Period
	for rows.Next() {
		var p Period
		if err := rows.Scan(&p.ID, &p.StartsOn, &p.EndsOn, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan period: %w", err)
		}
		p.StartsOn, p.EndsOn = clock.Date(p.StartsOn.UTC()), clock.Date(p.EndsOn.UTC())
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list periods: %w", err)
	}
	// Sorted here rather than in SQL: SQLite keeps dates as text whose
	// form depends on the driver, and an association has one row a year.
	sort.Slice(out, func(i, j int) bool { return out[i].StartsOn.After(out[j].StartsOn) })
	return out, nil
}

// CurrentPeriod is the period containing today (Finnish date of now), or
// else the latest one; ErrNoPeriod when there is none.
func CurrentPeriod(ctx context.Context, tx *store.TenantTx, now time.Time) (Period, error) {
	ps, err := Periods(ctx, tx)
	if err != nil {
		return Period{}, err
	}
	if len(ps) == 0 {
		return Period{}, ErrNoPeriod
	}
	today := clock.Today(now)
	for _, p := range ps {
		if p.Contains(today) {
			return p, nil
		}
	}
	return ps[0], nil
}

// NextStart suggests the first day of the next period: the day after the
// latest period ends, or, with no period yet, the first of January of the
// current year.
func NextStart(ctx context.Context, tx *store.TenantTx, now time.Time) (time.Time, error) {
	ps, err := Periods(ctx, tx)
	if err != nil {
		return time.Time{}, err
	}
	if len(ps) == 0 {
		return time.Date(clock.Today(now).Year(), 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return ps[0].EndsOn.AddDate(0, 0, 1), nil
}

// Move is one member's change of fee at a period change.
type Move struct {
	MemberID  string    `json:"member_id"`
	Number    int64     `json:"member_number"`
	Name      string    `json:"name"`
	BirthDate time.Time `json:"birth_date"`
	Age       int       `json:"age"`
	FromFeeID string    `json:"from_fee_id"`
	FromFee   string    `json:"from_fee"`
	ToFeeID   string    `json:"to_fee_id"`
	ToFee     string    `json:"to_fee"`
}

// Plan is what a period change would do: the new period and the members
// who would move from one age-based fee to another. Fingerprint identifies
// the plan, so that confirming it applies exactly what was shown.
type Plan struct {
	StartsOn    time.Time `json:"starts_on"`
	EndsOn      time.Time `json:"ends_on"`
	Moves       []Move    `json:"moves"`
	Fingerprint string    `json:"fingerprint"`
	// Exists is true when a period with this start has already begun; the
	// change then only moves whoever is still on the wrong fee.
	Exists bool `json:"exists"`
}

// AgeOn is a person's age in whole years on day. Someone born on 29
// February comes of age on 1 March in other years.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// checkDates validates a new period's dates against the periods already
// started: it must start after the latest period starts (or be that very
// period, which makes the change repeatable) and last at most 18 months.
func checkDates(ps []Period, start, end time.Time) []FieldError {
	var errs []FieldError
	switch {
	case start.IsZero():
		errs = append(errs, FieldError{Field: "starts_on", Message: "required"})
	case len(ps) > 0 && start.Before(ps[0].StartsOn):
		errs = append(errs, FieldError{Field: "starts_on", Message: "must be after the start of the latest period"})
	}
	switch {
	case start.IsZero():
	case end.Before(start):
		errs = append(errs, FieldError{Field: "ends_on", Message: "cannot be before the start"})
	case !end.Before(start.AddDate(0, longestPeriodMonths, 0)):
		errs = append(errs, FieldError{Field: "ends_on", Message: "a period lasts at most 18 months"})
	}
	return errs
}

// PlanPeriodChange shows what starting a period on start (ending on end, or
// with a zero end a year later) would do: every Active member on an
// age-based fee moves to the age-based fee with the highest starting age at
// or below their age on the period's first day. Members without a date of
// birth, without a fee or on a fee that is not age-based stay where they
// are. Nothing is changed. Bad dates return Problems naming the field.
func PlanPeriodChange(ctx context.Context, tx *store.TenantTx, start, end time.Time) (Plan, error) {
	start, end = clock.Date(start), clock.Date(end)
	if end.IsZero() && !start.IsZero() {
		end = start.AddDate(1, 0, -1)
	}
	ps, err := Periods(ctx, tx)
	if err != nil {
		return Plan{}, err
	}
	if errs := checkDates(ps, start, end); len(errs) > 0 {
		return Plan{}, Problems(errs)
	}
	plan := Plan{StartsOn: start, EndsOn: end, Moves: []Move{}}
	for _, p := range ps {
		if p.StartsOn.Equal(start) {
			plan.Exists = true
		}
	}
	if plan.Moves, err = planMoves(ctx, tx, start); err != nil {
		return Plan{}, err
	}
	plan.Fingerprint = fingerprint(plan)
	return plan, nil
}

// ageFees are the age-based fees, highest starting age first.
func ageFees(ctx context.Context, tx *store.TenantTx) ([]Fee, error) {
	all, err := List(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []Fee
	for _, f := range all {
		if f.AgeBased && f.AgeFrom != nil {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].AgeFrom > *out[j].AgeFrom })
	return out, nil
}

// feeForAge is the age-based fee for age, or false when age is below every
// fee's starting age.
func feeForAge(fees []Fee, age int) (Fee, bool) {
	for _, f := range fees {
		if *f.AgeFrom <= age {
			return f, true
		}
	}
	return Fee{}, false
}

func planMoves(ctx context.Context, tx *store.TenantTx, start time.Time) ([]Move, error) {
	fees, err := ageFees(ctx, tx)
	if err != nil || len(fees) == 0 {
		return []Move{}, err
	}
	names := map[string]string{}
	for _, f := range fees {
		names[f.ID] = f.Name
	}
	rows, err := tx.Query(ctx, `SELECT m.id, m.member_number, m.kind, m.first_name, m.last_name, m.org_name,
		m.birth_date, m.fee_id FROM members m JOIN fees f ON f.association_id = $1 AND f.id = m.fee_id
		WHERE m.association_id = $1 AND m.status = $2 AND f.age_based AND m.birth_date IS NOT NULL
		ORDER BY m.member_number`, statusActive)
	if err != nil {
		return nil, fmt.Errorf("read members on age-based fees: %w", err)
	}
	defer rows.Close()
	moves := []Move{}
	for rows.Next() {
		var mv Move
		var kind, first, last, org string
		var birth sql.NullTime
		if err := rows.Scan(&mv.MemberID, &mv.Number, &kind, &first, &last, &org, &birth, &mv.FromFeeID); err != nil {
			return nil, fmt.Errorf("scan member on age-based fee: %w", err)
		}
		mv.BirthDate = clock.Date(birth.Time.UTC())
		mv.Age = AgeOn(mv.BirthDate, start)
		to, ok := feeForAge(fees, mv.Age)
		if !ok || to.ID == mv.FromFeeID {
			continue
		}
		mv.Name = displayName(kind, first, last, org)
		mv.FromFee, mv.ToFeeID, mv.ToFee = names[mv.FromFeeID], to.ID, to.Name
		moves = append(moves, mv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read members on age-based fees: %w", err)
	}
	return moves, nil
}

// fingerprint identifies a plan by its dates and moves.
func fingerprint(p Plan) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", p.StartsOn.Format(time.DateOnly), p.EndsOn.Format(time.DateOnly))
	for _, m := range p.Moves {
		fmt.Fprintf(h, "%s %s %s\n", m.MemberID, m.FromFeeID, m.ToFeeID)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Result is what a period change did.
type Result struct {
	Period Period `json:"period"`
	Moved  int    `json:"moved"`
}

// ApplyPeriodChange starts the period and moves the members of the plan
// the treasurer confirmed (identified by its fingerprint), all in tx with
// one "period.change" audit event that counts the moves and lists each
// member's old and new fee. The plan is made again inside the transaction:
// when it differs from the confirmed one, ErrPlanChanged and nothing
// changes. Running the same change again moves nobody: the period exists
// and everyone is on their fee, so it returns a Result with Moved 0 and
// records nothing. A previous period that would overlap the new one is
// shortened to end the day before.
func ApplyPeriodChange(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time,
	start, end time.Time, confirmed string) (Result, error) {
	if err := lockPeriods(ctx, tx); err != nil {
		return Result{}, err
	}
	plan, err := PlanPeriodChange(ctx, tx, start, end)
	if err != nil {
		return Result{}, err
	}
	if plan.Exists && len(plan.Moves) == 0 {
		p, err := periodStarting(ctx, tx, plan.StartsOn)
		return Result{Period: p}, err
	}
	if plan.Fingerprint != confirmed {
		return Result{}, ErrPlanChanged
	}
	period, shortened, err := startPeriod(ctx, tx, now, plan)
	if err != nil {
		return Result{}, err
	}
	moves := make([]map[string]string, len(plan.Moves))
	for i, mv := range plan.Moves {
		res, err := tx.Exec(ctx, `UPDATE members SET fee_id = $4, updated_at = $5
			WHERE association_id = $1 AND id = $2 AND fee_id = $3`, mv.MemberID, mv.FromFeeID, mv.ToFeeID, now)
		if err != nil {
			return Result{}, fmt.Errorf("move member %d to fee %s: %w", mv.Number, mv.ToFee, err)
		}
		// A member whose fee changed since the plan was read is not moved:
		// the whole change is refused rather than recorded as if it were.
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return Result{}, ErrPlanChanged
		}
		moves[i] = map[string]string{"member_id": mv.MemberID, "from_fee_id": mv.FromFeeID, "to_fee_id": mv.ToFeeID}
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "period.change", ObjectType: "period",
		ObjectID: period.ID, Details: map[string]any{
			"starts_on": plan.StartsOn.Format(time.DateOnly), "ends_on": plan.EndsOn.Format(time.DateOnly),
			"moved": len(moves), "moves": moves, "previous_period_shortened": shortened,
		}}); err != nil {
		return Result{}, err
	}
	return Result{Period: period, Moved: len(moves)}, nil
}

// lockPeriods makes two period changes of one association take turns on
// PostgreSQL (SQLite has one writer anyway), so both cannot plan against
// the same state.
func lockPeriods(ctx context.Context, tx *store.TenantTx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('periods:' || $1))`); err != nil {
		return fmt.Errorf("lock periods: %w", err)
	}
	return nil
}

// startPeriod inserts the plan's period unless it exists, shortening an
// earlier period that would overlap it (shortened reports that, for the
// audit trail).
func startPeriod(ctx context.Context, tx *store.TenantTx, now time.Time, plan Plan) (p Period, shortened bool, err error) {
	if plan.Exists {
		p, err = periodStarting(ctx, tx, plan.StartsOn)
		return p, false, err
	}
	ps, err := Periods(ctx, tx)
	if err != nil {
		return Period{}, false, err
	}
	if len(ps) > 0 && !ps[0].EndsOn.Before(plan.StartsOn) {
		if _, err := tx.Exec(ctx, `UPDATE periods SET ends_on = $3 WHERE association_id = $1 AND id = $2`,
			ps[0].ID, plan.StartsOn.AddDate(0, 0, -1)); err != nil {
			return Period{}, false, fmt.Errorf("end previous period: %w", err)
		}
		shortened = true
	}
	p = Period{ID: uuid.Must(uuid.NewV7()).String(), StartsOn: plan.StartsOn, EndsOn: plan.EndsOn, CreatedAt: now}
	if _, err := tx.Exec(ctx, `INSERT INTO periods (association_id, id, starts_on, ends_on, created_at)
		VALUES ($1, $2, $3, $4, $5)`, p.ID, p.StartsOn, p.EndsOn, now); err != nil {
		return Period{}, false, fmt.Errorf("start period: %w", err)
	}
	return p, shortened, nil
}

func periodStarting(ctx context.Context, tx *store.TenantTx, start time.Time) (Period, error) {
	ps, err := Periods(ctx, tx)
	if err != nil {
		return Period{}, err
	}
	for _, p := range ps {
		if p.StartsOn.Equal(start) {
			return p, nil
		}
	}
	return Period{}, ErrNoPeriod
}
