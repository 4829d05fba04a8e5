package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// loadMember reads member {mid}, answering 404 itself when it is not one of
// this association's.
func (s *Server) loadMember(w http.ResponseWriter, r *http.Request, c *reqCtx, history bool) (member.Member, []member.StatusChange, bool) {
	var m member.Member
	var hist []member.StatusChange
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if m, err = member.Get(r.Context(), tx, r.PathValue("mid")); err != nil || !history {
			return err
		}
		hist, err = member.History(r.Context(), tx, m.ID)
		return err
	})
	if errors.Is(err, member.ErrNotFound) {
		s.notFound(w, r, c)
		return m, nil, false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return m, nil, false
	}
	return m, hist, true
}

func (s *Server) memberCard(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m, _, ok := s.loadMember(w, r, c, false)
	if !ok {
		return
	}
	s.renderCard(w, r, c, http.StatusOK, m, "", nil, "")
}

// transition is one status change the card offers.
type transition struct{ To, Label string }

// transitions lists the changes member.CanChange allows from a status, each
// with the name of its action.
func transitions(from string) []transition {
	var out []transition
	for _, to := range []string{member.StatusActive, member.StatusRejected, member.StatusInactive, member.StatusDeceased} {
		if member.CanChange(from, to) {
			out = append(out, transition{to, "transition." + from + "_" + to})
		}
	}
	return out
}

// renderCard shows the basic details tab, with the status change form
// (keeping what was typed in it when it failed) and the delete button.
func (s *Server) renderCard(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, m member.Member,
	errMsg string, statusForm map[string]string, statusErr string) {
	if statusForm == nil {
		statusForm = map[string]string{}
	}
	data := pageData{"M": m, "Tab": "card", "Transitions": transitions(m.Status),
		"StatusForm": statusForm, "StatusError": statusErr, "Error": errMsg, "Msg": flash(r),
		"CanWrite": c.Role.AtLeast(auth.RoleUser), "IsAdmin": c.Role == auth.RoleAdmin}
	if err := s.addCardParts(r, c, m, data); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderStatus(w, r, c, status, "member", data)
}

func (s *Server) memberHistory(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m, hist, ok := s.loadMember(w, r, c, true)
	if !ok {
		return
	}
	s.render(w, r, c, "member_history", pageData{"M": m, "Tab": "history", "History": hist, "Msg": flash(r)})
}

// formField is one field of the member form.
type formField struct {
	Name, Label, Type, Value, Error, Hint, Autocomplete string
	Options                                             []option
	Required                                            bool
}

type option struct{ Value, Label string }

// Described is the ids the field's aria-describedby names.
func (f formField) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "hint-"+f.Name)
	}
	if f.Error != "" {
		ids = append(ids, "err-"+f.Name)
	}
	return strings.Join(ids, " ")
}

// cardFields are the member form's fields, in order; status only on new
// cards.
var cardFields = []string{"kind", "status", "member_number", "first_name", "last_name", "gender", "organisation_name",
	"business_id", "birth_date", "street", "postcode", "town", "municipality", "country", "email", "phone",
	"phone_mobile", "language", "joined_on", "notes"}

func opts(prefix string, values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		key := v
		if key == "" {
			key = "none"
		}
		out[i] = option{v, prefix + key}
	}
	return out
}

// buildFields fills the form's fields with values and problems.
func buildFields(isNew bool, values map[string]string, problems map[string]string) []formField {
	var out []formField
	for _, name := range cardFields {
		if name == "status" && !isNew {
			continue
		}
		f := formField{Name: name, Label: "member." + name, Type: "text", Value: values[name], Error: problems[name]}
		switch name {
		case "kind":
			f.Type, f.Options = "select", opts("kind.", member.KindPerson, member.KindOrganisation)
		case "status":
			f.Type, f.Options = "select", opts("status.", member.StatusActive, member.StatusApplied)
		case "gender":
			f.Type, f.Options, f.Hint = "select", opts("gender.", "", member.GenderWoman, member.GenderMan), "member.hint_person"
		case "language":
			f.Type, f.Options = "select", opts("lang.", member.Languages...)
		case "member_number":
			f.Type, f.Hint = "number", "member.hint_number"
		case "last_name":
			f.Hint, f.Autocomplete = "member.hint_person", "off"
		case "first_name":
			f.Autocomplete = "off"
		case "organisation_name", "business_id":
			f.Hint = "member.hint_organisation"
		case "birth_date", "joined_on":
			f.Hint = "member.hint_date"
		case "email":
			f.Type = "email"
		case "phone":
			f.Type = "tel"
		case "phone_mobile":
			f.Type, f.Hint = "checkbox", "member.hint_mobile"
		case "country":
			f.Hint = "member.hint_country"
		case "notes":
			f.Type = "textarea"
		}
		out = append(out, f)
	}
	return out
}

