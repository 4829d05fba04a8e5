package member_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
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
	a := env.Association(t, "A ry", 0)
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "u1", Label: "Sihteeri"})
	return &reg{t: t, env: env, aid: a.ID, ctx: ctx}
}

// write runs fn in a write transaction of association aid.
func (r *reg) write(aid string, fn func(tx *store.TenantTx) error) error {
	return r.env.DB.For(aid).Write(r.ctx, fn)
}

func (r *reg) now() time.Time { return r.env.Clock.Now() }

func (r *reg) create(m member.Member) member.Member {
	r.t.Helper()
	return r.createIn(r.aid, m)
}

func (r *reg) createIn(aid string, m member.Member) member.Member {
	r.t.Helper()
	var out member.Member
	if err := r.write(aid, func(tx *store.TenantTx) error {
		var err error
		out, err = member.Create(r.ctx, tx, r.env.Audit, r.now(), m)
		return err
	}); err != nil {
		r.t.Fatalf("create %+v: %v", m, err)
	}
	return out
}

func (r *reg) status(id, to string, on time.Time, reason string) (member.Member, error) {
	var out member.Member
	err := r.write(r.aid, func(tx *store.TenantTx) error {
		var err error
		out, err = member.ChangeStatus(r.ctx, tx, r.env.Audit, r.now(), id, to, on, reason)
		return err
	})
	return out, err
}

func (r *reg) update(id string, m member.Member) (member.Member, error) {
	var out member.Member
	err := r.write(r.aid, func(tx *store.TenantTx) error {
		var err error
		out, err = member.Update(r.ctx, tx, r.env.Audit, r.now(), id, m)
		return err
	})
	return out, err
}

func (r *reg) delete(id string) (bool, error) {
	var anon bool
	err := r.write(r.aid, func(tx *store.TenantTx) error {
		var err error
		anon, err = member.Delete(r.ctx, tx, r.env.Audit, r.now(), id)
		return err
	})
	return anon, err
}

func (r *reg) get(id string) (member.Member, error) {
	var m member.Member
	err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		m, err = member.Get(r.ctx, tx, id)
		return err
	})
	return m, err
}

func (r *reg) history(id string) []member.StatusChange {
	r.t.Helper()
	var h []member.StatusChange
	if err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		h, err = member.History(r.ctx, tx, id)
		return err
	}); err != nil {
		r.t.Fatalf("history: %v", err)
	}
	return h
}

// events returns the association's audit events, oldest first.
func (r *reg) events() []audit.Entry {
	r.t.Helper()
	var es []audit.Entry
	if err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		es, err = audit.List(r.ctx, tx, 0, 10000)
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

func (r *reg) lastEvent() audit.Entry {
	r.t.Helper()
	es := r.events()
	if len(es) == 0 {
		r.t.Fatal("no audit events")
	}
	return es[len(es)-1]
}

// count runs a COUNT query (using $1) in the association.
func (r *reg) count(q string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
		return tx.QueryRow(r.ctx, q, args...).Scan(&n)
	}); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// checkCounts compares the kept per-status counts with a real GROUP BY.
func (r *reg) checkCounts(step string) {
	r.t.Helper()
	r.env.CheckCounts(r.t, r.aid, step)
}

