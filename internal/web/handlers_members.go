package web

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/postcode"
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

// customFields reads the association's custom field definitions.
func (s *Server) customFields(r *http.Request, c *reqCtx) ([]member.CustomField, error) {
	var defs []member.CustomField
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		defs, err = member.CustomFields(r.Context(), tx)
		return err
	})
	return defs, err
}

// shownValue is one custom field on the card.
type shownValue struct{ Name, Value string }

// shownValues are the card's custom fields in their order, each value
// written as people read it in lang; fields without a value show empty.
func shownValues(defs []member.CustomField, values map[string]string, lang string) []shownValue {
	out := make([]shownValue, 0, len(defs))
	for _, f := range defs {
		out = append(out, shownValue{f.Name, customText(f, values[f.Name], lang)})
	}
	return out
}

// customText writes a canonical custom value for people: dates as
// dd.mm.yyyy, decimal commas in Finnish and Swedish, yes/no in words.
func customText(f member.CustomField, v, lang string) string {
	if v == "" {
		return ""
	}
	switch f.Kind {
	case member.FieldDate:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return valid.FormatDate(d)
		}
	case member.FieldNumber:
		if lang != "en" {
			return strings.Replace(v, ".", ",", 1)
		}
	case member.FieldYesNo:
		if v == "true" {
			return i18n.T(lang, "card.yes")
		}
		return i18n.T(lang, "card.no")
	}
	return v
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
		"CanWrite": c.Role.AtLeast(auth.RoleUser), "IsAdmin": c.Role == auth.RoleAdmin,
		"CountryName": member.CountryName(m.Country, c.Lang)}
	defs, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	data["Custom"] = shownValues(defs, m.Custom, c.Lang)
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

// formField is one field of the member form. Label and Hint are catalog
// keys, or text as it is when RawLabel is set (custom fields are named by
// the association).
type formField struct {
	Name, Label, Type, Value, Error, Hint, Autocomplete, InputMode string
	Options                                                        []option
	Required, RawLabel                                             bool
}

// option is one choice of a select; Label is a catalog key unless Raw.
type option struct {
	Value, Label string
	Raw          bool
}

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
	"business_id", "birth_date", "care_of", "street", "postcode", "town", "municipality", "country", "email",
	"extra_emails", "email_invoices", "phone", "phone_mobile", "language", "joined_on", "notes"}

// customInput is the form input of custom field id: ids, unlike the names
// the association gives, are safe in HTML ids.
func customInput(id string) string { return "custom-" + id }

func opts(prefix string, values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		key := v
		if key == "" {
			key = "none"
		}
		out[i] = option{Value: v, Label: prefix + key}
	}
	return out
}

// countryOptions is the country list in lang, for a select that works
// without JavaScript (typing a country's first letters jumps to it).
func countryOptions(lang string) []option {
	cs := member.Countries(lang)
	out := make([]option, len(cs))
	for i, c := range cs {
		out[i] = option{Value: c.Code, Label: c.Name, Raw: true}
	}
	return out
}

// buildFields fills the form's fields, the association's custom fields
// last, with values and problems, in lang.
func buildFields(isNew bool, lang string, defs []member.CustomField, values map[string]string, problems map[string]string) []formField {
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
			f.Type, f.Options = "select", countryOptions(lang)
		case "care_of":
			f.Hint = "card.hint_care_of"
		case "extra_emails":
			f.Type, f.Hint = "textarea", "card.hint_extra_emails"
		case "email_invoices":
			f.Type, f.Hint = "checkbox", "card.hint_email_invoices"
		case "municipality":
			f.Hint = "card.hint_municipality"
		case "notes":
			f.Type = "textarea"
		}
		out = append(out, f)
	}
	for _, d := range defs {
		out = append(out, customFormField(d, values, problems))
	}
	return out
}

