package fee_test

import (
	"context"
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

// reg is one engine's application with an association to work in.
type reg struct {
	t   *testing.T
	env *testenv.Env
	aid string
	ctx context.Context
}

func newReg(t *testing.T, e testenv.Engine) *reg {
	env := testenv.New(t, e)
	a := env.Association(t, "Fee ry", 0)
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "u1", Label: "Rahastonhoitaja"})
	return &reg{t: t, env: env, aid: a.ID, ctx: ctx}
}

func (r *reg) write(aid string, fn func(tx *store.TenantTx) error) error {
	return r.env.DB.For(aid).Write(r.ctx, fn)
}

func (r *reg) read(fn func(tx *store.TenantTx) error) {
	r.t.Helper()
	if err := r.env.DB.For(r.aid).Read(r.ctx, fn); err != nil {
		r.t.Fatal(err)
	}
}

func (r *reg) now() time.Time { return r.env.Clock.Now() }

func age(n int) *int { return &n }

func (r *reg) createFee(aid string, f fee.Fee) fee.Fee {
	r.t.Helper()
	var out fee.Fee
	if err := r.write(aid, func(tx *store.TenantTx) error {
		var err error
		out, err = fee.Create(r.ctx, tx, r.env.Audit, r.now(), f)
		return err
	}); err != nil {
		r.t.Fatalf("create fee %+v: %v", f, err)
	}
	return out
}

func (r *reg) createMember(aid string, m member.Member) member.Member {
	r.t.Helper()
	var out member.Member
	if err := r.write(aid, func(tx *store.TenantTx) error {
		var err error
		out, err = member.Create(r.ctx, tx, r.env.Audit, r.now(), m)
		return err
	}); err != nil {
		r.t.Fatalf("create member: %v", err)
	}
	return out
}

func (r *reg) feeOf(memberID string) string {
	r.t.Helper()
	var id string
	r.read(func(tx *store.TenantTx) error {
		f, ok, err := fee.OfMember(r.ctx, tx, memberID)
		if ok {
			id = f.ID
		}
		return err
	})
	return id
}

func (r *reg) assign(memberID, feeID string) error {
	return r.write(r.aid, func(tx *store.TenantTx) error {
		return fee.Assign(r.ctx, tx, r.env.Audit, r.now(), memberID, feeID)
	})
}

func count(actions []string, action string) int {
	n := 0
	for _, a := range actions {
		if a == action {
			n++
		}
	}
	return n
}