func TestCreate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: " Active", LastName: " Virtanen ", FirstName: "Matti",
			Phone: "040 123 4567", Email: "Matti@Example.fi", JoinedOn: date(2020, 1, 15)})
		if m.ID == "" || m.Number != 1 || m.LastName != "Virtanen" || m.Status != member.StatusActive ||
			m.Phone != "+358401234567" || !m.PhoneMobile || m.Email != "matti@example.fi" {
			t.Fatalf("created %+v", m)
		}
		stored, err := r.get(m.ID)
		if err != nil || !same(stored, m) {
			t.Fatalf("stored %+v (%v)\nreturned %+v", stored, err, m)
		}
		org := r.create(member.Member{Kind: "organisation", Status: "applied", OrgName: "Nokia Oyj", BusinessID: "01120389"})
		if org.Number != 2 || org.BusinessID != "0112038-9" {
			t.Fatalf("organisation %+v", org)
		}
		if got, _ := r.get(org.ID); got.BusinessID != "0112038-9" {
			t.Fatalf("business ID stored as %q", got.BusinessID)
		}
		h := r.history(m.ID)
		if len(h) != 1 || h[0].From != "" || h[0].To != "active" || !h[0].On.Equal(date(2020, 1, 15)) ||
			h[0].ActorLabel != "Sihteeri" || !h[0].ChangedAt.Equal(r.now()) {
			t.Fatalf("history %+v", h)
		}
		if h := r.history(org.ID); len(h) != 1 || !h[0].On.Equal(date(2026, 3, 2)) {
			t.Fatalf("application history %+v", h)
		}
		if got := r.env.AuditActions(t, r.aid); !slices.Equal(got[len(got)-2:], []string{"member.create", "member.create"}) {
			t.Fatalf("audit %v", got)
		}
	})
}

func TestCreateInvalidWritesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		before := len(r.events())
		err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.Create(r.ctx, tx, r.env.Audit, r.now(), member.Member{Status: "active", Postcode: "123",
				BirthDate: date(2030, 1, 1)})
			return err
		})
		var ps member.Problems
		if !errors.As(err, &ps) {
			t.Fatalf("want Problems, got %v", err)
		}
		var fields []string
		for _, p := range ps {
			fields = append(fields, p.Field)
		}
		if !slices.Equal(fields, []string{"last_name", "postcode", "birth_date"}) {
			t.Fatalf("problems %v", ps)
		}
		if n := r.count(`SELECT COUNT(*) FROM members WHERE association_id = $1`); n != 0 {
			t.Fatalf("%d members written", n)
		}
		if len(r.events()) != before {
			t.Fatal("audit event written for a refused card")
		}
	})
}

func TestCreateTakenNumber(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		r.create(member.Member{Number: 5, Status: "active", LastName: "Viides"})
		err := r.write(r.aid, func(tx *store.TenantTx) error {
			_, err := member.Create(r.ctx, tx, r.env.Audit, r.now(), member.Member{Number: 5, Status: "active", LastName: "Toinen"})
			return err
		})
		var ps member.Problems
		if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "member_number" || !strings.Contains(ps[0].Message, "6") {
			t.Fatalf("want a member_number problem naming 6, got %v", err)
		}
		if next := r.create(member.Member{Status: "active", LastName: "Seuraava"}); next.Number != 6 {
			t.Fatalf("next number %d, want 6", next.Number)
		}
		if n := r.count(`SELECT COUNT(*) FROM members WHERE association_id = $1`); n != 2 {
			t.Fatalf("%d members", n)
		}
	})
}

// allowed is the transition table, written out independently of the code.
var allowed = map[[2]string]bool{
	{"applied", "active"}:    true,
	{"applied", "rejected"}:  true,
	{"active", "inactive"}:   true,
	{"active", "deceased"}:   true,
	{"inactive", "active"}:   true,
	{"inactive", "deceased"}: true,
}

