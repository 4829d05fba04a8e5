package group_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fixture is one engine's application with two associations.
type fixture struct {
	t     *testing.T
	env   *testenv.Env
	a, b  string
	ctx   context.Context
	aMems []member.Member
	bMems []member.Member
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	env := testenv.New(t, e)
	a := env.Association(t, "Kuoro ry", 50)
	b := env.Association(t, "Toinen ry", 3)
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "u1", Label: "Sihteeri"})
	return &fixture{t: t, env: env, a: a.ID, b: b.ID, ctx: ctx, aMems: env.Members(t, a.ID), bMems: env.Members(t, b.ID)}
}

func (f *fixture) write(aid string, fn func(tx *store.TenantTx) error) error {
	return f.env.DB.For(aid).Write(f.ctx, fn)
}

func (f *fixture) read(aid string, fn func(tx *store.TenantTx) error) error {
	return f.env.DB.For(aid).Read(f.ctx, fn)
}

func (f *fixture) create(aid string, g group.Group) (group.Group, error) {
	var out group.Group
	err := f.write(aid, func(tx *store.TenantTx) error {
		var err error
		out, err = group.Create(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), g)
		return err
	})
	return out, err
}

func (f *fixture) mustCreate(aid string, g group.Group) group.Group {
	f.t.Helper()
	out, err := f.create(aid, g)
	if err != nil {
		f.t.Fatalf("create group %+v: %v", g, err)
	}
	return out
}

// field is the field of a single-problem error ("" for another error).
func field(err error) string {
	var ps member.Problems
	if errors.As(err, &ps) && len(ps) > 0 {
		return ps[0].Field
	}
	return ""
}

func (f *fixture) members(aid, gid string) []int64 {
	f.t.Helper()
	var out []int64
	err := f.read(aid, func(tx *store.TenantTx) error {
		ps, err := group.Members(f.ctx, tx, gid, 0, 1000)
		for _, p := range ps {
			out = append(out, p.Number)
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) count(action string) int {
	n := 0
	for _, a := range f.env.AuditActions(f.t, f.a) {
		if a == action {
			n++
		}
	}
	return n
}

// TestGroupRules creates, renames and deletes groups, refusing bad and
// duplicate names with the field named and nothing written.
func TestGroupRules(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		choir := f.mustCreate(f.a, group.Group{Kind: "activity", Name: "  Kuoro  harjoitukset ", Description: "Tiistaisin"})
		if choir.Name != "Kuoro harjoitukset" || choir.Kind != group.KindActivity || choir.ID == "" {
			t.Fatalf("created %+v", choir)
		}
		// The same name in another kind or another association is fine.
		f.mustCreate(f.a, group.Group{Kind: "tag", Name: "Kuoro harjoitukset"})
		f.mustCreate(f.b, group.Group{Kind: "activity", Name: "Kuoro harjoitukset"})
		f.mustCreate(f.a, group.Group{Kind: "section", Name: "Äijät"})

		before := len(f.env.AuditActions(t, f.a))
		for _, c := range []struct {
			g     group.Group
			field string
		}{
			{group.Group{Kind: "activity", Name: "kuoro HARJOITUKSET"}, "name"},
			{group.Group{Kind: "section", Name: "ÄIJÄT"}, "name"},
			{group.Group{Kind: "activity", Name: " "}, "name"},
			{group.Group{Kind: "activity", Name: strings.Repeat("x", 101)}, "name"},
			{group.Group{Kind: "club", Name: "Uusi"}, "kind"},
			{group.Group{Kind: "section", Name: "Uusi", Description: strings.Repeat("x", 2001)}, "description"},
		} {
			if _, err := f.create(f.a, c.g); field(err) != c.field {
				t.Errorf("create %q/%q: %v, want a problem on %s", c.g.Kind, c.g.Name, err, c.field)
			}
		}
		if after := len(f.env.AuditActions(t, f.a)); after != before {
			t.Fatal("a refused group wrote something")
		}

		// Rename: a duplicate is refused, a good name is audited.
		other := f.mustCreate(f.a, group.Group{Kind: "activity", Name: "Teatteri"})
		err := f.write(f.a, func(tx *store.TenantTx) error {
			_, err := group.Rename(f.ctx, tx, f.env.Audit, other.ID, "KUORO harjoitukset", "")
			return err
		})
		if field(err) != "name" {
			t.Fatalf("rename to a taken name: %v", err)
		}
		err = f.write(f.a, func(tx *store.TenantTx) error {
			_, err := group.Rename(f.ctx, tx, f.env.Audit, other.ID, "Näytelmäpiiri", "Torstaisin")
			return err
		})
		if err != nil || f.count("group.update") != 1 {
			t.Fatalf("rename: %v", err)
		}

		// Listing by kind, with counts.
		var acts []group.Group
		_ = f.read(f.a, func(tx *store.TenantTx) error {
			acts, err = group.List(f.ctx, tx, group.KindActivity)
			return err
		})
		if len(acts) != 2 || acts[0].Name != "Kuoro harjoitukset" || acts[1].Name != "Näytelmäpiiri" {
			t.Fatalf("activities: %+v (%v)", acts, err)
		}

		// Another association's group is not found, neither to read nor to
		// change.
		err = f.write(f.b, func(tx *store.TenantTx) error {
			if _, err := group.Get(f.ctx, tx, choir.ID); !errors.Is(err, group.ErrNotFound) {
				t.Errorf("get across associations: %v", err)
			}
			if _, err := group.Rename(f.ctx, tx, f.env.Audit, choir.ID, "Hacked", ""); !errors.Is(err, group.ErrNotFound) {
				t.Errorf("rename across associations: %v", err)
			}
			return group.Delete(f.ctx, tx, f.env.Audit, choir.ID)
		})
		if !errors.Is(err, group.ErrNotFound) {
			t.Fatalf("delete across associations: %v", err)
		}

		// Delete takes the links with it, not the members.
		addNumbers(t, f, choir.ID, "1-3")
		if err := f.write(f.a, func(tx *store.TenantTx) error { return group.Delete(f.ctx, tx, f.env.Audit, choir.ID) }); err != nil {
			t.Fatal(err)
		}
		if len(f.env.Members(t, f.a)) != 50 || f.count("group.delete") != 1 || f.count("group.create") != 4 {
			t.Fatalf("after delete: %v", f.env.AuditActions(t, f.a))
		}
	})
}

func addNumbers(t *testing.T, f *fixture, gid, numbers string) (int, error) {
	t.Helper()
	var n int
	err := f.write(f.a, func(tx *store.TenantTx) error {
		nums, err := group.ParseNumbers("numbers", numbers)
		if err != nil {
			return err
		}
		ids, err := group.IDsByNumbers(f.ctx, tx, "numbers", nums)
		if err != nil {
			return err
		}
		n, err = group.AddMembers(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), gid, ids)
		return err
	})
	return n, err
}

