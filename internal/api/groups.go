package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/household"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// groupRoutes are the operations of this part of the API; its paths are
// described in openapi/groups.json.
func (a *API) groupRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/groups", auth.ScopeRead, a.listGroups},
		{"POST", "/api/v1/groups", auth.ScopeWrite, a.createGroup},
		{"GET", "/api/v1/groups/{id}", auth.ScopeRead, a.getGroup},
		{"PUT", "/api/v1/groups/{id}", auth.ScopeWrite, a.updateGroup},
		{"DELETE", "/api/v1/groups/{id}", auth.ScopeWrite, a.deleteGroup},
		{"GET", "/api/v1/groups/{id}/members", auth.ScopeRead, a.listGroupMembers},
		{"POST", "/api/v1/groups/{id}/members", auth.ScopeWrite, a.addGroupMembers},
		{"DELETE", "/api/v1/groups/{id}/members/{member_id}", auth.ScopeWrite, a.removeGroupMember},
		{"GET", "/api/v1/households", auth.ScopeRead, a.listHouseholds},
		{"POST", "/api/v1/households", auth.ScopeWrite, a.createHousehold},
		{"GET", "/api/v1/households/{id}", auth.ScopeRead, a.getHousehold},
		{"DELETE", "/api/v1/households/{id}", auth.ScopeWrite, a.deleteHousehold},
		{"POST", "/api/v1/households/{id}/members", auth.ScopeWrite, a.addHouseholdMember},
		{"DELETE", "/api/v1/households/{id}/members/{member_id}", auth.ScopeWrite, a.removeHouseholdMember},
		{"GET", "/api/v1/positions", auth.ScopeRead, a.listPositions},
		{"POST", "/api/v1/positions", auth.ScopeWrite, a.addPosition},
	}
}

// groupJSON is a group as the API shows it.
type groupJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	MemberCount int       `json:"member_count"`
	CreatedAt   time.Time `json:"created_at"`
}

func groupOut(g group.Group) groupJSON {
	return groupJSON{ID: g.ID, Kind: g.Kind, Name: g.Name, Description: g.Description, MemberCount: g.Members,
		CreatedAt: g.CreatedAt.UTC()}
}

// groupInput is a group as a client sends it; the read-only fields of
// groupJSON are accepted, so a group read can be sent back changed.
type groupInput struct {
	ID          json.RawMessage `json:"id"`
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	MemberCount json.RawMessage `json:"member_count"`
	CreatedAt   json.RawMessage `json:"created_at"`
}

