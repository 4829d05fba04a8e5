package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/household"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// groupPageSize is how many participants a group page lists at a time.
const groupPageSize = 100

// form is what a page's forms show again after a refused change: the
// values typed and the problems, by field name. Field names are unique
// across the forms of one page.
type form struct {
	Values map[string]string
	Errors map[string]string
}

func newForm() form { return form{Values: map[string]string{}, Errors: map[string]string{}} }

// postedForm reads the named fields of a posted form, trimmed.
func postedForm(r *http.Request, names ...string) form {
	f := newForm()
	f.Values = formValues(r, names...)
	return f
}

// groupProblemKeys translate the fixed problems of groups, households and
// positions; problems shared with the member card go through problemText.
var groupProblemKeys = map[string]string{
	"must be activity, section or tag":                             "groups.problem_kind",
	"no such member":                                               "groups.problem_no_such_member",
	"only active members can be in a household":                    "groups.problem_not_active",
	"is the household's recipient; choose another recipient first": "groups.problem_recipient_remove",
	"must be a member of the household":                            "groups.problem_recipient_outside",
	"is already in a household":                                    "groups.problem_in_a_household",
	"cannot be before the start":                                   "groups.problem_before_start",
	"the term has already ended":                                   "groups.problem_ended",
	"cannot be changed; create a new group instead":                "groups.problem_kind_fixed",
	"is not one of the association's groups":                       "groups.problem_no_such_group",
	"is not one of the association's households":                   "groups.problem_no_such_household",
	"is already in the group":                                      "groups.problem_already_in_group",
}

// groupProblemText is a problem in the visitor's language, with the
// numbers or names some problems carry.
func groupProblemText(lang, msg string) string {
	if key, ok := groupProblemKeys[msg]; ok {
		return i18n.T(lang, key)
	}
	if rest, ok := strings.CutPrefix(msg, "no member has the number "); ok {
		return i18n.T(lang, "groups.problem_unknown_numbers", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "is already in household "); ok {
		return i18n.T(lang, "groups.problem_in_household", rest)
	}
	if tok, ok := strings.CutSuffix(msg, " is not a member number or a range like 40-45"); ok {
		return i18n.T(lang, "groups.problem_bad_number", strings.Trim(tok, `"`))
	}
	if tok, ok := strings.CutSuffix(msg, ": the range ends before it starts"); ok {
		return i18n.T(lang, "groups.problem_bad_range", strings.Trim(tok, `"`))
	}
	var n int
	if _, err := fmt.Sscanf(msg, "at most %d characters", &n); err == nil {
		return i18n.T(lang, "groups.problem_too_long", n)
	}
	if _, err := fmt.Sscanf(msg, "at most %d members at a time", &n); err == nil {
		return i18n.T(lang, "groups.problem_too_many", n)
	}
	return problemText(lang, msg)
}

// addProblems puts err's field problems into f, each under the form field
// that rename maps its field to (or its own name), and reports whether err
// was such problems.
func addProblems(lang string, err error, f *form, rename map[string]string) bool {
	var ps member.Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		name := p.Field
		if to, ok := rename[name]; ok {
			name = to
		}
		if f.Errors[name] == "" {
			f.Errors[name] = groupProblemText(lang, p.Message)
		}
	}
	return true
}

// memberNumber reads a member number typed in field and finds the member.
func memberNumber(r *http.Request, tx *store.TenantTx, field, typed string) (string, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(typed), 10, 64)
	if strings.TrimSpace(typed) == "" {
		return "", member.Problems{{Field: field, Message: "required"}}
	}
	if err != nil || n <= 0 {
		return "", member.Problems{{Field: field, Message: "must be a positive number"}}
	}
	ids, err := group.IDsByNumbers(r.Context(), tx, field, []int64{n})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// back redirects to path with a message, after a change.