// memberValues is a card as the form shows it.
func memberValues(m member.Member) map[string]string {
	v := map[string]string{"kind": m.Kind, "status": m.Status, "first_name": m.FirstName, "last_name": m.LastName,
		"gender": m.Gender, "organisation_name": m.OrgName, "business_id": m.BusinessID, "street": m.Street,
		"postcode": m.Postcode, "town": m.Town, "municipality": m.Municipality, "country": m.Country, "email": m.Email,
		"phone": m.Phone, "language": m.Language, "notes": m.Notes}
	if m.Number != 0 {
		v["member_number"] = strconv.FormatInt(m.Number, 10)
	}
	if m.PhoneMobile {
		v["phone_mobile"] = "on"
	}
	for name, t := range map[string]time.Time{"birth_date": m.BirthDate, "joined_on": m.JoinedOn} {
		if !t.IsZero() {
			v[name] = valid.FormatDate(t)
		}
	}
	return v
}

// memberFromForm reads the posted card, returning what was typed (to show
// again) and the problems reading it (dates, number) found.
func memberFromForm(r *http.Request) (member.Member, map[string]string, member.Problems) {
	values := map[string]string{}
	for _, name := range cardFields {
		v := r.PostFormValue(name)
		if name != "notes" {
			v = strings.TrimSpace(v)
		}
		values[name] = v
	}
	var ps member.Problems
	m := member.Member{Kind: values["kind"], Status: values["status"], FirstName: values["first_name"],
		LastName: values["last_name"], Gender: values["gender"], OrgName: values["organisation_name"],
		BusinessID: values["business_id"], Street: values["street"], Postcode: values["postcode"], Town: values["town"],
		Municipality: values["municipality"], Country: values["country"], Email: values["email"], Phone: values["phone"],
		PhoneMobile: values["phone_mobile"] == "on", Language: values["language"], Notes: values["notes"]}
	if v := values["member_number"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			ps = append(ps, member.FieldError{Field: "member_number", Message: "must be a positive number"})
		}
		m.Number = n
	}
	for name, dst := range map[string]*time.Time{"birth_date": &m.BirthDate, "joined_on": &m.JoinedOn} {
		if v := values[name]; v != "" {
			d, err := valid.Date(name, v)
			if err != nil {
				ps = append(ps, member.FieldError{Field: name, Message: strings.TrimPrefix(err.Error(), name+": ")})
			}
			*dst = d
		}
	}
	return m, values, ps
}

// problemText is a problem in the visitor's language where the catalog has
// the message, else as the register worded it.
func problemText(lang, msg string) string {
	if key := "problem." + strings.ReplaceAll(msg, " ", "_"); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return msg
}

// problemsByField maps field names to their problems' text; problems of
// fields the form does not have are returned apart.
func problemsByField(lang string, ps member.Problems, fields []formField) (map[string]string, []string) {
	byField := map[string]string{}
	var other []string
	has := map[string]bool{}
	for _, f := range fields {
		has[f.Name] = true
	}
	for _, p := range ps {
		text := problemText(lang, p.Message)
		switch {
		case !has[p.Field]:
			other = append(other, p.Field+": "+text)
		case byField[p.Field] == "":
			byField[p.Field] = text
		case !strings.Contains(byField[p.Field], text):
			byField[p.Field] += "; " + text
		}
	}
	return byField, other
}

func (s *Server) renderMemberForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, m *member.Member,
	values map[string]string, ps member.Problems) {
	isNew := m == nil
	fields := buildFields(isNew, values, nil)
	byField, other := problemsByField(c.Lang, ps, fields)
	fields = buildFields(isNew, values, byField)
	data := pageData{"Fields": fields, "New": isNew, "Problems": len(ps), "Other": other}
	if isNew {
		data["Action"] = "/a/" + c.Assoc.ID + "/members/new"
	} else {
		data["M"] = *m
		data["Action"] = "/a/" + c.Assoc.ID + "/members/" + m.ID + "/edit"
	}
	s.renderStatus(w, r, c, status, "member_form", data)
}

func (s *Server) memberNewForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	lang := c.Assoc.DefaultLanguage
	if lang == "" {
		lang = "fi"
	}
	s.renderMemberForm(w, r, c, http.StatusOK, nil, map[string]string{"kind": member.KindPerson,
		"status": member.StatusActive, "country": "FI", "language": lang,
		"joined_on": valid.FormatDate(s.clock.Now().In(clock.Helsinki))}, nil)
}

