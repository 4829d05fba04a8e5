package web

import (
	"errors"
	"net/http"
	"strconv"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

func (s *Server) picker(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	var ms []auth.Membership
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		ms, err = auth.Memberships(ctx, tx, c.User.ID)
		return err
	}); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if len(ms) == 1 && !c.User.IsOperator {
		http.Redirect(w, r, "/a/"+ms[0].AssociationID+"/", http.StatusSeeOther)
		return
	}
	s.render(w, r, c, "picker", pageData{"Memberships": ms})
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	var counts map[string]int64
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		counts, err = member.Counts(r.Context(), tx)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	type row struct {
		Status string
		N      int64
	}
	var rows []row
	var total int64
	for _, st := range member.Statuses {
		rows = append(rows, row{st, counts[st]})
		total += counts[st]
	}
	s.render(w, r, c, "dashboard", pageData{"Counts": rows, "Total": total})
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderUsers(w, r, c, http.StatusOK, nil, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, form map[string]string, errMsg string) {
	var users []auth.Member
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		users, err = auth.ListUsers(r.Context(), tx)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if form == nil {
		form = map[string]string{"role": string(auth.RoleUser)}
	}
	s.renderStatus(w, r, c, status, "users", pageData{"Users": users, "Form": form, "Error": errMsg, "Msg": flash(r),
		"Roles": []auth.Role{auth.RoleAdmin, auth.RoleUser, auth.RoleGuest}})
}

func (s *Server) usersAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	form := formValues(r, "email", "name", "role")
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		_, err := s.auth.AddUser(r.Context(), tx, form["email"], form["name"], auth.Role(form["role"]))
		return err
	})
	if err != nil {
		s.renderUsers(w, r, c, http.StatusUnprocessableEntity, form, s.message(c, err))
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/users?msg=msg.user_added", http.StatusSeeOther)
}

func (s *Server) usersRole(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.userChange(w, r, c, func(tx *store.TenantTx, uid string) error {
		return s.auth.ChangeRole(r.Context(), tx, uid, auth.Role(r.PostFormValue("role")))
	})
}

func (s *Server) usersRemove(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.userChange(w, r, c, func(tx *store.TenantTx, uid string) error {
		return s.auth.RemoveUser(r.Context(), tx, uid)
	})
}

func (s *Server) userChange(w http.ResponseWriter, r *http.Request, c *reqCtx, change func(*store.TenantTx, string) error) {
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return change(tx, r.PathValue("uid"))
	})
	if errors.Is(err, auth.ErrNotFound) {
		s.notFound(w, r, c)
		return
	}
	if err != nil {
		s.renderUsers(w, r, c, http.StatusUnprocessableEntity, nil, s.message(c, err))
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/users?msg=msg.saved", http.StatusSeeOther)
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, c, "settings", pageData{"A": c.Assoc, "Msg": flash(r)})
}

func (s *Server) settingsSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	set := association.Settings{Name: r.PostFormValue("name"), DefaultLanguage: r.PostFormValue("default_language"),
		RequireMFA: r.PostFormValue("require_mfa") == "on"}
	err := s.db.For(c.Assoc.ID).Write(r.Context(), func(tx *store.TenantTx) error {
		return association.UpdateSettings(r.Context(), tx, s.audit, set)
	})
	if err != nil {
		a := c.Assoc
		a.Name, a.DefaultLanguage, a.RequireMFA = set.Name, set.DefaultLanguage, set.RequireMFA
		s.renderStatus(w, r, c, http.StatusUnprocessableEntity, "settings", pageData{"A": a, "Error": s.message(c, err)})
		return
	}
	http.Redirect(w, r, "/a/"+c.Assoc.ID+"/settings?msg=msg.saved", http.StatusSeeOther)
}

// auditPageSize is how many events one page of the audit list shows.
const auditPageSize = 100

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	var events []audit.Entry
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		events, err = audit.List(r.Context(), tx, before, auditPageSize+1)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	events, next := page(events, auditPageSize, func(e audit.Entry) int64 { return e.Seq })
	s.render(w, r, c, "audit", pageData{"Events": events, "Next": next})
}

// page trims a keyset query that asked for size+1 rows to one page, and
// returns the key to continue after (0 on the last page).
func page[T any](items []T, size int, key func(T) int64) ([]T, int64) {
	if len(items) <= size {
		return items, 0
	}
	items = items[:size]
	return items, key(items[size-1])
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderAccount(w, r, c, http.StatusOK, "")
}

