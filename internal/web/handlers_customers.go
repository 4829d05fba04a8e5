package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/customer"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// customersPath is the customer list of the visitor's association.
func customersPath(c *reqCtx) string { return "/a/" + c.Assoc.ID + "/customers" }

// customerPageSize is how many customers one page of the list shows.
const customerPageSize = 50

func (s *Server) customerList(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	query := customer.Query{Text: q.Get("q"), After: q.Get("after"), Limit: customerPageSize}
	var page customer.Page
	var total int64
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if page, err = customer.Search(r.Context(), tx, query); err != nil {
			return err
		}
		total, err = customer.Count(r.Context(), tx)
		return err
	})
	if errors.Is(err, customer.ErrBadCursor) {
		http.Redirect(w, r, customersPath(c), http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	next := ""
	if page.Next != "" {
		v := url.Values{"after": {page.Next}}
		if query.Text != "" {
			v.Set("q", query.Text)
		}
		next = customersPath(c) + "?" + v.Encode()
	}
	s.render(w, r, c, "customers", pageData{"Customers": page.Customers, "Total": total, "Q": query.Text,
		"Next": next, "First": query.After == "", "CanWrite": c.Role.AtLeast(auth.RoleUser), "Msg": flash(r)})
}

// loadCustomer reads customer {cid}, answering 404 itself when it is not
// one of this association's.
func (s *Server) loadCustomer(w http.ResponseWriter, r *http.Request, c *reqCtx) (customer.Customer, bool) {
	var cu customer.Customer
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		cu, err = customer.Get(r.Context(), tx, r.PathValue("cid"))
		return err
	})
	if errors.Is(err, customer.ErrNotFound) {
		s.notFound(w, r, c)
		return cu, false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return cu, false
	}
	return cu, true
}

func (s *Server) customerCard(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cu, ok := s.loadCustomer(w, r, c)
	if !ok {
		return
	}
	s.render(w, r, c, "customer", pageData{"Cu": cu, "CountryName": member.CountryName(cu.Country, c.Lang),
		"CanWrite": c.Role.AtLeast(auth.RoleUser), "IsAdmin": c.Role == auth.RoleAdmin, "Msg": flash(r)})
}

// customerFormFields are the form's inputs, in order; their names are the
// card's JSON names, so problems land next to their field.
var customerFormFields = []string{"kind", "customer_number", "organisation_name", "business_id", "first_name",
	"last_name", "care_of", "street", "postcode", "town", "country", "email", "email_invoices", "phone",
	"phone_mobile", "language", "notes"}

// customerFields builds the form's inputs with values and problems, in lang.
func customerFields(lang string, values, problems map[string]string) []formField {
	out := make([]formField, 0, len(customerFormFields))
	for _, name := range customerFormFields {
		f := formField{Name: name, Type: "text", Value: values[name], Error: problems[name]}
		switch name {
		case "kind":
			f.Type = "select"
			f.Options = []option{{Value: customer.KindPerson, Label: "kind.person"},
				{Value: customer.KindOrganisation, Label: "kind.organisation"}}
		case "customer_number":
			f.Type, f.InputMode, f.Hint = "text", "numeric", "customers.hint_number"
		case "organisation_name", "business_id":
			f.Hint = "customers.hint_organisation"
		case "first_name", "last_name":
			f.Autocomplete, f.Hint = "off", "customers.hint_person"
		case "postcode":
			f.InputMode, f.Autocomplete = "numeric", "off"
		case "town":
			f.Hint = "customers.hint_town"
		case "country":
			f.Type, f.Options = "select", countryOptions(lang)
		case "email":
			f.Type = "email"
		case "email_invoices", "phone_mobile":
			f.Type = "checkbox"
		case "phone":
			f.Type = "tel"
		case "language":
			f.Type = "select"
			for _, l := range customer.Languages {
				f.Options = append(f.Options, option{Value: l, Label: "lang." + l})
			}
		case "notes":
			f.Type = "textarea"
		}
		out = append(out, f)
	}
	return out
}

// customerValues is a card as the form shows it.
func customerValues(cu customer.Customer) map[string]string {
	v := map[string]string{"kind": cu.Kind, "first_name": cu.FirstName, "last_name": cu.LastName,
		"organisation_name": cu.OrgName, "business_id": cu.BusinessID, "care_of": cu.CareOf, "street": cu.Street,
		"postcode": cu.Postcode, "town": cu.Town, "country": cu.Country, "email": cu.Email, "phone": cu.Phone,
		"language": cu.Language, "notes": cu.Notes}
	if cu.Number != 0 {
		v["customer_number"] = strconv.FormatInt(cu.Number, 10)
	}
	if cu.EmailInvoices {
		v["email_invoices"] = "on"
	}
	if cu.PhoneMobile {
		v["phone_mobile"] = "on"
	}
	return v
}

