package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// memberJSON is a member's card as the API shows it: every field present,
// empty text as "", dates as YYYY-MM-DD or null when not known.
type memberJSON struct {
	ID            string    `json:"id"`
	Number        int64     `json:"member_number"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	OrgName       string    `json:"organisation_name"`
	BusinessID    string    `json:"business_id"`
	Gender        string    `json:"gender"`
	BirthDate     *string   `json:"birth_date"`
	Email         string    `json:"email"`
	ExtraEmails   []string  `json:"extra_emails"`
	EmailInvoices bool      `json:"email_invoices"`
	Phone         string    `json:"phone"`
	PhoneMobile   bool      `json:"phone_mobile"`
	CareOf        string    `json:"care_of"`
	Street        string    `json:"street"`
	Postcode      string    `json:"postcode"`
	Town          string    `json:"town"`
	Municipality  string    `json:"municipality"`
	Country       string    `json:"country"`
	Language      string    `json:"language"`
	JoinedOn      *string   `json:"joined_on"`
	LeftOn        *string   `json:"left_on"`
	Notes         string    `json:"notes"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Custom holds the association's custom fields by name: text, choice
	// and date (YYYY-MM-DD) as strings, numbers as numbers, yes/no as
	// booleans; fields without a value are absent.
	Custom map[string]any `json:"custom"`
}

func dateOut(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func toJSON(m member.Member, defs []member.CustomField) memberJSON {
	extra := m.ExtraEmails
	if extra == nil {
		extra = []string{}
	}
	return memberJSON{ID: m.ID, Number: m.Number, Kind: m.Kind, Status: m.Status, FirstName: m.FirstName,
		LastName: m.LastName, OrgName: m.OrgName, BusinessID: m.BusinessID, Gender: m.Gender,
		BirthDate: dateOut(m.BirthDate), Email: m.Email, ExtraEmails: extra, EmailInvoices: m.EmailInvoices,
		Phone: m.Phone, PhoneMobile: m.PhoneMobile, CareOf: m.CareOf,
		Street: m.Street, Postcode: m.Postcode, Town: m.Town, Municipality: m.Municipality, Country: m.Country,
		Language: m.Language, JoinedOn: dateOut(m.JoinedOn), LeftOn: dateOut(m.LeftOn), Notes: m.Notes,
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC(), Custom: customOut(m.Custom, defs)}
}

// customOut types the canonical custom values for JSON by their field's
// kind.
func customOut(values map[string]string, defs []member.CustomField) map[string]any {
	out := map[string]any{}
	for _, f := range defs {
		v, ok := values[f.Name]
		if !ok {
			continue
		}
		switch f.Kind {
		case member.FieldNumber:
			out[f.Name] = json.Number(v)
		case member.FieldYesNo:
			out[f.Name] = v == "true"
		default:
			out[f.Name] = v
		}
	}
	return out
}

// customIn reads custom values as a client sends them: a string, a number
// or a boolean per field name, null for none. The member register checks
// them against the fields' kinds. nil (custom left out) keeps the values.
func customIn(ps *member.Problems, raw map[string]json.RawMessage) map[string]string {
	if raw == nil {
		return nil
	}
	out := make(map[string]string, len(raw))
	for name, r := range raw {
		var v any
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			*ps = append(*ps, member.FieldError{Field: "custom." + name, Message: "is not valid JSON"})
			continue
		}
		switch t := v.(type) {
		case nil:
			out[name] = ""
		case string:
			out[name] = t
		case json.Number:
			out[name] = t.String()
		case bool:
			out[name] = strconv.FormatBool(t)
		default:
			*ps = append(*ps, member.FieldError{Field: "custom." + name,
				Message: "must be a string, a number, true or false, or null"})
		}
	}
	return out
}