func TestTransitions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		on := date(2026, 2, 1)
		for _, from := range []string{"applied", "active", "inactive", "deceased"} {
			for _, to := range []string{"applied", "active", "inactive", "deceased", "rejected"} {
				t.Run(from+"→"+to, func(t *testing.T) {
					r.t = t
					start := member.Member{Status: from, LastName: "Siirtyjä", JoinedOn: date(2010, 1, 1)}
					if from == "applied" {
						start.JoinedOn = time.Time{}
					}
					if from == "inactive" || from == "deceased" {
						start.LeftOn = date(2020, 6, 30)
					}
					m := r.create(start)
					events := len(r.events())
					got, err := r.status(m.ID, to, on, "syy")
					if !allowed[[2]string{from, to}] {
						var te *member.TransitionError
						if !errors.Is(err, member.ErrTransition) || !errors.As(err, &te) || te.From != from || te.To != to ||
							!strings.Contains(err.Error(), from) || !strings.Contains(err.Error(), to) {
							t.Fatalf("want a transition error naming %s and %s, got %v", from, to, err)
						}
						if now, _ := r.get(m.ID); now.Status != from {
							t.Fatalf("status changed to %s", now.Status)
						}
						if len(r.events()) != events || len(r.history(m.ID)) != 1 {
							t.Fatal("a refused change was written")
						}
						return
					}
					if err != nil {
						t.Fatalf("allowed change refused: %v", err)
					}
					last := r.lastEvent()
					if to == "rejected" {
						if _, err := r.get(m.ID); !errors.Is(err, member.ErrNotFound) {
							t.Fatalf("rejected application still readable: %v", err)
						}
						if last.Action != "member.reject" || got.Status != member.StatusRejected {
							t.Fatalf("event %s, returned status %s", last.Action, got.Status)
						}
						return
					}
					stored, err := r.get(m.ID)
					if err != nil || stored.Status != to || !same(got, stored) {
						t.Fatalf("stored %+v (%v), returned %+v", stored, err, got)
					}
					switch {
					case from == "applied":
						if !stored.JoinedOn.Equal(on) || !stored.LeftOn.IsZero() {
							t.Fatalf("approved: joined %v left %v", stored.JoinedOn, stored.LeftOn)
						}
					case from == "inactive" && to == "deceased":
						if !stored.LeftOn.Equal(date(2020, 6, 30)) {
							t.Fatalf("a former member's leaving date changed to %v", stored.LeftOn)
						}
					case to == "inactive" || to == "deceased":
						if !stored.LeftOn.Equal(on) || !stored.JoinedOn.Equal(date(2010, 1, 1)) {
							t.Fatalf("left: joined %v left %v", stored.JoinedOn, stored.LeftOn)
						}
					case from == "inactive":
						if !stored.LeftOn.IsZero() || !stored.JoinedOn.Equal(date(2010, 1, 1)) {
							t.Fatalf("rejoined: joined %v left %v", stored.JoinedOn, stored.LeftOn)
						}
					}
					h := r.history(m.ID)
					if len(h) != 2 || h[1].From != from || h[1].To != to || !h[1].On.Equal(on) || h[1].Reason != "syy" {
						t.Fatalf("history %+v", h)
					}
					if last.Action != "member.status" || last.ObjectID != m.ID {
						t.Fatalf("event %+v", last)
					}
				})
			}
		}
		r.t = t
		r.checkCounts("after all transitions")
	})
}

func TestApproveKeepsJoinedOn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "applied", LastName: "Hakija", JoinedOn: date(2026, 1, 1)})
		got, err := r.status(m.ID, "active", date(2026, 2, 1), "")
		if err != nil || !got.JoinedOn.Equal(date(2026, 1, 1)) {
			t.Fatalf("approve: %+v, %v", got, err)
		}
		// Leaving before joining is refused.
		if _, err := r.status(m.ID, "inactive", date(2025, 1, 1), ""); err == nil {
			t.Fatal("left before joining")
		}
	})
}

func TestRejectLeavesNoRow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "applied", LastName: "Hylätty", Email: "hylatty@example.fi"})
		if _, err := r.status(m.ID, member.StatusRejected, time.Time{}, "ei täytä ehtoja"); err != nil {
			t.Fatal(err)
		}
		if n := r.count(`SELECT COUNT(*) FROM members WHERE association_id = $1 AND id = $2`, m.ID); n != 0 {
			t.Fatalf("%d member rows", n)
		}
		if n := r.count(`SELECT COUNT(*) FROM member_status_history WHERE association_id = $1 AND member_id = $2`, m.ID); n != 0 {
			t.Fatalf("%d history rows", n)
		}
		r.checkCounts("after reject")
		ev := r.lastEvent()
		if ev.Action != "member.reject" || ev.ObjectID != m.ID {
			t.Fatalf("event %+v", ev)
		}
		for _, c := range ev.Changes {
			if c.Field == "reason" && !strings.HasPrefix(c.After, "hmac:") {
				t.Fatalf("reason in the clear: %+v", c)
			}
		}
	})
}