// customerFromForm reads the posted card, returning what was typed (to
// show again) and the problems reading it found.
func customerFromForm(r *http.Request) (customer.Customer, map[string]string, customer.Problems) {
	values := map[string]string{}
	for _, name := range customerFormFields {
		v := r.PostFormValue(name)
		if name != "notes" {
			v = strings.TrimSpace(v)
		}
		values[name] = v
	}
	cu := customer.Customer{Kind: values["kind"], FirstName: values["first_name"], LastName: values["last_name"],
		OrgName: values["organisation_name"], BusinessID: values["business_id"], CareOf: values["care_of"],
		Street: values["street"], Postcode: values["postcode"], Town: values["town"], Country: values["country"],
		Email: values["email"], EmailInvoices: values["email_invoices"] == "on", Phone: values["phone"],
		PhoneMobile: values["phone_mobile"] == "on", Language: values["language"], Notes: values["notes"]}
	var ps customer.Problems
	if v := values["customer_number"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			ps = append(ps, customer.FieldError{Field: "customer_number", Message: "must be a positive number"})
		}
		cu.Number = n
	}
	return cu, values, ps
}

// customerProblemText is a problem in the visitor's language: the customer
// register's own wording first, then the register's shared one, else as
// the rule worded it.
func customerProblemText(lang, msg string) string {
	if key := "customers.problem." + strings.ReplaceAll(msg, " ", "_"); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return problemText(lang, msg)
}

func (s *Server) renderCustomerForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int,
	cur *customer.Customer, values map[string]string, ps customer.Problems) {
	byField := map[string]string{}
	for _, p := range ps {
		text := customerProblemText(c.Lang, p.Message)
		if byField[p.Field] == "" {
			byField[p.Field] = text
		} else if !strings.Contains(byField[p.Field], text) {
			byField[p.Field] += "; " + text
		}
	}
	data := pageData{"Fields": customerFields(c.Lang, values, byField), "New": cur == nil, "Problems": len(ps)}
	if cur == nil {
		data["Action"] = customersPath(c) + "/new"
	} else {
		data["Cu"] = *cur
		data["Action"] = customersPath(c) + "/" + cur.ID + "/edit"
	}
	s.renderStatus(w, r, c, status, "customer_form", data)
}

func (s *Server) customerNewForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	lang := c.Assoc.DefaultLanguage
	if lang == "" {
		lang = "fi"
	}
	s.renderCustomerForm(w, r, c, http.StatusOK, nil, map[string]string{"kind": customer.KindPerson,
		"country": "FI", "language": lang}, nil)
}

func (s *Server) customerCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cu, values, ps := customerFromForm(r)
	if len(ps) > 0 {
		// Report every problem at once: reading the form's and the card's.
		s.renderCustomerForm(w, r, c, http.StatusUnprocessableEntity, nil, values,
			append(ps, otherProblems(cu.Normalize().Validate(), ps)...))
		return
	}
	var created customer.Customer
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		created, err = customer.Create(r.Context(), tx, s.audit, s.clock.Now(), cu)
		return err
	})
	var problems customer.Problems
	if errors.As(err, &problems) {
		s.renderCustomerForm(w, r, c, http.StatusUnprocessableEntity, nil, values, problems)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	http.Redirect(w, r, customersPath(c)+"/"+created.ID+"?msg=msg.customer_added", http.StatusSeeOther)
}

func (s *Server) customerEditForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cu, ok := s.loadCustomer(w, r, c)
	if !ok {
		return
	}
	s.renderCustomerForm(w, r, c, http.StatusOK, &cu, customerValues(cu), nil)
}

func (s *Server) customerUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, ok := s.loadCustomer(w, r, c)
	if !ok {
		return
	}
	next, values, ps := customerFromForm(r)
	if len(ps) > 0 {
		s.renderCustomerForm(w, r, c, http.StatusUnprocessableEntity, &cur, values,
			append(ps, otherProblems(next.Normalize().Validate(), ps)...))
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := customer.Update(r.Context(), tx, s.audit, s.clock.Now(), cur.ID, next)
		return err
	})
	var problems customer.Problems
	switch {
	case errors.Is(err, customer.ErrNotFound):
		s.notFound(w, r, c)
	case errors.As(err, &problems):
		s.renderCustomerForm(w, r, c, http.StatusUnprocessableEntity, &cur, values, problems)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, customersPath(c)+"/"+cur.ID+"?msg=msg.saved", http.StatusSeeOther)
	}
}

func (s *Server) customerDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, ok := s.loadCustomer(w, r, c)
	if !ok {
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return customer.Delete(r.Context(), tx, s.audit, cur.ID)
	})
	var blocked *customer.BlockedError
	switch {
	case errors.Is(err, customer.ErrNotFound):
		s.notFound(w, r, c)
	case errors.As(err, &blocked):
		s.renderStatus(w, r, c, http.StatusConflict, "customer", pageData{"Cu": cur,
			"CountryName": member.CountryName(cur.Country, c.Lang), "CanWrite": true, "IsAdmin": true,
			"Error": i18n.T(c.Lang, "customers.delete_blocked") + " " + strings.Join(blocked.Reasons, "; ")})
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, customersPath(c)+"?msg=msg.customer_deleted", http.StatusSeeOther)
	}
}