// memberInput is a card as a client sends it. The read-only fields of
// memberJSON are accepted, so that a card read can be sent back changed,
// and ignored. Missing fields, null and "" are all empty.
type memberInput struct {
	ID            json.RawMessage `json:"id"`
	Number        int64           `json:"member_number"`
	Kind          string          `json:"kind"`
	Status        string          `json:"status"`
	FirstName     string          `json:"first_name"`
	LastName      string          `json:"last_name"`
	OrgName       string          `json:"organisation_name"`
	BusinessID    string          `json:"business_id"`
	Gender        string          `json:"gender"`
	BirthDate     string          `json:"birth_date"`
	Email         string          `json:"email"`
	ExtraEmails   []string        `json:"extra_emails"`
	EmailInvoices bool            `json:"email_invoices"`
	Phone         string          `json:"phone"`
	PhoneMobile   bool            `json:"phone_mobile"`
	CareOf        string          `json:"care_of"`
	Street        string          `json:"street"`
	Postcode      string          `json:"postcode"`
	Town          string          `json:"town"`
	Municipality  string          `json:"municipality"`
	Country       string          `json:"country"`
	Language      string          `json:"language"`
	JoinedOn      string          `json:"joined_on"`
	LeftOn        string          `json:"left_on"`
	Notes         string          `json:"notes"`
	CreatedAt     json.RawMessage `json:"created_at"`
	UpdatedAt     json.RawMessage `json:"updated_at"`
	// Custom is the whole set of custom values by field name; left out,
	// an update keeps the member's values.
	Custom map[string]json.RawMessage `json:"custom"`
}

// dateIn parses a YYYY-MM-DD date ("" is the zero time), adding a problem
// for field when it is not one.
func dateIn(ps *member.Problems, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		*ps = append(*ps, member.FieldError{Field: field, Message: "must be a date as YYYY-MM-DD"})
	}
	return t
}

func (in memberInput) member() (member.Member, member.Problems) {
	var ps member.Problems
	m := member.Member{Number: in.Number, Kind: in.Kind, Status: in.Status, FirstName: in.FirstName,
		LastName: in.LastName, OrgName: in.OrgName, BusinessID: in.BusinessID, Gender: in.Gender,
		Email: in.Email, Phone: in.Phone, PhoneMobile: in.PhoneMobile, Street: in.Street, Postcode: in.Postcode,
		Town: in.Town, Municipality: in.Municipality, Country: in.Country, Language: in.Language, Notes: in.Notes,
		CareOf: in.CareOf, ExtraEmails: in.ExtraEmails, EmailInvoices: in.EmailInvoices}
	m.Custom = customIn(&ps, in.Custom)
	m.BirthDate = dateIn(&ps, "birth_date", in.BirthDate)
	m.JoinedOn = dateIn(&ps, "joined_on", in.JoinedOn)
	m.LeftOn = dateIn(&ps, "left_on", in.LeftOn)
	return m, ps
}

// pageJSON is one page of a member search.
type pageJSON struct {
	Items      []memberJSON `json:"items"`
	NextCursor *string      `json:"next_cursor"`
	PrevCursor *string      `json:"prev_cursor"`
}

func cursorOut(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// listMembers searches the register. It is a bulk read of personal data,
// so it is audited with the number of rows it returned, in the same
// transaction as the read.
func (a *API) listMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	v := r.URL.Query()
	q := member.Query{Text: v.Get("q"), Language: v.Get("language"), Sort: v.Get("sort"), Cursor: v.Get("cursor")}
	for _, s := range v["status"] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				q.Statuses = append(q.Statuses, p)
			}
		}
	}
	for _, s := range q.Statuses {
		if s != member.StatusAll && !slices.Contains(member.Statuses, s) {
			Problem(w, http.StatusBadRequest, "Bad Request",
				fmt.Sprintf("status %q is not one of all, %s", s, strings.Join(member.Statuses, ", ")), "status")
			return
		}
	}
	if q.Language != "" && !slices.Contains(member.Languages, q.Language) {
		Problem(w, http.StatusBadRequest, "Bad Request",
			fmt.Sprintf("language must be one of %s", strings.Join(member.Languages, ", ")), "language")
		return
	}
	if q.Sort != "" && !slices.Contains(member.Sorts, q.Sort) {
		Problem(w, http.StatusBadRequest, "Bad Request",
			fmt.Sprintf("sort must be one of %s", strings.Join(member.Sorts, ", ")), "sort")
		return
	}
	switch v.Get("dir") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		Problem(w, http.StatusBadRequest, "Bad Request", "dir must be asc or desc", "dir")
		return
	}
	q.Limit = member.DefaultPageSize
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			Problem(w, http.StatusBadRequest, "Bad Request",
				fmt.Sprintf("limit must be a whole number from 1 to %d", member.MaxPageSize), "limit")
			return
		}
		q.Limit = min(n, member.MaxPageSize)
	}
	var page member.Page
	var defs []member.CustomField
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if page, err = member.Search(r.Context(), tx, q); err != nil {
			return err
		}
		if defs, err = withCustom(r.Context(), tx, page.Members); err != nil {
			return err
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "member.list", ObjectType: "member",
			Details: map[string]any{"rows": len(page.Members), "via": "api"}})
	})
	if errors.Is(err, member.ErrBadQuery) {
		// Everything else was checked above.
		Problem(w, http.StatusBadRequest, "Bad Request",
			"cursor is not one this search gave (cursors belong to one sort and direction)", "cursor")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	resp := pageJSON{Items: []memberJSON{}, NextCursor: cursorOut(page.Next), PrevCursor: cursorOut(page.Prev)}
	for _, m := range page.Members {
		resp.Items = append(resp.Items, toJSON(m, defs))
	}
	writeJSON(w, http.StatusOK, resp)
}