// TestParseNumbers reads member number lists as people type them.
func TestParseNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int64
		bad  string
	}{
		{"12, 15, 40-45", []int64{12, 15, 40, 41, 42, 43, 44, 45}, ""},
		{"3;1 2\n2", []int64{1, 2, 3}, ""},
		{"5–7", []int64{5, 6, 7}, ""},
		{"", nil, "required"},
		{"1, x", nil, `"x" is not a member number`},
		{"9-3", nil, "ends before it starts"},
		{"0", nil, "not a member number"},
		{"1-999999", nil, "at most"},
		// The largest numbers must not wrap a range around (a loop that
		// never ends): they are refused outright.
		{"9223372036854775807", nil, "not a member number"},
		{"9223372036854775806-9223372036854775807", nil, "not a member number"},
		{"999999999999-1000000000000", []int64{999999999999, 1000000000000}, ""},
	} {
		got, err := group.ParseNumbers("numbers", c.in)
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) || field(err) != "numbers" {
				t.Errorf("%q: %v, want a problem %q on numbers", c.in, err, c.bad)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %v %v, want %v", c.in, got, err, c.want)
		}
	}
}

// TestGroupMembers adds members in bulk by number (all or nothing), pages
// through them, lists a member's groups and removes one, each audited; an
// id from another association is refused.
func TestGroupMembers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		g := f.mustCreate(f.a, group.Group{Kind: "section", Name: "Juniorit"})
		tag := f.mustCreate(f.a, group.Group{Kind: "tag", Name: "Talkoot"})

		// One unknown number: a clear problem naming it, nobody added.
		before := len(f.env.AuditActions(t, f.a))
		_, err := addNumbers(t, f, g.ID, "12, 15, 40-45, 51")
		if field(err) != "numbers" || !strings.Contains(err.Error(), "51") {
			t.Fatalf("unknown number: %v", err)
		}
		if len(f.members(f.a, g.ID)) != 0 || len(f.env.AuditActions(t, f.a)) != before {
			t.Fatal("a refused addition added someone")
		}

		n, err := addNumbers(t, f, g.ID, "12, 15, 40-45")
		if err != nil || n != 8 {
			t.Fatalf("add: %d %v", n, err)
		}
		// Again, overlapping: only the new ones count.
		if n, err = addNumbers(t, f, g.ID, "45-46"); err != nil || n != 1 {
			t.Fatalf("add overlapping: %d %v", n, err)
		}
		if got := f.members(f.a, g.ID); !slices.Equal(got, []int64{12, 15, 40, 41, 42, 43, 44, 45, 46}) {
			t.Fatalf("members: %v", got)
		}
		if f.count("group.members_add") != 2 {
			t.Fatalf("audit: %v", f.env.AuditActions(t, f.a))
		}

		// Keyset paging.
		var page []group.Participant
		_ = f.read(f.a, func(tx *store.TenantTx) error {
			page, err = group.Members(f.ctx, tx, g.ID, 41, 3)
			return err
		})
		if len(page) != 3 || page[0].Number != 42 || page[2].Number != 44 || page[0].DisplayName() == "" {
			t.Fatalf("page after 41: %+v %v", page, err)
		}

		// A member id of another association is refused, and nothing of
		// the batch is added.
		err = f.write(f.a, func(tx *store.TenantTx) error {
			_, err := group.AddMembers(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), tag.ID, []string{f.aMems[0].ID, f.bMems[0].ID})
			return err
		})
		if field(err) != "member_ids" {
			t.Fatalf("foreign member: %v", err)
		}
		if len(f.members(f.a, tag.ID)) != 0 {
			t.Fatal("a refused batch added someone")
		}
		// A group of another association cannot be filled from here.
		bg := f.mustCreate(f.b, group.Group{Kind: "tag", Name: "Talkoot"})
		err = f.write(f.a, func(tx *store.TenantTx) error {
			_, err := group.AddMembers(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), bg.ID, []string{f.aMems[0].ID})
			return err
		})
		if !errors.Is(err, group.ErrNotFound) {
			t.Fatalf("foreign group: %v", err)
		}

		// A member's groups.
		m12 := f.aMems[11]
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			_, err := group.AddMembers(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), tag.ID, []string{m12.ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var of []group.Group
		_ = f.read(f.a, func(tx *store.TenantTx) error {
			of, err = group.GroupsOf(f.ctx, tx, m12.ID)
			return err
		})
		if len(of) != 2 || of[0].Name != "Juniorit" || of[1].Name != "Talkoot" {
			t.Fatalf("groups of 12: %+v %v", of, err)
		}

		// Remove.
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			return group.RemoveMember(f.ctx, tx, f.env.Audit, g.ID, m12.ID)
		}); err != nil {
			t.Fatal(err)
		}
		err = f.write(f.a, func(tx *store.TenantTx) error { return group.RemoveMember(f.ctx, tx, f.env.Audit, g.ID, m12.ID) })
		if !errors.Is(err, group.ErrNotInGroup) {
			t.Fatalf("remove twice: %v", err)
		}
		if f.count("group.member_remove") != 1 || len(f.members(f.a, g.ID)) != 8 {
			t.Fatal("remove not done or not audited")
		}

		// Anonymisation's helper takes a member out of every group.
		var n15 int
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			var err error
			n15, err = group.RemoveFromAll(f.ctx, tx, f.env.Audit, f.aMems[14].ID)
			return err
		}); err != nil || n15 != 1 || slices.Contains(f.members(f.a, g.ID), 15) {
			t.Fatalf("remove member 15 from all groups: %d %v", n15, err)
		}

		// Deleting a member outright takes their links.
		m40 := f.aMems[39]
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			_, err := member.Delete(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), m40.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := f.members(f.a, g.ID); slices.Contains(got, 40) || len(got) != 6 {
			t.Fatalf("after deleting member 40: %v", got)
		}
	})
}

