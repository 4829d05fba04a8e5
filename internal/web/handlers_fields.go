package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// fieldsPath is where an association's custom fields are managed.
func fieldsPath(c *reqCtx) string { return "/a/" + c.Assoc.ID + "/settings/fields" }

// fieldRow is one custom field in the settings list.
type fieldRow struct {
	member.CustomField
	Values int64 // members with a value
}

// fieldForm is what the add and edit forms show: what was typed, and the
// problems per input.
type fieldForm struct {
	Values   map[string]string
	Problems map[string]string
}

// fieldFormOf is the form of an existing field.
func fieldFormOf(f member.CustomField) fieldForm {
	v := map[string]string{"name": f.Name, "kind": f.Kind, "choices": strings.Join(f.Choices, "\n"),
		"position": strconv.Itoa(f.Position)}
	if f.Required {
		v["required"] = "on"
	}
	return fieldForm{Values: v, Problems: map[string]string{}}
}

// fieldFromForm reads a posted definition: choices one a line.
func fieldFromForm(r *http.Request) (member.CustomField, fieldForm, member.Problems) {
	form := fieldForm{Values: formValues(r, "name", "kind", "position", "required"), Problems: map[string]string{}}
	form.Values["choices"] = r.PostFormValue("choices")
	f := member.CustomField{Name: form.Values["name"], Kind: form.Values["kind"],
		Choices:  strings.Split(strings.ReplaceAll(form.Values["choices"], "\r\n", "\n"), "\n"),
		Required: form.Values["required"] == "on"}
	var ps member.Problems
	if p := form.Values["position"]; p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			ps = append(ps, member.FieldError{Field: "position", Message: "must be a positive number"})
		}
		f.Position = n
	}
	return f, form, ps
}

// withProblems puts problems next to their inputs, in lang.
func (f fieldForm) withProblems(lang string, ps member.Problems) fieldForm {
	for _, p := range ps {
		text := problemText(lang, p.Message)
		if f.Problems[p.Field] != "" {
			text = f.Problems[p.Field] + "; " + text
		}
		f.Problems[p.Field] = text
	}
	return f
}

// fieldsPage lists the custom fields with the form to add one.
func (s *Server) fieldsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderFields(w, r, c, http.StatusOK, fieldForm{Values: map[string]string{"kind": member.FieldText},
		Problems: map[string]string{}}, 0)
}

func (s *Server) renderFields(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, form fieldForm, problems int) {
	var rows []fieldRow
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		defs, err := member.CustomFields(r.Context(), tx)
		if err != nil {
			return err
		}
		for _, d := range defs {
			n, err := member.CountValues(r.Context(), tx, d.ID)
			if err != nil {
				return err
			}
			rows = append(rows, fieldRow{d, n})
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderStatus(w, r, c, status, "settings_fields", pageData{"Rows": rows, "Form": form, "Kinds": member.FieldKinds,
		"Problems": problems, "Msg": flash(r)})
}

func (s *Server) fieldCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	f, form, ps := fieldFromForm(r)
	if len(ps) > 0 {
		s.renderFields(w, r, c, http.StatusUnprocessableEntity, form.withProblems(c.Lang, ps), len(ps))
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := member.CreateCustomField(r.Context(), tx, s.audit, s.clock.Now(), f)
		return err
	})
	var problems member.Problems
	switch {
	case errors.As(err, &problems):
		s.renderFields(w, r, c, http.StatusUnprocessableEntity, form.withProblems(c.Lang, problems), len(problems))
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, fieldsPath(c)+"?msg=msg.custom_field_added", http.StatusSeeOther)
	}
}

// loadField reads field {fid} with the number of members having a value,
// answering 404 itself when it is not one of this association's.
func (s *Server) loadField(w http.ResponseWriter, r *http.Request, c *reqCtx) (fieldRow, bool) {
	var row fieldRow
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if row.CustomField, err = member.GetCustomField(r.Context(), tx, r.PathValue("fid")); err != nil {
			return err
		}
		row.Values, err = member.CountValues(r.Context(), tx, row.ID)
		return err
	})
	if errors.Is(err, member.ErrFieldNotFound) {
		s.notFound(w, r, c)
		return row, false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return row, false
	}
	return row, true
}

func (s *Server) fieldEditForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	row, ok := s.loadField(w, r, c)
	if !ok {
		return
	}
	s.renderField(w, r, c, http.StatusOK, row, fieldFormOf(row.CustomField), 0, "")
}

func (s *Server) renderField(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, row fieldRow, form fieldForm,
	problems int, deleteErr string) {
	s.renderStatus(w, r, c, status, "settings_fields", pageData{"Field": row, "Form": form, "Kinds": member.FieldKinds,
		"Problems": problems, "DeleteError": deleteErr})
}

func (s *Server) fieldUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	row, ok := s.loadField(w, r, c)
	if !ok {
		return
	}
	f, form, ps := fieldFromForm(r)
	form.Values["kind"] = row.Kind
	f.Kind = row.Kind
	if len(ps) > 0 {
		s.renderField(w, r, c, http.StatusUnprocessableEntity, row, form.withProblems(c.Lang, ps), len(ps), "")
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := member.UpdateCustomField(r.Context(), tx, s.audit, row.ID, f)
		return err
	})
	var problems member.Problems
	switch {
	case errors.Is(err, member.ErrFieldNotFound):
		s.notFound(w, r, c)
	case errors.As(err, &problems):
		s.renderField(w, r, c, http.StatusUnprocessableEntity, row, form.withProblems(c.Lang, problems), len(problems), "")
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, fieldsPath(c)+"?msg=msg.custom_field_saved", http.StatusSeeOther)
	}
}

// fieldDelete deletes a field with every member's value of it, once the
// admin has ticked the box confirming that the values go too.
func (s *Server) fieldDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	row, ok := s.loadField(w, r, c)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "on" {
		s.renderField(w, r, c, http.StatusUnprocessableEntity, row, fieldFormOf(row.CustomField), 0,
			problemText(c.Lang, "tick the box to confirm"))
		return
	}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := member.DeleteCustomField(r.Context(), tx, s.audit, row.ID)
		return err
	})
	switch {
	case errors.Is(err, member.ErrFieldNotFound):
		s.notFound(w, r, c)
	case err != nil:
		s.fail(w, r, c, err)
	default:
		http.Redirect(w, r, fieldsPath(c)+"?msg=msg.custom_field_deleted", http.StatusSeeOther)
	}
}
