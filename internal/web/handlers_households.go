package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/household"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// householdRow is a household as the list shows it, with the problems the
// households report finds in it.
type householdRow struct {
	household.Household
	Problems []string
	// To is the recipient, nil when there is none.
	To *household.Resident
}

// householdsPage lists every household with its members and problems
// (the households report), broken ones first when ?broken=1.
func (s *Server) householdsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderHouseholds(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderHouseholds(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	onlyBroken := r.URL.Query().Get("broken") == "1"
	var hs []household.Household
	var broken []household.Broken
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		hs, err = household.List(r.Context(), tx)
		broken = household.BrokenAmong(hs)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	problems := map[string][]string{}
	for _, b := range broken {
		problems[b.Household.ID] = b.Problems
	}
	var rows []householdRow
	for _, h := range hs {
		if onlyBroken && len(problems[h.ID]) == 0 {
			continue
		}
		row := householdRow{Household: h, Problems: problems[h.ID]}
		if rec, ok := h.Recipient(); ok {
			row.To = &rec
		}
		rows = append(rows, row)
	}
	s.renderStatus(w, r, c, status, "households", pageData{"Rows": rows, "Total": len(hs), "Broken": len(broken),
		"OnlyBroken": onlyBroken, "Form": f, "Msg": flash(r), "CanWrite": c.Role.AtLeast(auth.RoleUser)})
}

// householdCreate makes a household for the recipient whose member number
// was typed.
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "name", "recipient_number")
	var h household.Household
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		id, err := memberNumber(r, tx, "recipient_number", f.Values["recipient_number"])
		if err != nil {
			return err
		}
		h, err = household.Create(r.Context(), tx, s.audit, s.clock.Now(), f.Values["name"], id)
		return err
	})
	switch {
	case addProblems(c.Lang, err, &f, map[string]string{"recipient_member_id": "recipient_number"}):
		s.renderHouseholds(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/households/"+h.ID, "msg.groups_household_created")
	}
}

func (s *Server) householdPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderHousehold(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderHousehold(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	var h household.Household
	var problems []string
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if h, err = household.Get(r.Context(), tx, r.PathValue("hid")); err != nil {
			return err
		}
		problems = h.Problems()
		return nil
	})
	if errors.Is(err, household.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderStatus(w, r, c, status, "household", pageData{"H": h, "Problems": problems, "Form": f, "Msg": flash(r),
		"CanWrite": c.Role.AtLeast(auth.RoleUser)})
}

// householdWrite runs a change to household {hid} and answers: 404 for a
// household or member not in this association, the page again with the
// problems under the fields rename maps them to, or a redirect with msg
// (to the list when the change deleted the household).
func (s *Server) householdWrite(w http.ResponseWriter, r *http.Request, c *reqCtx, f form, rename map[string]string,
	msg string, change func(tx *store.TenantTx, hid string) error) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return change(tx, r.PathValue("hid"))
	})
	switch {
	case errors.Is(err, household.ErrNotFound), errors.Is(err, member.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, household.ErrNotInHousehold):
		back(w, r, "/a/"+c.Assoc.ID+"/households/"+r.PathValue("hid"), "msg.groups_nothing_to_do")
	case addProblems(c.Lang, err, &f, rename):
		s.renderHousehold(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		s.afterHouseholdChange(w, r, c, msg)
	}
}

// afterHouseholdChange goes back to the household, or to the list when
// the change left no household.
func (s *Server) afterHouseholdChange(w http.ResponseWriter, r *http.Request, c *reqCtx, msg string) {
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		_, err := household.Get(r.Context(), tx, r.PathValue("hid"))
		return err
	})
	if errors.Is(err, household.ErrNotFound) {
		back(w, r, "/a/"+c.Assoc.ID+"/households", msg)
		return
	}
	back(w, r, "/a/"+c.Assoc.ID+"/households/"+r.PathValue("hid"), msg)
}

func (s *Server) householdAddMember(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "member_number")
	s.householdWrite(w, r, c, f, map[string]string{"member_id": "member_number"}, "msg.groups_household_member_added",
		func(tx *store.TenantTx, hid string) error {
			if _, err := household.Get(r.Context(), tx, hid); err != nil {
				return err
			}
			id, err := memberNumber(r, tx, "member_number", f.Values["member_number"])
			if err != nil {
				return err
			}
			return household.AddMember(r.Context(), tx, s.audit, s.clock.Now(), hid, id)
		})
}

func (s *Server) householdRemoveMember(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.householdWrite(w, r, c, newForm(), map[string]string{"member_id": "remove"}, "msg.groups_household_member_removed",
		func(tx *store.TenantTx, hid string) error {
			return household.RemoveMember(r.Context(), tx, s.audit, hid, r.PathValue("mid"))
		})
}

