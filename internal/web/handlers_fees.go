package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// feeRow is one fee on the fee list, with its number of Active members.
type feeRow struct {
	fee.Fee
	Members int64
}

func (s *Server) feeList(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	var rows []feeRow
	var current fee.Period
	hasPeriod := false
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		fs, err := fee.List(r.Context(), tx)
		if err != nil {
			return err
		}
		counts, err := fee.Counts(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, f := range fs {
			rows = append(rows, feeRow{f, counts[f.ID]})
		}
		current, err = fee.CurrentPeriod(r.Context(), tx, s.clock.Now())
		hasPeriod = err == nil
		if errors.Is(err, fee.ErrNoPeriod) {
			return nil
		}
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.render(w, r, c, "fees", pageData{"Fees": rows, "Period": current, "HasPeriod": hasPeriod,
		"IsAdmin": c.Role == auth.RoleAdmin, "Msg": flash(r)})
}

// feeFormFields are the fee form's inputs, in order.
var feeFormFields = []string{"name", "description", "product", "price", "age_from", "age_based", "is_default"}

// feeValues is a fee as the form shows it.
func feeValues(f fee.Fee) map[string]string {
	v := map[string]string{"name": f.Name, "description": f.Description, "product": f.Product,
		"price": fee.FormatAmount(f.PriceCents)}
	if f.AgeFrom != nil {
		v["age_from"] = strconv.Itoa(*f.AgeFrom)
	}
	if f.AgeBased {
		v["age_based"] = "on"
	}
	if f.IsDefault {
		v["is_default"] = "on"
	}
	return v
}

// feeFromForm reads the posted fee, returning what was typed and the
// problems reading the price and age found.
func feeFromForm(r *http.Request) (fee.Fee, map[string]string, fee.Problems) {
	values := formValues(r, feeFormFields...)
	f := fee.Fee{Name: values["name"], Description: values["description"], Product: values["product"],
		AgeBased: values["age_based"] != "", IsDefault: values["is_default"] != ""}
	var ps fee.Problems
	price, err := fee.ParsePrice("price", values["price"])
	if err != nil {
		ps = append(ps, fee.FieldError{Field: "price", Message: strings.TrimPrefix(err.Error(), "price: ")})
	}
	f.PriceCents = price
	if f.AgeFrom, err = fee.ParseAge("age_from", values["age_from"]); err != nil {
		ps = append(ps, fee.FieldError{Field: "age_from", Message: strings.TrimPrefix(err.Error(), "age_from: ")})
	}
	return f, values, ps
}

// feeProblemText is a fee problem in the visitor's language: the fee
// catalog's own words first, then the register's shared ones.
func feeProblemText(lang, msg string) string {
	key := "fees.problem." + strings.ReplaceAll(msg, " ", "_")
	if i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return problemText(lang, msg)
}

// feeProblems maps the form's fields to their problems' text (the domain
// names the price price_cents; the form calls it price).
func feeProblems(lang string, ps fee.Problems) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		field := p.Field
		if field == "price_cents" {
			field = "price"
		}
		if out[field] == "" {
			out[field] = feeProblemText(lang, p.Message)
		}
	}
	return out
}

func (s *Server) renderFeeForm(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, f *fee.Fee,
	values map[string]string, ps fee.Problems) {
	data := pageData{"V": values, "E": feeProblems(c.Lang, ps), "Problems": len(ps), "New": f == nil}
	if f == nil {
		data["Action"] = "/a/" + c.Assoc.ID + "/fees/new"
	} else {
		data["Fee"] = *f
		data["Action"] = "/a/" + c.Assoc.ID + "/fees/" + f.ID + "/edit"
	}
	s.renderStatus(w, r, c, status, "fees_form", data)
}

func (s *Server) feeNewForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderFeeForm(w, r, c, http.StatusOK, nil, map[string]string{"price": "0,00"}, nil)
}

