package web

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/store"
)

// sessionMaxAge is the cookie's lifetime; the server ends the session
// earlier on idleness.
const sessionMaxAge = 12 * 3600

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	switch {
	case c.Session != nil && c.Session.MFADone:
		http.Redirect(w, r, "/associations", http.StatusSeeOther)
	case c.Session != nil:
		s.toSecondFactor(w, r, c)
	default:
		if need, err := s.needsSetup(r.Context()); err == nil && need {
			http.Redirect(w, r, "/setup", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
}

// needsSetup is true until the first operator exists.
func (s *Server) needsSetup(ctx context.Context) (bool, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE is_operator = $1`, true).Scan(&n)
	})
	return n == 0, err
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	need, err := s.needsSetup(r.Context())
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if !need {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, c, "setup", pageData{"Form": map[string]string{"language": c.Lang}})
}

// setupSubmit creates the first operator, the first association and makes
// the operator its administrator. It works only while no operator exists.
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	form := formValues(r, "name", "email", "password", "association", "language")
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE is_operator = $1`, true).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errSetupDone
		}
		return SetupPlatform(ctx, tx, s.auth, s.audit, form["name"], form["email"], form["password"], form["association"], form["language"])
	})
	if errors.Is(err, errSetupDone) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.renderStatus(w, r, c, http.StatusUnprocessableEntity, "setup", pageData{"Form": form, "Error": s.message(c, err)})
		return
	}
	http.Redirect(w, r, "/login?msg=msg.setup_done", http.StatusSeeOther)
}

var errSetupDone = errors.New("setup already done")

// SetupPlatform creates an operator who is also the first administrator of a
// new association. The setup page and `seura serve --demo` use it.
func SetupPlatform(ctx context.Context, tx *store.Tx, as *auth.Service, rec *audit.Recorder, name, email, password, assocName, lang string) error {
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	if password == "" {
		return errors.New("password: required")
	}
	u, err := as.CreateUser(ctx, tx, email, name, password, true)
	if err != nil {
		return err
	}
	a, err := association.Create(ctx, tx, rec, as.Clock.Now(), assocName, lang)
	if err != nil {
		return err
	}
	scoped, err := tx.Within(ctx, a.ID)
	if err != nil {
		return err
	}
	_, err = as.AddUser(ctx, scoped, u.Email, u.Name, auth.RoleAdmin)
	return err
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if c.Session != nil && c.Session.MFADone {
		http.Redirect(w, r, "/associations", http.StatusSeeOther)
		return
	}
	s.render(w, r, c, "login", pageData{"Msg": flash(r)})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	ip := audit.RequestFrom(ctx).ClientIP
	if !s.limiter.try(ip, strings.ToLower(email)) {
		s.renderStatus(w, r, c, http.StatusTooManyRequests, "login", pageData{"Error": i18n.T(c.Lang, "login.too_many"), "Email": email})
		return
	}
	u, err := s.auth.Login(ctx, email, r.PostFormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		s.renderStatus(w, r, c, http.StatusUnauthorized, "login", pageData{"Error": i18n.T(c.Lang, "login.failed"), "Email": email})
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.limiter.succeeded(ip, strings.ToLower(email))
	var sess auth.Session
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		required, err := auth.MFARequired(ctx, tx, u)
		if err != nil {
			return err
		}
		// A fresh session id at login: any id planted before it is useless.
		sess, err = s.auth.NewSession(ctx, tx, u.ID, !u.HasSecondFactor() && !required, ip, r.UserAgent())
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if c.Session != nil {
		_ = s.auth.EndSession(ctx, *c.Session)
	}
	s.startSession(w, sess)
	c.Session, c.User = &sess, &u
	if !sess.MFADone {
		s.toSecondFactor(w, r, c)
		return
	}
	http.Redirect(w, r, "/associations", http.StatusSeeOther)
}

func (s *Server) startSession(w http.ResponseWriter, sess auth.Session) {
	s.setCookie(w, "seura", sess.Token, sessionMaxAge)
	s.setCookie(w, "pre", "", -1)
}

// chooseLanguage is the language picker before login; it remembers the
// choice in a cookie.
func (s *Server) chooseLanguage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	s.setCookie(w, "lang", lang, 365*24*3600)
	if c.User != nil {
		if err := s.auth.SetLanguage(r.Context(), c.User.ID, lang); err != nil {
			s.fail(w, r, c, err)
			return
		}
	}
	http.Redirect(w, r, localPath(r.PostFormValue("back"), "/login"), http.StatusSeeOther)
}