func (s *Server) householdRecipient(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "recipient_member_id")
	s.householdWrite(w, r, c, f, nil, "msg.groups_recipient_set", func(tx *store.TenantTx, hid string) error {
		return household.SetRecipient(r.Context(), tx, s.audit, hid, f.Values["recipient_member_id"])
	})
}

func (s *Server) householdDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.householdWrite(w, r, c, newForm(), nil, "msg.groups_household_deleted", func(tx *store.TenantTx, hid string) error {
		return household.Delete(r.Context(), tx, s.audit, hid)
	})
}

// positionsPage shows the board as it stands and past terms, with the
// form to record a position.
func (s *Server) positionsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderPositions(w, r, c, http.StatusOK, newForm())
}

func (s *Server) renderPositions(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f form) {
	today := clock.Today(s.clock.Now())
	var current, past []group.Position
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if current, err = group.CurrentPositions(r.Context(), tx, today); err != nil {
			return err
		}
		past, err = group.PositionHistory(r.Context(), tx, today)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if f.Values["starts_on"] == "" {
		f.Values["starts_on"] = valid.FormatDate(today)
	}
	s.renderStatus(w, r, c, status, "positions", pageData{"Current": current, "Past": past, "Today": today,
		"Titles": group.Titles, "Form": f, "Msg": flash(r), "CanWrite": c.Role.AtLeast(auth.RoleUser), "IsAdmin": c.Role == auth.RoleAdmin})
}

// positionFromForm reads a position's title (a known one, or "other" and
// free text) and dates as typed (dd.mm.yyyy).
func positionFromForm(f form) (group.Position, member.Problems) {
	var ps member.Problems
	p := group.Position{Title: f.Values["title"]}
	if p.Title == "other" {
		p.Title = f.Values["other_title"]
	}
	if strings.TrimSpace(p.Title) == "" {
		ps = append(ps, member.FieldError{Field: "title", Message: "required"})
	}
	for name, dst := range map[string]*time.Time{"starts_on": &p.StartsOn, "ends_on": &p.EndsOn} {
		v := f.Values[name]
		if v == "" {
			if name == "starts_on" {
				ps = append(ps, member.FieldError{Field: name, Message: "required"})
			}
			continue
		}
		d, err := valid.Date(name, v)
		if err != nil {
			ps = append(ps, member.FieldError{Field: name, Message: strings.TrimPrefix(err.Error(), name+": ")})
		}
		*dst = d
	}
	return p, ps
}

func (s *Server) positionAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := postedForm(r, "member_number", "title", "other_title", "starts_on", "ends_on")
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		p, ps := positionFromForm(f)
		id, err := memberNumber(r, tx, "member_number", f.Values["member_number"])
		var mps member.Problems
		if errors.As(err, &mps) {
			ps = append(mps, ps...)
		} else if err != nil {
			return err
		}
		if len(ps) > 0 {
			return ps
		}
		p.MemberID = id
		_, err = group.AddPosition(r.Context(), tx, s.audit, s.clock.Now(), p)
		return err
	})
	switch {
	case addProblems(c.Lang, err, &f, map[string]string{"member_id": "member_number"}):
		s.renderPositions(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/positions", "msg.groups_position_added")
	}
}

// positionChange runs a change to position {pid}; its problems show next
// to the position's row (field "row-{pid}").
func (s *Server) positionChange(w http.ResponseWriter, r *http.Request, c *reqCtx, f form, msg string,
	change func(tx *store.TenantTx, pid string) error) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return change(tx, r.PathValue("pid"))
	})
	switch {
	case errors.Is(err, group.ErrPositionNotFound):
		s.notFound(w, r, c)
	case addProblems(c.Lang, err, &f, map[string]string{"ends_on": "row-" + r.PathValue("pid")}):
		s.renderPositions(w, r, c, http.StatusUnprocessableEntity, f)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		back(w, r, "/a/"+c.Assoc.ID+"/positions", msg)
	}
}

func (s *Server) positionEnd(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f := newForm()
	s.positionChange(w, r, c, f, "msg.groups_position_ended", func(tx *store.TenantTx, pid string) error {
		var on time.Time
		if v := strings.TrimSpace(r.PostFormValue("end_on")); v != "" {
			d, err := valid.Date("ends_on", v)
			if err != nil {
				return member.Problems{{Field: "ends_on", Message: strings.TrimPrefix(err.Error(), "ends_on: ")}}
			}
			on = d
		}
		_, err := group.EndPosition(r.Context(), tx, s.audit, s.clock.Now(), pid, on)
		return err
	})
}

func (s *Server) positionDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.positionChange(w, r, c, newForm(), "msg.groups_position_deleted", func(tx *store.TenantTx, pid string) error {
		return group.DeletePosition(r.Context(), tx, s.audit, pid)
	})
}