// customFormField is the input of one custom field, fitting its kind.
func customFormField(d member.CustomField, values, problems map[string]string) formField {
	name := customInput(d.ID)
	f := formField{Name: name, Label: d.Name, RawLabel: true, Type: "text", Value: values[name], Error: problems[name],
		Required: d.Required}
	if d.Required {
		f.Hint = "card.hint_custom_required"
	}
	switch d.Kind {
	case member.FieldNumber:
		f.InputMode, f.Hint = "decimal", join(f.Hint, "card.hint_number")
	case member.FieldDate:
		f.InputMode, f.Hint = "numeric", join(f.Hint, "member.hint_date")
	case member.FieldYesNo:
		f.Type, f.Options = "select", []option{{Value: "", Label: "card.not_given"}, {Value: "true", Label: "card.yes"},
			{Value: "false", Label: "card.no"}}
	case member.FieldChoice:
		f.Type = "select"
		f.Options = []option{{Value: "", Label: "card.not_given"}}
		for _, c := range d.Choices {
			f.Options = append(f.Options, option{Value: c, Label: c, Raw: true})
		}
	}
	return f
}

// join keeps the first hint when there is one: a field shows one hint.
func join(first, second string) string {
	if first != "" {
		return first
	}
	return second
}

// memberValues is a card as the form shows it.
func memberValues(m member.Member, defs []member.CustomField, lang string) map[string]string {
	v := map[string]string{"kind": m.Kind, "status": m.Status, "first_name": m.FirstName, "last_name": m.LastName,
		"gender": m.Gender, "organisation_name": m.OrgName, "business_id": m.BusinessID, "street": m.Street,
		"postcode": m.Postcode, "town": m.Town, "municipality": m.Municipality, "country": m.Country, "email": m.Email,
		"phone": m.Phone, "language": m.Language, "notes": m.Notes, "care_of": m.CareOf,
		"extra_emails": strings.Join(m.ExtraEmails, "\n")}
	if m.Number != 0 {
		v["member_number"] = strconv.FormatInt(m.Number, 10)
	}
	if m.PhoneMobile {
		v["phone_mobile"] = "on"
	}
	if m.EmailInvoices {
		v["email_invoices"] = "on"
	}
	for _, d := range defs {
		val := m.Custom[d.Name]
		if d.Kind == member.FieldDate || d.Kind == member.FieldNumber {
			val = customText(d, val, lang)
		}
		v[customInput(d.ID)] = val
	}
	for name, t := range map[string]time.Time{"birth_date": m.BirthDate, "joined_on": m.JoinedOn} {
		if !t.IsZero() {
			v[name] = valid.FormatDate(t)
		}
	}
	return v
}

// memberFromForm reads the posted card with the values of the
// association's custom fields (inputs of other ids are not read), returning
// what was typed (to show again) and the problems reading it (dates, number)
// found.
func memberFromForm(r *http.Request, defs []member.CustomField) (member.Member, map[string]string, member.Problems) {
	values := map[string]string{}
	for _, name := range cardFields {
		v := r.PostFormValue(name)
		if name != "notes" && name != "extra_emails" {
			v = strings.TrimSpace(v)
		}
		values[name] = v
	}
	custom := map[string]string{}
	for _, d := range defs {
		v := strings.TrimSpace(r.PostFormValue(customInput(d.ID)))
		values[customInput(d.ID)] = v
		custom[d.Name] = v
	}
	var ps member.Problems
	m := member.Member{Kind: values["kind"], Status: values["status"], FirstName: values["first_name"],
		LastName: values["last_name"], Gender: values["gender"], OrgName: values["organisation_name"],
		BusinessID: values["business_id"], Street: values["street"], Postcode: values["postcode"], Town: values["town"],
		Municipality: values["municipality"], Country: values["country"], Email: values["email"], Phone: values["phone"],
		PhoneMobile: values["phone_mobile"] == "on", Language: values["language"], Notes: values["notes"],
		CareOf: values["care_of"], ExtraEmails: splitEmails(values["extra_emails"]),
		EmailInvoices: values["email_invoices"] == "on", Custom: custom}
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

// splitEmails reads further e-mail addresses typed one a line, or
// separated by commas, semicolons or spaces.
func splitEmails(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
}

// problemText is a problem in the visitor's language where the catalog has
// the message, else as the register worded it.
func problemText(lang, msg string) string {
	if key := "problem." + strings.ReplaceAll(msg, " ", "_"); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	// "address 2: reason": a problem with one of several e-mail addresses.
	if m := addressProblem.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return i18n.T(lang, "card.address_n", n) + ": " + problemText(lang, m[2])
	}
	return msg
}