func (s *Server) feeCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f, values, ps := feeFromForm(r)
	if len(ps) > 0 {
		s.renderFeeForm(w, r, c, http.StatusUnprocessableEntity, nil, values, append(ps, f.Normalize().Validate()...))
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := fee.Create(r.Context(), tx, s.audit, s.clock.Now(), f)
		return err
	})
	var problems fee.Problems
	switch {
	case errors.As(err, &problems):
		s.renderFeeForm(w, r, c, http.StatusUnprocessableEntity, nil, values, problems)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/fees?msg=msg.fee_saved", http.StatusSeeOther)
	}
}

// loadFee reads fee {fid}, answering 404 itself when it is not one of this
// association's.
func (s *Server) loadFee(w http.ResponseWriter, r *http.Request, c *reqCtx) (fee.Fee, bool) {
	var f fee.Fee
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		f, err = fee.Get(r.Context(), tx, r.PathValue("fid"))
		return err
	})
	if errors.Is(err, fee.ErrNotFound) {
		s.notFound(w, r, c)
		return f, false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return f, false
	}
	return f, true
}

func (s *Server) feeEditForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f, ok := s.loadFee(w, r, c)
	if !ok {
		return
	}
	s.renderFeeForm(w, r, c, http.StatusOK, &f, feeValues(f), nil)
}

func (s *Server) feeUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cur, ok := s.loadFee(w, r, c)
	if !ok {
		return
	}
	next, values, ps := feeFromForm(r)
	if len(ps) > 0 {
		s.renderFeeForm(w, r, c, http.StatusUnprocessableEntity, &cur, values, append(ps, next.Normalize().Validate()...))
		return
	}
	next.Position = cur.Position
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := fee.Update(r.Context(), tx, s.audit, s.clock.Now(), cur.ID, next)
		return err
	})
	var problems fee.Problems
	switch {
	case errors.Is(err, fee.ErrNotFound):
		s.notFound(w, r, c)
	case errors.As(err, &problems):
		s.renderFeeForm(w, r, c, http.StatusUnprocessableEntity, &cur, values, problems)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/fees/"+cur.ID+"?msg=msg.fee_saved", http.StatusSeeOther)
	}
}

func (s *Server) feeDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return fee.Delete(r.Context(), tx, s.audit, r.PathValue("fid"))
	})
	var inUse *fee.InUseError
	switch {
	case errors.Is(err, fee.ErrNotFound):
		s.notFound(w, r, c)
	case errors.As(err, &inUse):
		s.renderFeeMembers(w, r, c, http.StatusConflict, i18n.T(c.Lang, "fees.in_use", inUse.Members))
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/fees?msg=msg.fee_deleted", http.StatusSeeOther)
	}
}

// feeMembersPage is how many members the fee's member list shows at once.
const feeMembersPage = 100

func (s *Server) feeMembers(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderFeeMembers(w, r, c, http.StatusOK, "")
}

// renderFeeMembers shows a fee and a page of its members, after member
// number ?after=.
func (s *Server) renderFeeMembers(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, errMsg string) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	var f fee.Fee
	var ms []fee.Member
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if f, err = fee.Get(r.Context(), tx, r.PathValue("fid")); err != nil {
			return err
		}
		ms, err = fee.Members(r.Context(), tx, f.ID, after, feeMembersPage+1)
		return err
	})
	if errors.Is(err, fee.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	ms, next := page(ms, feeMembersPage, func(m fee.Member) int64 { return m.Number })
	s.renderStatus(w, r, c, status, "fees_members", pageData{"Fee": f, "Members": ms, "Next": next,
		"IsAdmin": c.Role == auth.RoleAdmin, "Error": errMsg, "Msg": flash(r)})
}

// memberFeeChange changes one member's fee from the member card.
func (s *Server) memberFeeChange(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	memberID := r.PathValue("mid")
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return fee.Assign(r.Context(), tx, s.audit, s.clock.Now(), memberID, r.PostFormValue("fee_id"))
	})
	switch {
	case errors.Is(err, fee.ErrNotFound), errors.Is(err, fee.ErrMemberNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, fee.ErrNotActive):
		s.renderStatus(w, r, c, http.StatusConflict, "error", pageData{"Message": "fees.not_active"})
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/members/"+memberID+"?msg=msg.fee_changed", http.StatusSeeOther)
	}
}