// TestPositions records terms of positions of trust, ends and deletes
// them, shows current and past, and makes a member who held one be
// anonymised instead of deleted.
func TestPositions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
		add := func(aid string, p group.Position) (group.Position, error) {
			var out group.Position
			err := f.write(aid, func(tx *store.TenantTx) error {
				var err error
				out, err = group.AddPosition(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), p)
				return err
			})
			return out, err
		}
		chair, err := add(f.a, group.Position{MemberID: f.aMems[0].ID, Title: "Chair", StartsOn: day("2025-01-01")})
		if err != nil || chair.Title != "chair" || !chair.KnownTitle() {
			t.Fatalf("add chair: %+v %v", chair, err)
		}
		old, err := add(f.a, group.Position{MemberID: f.aMems[1].ID, Title: "Jäsenkirjuri", StartsOn: day("2020-01-01"),
			EndsOn: day("2024-12-31")})
		if err != nil || old.KnownTitle() {
			t.Fatalf("add free-text title: %+v %v", old, err)
		}
		treasurer, err := add(f.a, group.Position{MemberID: f.aMems[2].ID, Title: "treasurer", StartsOn: day("2025-01-01")})
		if err != nil {
			t.Fatal(err)
		}

		before := len(f.env.AuditActions(t, f.a))
		for _, c := range []struct {
			p     group.Position
			field string
		}{
			{group.Position{MemberID: f.aMems[0].ID, StartsOn: day("2025-01-01")}, "title"},
			{group.Position{MemberID: f.aMems[0].ID, Title: "secretary"}, "starts_on"},
			{group.Position{MemberID: f.aMems[0].ID, Title: "secretary", StartsOn: day("2025-01-01"), EndsOn: day("2024-01-01")}, "ends_on"},
			{group.Position{MemberID: f.bMems[0].ID, Title: "secretary", StartsOn: day("2025-01-01")}, "member_id"},
		} {
			if _, err := add(f.a, c.p); field(err) != c.field {
				t.Errorf("add %+v: %v, want a problem on %s", c.p, err, c.field)
			}
		}
		if len(f.env.AuditActions(t, f.a)) != before {
			t.Fatal("a refused position wrote something")
		}

		today := f.env.Clock.Now()
		var cur, past, mine []group.Position
		_ = f.read(f.a, func(tx *store.TenantTx) error {
			if cur, err = group.CurrentPositions(f.ctx, tx, today); err != nil {
				return err
			}
			if past, err = group.PositionHistory(f.ctx, tx, today); err != nil {
				return err
			}
			mine, err = group.PositionsOf(f.ctx, tx, f.aMems[1].ID)
			return err
		})
		if len(cur) != 2 || cur[0].ID != chair.ID || cur[1].ID != treasurer.ID || cur[0].Holder.Number != 1 {
			t.Fatalf("current: %+v %v", cur, err)
		}
		if len(past) != 1 || past[0].ID != old.ID || len(mine) != 1 {
			t.Fatalf("history: %+v, of member 2: %+v", past, mine)
		}

		// End a term: not before it started; audited.
		end := func(aid, id string, on time.Time) error {
			return f.write(aid, func(tx *store.TenantTx) error {
				_, err := group.EndPosition(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), id, on)
				return err
			})
		}
		if err := end(f.a, treasurer.ID, day("2024-06-01")); field(err) != "ends_on" {
			t.Fatalf("end before start: %v", err)
		}
		if err := end(f.a, treasurer.ID, day("2026-02-28")); err != nil {
			t.Fatal(err)
		}
		if err := end(f.a, treasurer.ID, time.Time{}); field(err) != "ends_on" {
			t.Fatalf("end an ended term: %v", err)
		}
		if err := end(f.b, chair.ID, time.Time{}); !errors.Is(err, group.ErrPositionNotFound) {
			t.Fatalf("end across associations: %v", err)
		}
		if f.count("position.add") != 3 || f.count("position.end") != 1 {
			t.Fatalf("audit: %v", f.env.AuditActions(t, f.a))
		}

		// A member who held a position is anonymised, not deleted; the
		// position stays.
		var anonymised bool
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			var err error
			anonymised, err = member.Delete(f.ctx, tx, f.env.Audit, f.env.Clock.Now(), f.aMems[1].ID)
			return err
		}); err != nil || !anonymised {
			t.Fatalf("delete a former secretary: anonymised %v, %v", anonymised, err)
		}
		_ = f.read(f.a, func(tx *store.TenantTx) error {
			past, err = group.PositionHistory(f.ctx, tx, today)
			return err
		})
		if len(past) != 2 {
			t.Fatalf("history after anonymising: %+v %v", past, err)
		}

		// Delete a position recorded by mistake.
		if err := f.write(f.a, func(tx *store.TenantTx) error {
			return group.DeletePosition(f.ctx, tx, f.env.Audit, chair.ID)
		}); err != nil || f.count("position.delete") != 1 {
			t.Fatalf("delete position: %v", err)
		}
	})
}