// memberError answers the errors the member register returns; anything
// else is a 500.
func (a *API) memberError(w http.ResponseWriter, r *http.Request, err error) {
	var ps member.Problems
	var te *member.TransitionError
	var be *member.BlockedError
	switch {
	case errors.Is(err, member.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no member with that id", "id")
	case errors.As(err, &ps) && len(ps) > 0:
		writeProblem(w, fieldProblems(ps))
	case errors.As(err, &te):
		writeProblem(w, problem{Title: "Conflict", Status: http.StatusConflict, Field: "status",
			Detail: te.Error(), From: te.From, To: te.To})
	case errors.As(err, &be):
		writeProblem(w, problem{Title: "Conflict", Status: http.StatusConflict, Field: "status",
			Detail: be.Error(), From: member.StatusActive, To: member.StatusInactive, Reasons: be.Reasons})
	case errors.Is(err, member.ErrNotEditable):
		Problem(w, http.StatusConflict, "Conflict",
			strings.Replace(err.Error(), member.ErrNotEditable.Error()+":", member.ErrNotEditable.Error()+";", 1)+
				" (change its status first)", "status")
	default:
		a.internal(w, r, err)
	}
}

// fieldProblems is the 422 answer to a card or request that does not
// validate: every problem, and the first one's field.
func fieldProblems(ps member.Problems) problem {
	p := problem{Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity, Field: ps[0].Field}
	parts := make([]string, len(ps))
	for i, e := range ps {
		p.Errors = append(p.Errors, fieldError(e))
		parts[i] = e.Field + " " + e.Message
	}
	p.Detail = "the request does not validate: " + strings.Join(parts, "; ")
	return p
}

// withCustom fills the custom values of a page of members with one query,
// and returns the association's field definitions to type them with.
func withCustom(ctx context.Context, tx *store.TenantTx, ms []member.Member) ([]member.CustomField, error) {
	defs, err := member.CustomFields(ctx, tx)
	if err != nil || len(defs) == 0 || len(ms) == 0 {
		return defs, err
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	values, err := member.CustomValuesFor(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].Custom = values[ms[i].ID]
	}
	return defs, nil
}

// cardFields reads the definitions a card's custom values are typed with.
func cardFields(ctx context.Context, tx *store.TenantTx) ([]member.CustomField, error) {
	return member.CustomFields(ctx, tx)
}

func (a *API) getMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var m member.Member
	var defs []member.CustomField
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if m, err = member.Get(r.Context(), tx, r.PathValue("id")); err != nil {
			return err
		}
		defs, err = cardFields(r.Context(), tx)
		return err
	})
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(m, defs))
}

// statusChangeJSON is one row of a member's status history.
type statusChangeJSON struct {
	ID         string    `json:"id"`
	From       *string   `json:"from_status"` // null for the entry made at creation
	To         string    `json:"to_status"`
	On         *string   `json:"on_date"`
	Reason     string    `json:"reason"`
	ChangedAt  time.Time `json:"changed_at"`
	ActorLabel string    `json:"actor_label"`
}

