package household_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/household"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func field(err error) string {
	var ps member.Problems
	if errors.As(err, &ps) && len(ps) > 0 {
		return ps[0].Field
	}
	return ""
}

// TestHouseholds links members to one recipient: the recipient must be in
// the household, a member is in one household at most, leaving is refused
// while linked, the report finds broken links, and another association's
// household or member is not reachable. Every change is audited.
func TestHouseholds(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 6)
		b := env.Association(t, "Toinen ry", 2)
		ms, bms := env.Members(t, a.ID), env.Members(t, b.ID)
		ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "u1", Label: "Sihteeri"})
		now := env.Clock.Now()
		write := func(aid string, fn func(tx *store.TenantTx) error) error { return env.DB.For(aid).Write(ctx, fn) }
		count := func(action string) int {
			n := 0
			for _, x := range env.AuditActions(t, a.ID) {
				if x == action {
					n++
				}
			}
			return n
		}

		var h household.Household
		err := write(a.ID, func(tx *store.TenantTx) error {
			var err error
			h, err = household.Create(ctx, tx, env.Audit, now, "", ms[0].ID)
			return err
		})
		if err != nil || h.RecipientID != ms[0].ID || len(h.Members) != 1 || !strings.HasPrefix(h.Name, "Kuoro ry") {
			t.Fatalf("create: %+v %v", h, err)
		}
		must := func(aid string, fn func(tx *store.TenantTx) error) {
			t.Helper()
			if err := write(aid, fn); err != nil {
				t.Fatal(err)
			}
		}
		must(a.ID, func(tx *store.TenantTx) error {
			return household.AddMember(ctx, tx, env.Audit, now, h.ID, ms[1].ID)
		})

		before := len(env.AuditActions(t, a.ID))
		// Refusals, each naming its field and writing nothing.
		for name, c := range map[string]struct {
			fn    func(tx *store.TenantTx) error
			field string
		}{
			"recipient outside the household": {func(tx *store.TenantTx) error {
				return household.SetRecipient(ctx, tx, env.Audit, h.ID, ms[2].ID)
			}, "recipient_member_id"},
			"member already in a household": {func(tx *store.TenantTx) error {
				_, err := household.Create(ctx, tx, env.Audit, now, "Toinen", ms[1].ID)
				return err
			}, "recipient_member_id"},
			"added twice": {func(tx *store.TenantTx) error {
				return household.AddMember(ctx, tx, env.Audit, now, h.ID, ms[1].ID)
			}, "member_id"},
			"member of another association": {func(tx *store.TenantTx) error {
				return household.AddMember(ctx, tx, env.Audit, now, h.ID, bms[0].ID)
			}, "member_id"},
			"recipient removed while others remain": {func(tx *store.TenantTx) error {
				return household.RemoveMember(ctx, tx, env.Audit, h.ID, ms[0].ID)
			}, "member_id"},
			"name too long": {func(tx *store.TenantTx) error {
				_, err := household.Create(ctx, tx, env.Audit, now, strings.Repeat("x", 101), ms[3].ID)
				return err
			}, "name"},
		} {
			if err := write(a.ID, c.fn); field(err) != c.field {
				t.Errorf("%s: %v, want a problem on %s", name, err, c.field)
			}
		}
		if len(env.AuditActions(t, a.ID)) != before {
			t.Fatal("a refused change wrote something")
		}

		// Another association sees no such household.
		err = write(b.ID, func(tx *store.TenantTx) error {
			if _, err := household.Get(ctx, tx, h.ID); !errors.Is(err, household.ErrNotFound) {
				t.Errorf("get across associations: %v", err)
			}
			return household.AddMember(ctx, tx, env.Audit, now, h.ID, bms[0].ID)
		})
		if !errors.Is(err, household.ErrNotFound) {
			t.Fatalf("add to another association's household: %v", err)
		}

		// Leaving is refused while linked, with the household named.
		err = write(a.ID, func(tx *store.TenantTx) error {
			_, err := member.ChangeStatus(ctx, tx, env.Audit, now, ms[1].ID, member.StatusInactive, time.Time{}, "")
			return err
		})
		var blocked *member.BlockedError
		if !errors.As(err, &blocked) || !strings.Contains(blocked.Error(), h.Name) {
			t.Fatalf("leave while in a household: %v", err)
		}

		// Recipient change; then the old recipient can go.
		must(a.ID, func(tx *store.TenantTx) error { return household.SetRecipient(ctx, tx, env.Audit, h.ID, ms[1].ID) })
		must(a.ID, func(tx *store.TenantTx) error { return household.RemoveMember(ctx, tx, env.Audit, h.ID, ms[0].ID) })
		must(a.ID, func(tx *store.TenantTx) error {
			_, err := member.ChangeStatus(ctx, tx, env.Audit, now, ms[0].ID, member.StatusInactive, time.Time{}, "")
			return err
		})
		var of household.Household
		var in bool
		must(a.ID, func(tx *store.TenantTx) error {
			var err error
			of, in, err = household.Of(ctx, tx, ms[1].ID)
			return err
		})
		if !in || of.ID != h.ID || of.RecipientID != ms[1].ID || len(of.Members) != 1 {
			t.Fatalf("household of member 2: %+v %v", of, in)
		}

		// The report: a single member (no address either), and a recipient
		// who died.
		var h2 household.Household
		must(a.ID, func(tx *store.TenantTx) error {
			var err error
			if h2, err = household.Create(ctx, tx, env.Audit, now, "Virtanen", ms[3].ID); err != nil {
				return err
			}
			if err := household.AddMember(ctx, tx, env.Audit, now, h2.ID, ms[4].ID); err != nil {
				return err
			}
			_, err = member.ChangeStatus(ctx, tx, env.Audit, now, ms[3].ID, member.StatusDeceased, time.Time{}, "")
			return err
		})
		var broken []household.Broken
		must(a.ID, func(tx *store.TenantTx) error {
			var err error
			broken, err = household.BrokenLinks(ctx, tx)
			return err
		})
		problems := map[string][]string{}
		for _, br := range broken {
			problems[br.Household.ID] = br.Problems
		}
		if len(broken) != 2 || !slices.Contains(problems[h.ID], household.SingleMember) ||
			!slices.Contains(problems[h2.ID], household.RecipientNotActive) {
			t.Fatalf("broken links: %+v", broken)
		}

		// Removing the last member deletes the household.
		must(a.ID, func(tx *store.TenantTx) error { return household.RemoveMember(ctx, tx, env.Audit, h.ID, ms[1].ID) })
		err = write(a.ID, func(tx *store.TenantTx) error {
			_, err := household.Get(ctx, tx, h.ID)
			return err
		})
		if !errors.Is(err, household.ErrNotFound) {
			t.Fatalf("empty household kept: %v", err)
		}

		// Deleting a member outright takes the link.
		must(a.ID, func(tx *store.TenantTx) error {
			_, err := member.Delete(ctx, tx, env.Audit, now, ms[4].ID)
			return err
		})
		must(a.ID, func(tx *store.TenantTx) error {
			var err error
			h2, err = household.Get(ctx, tx, h2.ID)
			return err
		})
		if len(h2.Members) != 1 {
			t.Fatalf("after deleting a member: %+v", h2)
		}

		for action, want := range map[string]int{"household.create": 2, "household.member_add": 2, "household.recipient": 1,
			"household.member_remove": 2, "household.delete": 1} {
			if got := count(action); got != want {
				t.Errorf("%s audited %d times, want %d", action, got, want)
			}
		}
	})
}