// periodForm reads the period dates from a query or form: starts_on and
// ends_on as people type dates. A blank end means a year from the start.
func periodForm(get func(string) string) (start, end time.Time, values map[string]string, ps fee.Problems) {
	values = map[string]string{"starts_on": strings.TrimSpace(get("starts_on")),
		"ends_on": strings.TrimSpace(get("ends_on"))}
	for _, name := range []string{"starts_on", "ends_on"} {
		if values[name] == "" {
			continue
		}
		d, err := valid.Date(name, values[name])
		if err != nil {
			ps = append(ps, fee.FieldError{Field: name, Message: strings.TrimPrefix(err.Error(), name+": ")})
			continue
		}
		if name == "starts_on" {
			start = d
		} else {
			end = d
		}
	}
	if values["starts_on"] == "" {
		ps = append(ps, fee.FieldError{Field: "starts_on", Message: "required"})
	}
	return start, end, values, ps
}

func (s *Server) periodPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderPeriods(w, r, c, http.StatusOK, nil, nil, "")
}

// renderPeriods shows the periods and, to administrators, the form that
// previews a period change (keeping what was typed when it failed).
func (s *Server) renderPeriods(w http.ResponseWriter, r *http.Request, c *reqCtx, status int,
	values map[string]string, ps fee.Problems, errMsg string) {
	var periods []fee.Period
	var current fee.Period
	var next time.Time
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if periods, err = fee.Periods(r.Context(), tx); err != nil {
			return err
		}
		if next, err = fee.NextStart(r.Context(), tx, s.clock.Now()); err != nil {
			return err
		}
		current, err = fee.CurrentPeriod(r.Context(), tx, s.clock.Now())
		if errors.Is(err, fee.ErrNoPeriod) {
			return nil
		}
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if values == nil {
		values = map[string]string{"starts_on": valid.FormatDate(next),
			"ends_on": valid.FormatDate(next.AddDate(1, 0, -1))}
	}
	s.renderStatus(w, r, c, status, "periods", pageData{"Periods": periods, "Current": current,
		"V": values, "E": feeProblems(c.Lang, ps), "Problems": len(ps), "Error": errMsg,
		"IsAdmin": c.Role == auth.RoleAdmin, "Msg": flash(r)})
}

func (s *Server) periodPreview(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	start, end, values, ps := periodForm(r.URL.Query().Get)
	if len(ps) > 0 {
		s.renderPeriods(w, r, c, http.StatusUnprocessableEntity, values, ps, "")
		return
	}
	var plan fee.Plan
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		plan, err = fee.PlanPeriodChange(r.Context(), tx, start, end)
		return err
	})
	var problems fee.Problems
	switch {
	case errors.As(err, &problems):
		s.renderPeriods(w, r, c, http.StatusUnprocessableEntity, values, problems, "")
	case err != nil:
		s.fail(w, r, c, err)
	default:
		s.render(w, r, c, "period_preview", pageData{"Plan": plan,
			"StartsOn": valid.FormatDate(plan.StartsOn), "EndsOn": valid.FormatDate(plan.EndsOn)})
	}
}

func (s *Server) periodApply(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	start, end, values, ps := periodForm(r.PostFormValue)
	if len(ps) > 0 {
		s.renderPeriods(w, r, c, http.StatusUnprocessableEntity, values, ps, "")
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := fee.ApplyPeriodChange(r.Context(), tx, s.audit, s.clock.Now(), start, end,
			r.PostFormValue("fingerprint"))
		return err
	})
	var problems fee.Problems
	switch {
	case errors.As(err, &problems):
		s.renderPeriods(w, r, c, http.StatusUnprocessableEntity, values, problems, "")
	case errors.Is(err, fee.ErrPlanChanged):
		s.renderPeriods(w, r, c, http.StatusConflict, values, nil, i18n.T(c.Lang, "periods.plan_changed"))
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, "/a/"+c.Assoc.ID+"/periods?msg=msg.period_changed", http.StatusSeeOther)
	}
}