func TestEditOnlyActive(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		for _, st := range []string{"applied", "inactive", "deceased"} {
			m := r.create(member.Member{Status: st, LastName: "Vanha"})
			events := len(r.events())
			edit := m
			edit.LastName = "Uusi"
			if _, err := r.update(m.ID, edit); !errors.Is(err, member.ErrNotEditable) {
				t.Fatalf("%s: want ErrNotEditable, got %v", st, err)
			}
			if got, _ := r.get(m.ID); got.LastName != "Vanha" || len(r.events()) != events {
				t.Fatalf("%s: edit written", st)
			}
		}
	})
}

func TestUpdate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "active", FirstName: "Matti", LastName: "Virtanen", Town: "Helsinki"})
		created := m.UpdatedAt
		r.env.Clock.Advance(time.Hour)

		// The same card again: nothing is written.
		events := len(r.events())
		again, err := r.update(m.ID, m)
		if err != nil || !same(again, m) || len(r.events()) != events {
			t.Fatalf("unchanged update: %+v, %v, %d events (was %d)", again, err, len(r.events()), events)
		}
		if got, _ := r.get(m.ID); !got.UpdatedAt.Equal(created) {
			t.Fatal("updated_at moved without a change")
		}

		edit := m
		edit.LastName, edit.Town, edit.Phone = "Korhonen", "", "09 123 4567"
		got, err := r.update(m.ID, edit)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := r.get(m.ID)
		if !same(stored, got) || stored.LastName != "Korhonen" || stored.Town != "" || stored.Phone != "+35891234567" ||
			stored.PhoneMobile || !stored.UpdatedAt.Equal(r.now()) || !stored.CreatedAt.Equal(created) {
			t.Fatalf("stored %+v, returned %+v", stored, got)
		}
		ev := r.lastEvent()
		var fields []string
		for _, c := range ev.Changes {
			fields = append(fields, c.Field)
		}
		if ev.Action != "member.update" || !slices.Equal(fields, []string{"last_name", "phone", "town"}) {
			t.Fatalf("event %s changes %v", ev.Action, fields)
		}

		// Status changes only through ChangeStatus.
		edit = stored
		edit.Status = "inactive"
		var ps member.Problems
		if _, err := r.update(m.ID, edit); !errors.As(err, &ps) || ps[0].Field != "status" {
			t.Fatalf("status edit: %v", err)
		}
		// A bad card is refused.
		edit = stored
		edit.Email = "not an address"
		if _, err := r.update(m.ID, edit); !errors.As(err, &ps) || ps[0].Field != "email" {
			t.Fatalf("bad email: %v", err)
		}
		// Another member's number is refused.
		other := r.create(member.Member{Status: "active", LastName: "Toinen"})
		edit = stored
		edit.Number = other.Number
		if _, err := r.update(m.ID, edit); !errors.As(err, &ps) || ps[0].Field != "member_number" {
			t.Fatalf("taken number: %v", err)
		}
	})
}