func fieldsOf(err error) []string {
	var ps fee.Problems
	if !errors.As(err, &ps) {
		return nil
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestParsePrice(t *testing.T) {
	good := map[string]int64{"25,00": 2500, "25.00": 2500, "25": 2500, "25,5": 2550, "0": 0, " 1 250,00 € ": 125000,
		"0,05": 5, "25,00 €": 2500}
	for in, want := range good {
		got, err := fee.ParsePrice("price", in)
		if err != nil || got != want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5", "25,001", "abc", "2,5,0", "25e3", "١٢", "99999999"} {
		if _, err := fee.ParsePrice("price", in); err == nil || err.Error()[:6] != "price:" {
			t.Errorf("ParsePrice(%q) = %v; want an error naming price", in, err)
		}
	}
	if got := fee.FormatPrice(2500); got != "25,00\u00a0€" {
		t.Errorf("FormatPrice(2500) = %q", got)
	}
}

func TestParseAge(t *testing.T) {
	if a, err := fee.ParseAge("age_from", "18"); err != nil || *a != 18 {
		t.Errorf("ParseAge(18) = %v, %v", a, err)
	}
	if a, err := fee.ParseAge("age_from", " "); err != nil || a != nil {
		t.Errorf("ParseAge(blank) = %v, %v", a, err)
	}
	for _, in := range []string{"-1", "151", "x", "1.5"} {
		if _, err := fee.ParseAge("age_from", in); err == nil {
			t.Errorf("ParseAge(%q) accepted", in)
		}
	}
}

func TestAgeOn(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	cases := []struct {
		birth, day string
		want       int
	}{
		{"2009-01-01", "2027-01-01", 18}, {"2009-01-02", "2027-01-01", 17}, {"2008-02-29", "2026-02-28", 17},
		{"2008-02-29", "2026-03-01", 18}, {"2008-02-29", "2028-02-29", 20},
	}
	for _, c := range cases {
		if got := fee.AgeOn(d(c.birth), d(c.day)); got != c.want {
			t.Errorf("AgeOn(%s, %s) = %d; want %d", c.birth, c.day, got, c.want)
		}
	}
}

func TestFeeRules(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		// Bad input names the field and writes nothing.
		err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := fee.Create(r.ctx, tx, r.env.Audit, r.now(), fee.Fee{Name: " ", PriceCents: -1, AgeFrom: age(151)})
			return err
		})
		if got := fieldsOf(err); !slices.Equal(got, []string{"name", "price_cents", "age_from"}) {
			t.Fatalf("bad fee: fields %v (%v)", got, err)
		}
		err = r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := fee.Create(r.ctx, tx, r.env.Audit, r.now(), fee.Fee{Name: "Junior", AgeBased: true})
			return err
		})
		if got := fieldsOf(err); !slices.Equal(got, []string{"age_from"}) {
			t.Fatalf("age-based fee without age: fields %v", got)
		}
		r.read(func(tx *store.TenantTx) error {
			fs, err := fee.List(r.ctx, tx)
			if len(fs) != 0 {
				t.Errorf("bad fees were stored: %+v", fs)
			}
			return err
		})

		adult := r.createFee(r.aid, fee.Fee{Name: "Aikuinen", PriceCents: 2500, Product: "3000", IsDefault: true})
		junior := r.createFee(r.aid, fee.Fee{Name: "Juniori", PriceCents: 1000, AgeFrom: age(0), AgeBased: true})
		if adult.Position != 1 || junior.Position != 2 {
			t.Errorf("positions %d, %d; want 1, 2", adult.Position, junior.Position)
		}
		err = r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := fee.Create(r.ctx, tx, r.env.Audit, r.now(), fee.Fee{Name: "Aikuinen"})
			return err
		})
		if got := fieldsOf(err); !slices.Equal(got, []string{"name"}) {
			t.Fatalf("duplicate name: fields %v (%v)", got, err)
		}

		// Exactly one default: making junior the default unsets adult.
		if err := r.write(r.aid, func(tx *store.TenantTx) error {
			return fee.SetDefault(r.ctx, tx, r.env.Audit, r.now(), junior.ID)
		}); err != nil {
			t.Fatal(err)
		}
		r.read(func(tx *store.TenantTx) error {
			fs, err := fee.List(r.ctx, tx)
			var defaults []string
			for _, f := range fs {
				if f.IsDefault {
					defaults = append(defaults, f.Name)
				}
			}
			if !slices.Equal(defaults, []string{"Juniori"}) {
				t.Errorf("defaults %v; want [Juniori]", defaults)
			}
			return err
		})

		// Update: the price changes and is audited.
		next := adult
		next.PriceCents, next.IsDefault = 3000, false
		if err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := fee.Update(r.ctx, tx, r.env.Audit, r.now(), adult.ID, next)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// New members get the default fee, also through InsertBatch.
		m := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Uusi", LastName: "Jäsen"})
		if got := r.feeOf(m.ID); got != junior.ID {
			t.Errorf("new member's fee %q; want the default %q", got, junior.ID)
		}

		// Deleting a fee in use is refused; once free it is deleted.
		err = r.write(r.aid, func(tx *store.TenantTx) error { return fee.Delete(r.ctx, tx, r.env.Audit, junior.ID) })
		var inUse *fee.InUseError
		if !errors.As(err, &inUse) || inUse.Members != 1 || !errors.Is(err, fee.ErrInUse) {
			t.Fatalf("delete fee in use: %v", err)
		}
		if err := r.assign(m.ID, adult.ID); err != nil {
			t.Fatal(err)
		}
		if err := r.write(r.aid, func(tx *store.TenantTx) error { return fee.Delete(r.ctx, tx, r.env.Audit, junior.ID) }); err != nil {
			t.Fatalf("delete free fee: %v", err)
		}
		r.read(func(tx *store.TenantTx) error {
			counts, err := fee.Counts(r.ctx, tx)
			if len(counts) != 1 || counts[adult.ID] != 1 {
				t.Errorf("counts %v; want adult 1", counts)
			}
			return err
		})

		acts := r.env.AuditActions(t, r.aid)
		for action, want := range map[string]int{"fee.create": 2, "fee.update": 3, "fee.delete": 1, "member.fee": 1} {
			if got := count(acts, action); got != want {
				t.Errorf("%d %s events; want %d (%v)", got, action, want, acts)
			}
		}
	})
}