func back(w http.ResponseWriter, r *http.Request, path, msg string) {
	http.Redirect(w, r, path+"?msg="+msg, http.StatusSeeOther)
}

// groupsOverview is the groups page: activities, sections and tags, the
// households summary and the current board, each in its own section.
func (s *Server) groupsOverview(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderOverview(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderOverview(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	var gs []group.Group
	var hs []household.Household
	var broken []household.Broken
	var board []group.Position
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if gs, err = group.List(r.Context(), tx, ""); err != nil {
			return err
		}
		if hs, err = household.List(r.Context(), tx); err != nil {
			return err
		}
		broken = household.BrokenAmong(hs)
		board, err = group.CurrentPositions(r.Context(), tx, clock.Today(s.clock.Now()))
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	byKind := map[string][]group.Group{}
	for _, g := range gs {
		byKind[g.Kind] = append(byKind[g.Kind], g)
	}
	type kindGroups struct {
		Kind   string
		Groups []group.Group
	}
	var kinds []kindGroups
	for _, k := range group.Kinds {
		kinds = append(kinds, kindGroups{k, byKind[k]})
	}
	if f.Values["kind"] == "" {
		f.Values["kind"] = group.KindActivity
	}
	s.renderStatus(w, r, c, status, "groups", pageData{"Kinds": kinds, "KindNames": group.Kinds,
		"Households": len(hs), "Broken": len(broken), "Board": board, "Form": f, "Msg": flash(r),
		"CanWrite": c.Role.AtLeast(auth.RoleUser)})
}

func (s *Server) groupCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "kind", "name", "description")
	var g group.Group
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		g, err = group.Create(r.Context(), tx, s.audit, s.clock.Now(),
			group.Group{Kind: f.Values["kind"], Name: f.Values["name"], Description: f.Values["description"]})
		return err
	})
	switch {
	case addProblems(c.Lang, err, &f, nil):
		s.renderOverview(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/groups/"+g.ID, "msg.groups_created")
	}
}

// groupPage shows one group with a page of its participants (after the
// member number ?after=N) and, for users, the forms to change it.
func (s *Server) groupPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderGroup(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderGroup(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	var g group.Group
	var ps []group.Participant
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if g, err = group.Get(r.Context(), tx, r.PathValue("gid")); err != nil {
			return err
		}
		ps, err = group.Members(r.Context(), tx, g.ID, max(after, 0), groupPageSize+1)
		return err
	})
	if errors.Is(err, group.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	var next int64
	if len(ps) > groupPageSize {
		ps = ps[:groupPageSize]
		next = ps[groupPageSize-1].Number
	}
	if _, ok := f.Values["name"]; !ok {
		f.Values["name"], f.Values["description"] = g.Name, g.Description
	}
	s.renderStatus(w, r, c, status, "group", pageData{"G": g, "Participants": ps, "Next": next, "After": after,
		"Form": f, "Msg": flash(r), "CanWrite": c.Role.AtLeast(auth.RoleUser)})
}

// groupWrite runs a change to group {gid} and answers: 404 for a group not
// in this association, the page again with the problems, or a redirect to
// the group with msg.
func (s *Server) groupWrite(w http.ResponseWriter, r *http.Request, c *reqCtx, f form, msg string,
	change func(tx *store.TenantTx, gid string) error) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return change(tx, r.PathValue("gid"))
	})
	switch {
	case errors.Is(err, group.ErrNotFound), errors.Is(err, member.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, group.ErrNotInGroup):
		back(w, r, "/a/"+c.Assoc.ID+"/groups/"+r.PathValue("gid"), "msg.groups_not_in_group")
	case addProblems(c.Lang, err, &f, nil):
		s.renderGroup(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/groups/"+r.PathValue("gid"), msg)
	}
}

func (s *Server) groupRename(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "name", "description")
	s.groupWrite(w, r, c, f, "msg.groups_saved", func(tx *store.TenantTx, gid string) error {
		_, err := group.Rename(r.Context(), tx, s.audit, gid, f.Values["name"], f.Values["description"])
		return err
	})
}