// addressProblem is how the register names one of several addresses in a
// problem.
var addressProblem = regexp.MustCompile(`^address (\d+): (.+)$`)

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

// customProblemFields points problems of custom fields ("custom.<name>")
// at their form inputs.
func customProblemFields(ps member.Problems, defs []member.CustomField) member.Problems {
	out := make(member.Problems, len(ps))
	for i, p := range ps {
		out[i] = p
		for _, d := range defs {
			if p.Field == "custom."+d.Name {
				out[i].Field = customInput(d.ID)
			}
		}
	}
	return out
}

func (s *Server) renderMemberForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, m *member.Member,
	defs []member.CustomField, values map[string]string, ps member.Problems) {
	isNew := m == nil
	ps = customProblemFields(ps, defs)
	fields := buildFields(isNew, c.Lang, defs, values, nil)
	byField, other := problemsByField(c.Lang, ps, fields)
	fields = buildFields(isNew, c.Lang, defs, values, byField)
	data := pageData{"Fields": fields, "New": isNew, "Problems": len(ps), "Other": other,
		"IsAdmin": c.Role == auth.RoleAdmin, "Postcodes": postcodeScript}
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
	defs, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderMemberForm(w, r, c, http.StatusOK, nil, defs, map[string]string{"kind": member.KindPerson,
		"status": member.StatusActive, "country": "FI", "language": lang,
		"joined_on": valid.FormatDate(s.clock.Now().In(clock.Helsinki))}, nil)
}

func (s *Server) memberCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	defs, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	m, values, ps := memberFromForm(r, defs)
	now := s.clock.Now()
	if len(ps) > 0 {
		// Report every problem at once: the ones reading the form found and
		// the register's own, for the fields that could be read.
		ps = append(ps, otherProblems(m.Normalize().ValidateAt(now), ps)...)
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, nil, defs, values, ps)
		return
	}
	m = s.fillTown(r, c, m)
	var created member.Member
	err = s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		created, err = member.Create(r.Context(), tx, s.audit, now, m)
		return err
	})
	var problems member.Problems
	if errors.As(err, &problems) {
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, nil, defs, values, problems)
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
	defs, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderMemberForm(w, r, c, http.StatusOK, &m, defs, memberValues(m, defs, c.Lang), nil)
}

func (s *Server) memberUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, _, ok := s.loadMember(w, r, c, false)
	if !ok {
		return
	}
	defs, err := s.customFields(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	next, values, ps := memberFromForm(r, defs)
	now := s.clock.Now()
	if len(ps) > 0 {
		if cur.Status != member.StatusActive {
			s.notEditable(w, r, c, http.StatusConflict, cur)
			return
		}
		next.Status = cur.Status
		ps = append(ps, otherProblems(next.Normalize().ValidateAt(now), ps)...)
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, &cur, defs, values, ps)
		return
	}
	next = s.fillTown(r, c, next)
	err = s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
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
		s.renderMemberForm(w, r, c, http.StatusUnprocessableEntity, &cur, defs, values, problems)
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

// postcodeScript is the script that fills the town as a postcode is typed;
// the form works without it, since saving fills an empty town (fillTown).
const postcodeScript = "/static/postcode.js"

// fillTown fills an empty town of a Finnish address from the postcode
// table, in the member's language, so that the town is right even when the
// form was sent without JavaScript. A failed lookup only leaves the town
// empty: it is a convenience, and must not stop the card from being saved.
func (s *Server) fillTown(r *http.Request, c *reqCtx, m member.Member) member.Member {
	n := m.Normalize()
	if n.Town != "" || n.Postcode == "" || n.Country != "FI" {
		return m
	}
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		town, ok, err := postcode.Lookup(r.Context(), tx, n.Postcode, n.Language)
		if ok {
			m.Town = town
		}
		return err
	})
	if err != nil {
		s.log.Warn("postcode lookup", "err", err)
	}
	return m
}