func TestAssignOnlyActive(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		f := r.createFee(r.aid, fee.Fee{Name: "Kannatus", PriceCents: 5000})
		applied := r.createMember(r.aid, member.Member{Status: member.StatusApplied, FirstName: "Haki", LastName: "Ja"})
		if err := r.assign(applied.ID, f.ID); !errors.Is(err, fee.ErrNotActive) {
			t.Fatalf("assign to applied member: %v; want ErrNotActive", err)
		}
		if got := r.feeOf(applied.ID); got != "" {
			t.Errorf("applied member got fee %q", got)
		}
		active := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Akti", LastName: "Ivi"})
		if err := r.assign(active.ID, "no-such-fee"); !errors.Is(err, fee.ErrNotFound) {
			t.Fatalf("assign unknown fee: %v", err)
		}
		if err := r.assign(active.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		// The same fee again records nothing.
		if err := r.assign(active.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		if got := count(r.env.AuditActions(t, r.aid), "member.fee"); got != 1 {
			t.Errorf("%d member.fee events; want 1", got)
		}
		var ms []fee.Member
		r.read(func(tx *store.TenantTx) error {
			var err error
			ms, err = fee.Members(r.ctx, tx, f.ID, 0, 10)
			return err
		})
		if len(ms) != 1 || ms[0].ID != active.ID || ms[0].Name != "Ivi, Akti" {
			t.Errorf("members of fee: %+v", ms)
		}
	})
}

func TestFeeIsolation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		other := r.env.Association(t, "Toinen ry", 0)
		theirs := r.createFee(other.ID, fee.Fee{Name: "Heidän", PriceCents: 100})
		their := r.createMember(other.ID, member.Member{Status: member.StatusActive, FirstName: "Vieras", LastName: "V"})
		mine := r.createMember(r.aid, member.Member{Status: member.StatusActive, FirstName: "Oma", LastName: "O"})
		r.read(func(tx *store.TenantTx) error {
			if _, err := fee.Get(r.ctx, tx, theirs.ID); !errors.Is(err, fee.ErrNotFound) {
				t.Errorf("get other association's fee: %v", err)
			}
			if _, err := fee.Members(r.ctx, tx, theirs.ID, 0, 10); !errors.Is(err, fee.ErrNotFound) {
				t.Errorf("members of other association's fee: %v", err)
			}
			fs, err := fee.List(r.ctx, tx)
			if len(fs) != 0 {
				t.Errorf("list shows another association's fees: %+v", fs)
			}
			return err
		})
		if err := r.assign(mine.ID, theirs.ID); !errors.Is(err, fee.ErrNotFound) {
			t.Errorf("assign other association's fee: %v", err)
		}
		if err := r.assign(their.ID, ""); !errors.Is(err, fee.ErrMemberNotFound) {
			t.Errorf("assign to other association's member: %v", err)
		}
		next := theirs
		next.Name = "Kaapattu"
		err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := fee.Update(r.ctx, tx, r.env.Audit, r.now(), theirs.ID, next)
			return err
		})
		if !errors.Is(err, fee.ErrNotFound) {
			t.Errorf("update other association's fee: %v", err)
		}
		if err := r.write(r.aid, func(tx *store.TenantTx) error { return fee.Delete(r.ctx, tx, r.env.Audit, theirs.ID) }); !errors.Is(err, fee.ErrNotFound) {
			t.Errorf("delete other association's fee: %v", err)
		}
	})
}