// groupAddMembers adds the members whose numbers were typed ("12, 15,
// 40-45"), all or nothing.
func (s *Server) groupAddMembers(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "numbers")
	var added int
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		g, err := group.Get(r.Context(), tx, r.PathValue("gid"))
		if err != nil {
			return err
		}
		numbers, err := group.ParseNumbers("numbers", f.Values["numbers"])
		if err != nil {
			return err
		}
		ids, err := group.IDsByNumbers(r.Context(), tx, "numbers", numbers)
		if err != nil {
			return err
		}
		added, err = group.AddMembers(r.Context(), tx, s.audit, s.clock.Now(), g.ID, ids)
		return err
	})
	switch {
	case errors.Is(err, group.ErrNotFound):
		s.notFound(w, r, c)
	case addProblems(c.Lang, err, &f, nil):
		s.renderGroup(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	case added == 0:
		back(w, r, "/a/"+c.Assoc.ID+"/groups/"+r.PathValue("gid"), "msg.groups_none_added")
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/groups/"+r.PathValue("gid"), "msg.groups_members_added")
	}
}

func (s *Server) groupRemoveMember(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.groupWrite(w, r, c, newForm(), "msg.groups_member_removed", func(tx *store.TenantTx, gid string) error {
		return group.RemoveMember(r.Context(), tx, s.audit, gid, r.PathValue("mid"))
	})
}

func (s *Server) groupDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return group.Delete(r.Context(), tx, s.audit, r.PathValue("gid"))
	})
	switch {
	case errors.Is(err, group.ErrNotFound):
		s.notFound(w, r, c)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/groups", "msg.groups_deleted")
	}
}

// memberGroups is the member card's "Groups and roles" tab: the member's
// groups, household and positions of trust, with forms to change them.
func (s *Server) memberGroups(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderMemberGroups(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderMemberGroups(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	var m member.Member
	var mine, all []group.Group
	var h household.Household
	var inHousehold bool
	var households []household.Household
	var positions []group.Position
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if m, err = member.Get(r.Context(), tx, r.PathValue("mid")); err != nil {
			return err
		}
		if mine, err = group.GroupsOf(r.Context(), tx, m.ID); err != nil {
			return err
		}
		if all, err = group.List(r.Context(), tx, ""); err != nil {
			return err
		}
		if h, inHousehold, err = household.Of(r.Context(), tx, m.ID); err != nil {
			return err
		}
		if households, err = household.List(r.Context(), tx); err != nil {
			return err
		}
		positions, err = group.PositionsOf(r.Context(), tx, m.ID)
		return err
	})
	if errors.Is(err, member.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	in := map[string]bool{}
	for _, g := range mine {
		in[g.ID] = true
	}
	var joinable []group.Group
	for _, g := range all {
		if !in[g.ID] {
			joinable = append(joinable, g)
		}
	}
	today := clock.Today(s.clock.Now())
	if f.Values["starts_on"] == "" {
		f.Values["starts_on"] = valid.FormatDate(today)
	}
	s.renderStatus(w, r, c, status, "member_groups", pageData{"M": m, "Tab": "groups", "Groups": mine,
		"Joinable": joinable, "Household": h, "InHousehold": inHousehold, "Households": households,
		"Positions": positions, "Today": today, "Titles": group.Titles, "Form": f, "Msg": flash(r),
		"CanWrite": c.Role.AtLeast(auth.RoleUser)})
}

// memberWrite runs a change from the member's groups tab and answers: 404
// for a member (or group, household) not in this association, the tab again
// with the problems under the fields rename maps them to, or a redirect to
// the tab with msg.
func (s *Server) memberWrite(w http.ResponseWriter, r *http.Request, c *reqCtx, f form, rename map[string]string,
	msg string, change func(tx *store.TenantTx, m member.Member) error) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		m, err := member.Get(r.Context(), tx, r.PathValue("mid"))
		if err != nil {
			return err
		}
		return change(tx, m)
	})
	tab := "/a/" + c.Assoc.ID + "/members/" + r.PathValue("mid") + "/groups"
	switch {
	case errors.Is(err, member.ErrNotFound), errors.Is(err, group.ErrNotFound), errors.Is(err, household.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, group.ErrNotInGroup), errors.Is(err, household.ErrNotInHousehold):
		back(w, r, tab, "msg.groups_nothing_to_do")
	case addProblems(c.Lang, err, &f, rename):
		s.renderMemberGroups(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, tab, msg)
	}
}