// localPath returns back when it is a path on this site, else fallback: no
// scheme, no host, no backslash and no control character (browsers drop
// tabs and newlines, which would turn "/\t/evil" into "//evil").
func localPath(back, fallback string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\") {
		return fallback
	}
	for _, c := range back {
		if c < 0x20 || c == 0x7f {
			return fallback
		}
	}
	if u, err := url.Parse(back); err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return back
}

func (s *Server) mfaForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if c.Session.MFADone {
		http.Redirect(w, r, "/associations", http.StatusSeeOther)
		return
	}
	if !c.User.HasSecondFactor() {
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return
	}
	s.renderMFA(w, r, c, http.StatusOK, "")
}

// renderMFA shows the second-factor prompt: the code field when TOTP is on,
// the passkey button when a passkey is registered.
func (s *Server) renderMFA(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, errMsg string) {
	s.renderStatus(w, r, c, status, "mfa", pageData{"Error": errMsg})
}

func (s *Server) mfaSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	if c.Session.MFADone {
		http.Redirect(w, r, "/associations", http.StatusSeeOther)
		return
	}
	if !c.User.TOTPEnabled {
		// A passkey-only account has no code to type.
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return
	}
	ip := audit.RequestFrom(ctx).ClientIP
	if !s.limiter.try(ip, "mfa:"+c.User.ID) {
		s.renderMFA(w, r, c, http.StatusTooManyRequests, i18n.T(c.Lang, "login.too_many"))
		return
	}
	err := s.auth.VerifySecondFactor(ctx, c.User.ID, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		s.renderMFA(w, r, c, http.StatusUnauthorized, i18n.T(c.Lang, "mfa.wrong_code"))
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.limiter.succeeded(ip, "mfa:"+c.User.ID)
	if !s.rotate(w, r, c, true) {
		return
	}
	http.Redirect(w, r, "/associations", http.StatusSeeOther)
}

// rotate gives the session a new id, as every change of privilege does.
func (s *Server) rotate(w http.ResponseWriter, r *http.Request, c *reqCtx, mfaDone bool) bool {
	ctx := r.Context()
	var sess auth.Session
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		sess, err = s.auth.Rotate(ctx, tx, *c.Session, mfaDone, c.Session.AssociationID)
		return err
	})
	if err != nil {
		s.fail(w, r, c, err)
		return false
	}
	s.startSession(w, sess)
	c.Session = &sess
	c.CSRF = s.csrfToken(sess.Token)
	return true
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if s.enrolDone(w, r, c) {
		return
	}
	s.renderEnrol(w, r, c, http.StatusOK, "")
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, errMsg string) {
	e, err := s.auth.BeginTOTP(*c.User)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.renderStatus(w, r, c, status, "enrol", pageData{
		"Secret": spaced(e.Secret), "Sealed": e.Sealed, "URL": e.URL, "Error": errMsg,
		"QR": "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG),
	})
}

// enrolDone sends away a visitor who has nothing to enrol here: TOTP is
// already on, or a passkey is registered and this session has not passed
// it yet. Enrolment ends in a fully logged-in session, so it must never be
// a way around a second factor the account already has.
func (s *Server) enrolDone(w http.ResponseWriter, r *http.Request, c *reqCtx) bool {
	switch {
	case c.User.TOTPEnabled && c.Session.MFADone:
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	case c.User.HasSecondFactor() && !c.Session.MFADone:
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
	default:
		return false
	}
	return true
}