func TestLeaveBlockers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "active", LastName: "Perheellinen", JoinedOn: date(2000, 1, 1)})
		linked := map[string]bool{m.ID: true}
		saved := member.LeaveBlockers
		t.Cleanup(func() { member.LeaveBlockers = saved })
		member.LeaveBlockers = append(slices.Clone(saved), func(ctx context.Context, tx *store.TenantTx, id string) (string, error) {
			// The hook runs inside the change's transaction.
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM members WHERE association_id = $1 AND id = $2`, id).Scan(&n); err != nil || n != 1 {
				return "", fmt.Errorf("hook cannot see the member: %d, %v", n, err)
			}
			if linked[id] {
				return "is in household Perheellinen", nil
			}
			return "", nil
		})
		_, err := r.status(m.ID, "inactive", date(2026, 1, 31), "")
		var be *member.BlockedError
		if !errors.Is(err, member.ErrLeaveBlocked) || !errors.As(err, &be) || be.Reasons[0] != "is in household Perheellinen" {
			t.Fatalf("want a blocked leave, got %v", err)
		}
		if got, _ := r.get(m.ID); got.Status != "active" || !got.LeftOn.IsZero() || len(r.history(m.ID)) != 1 {
			t.Fatalf("blocked leave written: %+v", got)
		}
		// Once the link is cleared, the member can leave.
		linked[m.ID] = false
		if got, err := r.status(m.ID, "inactive", date(2026, 1, 31), ""); err != nil || got.Status != "inactive" {
			t.Fatalf("leave after the link cleared: %+v, %v", got, err)
		}
	})
}

// TestCountsFollowOperations runs the register's operations and compares
// the kept counts with a real count after each.
func TestCountsFollowOperations(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		must := func(step string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			r.checkCounts(step)
		}
		a := r.create(member.Member{Status: "active", LastName: "A"})
		b := r.create(member.Member{Status: "applied", LastName: "B"})
		c := r.create(member.Member{Status: "applied", LastName: "C"})
		d := r.create(member.Member{Status: "active", LastName: "D"})
		f := r.create(member.Member{Status: "active", LastName: "F"})
		r.checkCounts("create")
		_, err := r.status(b.ID, "active", time.Time{}, "")
		must("approve", err)
		_, err = r.status(c.ID, "rejected", time.Time{}, "")
		must("reject", err)
		_, err = r.status(a.ID, "inactive", time.Time{}, "")
		must("leave", err)
		_, err = r.status(d.ID, "deceased", time.Time{}, "")
		must("deceased", err)
		_, err = r.status(a.ID, "active", time.Time{}, "")
		must("rejoin", err)
		_, err = r.status(a.ID, "active", time.Time{}, "")
		if err == nil {
			t.Fatal("active → active allowed")
		}
		r.checkCounts("refused")
		anon, err := r.delete(f.ID)
		must("delete", err)
		if anon {
			t.Fatal("a member without history was anonymised")
		}
		anon, err = r.delete(d.ID)
		must("anonymise", err)
		if !anon {
			t.Fatal("a member with history was deleted")
		}
		edit := a
		edit.FirstName = "Aapo"
		_, err = r.update(a.ID, edit)
		must("update", err)
		var counts map[string]int64
		_ = r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
			counts, err = member.Counts(r.ctx, tx)
			return err
		})
		if counts["active"] != 2 || counts["applied"] != 0 || counts["inactive"] != 0 || counts["deceased"] != 1 {
			t.Fatalf("counts %v", counts)
		}
	})
}

// TestAuditHidesPersonalValues: the trail proves what changed without
// repeating personal data, while plain values stay readable.
func TestAuditHidesPersonalValues(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "active", FirstName: "Matti", LastName: "Virtanen", Gender: "man",
			BirthDate: date(1980, 4, 5), Email: "matti.virtanen@example.fi", Phone: "040 765 4321",
			Street: "Mannerheimintie 13", Postcode: "00100", Town: "Helsinki", Notes: "allergia pähkinöille",
			Language: "sv"})
		ev := r.lastEvent()
		got := map[string]string{}
		for _, c := range ev.Changes {
			if c.Before != "" {
				t.Errorf("create has a before value on %s", c.Field)
			}
			got[c.Field] = c.After
		}
		for _, f := range []string{"first_name", "last_name", "gender", "birth_date", "email", "phone", "street", "postcode", "town", "notes"} {
			if !strings.HasPrefix(got[f], "hmac:") {
				t.Errorf("%s: %q, want an HMAC", f, got[f])
			}
		}
		for f, want := range map[string]string{"member_number": "1", "status": "active", "kind": "person", "language": "sv", "phone_mobile": "true"} {
			if got[f] != want {
				t.Errorf("%s: %q, want %q", f, got[f], want)
			}
		}
		if _, ok := got["organisation_name"]; ok {
			t.Error("empty field listed")
		}
		edit := m
		edit.LastName = "Korhonen"
		if _, err := r.update(m.ID, edit); err != nil {
			t.Fatal(err)
		}
		up := r.lastEvent()
		if len(up.Changes) != 1 || up.Changes[0].Before != got["last_name"] || !strings.HasPrefix(up.Changes[0].After, "hmac:") {
			t.Fatalf("update changes %+v", up.Changes)
		}
		if _, err := r.status(m.ID, "inactive", time.Time{}, "muutti Tampereelle"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.delete(m.ID); err != nil {
			t.Fatal(err)
		}
		// Nothing personal anywhere in the stored events, in any form.
		var raw []string
		if err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
			rows, err := tx.Query(r.ctx, `SELECT changes || details FROM audit_events WHERE association_id = $1`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				raw = append(raw, s)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		all := strings.ToLower(strings.Join(raw, "\n"))
		for _, secret := range []string{"matti", "virtanen", "korhonen", "1980-04-05", "example.fi", "7654321",
			"mannerheim", "00100", "helsinki", "allergia", "tampere"} {
			if strings.Contains(all, secret) {
				t.Errorf("audit events contain %q", secret)
			}
		}
		if !strings.Contains(all, `"inactive"`) {
			t.Error("plain values missing from the audit events")
		}
	})
}

func TestDeleteAndAnonymise(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		// No history beyond creation: deleted.
		plain := r.create(member.Member{Status: "active", LastName: "Lyhyt", Email: "lyhyt@example.fi"})
		anon, err := r.delete(plain.ID)
		if err != nil || anon {
			t.Fatalf("delete: %v, %v", anon, err)
		}
		if _, err := r.get(plain.ID); !errors.Is(err, member.ErrNotFound) {
			t.Fatalf("deleted member readable: %v", err)
		}
		if n := r.count(`SELECT COUNT(*) FROM member_status_history WHERE association_id = $1 AND member_id = $2`, plain.ID); n != 0 {
			t.Fatalf("%d history rows left", n)
		}
		ev := r.lastEvent()
		if ev.Action != "member.delete" || fmt.Sprint(ev.Details["erased"]) != "[last_name email]" {
			t.Fatalf("delete event %s %v", ev.Action, ev.Details)
		}

		// With history: anonymised.
		m := r.create(member.Member{Status: "active", FirstName: "Maija", LastName: "Meikäläinen", Gender: "woman",
			BirthDate: date(1970, 1, 2), Email: "maija@example.fi", Phone: "0401112222", Street: "Katu 1",
			Postcode: "00100", Town: "Helsinki", Notes: "muistiinpano", JoinedOn: date(1999, 9, 9), Language: "fi"})
		left, err := r.status(m.ID, "inactive", date(2025, 12, 31), "muutti pois")
		if err != nil {
			t.Fatal(err)
		}
		anon, err = r.delete(m.ID)
		if err != nil || !anon {
			t.Fatalf("anonymise: %v, %v", anon, err)
		}
		got, err := r.get(m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := left
		want.FirstName, want.LastName, want.Gender, want.BirthDate = "", member.Erased, "", time.Time{}
		want.Email, want.Phone, want.PhoneMobile, want.Street, want.Postcode, want.Town, want.Notes = "", "", false, "", "", "", ""
		want.UpdatedAt = r.now()
		if !same(got, want) {
			t.Fatalf("anonymised\n got %+v\nwant %+v", got, want)
		}
		for _, h := range r.history(m.ID) {
			if h.Reason != "" {
				t.Fatalf("history reason kept: %+v", h)
			}
		}
		ev = r.lastEvent()
		wantErased := "[first_name last_name gender birth_date email phone phone_mobile street postcode town notes status_history.reason]"
		if ev.Action != "member.anonymise" || fmt.Sprint(ev.Details["erased"]) != wantErased {
			t.Fatalf("anonymise event %s %v", ev.Action, ev.Details)
		}
		// Anonymising again has nothing to erase and writes nothing.
		events := len(r.events())
		if anon, err := r.delete(m.ID); err != nil || !anon || len(r.events()) != events {
			t.Fatalf("second anonymise: %v, %v", anon, err)
		}

		// An organisation keeps a placeholder name.
		org := r.create(member.Member{Kind: "organisation", Status: "applied", OrgName: "Firma Oy", BusinessID: "0112038-9"})
		if _, err := r.status(org.ID, "active", time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		if anon, err := r.delete(org.ID); err != nil || !anon {
			t.Fatalf("organisation: %v, %v", anon, err)
		}
		if got, _ := r.get(org.ID); got.OrgName != member.Erased || got.BusinessID != "" || got.Status != "active" {
			t.Fatalf("organisation %+v", got)
		}
	})
}

func TestHistoryCheckers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		m := r.create(member.Member{Status: "active", LastName: "Laskutettu"})
		saved := member.HistoryCheckers
		t.Cleanup(func() { member.HistoryCheckers = saved })
		member.HistoryCheckers = append(slices.Clone(saved), func(_ context.Context, _ *store.TenantTx, id string) (string, error) {
			if id == m.ID {
				return "1 invoice", nil
			}
			return "", nil
		})
		if anon, err := r.delete(m.ID); err != nil || !anon {
			t.Fatalf("member with an invoice: anonymised %v, %v", anon, err)
		}
		if ev := r.lastEvent(); fmt.Sprint(ev.Details["kept_because"]) != "[1 invoice]" {
			t.Fatalf("details %v", ev.Details)
		}
	})
}

// TestOtherAssociationUnreachable: a member of B cannot be read or changed
// through A's tenant.
func TestOtherAssociationUnreachable(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		b := r.env.Association(t, "B ry", 0)
		theirs := r.createIn(b.ID, member.Member{Status: "active", LastName: "Bläng"})
		r.create(member.Member{Status: "active", LastName: "Oma"})
		edit := theirs
		edit.LastName = "Kaapattu"
		if _, err := r.update(theirs.ID, edit); !errors.Is(err, member.ErrNotFound) {
			t.Errorf("Update: %v", err)
		}
		if _, err := r.status(theirs.ID, "inactive", time.Time{}, ""); !errors.Is(err, member.ErrNotFound) {
			t.Errorf("ChangeStatus: %v", err)
		}
		if _, err := r.delete(theirs.ID); !errors.Is(err, member.ErrNotFound) {
			t.Errorf("Delete: %v", err)
		}
		err := r.env.DB.For(r.aid).Read(r.ctx, func(tx *store.TenantTx) error {
			_, err := member.History(r.ctx, tx, theirs.ID)
			return err
		})
		if !errors.Is(err, member.ErrNotFound) {
			t.Errorf("History: %v", err)
		}
		var still member.Member
		if err := r.env.DB.For(b.ID).Read(r.ctx, func(tx *store.TenantTx) error {
			var err error
			still, err = member.Get(r.ctx, tx, theirs.ID)
			return err
		}); err != nil || !same(still, theirs) {
			t.Fatalf("B's member changed: %+v, %v", still, err)
		}
	})
}

// same compares two cards, times by instant (the engines hand back equal
// times in different locations).
func same(a, b member.Member) bool {
	for _, m := range []*member.Member{&a, &b} {
		for _, t := range []*time.Time{&m.BirthDate, &m.JoinedOn, &m.LeftOn, &m.CreatedAt, &m.UpdatedAt} {
			*t = t.UTC().Round(0)
		}
	}
	return reflect.DeepEqual(a, b)
}