// memberRefJSON is a member as a group or household lists them.
type memberRefJSON struct {
	ID     string `json:"id"`
	Number int64  `json:"member_number"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// groupError answers the errors of groups, households and positions;
// anything else is a 500.
func (a *API) groupError(w http.ResponseWriter, r *http.Request, err error) {
	var ps member.Problems
	switch {
	case errors.Is(err, group.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no group with that id", "id")
	case errors.Is(err, household.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no household with that id", "id")
	case errors.Is(err, group.ErrNotInGroup):
		Problem(w, http.StatusNotFound, "Not Found", "that member is not in the group", "member_id")
	case errors.Is(err, household.ErrNotInHousehold):
		Problem(w, http.StatusNotFound, "Not Found", "that member is not in the household", "member_id")
	case errors.Is(err, member.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no member with that id", "member_id")
	case errors.As(err, &ps) && len(ps) > 0:
		writeProblem(w, fieldProblems(ps))
	default:
		a.internal(w, r, err)
	}
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	kind := r.URL.Query().Get("kind")
	if kind != "" && !slices.Contains(group.Kinds, kind) {
		Problem(w, http.StatusBadRequest, "Bad Request", "kind must be one of "+strings.Join(group.Kinds, ", "), "kind")
		return
	}
	var gs []group.Group
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		gs, err = group.List(r.Context(), tx, kind)
		return err
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	items := []groupJSON{}
	for _, g := range gs {
		items = append(items, groupOut(g))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in groupInput
	if !readJSON(w, r, &in) {
		return
	}
	var g group.Group
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		g, err = group.Create(r.Context(), tx, a.audit, a.auth.Clock.Now(),
			group.Group{Kind: in.Kind, Name: in.Name, Description: in.Description})
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ID)
	writeJSON(w, http.StatusCreated, groupOut(g))
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var g group.Group
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		g, err = group.Get(r.Context(), tx, r.PathValue("id"))
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, groupOut(g))
}

// updateGroup renames a group; its kind cannot change (make a new group
// instead), so a different kind is a problem.
func (a *API) updateGroup(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in groupInput
	if !readJSON(w, r, &in) {
		return
	}
	var g group.Group
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		cur, err := group.Get(r.Context(), tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		if k := strings.TrimSpace(in.Kind); k != "" && k != cur.Kind {
			return member.Problems{{Field: "kind", Message: "cannot be changed; create a new group instead"}}
		}
		g, err = group.Rename(r.Context(), tx, a.audit, cur.ID, in.Name, in.Description)
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, groupOut(g))
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		return group.Delete(r.Context(), tx, a.audit, r.PathValue("id"))
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

// listGroupMembers pages through a group's members by member number. It
// is a bulk read of personal data, audited with the rows returned.
func (a *API) listGroupMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	v := r.URL.Query()
	var after int64
	if s := v.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			Problem(w, http.StatusBadRequest, "Bad Request", "cursor is not one this list gave", "cursor")
			return
		}
		after = n
	}
	limit := member.DefaultPageSize
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			Problem(w, http.StatusBadRequest, "Bad Request",
				"limit must be a whole number from 1 to "+strconv.Itoa(member.MaxPageSize), "limit")
			return
		}
		limit = min(n, member.MaxPageSize)
	}
	var ps []group.Participant
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if ps, err = group.Members(r.Context(), tx, r.PathValue("id"), after, limit+1); err != nil {
			return err
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "group.members_list", ObjectType: "group",
			ObjectID: r.PathValue("id"), Details: map[string]any{"rows": min(len(ps), limit), "via": "api"}})
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	var next *string
	if len(ps) > limit {
		ps = ps[:limit]
		next = cursorOut(strconv.FormatInt(ps[limit-1].Number, 10))
	}
	items := []memberRefJSON{}
	for _, p := range ps {
		items = append(items, memberRefJSON{ID: p.ID, Number: p.Number, Name: p.DisplayName(), Status: p.Status})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

// addMembersInput names the members to add, by id or by member number.
type addMembersInput struct {
	MemberIDs     []string `json:"member_ids"`
	MemberNumbers []int64  `json:"member_numbers"`
}

func (a *API) addGroupMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in addMembersInput
	if !readJSON(w, r, &in) {
		return
	}
	if len(in.MemberIDs) == 0 && len(in.MemberNumbers) == 0 {
		writeProblem(w, fieldProblems(member.Problems{{Field: "member_ids", Message: "required (or member_numbers)"}}))
		return
	}
	if len(in.MemberNumbers) > group.MaxAdd {
		writeProblem(w, fieldProblems(member.Problems{{Field: "member_numbers", Message: "at most " + strconv.Itoa(group.MaxAdd) + " members at a time"}}))
		return
	}
	var added int
	var g group.Group
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if g, err = group.Get(r.Context(), tx, r.PathValue("id")); err != nil {
			return err
		}
		ids := in.MemberIDs
		if len(in.MemberNumbers) > 0 {
			nums := slices.Clone(in.MemberNumbers)
			slices.Sort(nums)
			byNumber, err := group.IDsByNumbers(r.Context(), tx, "member_numbers", slices.Compact(nums))
			if err != nil {
				return err
			}
			ids = append(slices.Clone(ids), byNumber...)
		}
		if added, err = group.AddMembers(r.Context(), tx, a.audit, a.auth.Clock.Now(), g.ID, ids); err != nil {
			return err
		}
		g, err = group.Get(r.Context(), tx, g.ID)
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": added, "member_count": g.Members})
}

func (a *API) removeGroupMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		return group.RemoveMember(r.Context(), tx, a.audit, r.PathValue("id"), r.PathValue("member_id"))
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

// householdJSON is a household as the API shows it.
type householdJSON struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	RecipientID *string         `json:"recipient_member_id"`
	Members     []memberRefJSON `json:"members"`
	Problems    []string        `json:"problems"`
	CreatedAt   time.Time       `json:"created_at"`
}

func householdOut(h household.Household, problems []string) householdJSON {
	out := householdJSON{ID: h.ID, Name: h.Name, RecipientID: cursorOut(h.RecipientID), Members: []memberRefJSON{},
		Problems: problems, CreatedAt: h.CreatedAt.UTC()}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	for _, m := range h.Members {
		out.Members = append(out.Members, memberRefJSON{ID: m.ID, Number: m.Number, Name: m.DisplayName(), Status: m.Status})
	}
	return out
}

// listHouseholds lists every household with its members, or with
// ?broken=true only those the households report finds broken. A bulk read
// of personal data, audited.
func (a *API) listHouseholds(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	broken := false
	switch r.URL.Query().Get("broken") {
	case "", "false":
	case "true":
		broken = true
	default:
		Problem(w, http.StatusBadRequest, "Bad Request", "broken must be true or false", "broken")
		return
	}
	var report []household.Broken
	var all []household.Household
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if all, err = household.List(r.Context(), tx); err != nil {
			return err
		}
		report = household.BrokenAmong(all)
		if broken {
			all = nil
		}
		rows := len(all)
		if broken {
			rows = len(report)
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "household.list", ObjectType: "household",
			Details: map[string]any{"rows": rows, "broken": broken, "via": "api"}})
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	problems := map[string][]string{}
	for _, b := range report {
		problems[b.Household.ID] = b.Problems
		if broken {
			all = append(all, b.Household)
		}
	}
	items := []householdJSON{}
	for _, h := range all {
		items = append(items, householdOut(h, problems[h.ID]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// householdInput is a new household.
type householdInput struct {
	Name        string `json:"name"`
	RecipientID string `json:"recipient_member_id"`
}

func (a *API) createHousehold(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in householdInput
	if !readJSON(w, r, &in) {
		return
	}
	var h household.Household
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		h, err = household.Create(r.Context(), tx, a.audit, a.auth.Clock.Now(), in.Name, in.RecipientID)
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/households/"+h.ID)
	writeJSON(w, http.StatusCreated, householdOut(h, nil))
}

// readHousehold reads a household with the problems the report finds in
// it.
func (a *API) readHousehold(r *http.Request, key auth.APIKey, id string) (householdJSON, error) {
	var out householdJSON
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		h, err := household.Get(r.Context(), tx, id)
		if err != nil {
			return err
		}
		out = householdOut(h, h.Problems())
		return nil
	})
	return out, err
}

func (a *API) getHousehold(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	h, err := a.readHousehold(r, key, r.PathValue("id"))
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (a *API) deleteHousehold(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		return household.Delete(r.Context(), tx, a.audit, r.PathValue("id"))
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

// householdMemberInput adds a member, optionally making them the
// recipient.
type householdMemberInput struct {
	MemberID  string `json:"member_id"`
	Recipient bool   `json:"recipient"`
}

func (a *API) addHouseholdMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in householdMemberInput
	if !readJSON(w, r, &in) {
		return
	}
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		h, err := household.Get(r.Context(), tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		// A member already in this household can be made its recipient.
		already, linked, err := household.Of(r.Context(), tx, in.MemberID)
		if err != nil {
			return err
		}
		if !linked || already.ID != h.ID || !in.Recipient {
			if err := household.AddMember(r.Context(), tx, a.audit, a.auth.Clock.Now(), h.ID, in.MemberID); err != nil {
				return err
			}
		}
		if in.Recipient {
			return household.SetRecipient(r.Context(), tx, a.audit, h.ID, in.MemberID)
		}
		return nil
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	h, err := a.readHousehold(r, key, r.PathValue("id"))
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (a *API) removeHouseholdMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		return household.RemoveMember(r.Context(), tx, a.audit, r.PathValue("id"), r.PathValue("member_id"))
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

// positionJSON is a position of trust as the API shows it.
type positionJSON struct {
	ID           string  `json:"id"`
	MemberID     string  `json:"member_id"`
	MemberNumber int64   `json:"member_number"`
	MemberName   string  `json:"member_name"`
	Title        string  `json:"title"`
	StartsOn     string  `json:"starts_on"`
	EndsOn       *string `json:"ends_on"`
	Current      bool    `json:"current"`
}

func positionOut(p group.Position, today time.Time) positionJSON {
	return positionJSON{ID: p.ID, MemberID: p.MemberID, MemberNumber: p.Holder.Number, MemberName: p.Holder.DisplayName(),
		Title: p.Title, StartsOn: p.StartsOn.Format(time.DateOnly), EndsOn: dateOut(p.EndsOn), Current: p.Current(today)}
}

// listPositions lists positions of trust: ?when=current (the default: terms
// not yet ended), past or all.
func (a *API) listPositions(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	when := r.URL.Query().Get("when")
	if when == "" {
		when = "current"
	}
	if !slices.Contains([]string{"current", "past", "all"}, when) {
		Problem(w, http.StatusBadRequest, "Bad Request", "when must be current, past or all", "when")
		return
	}
	today := clock.Today(a.auth.Clock.Now())
	var ps []group.Position
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		if when != "past" {
			cur, err := group.CurrentPositions(r.Context(), tx, today)
			if err != nil {
				return err
			}
			ps = append(ps, cur...)
		}
		if when != "current" {
			past, err := group.PositionHistory(r.Context(), tx, today)
			if err != nil {
				return err
			}
			ps = append(ps, past...)
		}
		return nil
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	items := []positionJSON{}
	for _, p := range ps {
		items = append(items, positionOut(p, today))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// positionInput is a new position of trust.
type positionInput struct {
	MemberID string `json:"member_id"`
	Title    string `json:"title"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

func (a *API) addPosition(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in positionInput
	if !readJSON(w, r, &in) {
		return
	}
	var ps member.Problems
	p := group.Position{MemberID: in.MemberID, Title: in.Title}
	p.StartsOn = dateIn(&ps, "starts_on", in.StartsOn)
	p.EndsOn = dateIn(&ps, "ends_on", in.EndsOn)
	if len(ps) > 0 {
		writeProblem(w, fieldProblems(ps))
		return
	}
	now := a.auth.Clock.Now()
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		p, err = group.AddPosition(r.Context(), tx, a.audit, now, p)
		return err
	})
	if err != nil {
		a.groupError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, positionOut(p, clock.Today(now)))
}