func (s *Server) memberCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m, values, ps := memberFromForm(r)
	now := s.clock.Now()
	if len(ps) > 0 {
		// Report every problem at once: the ones reading the form found and
		// the register's own, for the fields that could be read.
		ps = append(ps, otherProblems(m.Normalize().ValidateAt(now), ps)...)
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, nil, values, ps)
		return
	}
	var created member.Member
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		created, err = member.Create(r.Context(), tx, s.audit, now, m)
		return err
	})
	var problems member.Problems
	if errors.As(err, &problems) {
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, nil, values, problems)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members/"+created.ID+"?msg=msg.member_added", http.StatusSeeOther)
}

// otherProblems is ps without the fields already in have.
func otherProblems(ps []member.FieldError, have member.Problems) member.Problems {
	var out member.Problems
	for _, p := range ps {
		dup := false
		for _, h := range have {
			dup = dup || h.Field == p.Field
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// notEditable explains why a card that is not Active cannot be edited.
func (s *Server) notEditable(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, m member.Member) {
	s.renderStatus(w, r, c, status, "member_form", pageData{"M": m, "NotEditable": true})
}

func (s *Server) memberEditForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	m, _, ok := s.loadMember(w, r, c, false)
	if !ok {
		return
	}
	if m.Status != member.StatusActive {
		s.notEditable(w, r, c, http.StatusOK, m)
		return
	}
	s.renderMemberForm(w, r, c, http.StatusOK, &m, memberValues(m), nil)
}

func (s *Server) memberUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, _, ok := s.loadMember(w, r, c, false)
	if !ok {
		return
	}
	next, values, ps := memberFromForm(r)
	now := s.clock.Now()
	if len(ps) > 0 {
		if cur.Status != member.StatusActive {
			s.notEditable(w, r, c, http.StatusConflict, cur)
			return
		}
		next.Status = cur.Status
		ps = append(ps, otherProblems(next.Normalize().ValidateAt(now), ps)...)
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, &cur, values, ps)
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := member.Update(r.Context(), tx, s.audit, now, cur.ID, next)
		return err
	})
	var problems member.Problems
	switch {
	case errors.Is(err, member.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, member.ErrNotEditable):
		s.notEditable(w, r, c, http.StatusConflict, cur)
	case errors.As(err, &problems):
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, &cur, values, problems)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members/"+cur.ID+"?msg=msg.saved", http.StatusSeeOther)
	}
}

func (s *Server) memberStatus(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, _, ok := s.loadMember(w, r, c, false)
	if !ok {
		return
	}
	form := formValues(r, "to", "on_date", "reason")
	form["reason"] = r.PostFormValue("reason")
	var on time.Time
	if form["on_date"] != "" {
		d, err := valid.Date("on_date", form["on_date"])
		if err != nil {
			s.renderCard(w, r, c, http.StatusUnprocessableEntity, cur, "", form,
				problemText(c.Lang, strings.TrimPrefix(err.Error(), "on_date: ")))
			return
		}
		on = d
	}
	var next member.Member
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		next, err = member.ChangeStatus(r.Context(), tx, s.audit, s.clock.Now(), cur.ID, form["to"], on, form["reason"])
		return err
	})
	var problems member.Problems
	var blocked *member.BlockedError
	switch {
	case errors.Is(err, member.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, member.ErrTransition):
		s.renderCard(w, r, c, http.StatusConflict, cur, "", form, i18n.T(c.Lang, "member.transition_refused"))
	case errors.As(err, &blocked):
		s.renderCard(w, r, c, http.StatusConflict, cur, "", form,
			i18n.T(c.Lang, "member.leave_blocked")+" "+strings.Join(blocked.Reasons, "; "))
	case errors.As(err, &problems):
		var texts []string
		for _, p := range problems {
			texts = append(texts, problemText(c.Lang, p.Message))
		}
		s.renderCard(w, r, c, http.StatusUnprocessableEntity, cur, "", form, strings.Join(texts, "; "))
	case err != nil:
		s.fail(w, r, c, err)
	case next.Status == member.StatusRejected:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members?msg=msg.member_rejected", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members/"+cur.ID+"/history?msg=msg.status_changed", http.StatusSeeOther)
	}
}

func (s *Server) memberDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	var anonymised bool
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		anonymised, err = member.Delete(r.Context(), tx, s.audit, s.clock.Now(), r.PathValue("mid"))
		return err
	})
	switch {
	case errors.Is(err, member.ErrNotFound):
		s.notFound(w, r, c)
	case err != nil:
		s.fail(w, r, c, err)
	case anonymised:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members/"+r.PathValue("mid")+"?msg=msg.member_anonymised", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members?msg=msg.member_deleted&status=all", http.StatusSeeOther)
	}
}