// mfaRequired reports whether the visitor's roles demand a second factor.
func (s *Server) mfaRequired(r *http.Request, c *reqCtx) (bool, error) {
	var required bool
	err := s.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		required, err = auth.MFARequired(r.Context(), tx, *c.User)
		return err
	})
	return required, err
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, errMsg string) {
	required, err := s.mfaRequired(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	var passkeys []auth.Passkey
	if err := s.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		passkeys, err = auth.Passkeys(r.Context(), tx, c.User.ID)
		return err
	}); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderStatus(w, r, c, status, "account", pageData{"MFARequired": required, "Error": errMsg, "Msg": flash(r),
		"Passkeys": passkeys, "PasskeysAvailable": s.auth.PasskeysAvailable()})
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if r.PostFormValue("new") != r.PostFormValue("new2") {
		s.renderAccount(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "password.mismatch"))
		return
	}
	err := s.auth.ChangePassword(r.Context(), c.User.ID, r.PostFormValue("current"), r.PostFormValue("new"), c.Session.Token)
	if err != nil {
		s.renderAccount(w, r, c, http.StatusUnprocessableEntity, s.message(c, err))
		return
	}
	if !s.rotate(w, r, c, true) {
		return
	}
	http.Redirect(w, r, "/account?msg=msg.password_changed", http.StatusSeeOther)
}

func (s *Server) accountLanguage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := s.auth.SetLanguage(r.Context(), c.User.ID, r.PostFormValue("lang")); err != nil {
		s.renderAccount(w, r, c, http.StatusUnprocessableEntity, s.message(c, err))
		return
	}
	http.Redirect(w, r, "/account?msg=msg.saved", http.StatusSeeOther)
}

func (s *Server) accountDisableMFA(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	required, err := s.mfaRequired(r, c)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if required && !c.User.HasPasskey {
		s.renderAccount(w, r, c, http.StatusForbidden, i18n.T(c.Lang, "account.mfa_required"))
		return
	}
	if err := s.auth.DisableTOTP(r.Context(), c.User.ID); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if !s.rotate(w, r, c, true) {
		return
	}
	http.Redirect(w, r, "/account?msg=msg.saved", http.StatusSeeOther)
}

func (s *Server) accountLogoutEverywhere(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if _, err := s.auth.EndAllSessions(r.Context(), c.User.ID); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.setCookie(w, "seura", "", -1)
	http.Redirect(w, r, "/login?msg=msg.logged_out", http.StatusSeeOther)
}

func (s *Server) operatorPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderOperator(w, r, c, http.StatusOK, nil, "")
}

// operatorEvents is how many recent platform events the operator page shows.
const operatorEvents = 50

func (s *Server) renderOperator(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, form map[string]string, errMsg string) {
	var list []association.Summary
	var events []audit.Entry
	if err := s.db.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if list, err = association.List(r.Context(), tx); err != nil {
			return err
		}
		events, err = audit.ListPlatform(r.Context(), tx, 0, operatorEvents)
		return err
	}); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if form == nil {
		form = map[string]string{"language": c.Lang}
	}
	s.renderStatus(w, r, c, status, "operator", pageData{"Associations": list, "Events": events, "Form": form,
		"Error": errMsg, "Msg": flash(r)})
}

// operatorCreateAssociation creates an association and invites its first
// administrator, who gets an activation link. The operator gets no role in
// it, and so sees none of its members.
func (s *Server) operatorCreateAssociation(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	form := formValues(r, "name", "language", "admin_email", "admin_name")
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := association.Create(ctx, tx, s.audit, s.clock.Now(), form["name"], form["language"])
		if err != nil {
			return err
		}
		scoped, err := tx.Within(ctx, a.ID)
		if err != nil {
			return err
		}
		_, err = s.auth.AddUser(ctx, scoped, form["admin_email"], form["admin_name"], auth.RoleAdmin)
		return err
	})
	if err != nil {
		s.renderOperator(w, r, c, http.StatusUnprocessableEntity, form, s.message(c, err))
		return
	}
	http.Redirect(w, r, "/operator?msg=msg.association_created", http.StatusSeeOther)
}