func (a *API) memberHistory(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var hist []member.StatusChange
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		hist, err = member.History(r.Context(), tx, r.PathValue("id"))
		return err
	})
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	items := []statusChangeJSON{}
	for _, c := range hist {
		var from *string
		if c.From != "" {
			from = &c.From
		}
		items = append(items, statusChangeJSON{ID: c.ID, From: from, To: c.To, On: dateOut(c.On), Reason: c.Reason,
			ChangedAt: c.ChangedAt.UTC(), ActorLabel: c.ActorLabel})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *API) createMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in memberInput
	if !readJSON(w, r, &in) {
		return
	}
	m, ps := in.member()
	if len(ps) > 0 {
		writeProblem(w, fieldProblems(ps))
		return
	}
	var defs []member.CustomField
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if m, err = member.Create(r.Context(), tx, a.audit, a.auth.Clock.Now(), m); err != nil {
			return err
		}
		defs, err = cardFields(r.Context(), tx)
		return err
	})
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/members/"+m.ID)
	writeJSON(w, http.StatusCreated, toJSON(m, defs))
}

func (a *API) updateMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in memberInput
	if !readJSON(w, r, &in) {
		return
	}
	m, ps := in.member()
	if len(ps) > 0 {
		writeProblem(w, fieldProblems(ps))
		return
	}
	var defs []member.CustomField
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if m, err = member.Update(r.Context(), tx, a.audit, a.auth.Clock.Now(), r.PathValue("id"), m); err != nil {
			return err
		}
		defs, err = cardFields(r.Context(), tx)
		return err
	})
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(m, defs))
}

// statusInput is a status change as a client asks for it.
type statusInput struct {
	Status string `json:"status"`
	On     string `json:"on"`
	Reason string `json:"reason"`
}

// statusTargets are the statuses a change may ask for.
var statusTargets = []string{member.StatusActive, member.StatusInactive, member.StatusDeceased, member.StatusRejected}

// rejectedJSON answers the rejection of an application, which deletes it.
type rejectedJSON struct {
	ID      string `json:"id"`
	Number  int64  `json:"member_number"`
	Status  string `json:"status"`
	Deleted bool   `json:"deleted"`
}

func (a *API) changeStatus(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in statusInput
	if !readJSON(w, r, &in) {
		return
	}
	var ps member.Problems
	in.Status = strings.ToLower(strings.TrimSpace(in.Status))
	switch {
	case in.Status == "":
		ps = append(ps, member.FieldError{Field: "status", Message: "required"})
	case !slices.Contains(statusTargets, in.Status):
		ps = append(ps, member.FieldError{Field: "status", Message: "must be " + strings.Join(statusTargets, ", ")})
	}
	on := dateIn(&ps, "on", in.On)
	if len(ps) > 0 {
		writeProblem(w, fieldProblems(ps))
		return
	}
	var m member.Member
	var defs []member.CustomField
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		m, err = member.ChangeStatus(r.Context(), tx, a.audit, a.auth.Clock.Now(), r.PathValue("id"), in.Status, on, in.Reason)
		if err != nil || m.Status == member.StatusRejected {
			return err
		}
		// The status change does not touch custom values; the answer shows
		// them as a read would.
		ms := []member.Member{m}
		defs, err = withCustom(r.Context(), tx, ms)
		m = ms[0]
		return err
	})
	var eps member.Problems
	if errors.As(err, &eps) {
		// The register names the date on_date; the request calls it on.
		for i := range eps {
			if eps[i].Field == "on_date" {
				eps[i].Field = "on"
			}
		}
		writeProblem(w, fieldProblems(eps))
		return
	}
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	if m.Status == member.StatusRejected {
		writeJSON(w, http.StatusOK, rejectedJSON{ID: m.ID, Number: m.Number, Status: m.Status, Deleted: true})
		return
	}
	writeJSON(w, http.StatusOK, toJSON(m, defs))
}

func (a *API) deleteMember(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var anonymised bool
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		anonymised, err = member.Delete(r.Context(), tx, a.audit, a.auth.Clock.Now(), r.PathValue("id"))
		return err
	})
	if err != nil {
		a.memberError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"anonymised": anonymised})
}