func (s *Server) memberJoinGroup(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "group_id")
	s.memberWrite(w, r, c, f, map[string]string{"member_ids": "group_id"}, "msg.groups_joined",
		func(tx *store.TenantTx, m member.Member) error {
			if f.Values["group_id"] == "" {
				return member.Problems{{Field: "group_id", Message: "required"}}
			}
			if _, err := group.Get(r.Context(), tx, f.Values["group_id"]); errors.Is(err, group.ErrNotFound) {
				return member.Problems{{Field: "group_id", Message: "is not one of the association's groups"}}
			}
			n, err := group.AddMembers(r.Context(), tx, s.audit, s.clock.Now(), f.Values["group_id"], []string{m.ID})
			if err == nil && n == 0 {
				return member.Problems{{Field: "group_id", Message: "is already in the group"}}
			}
			return err
		})
}

func (s *Server) memberLeaveGroup(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.memberWrite(w, r, c, newForm(), nil, "msg.groups_left", func(tx *store.TenantTx, m member.Member) error {
		return group.RemoveMember(r.Context(), tx, s.audit, r.PathValue("gid"), m.ID)
	})
}

// memberJoinHousehold puts the member in an existing household, or makes
// a new one with the member as its recipient (household_id "new").
func (s *Server) memberJoinHousehold(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "household_id", "household_name")
	rename := map[string]string{"member_id": "household_id", "recipient_member_id": "household_id", "name": "household_name"}
	s.memberWrite(w, r, c, f, rename, "msg.groups_household_joined", func(tx *store.TenantTx, m member.Member) error {
		switch id := f.Values["household_id"]; id {
		case "":
			return member.Problems{{Field: "household_id", Message: "required"}}
		case "new":
			_, err := household.Create(r.Context(), tx, s.audit, s.clock.Now(), f.Values["household_name"], m.ID)
			return err
		default:
			err := household.AddMember(r.Context(), tx, s.audit, s.clock.Now(), id, m.ID)
			if errors.Is(err, household.ErrNotFound) {
				return member.Problems{{Field: "household_id", Message: "is not one of the association's households"}}
			}
			return err
		}
	})
}

func (s *Server) memberLeaveHousehold(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := newForm()
	s.memberWrite(w, r, c, f, map[string]string{"member_id": "household_leave"}, "msg.groups_household_left",
		func(tx *store.TenantTx, m member.Member) error {
			h, ok, err := household.Of(r.Context(), tx, m.ID)
			if err != nil {
				return err
			}
			if !ok {
				return household.ErrNotInHousehold
			}
			return household.RemoveMember(r.Context(), tx, s.audit, h.ID, m.ID)
		})
}

func (s *Server) memberAddPosition(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "title", "other_title", "starts_on", "ends_on")
	s.memberWrite(w, r, c, f, nil, "msg.groups_position_added", func(tx *store.TenantTx, m member.Member) error {
		p, ps := positionFromForm(f)
		if len(ps) > 0 {
			return ps
		}
		p.MemberID = m.ID
		_, err := group.AddPosition(r.Context(), tx, s.audit, s.clock.Now(), p)
		return err
	})
}