func (s *Server) enrolSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if s.enrolDone(w, r, c) {
		return
	}
	codes, err := s.auth.ConfirmTOTP(r.Context(), c.User.ID, r.PostFormValue("sealed"), r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		s.renderEnrol(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "mfa.wrong_code"))
		return
	}
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if !s.rotate(w, r, c, true) {
		return
	}
	s.render(w, r, c, "recovery", pageData{"Codes": codes})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := s.auth.EndSession(r.Context(), *c.Session); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.setCookie(w, "seura", "", -1)
	http.Redirect(w, r, "/login?msg=msg.logged_out", http.StatusSeeOther)
}

func (s *Server) tokenForm(purpose string) func(http.ResponseWriter, *http.Request, *reqCtx) {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		if err := s.auth.CheckToken(r.Context(), purpose, r.PathValue("token")); err != nil {
			s.renderStatus(w, r, c, http.StatusNotFound, "error", pageData{"Message": "error.link_invalid"})
			return
		}
		s.render(w, r, c, "password", pageData{"Purpose": purpose, "Action": "/" + purpose + "/" + r.PathValue("token")})
	}
}

func (s *Server) tokenSubmit(purpose string) func(http.ResponseWriter, *http.Request, *reqCtx) {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		pw := r.PostFormValue("password")
		data := pageData{"Purpose": purpose, "Action": "/" + purpose + "/" + r.PathValue("token")}
		if pw != r.PostFormValue("password2") {
			data["Error"] = i18n.T(c.Lang, "password.mismatch")
			s.renderStatus(w, r, c, http.StatusUnprocessableEntity, "password", data)
			return
		}
		_, err := s.auth.UseToken(r.Context(), purpose, r.PathValue("token"), pw)
		if errors.Is(err, auth.ErrTokenInvalid) {
			s.renderStatus(w, r, c, http.StatusNotFound, "error", pageData{"Message": "error.link_invalid"})
			return
		}
		if err != nil {
			data["Error"] = s.message(c, err)
			s.renderStatus(w, r, c, http.StatusUnprocessableEntity, "password", data)
			return
		}
		http.Redirect(w, r, "/login?msg=msg.password_set", http.StatusSeeOther)
	}
}

func (s *Server) resetRequestForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, c, "reset", nil)
}

// resetRequestSubmit answers the same whether or not the address is known.
func (s *Server) resetRequestSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ip := audit.RequestFrom(r.Context()).ClientIP
	if !s.limiter.try(ip, "reset") {
		s.renderStatus(w, r, c, http.StatusTooManyRequests, "reset", pageData{"Error": i18n.T(c.Lang, "login.too_many")})
		return
	}
	if err := s.auth.RequestReset(r.Context(), r.PostFormValue("email")); err != nil {
		s.fail(w, r, c, err)
		return
	}
	s.render(w, r, c, "reset", pageData{"Sent": true})
}

// spaced groups a base32 secret in fours for typing.
func spaced(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// formValues reads the named fields, trimmed.
func formValues(r *http.Request, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		v := r.PostFormValue(n)
		if n != "password" {
			v = strings.TrimSpace(v)
		}
		out[n] = v
	}
	return out
}

// flash turns ?msg=key into a message when key is a known message, so the
// query string cannot inject text.
func flash(r *http.Request) string {
	k := r.URL.Query().Get("msg")
	if strings.HasPrefix(k, "msg.") && i18n.Has(k) {
		return k
	}
	return ""
}

// message turns a domain error into text for a form: known errors in the
// visitor's language, validation errors as the domain worded them.
func (s *Server) message(c *reqCtx, err error) string {
	known := map[error]string{
		auth.ErrPasswordTooShort: "password.too_short",
		auth.ErrPasswordTooLong:  "password.too_long",
		auth.ErrEmailTaken:       "error.email_taken",
		auth.ErrLastAdmin:        "users.last_admin",
		auth.ErrBadCredentials:   "account.wrong_password",
	}
	for e, key := range known {
		if errors.Is(err, e) {
			return i18n.T(c.Lang, key)
		}
	}
	return err.Error()
}