// TestUnlink takes a recipient out of their household for anonymisation:
// another member takes over as recipient, and the last one out deletes
// the household.
func TestUnlink(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 3)
		ms := env.Members(t, a.ID)
		ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorSystem, Label: "test"})
		var h household.Household
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			if h, err = household.Create(ctx, tx, env.Audit, env.Clock.Now(), "Virtanen", ms[0].ID); err != nil {
				return err
			}
			if err := household.AddMember(ctx, tx, env.Audit, env.Clock.Now(), h.ID, ms[2].ID); err != nil {
				return err
			}
			if ok, err := household.Unlink(ctx, tx, env.Audit, ms[0].ID); err != nil || !ok {
				t.Fatalf("unlink the recipient: %v %v", ok, err)
			}
			if h, err = household.Get(ctx, tx, h.ID); err != nil {
				return err
			}
			if h.RecipientID != ms[2].ID || len(h.Members) != 1 {
				t.Fatalf("after unlinking the recipient: %+v", h)
			}
			if ok, err := household.Unlink(ctx, tx, env.Audit, ms[1].ID); err != nil || ok {
				t.Fatalf("unlink a member in no household: %v %v", ok, err)
			}
			if _, err := household.Unlink(ctx, tx, env.Audit, ms[2].ID); err != nil {
				return err
			}
			_, err = household.Get(ctx, tx, h.ID)
			return err
		})
		if !errors.Is(err, household.ErrNotFound) {
			t.Fatalf("the emptied household is still there: %v", err)
		}
	})
}

