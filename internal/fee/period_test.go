package fee_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (r *reg) plan(start, end time.Time) (fee.Plan, error) {
	var p fee.Plan
	err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		p, err = fee.PlanPeriodChange(r.ctx, tx, start, end)
		return err
	})
	return p, err
}

func (r *reg) apply(start time.Time, fingerprint string) (fee.Result, error) {
	var res fee.Result
	err := r.write(r.aid, func(tx *store.TenantTx) error {
		var err error
		res, err = fee.ApplyPeriodChange(r.ctx, tx, r.env.Audit, r.now(), start, time.Time{}, fingerprint)
		return err
	})
	return res, err
}

func TestPeriodChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		junior := r.createFee(r.aid, fee.Fee{Name: "Juniori", PriceCents: 1000, AgeFrom: age(0), AgeBased: true, IsDefault: true})
		adult := r.createFee(r.aid, fee.Fee{Name: "Aikuinen", PriceCents: 2500, AgeFrom: age(18), AgeBased: true})
		passive := r.createFee(r.aid, fee.Fee{Name: "Kannatus", PriceCents: 5000})

		// Turns 18 on the new period's first day: moves.
		turning := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Täysi", LastName: "Ikäinen",
			BirthDate: date("2009-01-01")})
		// Turns 18 a day later: stays a junior.
		almost := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Melkein", LastName: "Aikuinen",
			BirthDate: date("2009-01-02")})
		// Adult age on a fee that is not age-based: stays.
		supporter := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Kan", LastName: "Nattaja",
			BirthDate: date("1990-05-05")})
		if err := r.assign(supporter.ID, passive.ID); err != nil {
			t.Fatal(err)
		}
		// Not Active: stays.
		former := r.createMember(r.aid, member.Member{Status: member.StatusInactive, FirstName: "Entinen", LastName: "E",
			BirthDate: date("2000-01-01"), LeftOn: date("2025-12-31")})
		if got := r.feeOf(former.ID); got != junior.ID {
			t.Fatalf("former member's fee %q; want junior (the default)", got)
		}

		start := date("2027-01-01")
		if _, err := r.plan(time.Time{}, time.Time{}); !slices.Equal(fieldsOf(err), []string{"starts_on"}) {
			t.Errorf("plan without start: %v", err)
		}
		if _, err := r.plan(start, date("2026-12-31")); !slices.Equal(fieldsOf(err), []string{"ends_on"}) {
			t.Errorf("plan ending before it starts: %v", err)
		}
		plan, err := r.plan(start, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if !plan.EndsOn.Equal(date("2027-12-31")) || plan.Exists {
			t.Errorf("plan period %v–%v exists=%v", plan.StartsOn, plan.EndsOn, plan.Exists)
		}
		if len(plan.Moves) != 1 {
			t.Fatalf("plan moves %+v; want only the member turning 18", plan.Moves)
		}
		mv := plan.Moves[0]
		if mv.MemberID != turning.ID || mv.Age != 18 || mv.FromFeeID != junior.ID || mv.ToFeeID != adult.ID ||
			mv.FromFee != "Juniori" || mv.ToFee != "Aikuinen" {
			t.Errorf("move %+v", mv)
		}
		// The preview changed nothing.
		if got := r.feeOf(turning.ID); got != junior.ID {
			t.Fatalf("preview moved the member")
		}

		// A confirmation of another plan is refused and changes nothing.
		if _, err := r.apply(start, "stale"); !errors.Is(err, fee.ErrPlanChanged) {
			t.Fatalf("apply with a stale plan: %v", err)
		}
		res, err := r.apply(start, plan.Fingerprint)
		if err != nil {
			t.Fatal(err)
		}
		if res.Moved != 1 || !res.Period.StartsOn.Equal(start) {
			t.Errorf("result %+v", res)
		}
		for id, want := range map[string]string{turning.ID: adult.ID, almost.ID: junior.ID, supporter.ID: passive.ID,
			former.ID: junior.ID} {
			if got := r.feeOf(id); got != want {
				t.Errorf("member %s on fee %s; want %s", id, got, want)
			}
		}

		// The same change again moves nobody and records nothing.
		res, err = r.apply(start, plan.Fingerprint)
		if err != nil || res.Moved != 0 || res.Period.ID == "" {
			t.Fatalf("second apply: %+v, %v", res, err)
		}
		acts := r.env.AuditActions(t, r.aid)
		if got := count(acts, "period.change"); got != 1 {
			t.Errorf("%d period.change events; want 1", got)
		}
		r.read(func(tx *store.TenantTx) error {
			es, err := audit.List(r.ctx, tx, 0, 1000)
			for _, ev := range es {
				if ev.Action != "period.change" {
					continue
				}
				moves, _ := ev.Details["moves"].([]any)
				if ev.Details["moved"] != float64(1) || len(moves) != 1 {
					t.Errorf("period.change details %v", ev.Details)
				}
			}
			return err
		})

		r.read(func(tx *store.TenantTx) error {
			p, err := fee.CurrentPeriod(r.ctx, tx, r.now())
			if err != nil || !p.StartsOn.Equal(start) {
				t.Errorf("current period %+v, %v; want the latest (none contains today)", p, err)
			}
			next, err := fee.NextStart(r.ctx, tx, r.now())
			if !next.Equal(date("2028-01-01")) {
				t.Errorf("next start %v", next)
			}
			return err
		})
		// A period may not start before the latest one.
		if _, err := r.plan(date("2026-01-01"), time.Time{}); !slices.Equal(fieldsOf(err), []string{"starts_on"}) {
			t.Errorf("plan before the latest period: %v", err)
		}
	})
}

func TestPeriodChangeShortensPrevious(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		plan, err := r.plan(date("2026-01-01"), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.apply(plan.StartsOn, plan.Fingerprint); err != nil {
			t.Fatal(err)
		}
		r.read(func(tx *store.TenantTx) error {
			p, err := fee.CurrentPeriod(r.ctx, tx, r.now())
			if err != nil || !p.StartsOn.Equal(date("2026-01-01")) || !p.EndsOn.Equal(date("2026-12-31")) {
				t.Errorf("current period %+v, %v", p, err)
			}
			return err
		})
		// The fiscal year moves to 1.9.–31.8.: the running period ends on 31.8.
		plan, err = r.plan(date("2026-09-01"), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.apply(plan.StartsOn, plan.Fingerprint); err != nil {
			t.Fatal(err)
		}
		r.read(func(tx *store.TenantTx) error {
			ps, err := fee.Periods(r.ctx, tx)
			if len(ps) != 2 || !ps[1].EndsOn.Equal(date("2026-08-31")) || !ps[0].EndsOn.Equal(date("2027-08-31")) {
				t.Errorf("periods %+v", ps)
			}
			return err
		})
	})
}
