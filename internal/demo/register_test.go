package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/household"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// query runs a query in the association and returns each row's columns
// joined by "|", in the query's order.
func query(t *testing.T, env *testenv.Env, aid, sql string, args ...any) []string {
	t.Helper()
	var out []string
	err := env.DB.For(aid).Read(context.Background(), func(tx *store.TenantTx) error {
		rows, err := tx.Query(context.Background(), sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c string
			dest := []any{&a, &b, &c}
			cols := strings.Count(sql[:strings.Index(sql, " FROM ")], ",") + 1
			if err := rows.Scan(dest[:cols]...); err != nil {
				return err
			}
			out = append(out, strings.Join([]string{a, b, c}[:cols], "|"))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// registerFingerprint is everything generated besides the members,
// keyed by member number rather than by the random ids.
func registerFingerprint(t *testing.T, env *testenv.Env, aid string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT CAST(m.member_number AS TEXT), f.name FROM members m JOIN fees f ON f.id = m.fee_id
			WHERE m.association_id = $1 ORDER BY m.member_number`,
		`SELECT g.name, CAST(m.member_number AS TEXT) FROM group_members gm JOIN groups g ON g.id = gm.group_id
			JOIN members m ON m.id = gm.member_id WHERE gm.association_id = $1 ORDER BY g.name, m.member_number`,
		`SELECT h.name, CAST(m.member_number AS TEXT) FROM household_members hm JOIN households h ON h.id = hm.household_id
			JOIN members m ON m.id = hm.member_id WHERE hm.association_id = $1 ORDER BY m.member_number`,
		`SELECT f.name, CAST(m.member_number AS TEXT), v.value FROM custom_values v JOIN custom_fields f ON f.id = v.field_id
			JOIN members m ON m.id = v.member_id WHERE v.association_id = $1 ORDER BY f.name, m.member_number`,
		`SELECT p.title, CAST(m.member_number AS TEXT) FROM positions p JOIN members m ON m.id = p.member_id
			WHERE p.association_id = $1 ORDER BY p.title, m.member_number`,
		`SELECT sort_name, street FROM customers WHERE association_id = $1 ORDER BY customer_number`,
	} {
		out = append(out, query(t, env, aid, q)...)
	}
	return out
}

func TestPopulateBuildsRegister(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		now := env.Clock.Now()
		res, err := demo.Populate(ctx, env.DB, env.Audit, demo.Plan{Members: 3000, Associations: 1, Seed: 3, Today: now})
		if err != nil {
			t.Fatal(err)
		}
		aid := res.Associations[0].ID
		reg := res.Registers[0]
		if reg.Fees != 4 || reg.Groups != 8 || reg.CustomFields != 3 || reg.Customers != 5 || reg.Positions != 11 {
			t.Errorf("register counts %+v", reg)
		}
		if reg.Households < 30 || reg.HouseholdMembers < 2*reg.Households || reg.GroupMembers < 600 || reg.CustomValues < 300 {
			t.Errorf("too little generated: %+v", reg)
		}

		// Fees: everyone on the fee for their age on the period's first day.
		today := clock.Today(now)
		start := time.Date(today.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
		byFee := map[string]int{}
		err = env.DB.For(aid).Read(ctx, func(tx *store.TenantTx) error {
			p, err := fee.CurrentPeriod(ctx, tx, now)
			if err != nil {
				return err
			}
			if !p.StartsOn.Equal(start) || !p.EndsOn.Equal(start.AddDate(1, 0, -1)) {
				t.Errorf("current period %s..%s, want the calendar year", p.StartsOn, p.EndsOn)
			}
			fees, err := fee.List(ctx, tx)
			if err != nil {
				return err
			}
			names := map[string]fee.Fee{}
			for _, f := range fees {
				names[f.ID] = f
			}
			if len(fees) != 4 || fees[0].Name != demo.FeeAdult || !fees[0].IsDefault || fees[0].PriceCents != 3500 {
				t.Errorf("fees %+v", fees)
			}
			plan, err := fee.PlanPeriodChange(ctx, tx, start, start.AddDate(1, 0, -1))
			if err != nil {
				return err
			}
			if len(plan.Moves) != 0 {
				t.Errorf("%d members on the wrong age-based fee, e.g. %+v", len(plan.Moves), plan.Moves[0])
			}
			cutoff := start.AddDate(-18, 0, 0)
			for _, row := range query(t, env, aid, `SELECT f.name, CAST(COUNT(*) AS TEXT) FROM members m JOIN fees f ON f.id = m.fee_id
				WHERE m.association_id = $1 GROUP BY f.name`) {
				var n int
				name, count, _ := strings.Cut(row, "|")
				fmt.Sscan(count, &n)
				byFee[name] = n
			}
			wrong := query(t, env, aid, `SELECT CAST(m.member_number AS TEXT), f.name FROM members m LEFT JOIN fees f ON f.id = m.fee_id
				WHERE m.association_id = $1 AND (f.name IS NULL OR (m.birth_date > $2 AND f.name <> $3)
					OR (m.birth_date <= $2 AND f.name = $3))`, cutoff, demo.FeeJunior)
			if len(wrong) > 0 {
				t.Errorf("%d members on the wrong fee, e.g. %s", len(wrong), wrong[0])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if byFee[demo.FeeJunior] < 150 || byFee[demo.FeeSupporter] < 50 || byFee[demo.FeeFamily] < 20 || byFee[demo.FeeAdult] < 1500 {
			t.Errorf("members per fee %v", byFee)
		}

		// Households: 2..4 active members at one address, the first the recipient.
		err = env.DB.For(aid).Read(ctx, func(tx *store.TenantTx) error {
			hs, err := household.List(ctx, tx)
			if err != nil {
				return err
			}
			if len(hs) != reg.Households {
				t.Errorf("%d households, reported %d", len(hs), reg.Households)
			}
			for _, h := range hs {
				full, err := household.Get(ctx, tx, h.ID)
				if err != nil {
					return err
				}
				if n := len(full.Members); n < 2 || n > 4 {
					t.Errorf("household %s has %d members", h.Name, n)
				}
				r, ok := full.Recipient()
				if !ok {
					t.Errorf("household %s has no recipient", h.Name)
				}
				for _, m := range full.Members {
					if m.Status != member.StatusActive {
						t.Errorf("household %s: member %d is %s", h.Name, m.Number, m.Status)
					}
					if m.Street != r.Street || m.Postcode != r.Postcode {
						t.Errorf("household %s: %s %s vs %s %s", h.Name, m.Street, m.Postcode, r.Street, r.Postcode)
					}
				}
			}
			if broken, err := household.BrokenLinks(ctx, tx); err != nil || len(broken) > 0 {
				t.Errorf("broken households %v %v", broken, err)
			}

			// Groups: every kind, each with a plausible share.
			gs, err := group.List(ctx, tx, "")
			if err != nil {
				return err
			}
			kinds := map[string]int{}
			for _, g := range gs {
				kinds[g.Kind]++
				if g.Name != "Uusi jäsen" && (g.Members < 10 || g.Members > 1000) {
					t.Errorf("group %s has %d members", g.Name, g.Members)
				}
			}
			if kinds[group.KindActivity] != 3 || kinds[group.KindSection] != 2 || kinds[group.KindTag] != 3 {
				t.Errorf("group kinds %v", kinds)
			}
			ps, err := group.CurrentPositions(ctx, tx, today)
			if err != nil {
				return err
			}
			var titles []string
			for _, p := range ps {
				titles = append(titles, p.Title)
			}
			for _, want := range []string{"chair", "vice_chair", "secretary", "treasurer", "board_member", "auditor"} {
				if !slices.Contains(titles, want) {
					t.Errorf("no current %s among %v", want, titles)
				}
			}
			if hist, err := group.PositionHistory(ctx, tx, today); err != nil || len(hist) != 1 || hist[0].Title != "chair" {
				t.Errorf("ended positions %d (want the former chair), %v", len(hist), err)
			}

			// Custom values are valid for their fields.
			fields, err := member.CustomFields(ctx, tx)
			if err != nil {
				return err
			}
			if len(fields) != 3 {
				t.Fatalf("custom fields %+v", fields)
			}
			for _, f := range fields {
				vals := query(t, env, aid, `SELECT value FROM custom_values WHERE association_id = $1 AND field_id = $2`, f.ID)
				if len(vals) < 20 {
					t.Errorf("field %s has %d values", f.Name, len(vals))
				}
				for _, v := range vals {
					if c, err := member.CustomValue(f, v); err != nil || c != v {
						t.Fatalf("field %s value %q is not canonical: %q %v", f.Name, v, c, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// Audit: the definitions one by one, the bulk as summaries.
		acts := env.AuditActions(t, aid)
		if len(acts) > 60 || acts[len(acts)-1] != "demo.generate" {
			t.Errorf("audit trail of %d events, last %q", len(acts), acts[len(acts)-1])
		}
		for _, want := range []string{"fee.create", "period.change", "group.create", "position.add", "customer.create"} {
			if !slices.Contains(acts, want) {
				t.Errorf("no %s event in %v", want, acts)
			}
		}
	})
}

func TestPopulateRegisterIsDeterministic(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		run := func(seed uint64) []string {
			res, err := demo.Populate(context.Background(), env.DB, env.Audit,
				demo.Plan{Members: 800, Associations: 1, Seed: seed, Today: env.Clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return registerFingerprint(t, env, res.Associations[0].ID)
		}
		a, b, c := run(11), run(11), run(12)
		if len(a) < 800 {
			t.Fatalf("fingerprint of %d rows", len(a))
		}
		if !slices.Equal(a, b) {
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("same seed, different register at row %d: %q vs %q", i, a[i], b[i])
				}
			}
			t.Fatalf("same seed, %d vs %d rows", len(a), len(b))
		}
		if slices.Equal(a, c) {
			t.Error("seeds 11 and 12 gave the same register")
		}
	})
}