// TestAnonymiseUnlinks erases a member who held a position of trust (so is
// anonymised, not deleted): they leave their household, whose letters now go
// to the other member, and every group, while the position stays as history.
func TestAnonymiseUnlinks(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 2)
		ms := env.Members(t, a.ID)
		ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorSystem, Label: "test"})
		now := env.Clock.Now()
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			h, err := household.Create(ctx, tx, env.Audit, now, "Virtanen", ms[0].ID)
			if err != nil {
				return err
			}
			if err := household.AddMember(ctx, tx, env.Audit, now, h.ID, ms[1].ID); err != nil {
				return err
			}
			g, err := group.Create(ctx, tx, env.Audit, now, group.Group{Kind: group.KindActivity, Name: "Tenorit"})
			if err != nil {
				return err
			}
			if _, err := group.AddMembers(ctx, tx, env.Audit, now, g.ID, []string{ms[0].ID, ms[1].ID}); err != nil {
				return err
			}
			if _, err := group.AddPosition(ctx, tx, env.Audit, now, group.Position{MemberID: ms[0].ID, Title: "chair",
				StartsOn: now.AddDate(-1, 0, 0)}); err != nil {
				return err
			}
			anonymised, err := member.Delete(ctx, tx, env.Audit, now, ms[0].ID)
			if err != nil || !anonymised {
				t.Fatalf("delete a former chair: anonymised %v, %v", anonymised, err)
			}
			if _, in, err := household.Of(ctx, tx, ms[0].ID); err != nil || in {
				t.Fatalf("the anonymised member is still in a household (%v, %v)", in, err)
			}
			if h, err = household.Get(ctx, tx, h.ID); err != nil || h.RecipientID != ms[1].ID {
				t.Fatalf("the household's recipient is %q (%v), want the remaining member", h.RecipientID, err)
			}
			if gs, err := group.GroupsOf(ctx, tx, ms[0].ID); err != nil || len(gs) != 0 {
				t.Fatalf("the anonymised member is still in %d groups (%v)", len(gs), err)
			}
			if gs, err := group.GroupsOf(ctx, tx, ms[1].ID); err != nil || len(gs) != 1 {
				t.Fatalf("the other member's groups changed: %d (%v)", len(gs), err)
			}
			ps, err := group.PositionsOf(ctx, tx, ms[0].ID)
			if err != nil || len(ps) != 1 {
				t.Fatalf("the position was not kept as history: %d (%v)", len(ps), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		acts := env.AuditActions(t, a.ID)
		for _, want := range []string{"member.anonymise", "group.member_remove", "household.member_remove"} {
			if !slices.Contains(acts, want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
	})
}
