package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/i18n"
)

// Passkeys take two requests each way. The begin routes answer JSON (the
// options for navigator.credentials and the sealed ceremony state);
// static/passkey.js runs the ceremony and submits the surrounding form, so
// the finish routes are ordinary form posts (csrf, state, credential) that
// redirect or render a page like every other form.

// beginResponse is what a begin route answers.
type beginResponse struct {
	Options json.RawMessage `json:"options"`
	State   string          `json:"state"`
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// beginAnswer turns the result of a begin call into JSON.
func (s *Server) beginAnswer(w http.ResponseWriter, r *http.Request, cer auth.Ceremony, err error) {
	switch {
	case err == nil:
		s.writeJSON(w, http.StatusOK, beginResponse{Options: cer.Options, State: cer.State})
	case errors.Is(err, auth.ErrPasskeysUnavailable):
		s.writeJSON(w, http.StatusNotFound, map[string]string{"error": "passkeys unavailable"})
	case errors.Is(err, auth.ErrBadPasskey):
		s.writeJSON(w, http.StatusNotFound, map[string]string{"error": "no passkeys"})
	case errors.Is(err, auth.ErrTooManyPasskeys):
		s.writeJSON(w, http.StatusConflict, map[string]string{"error": "too many passkeys"})
	default:
		s.log.Error("passkey begin failed", "request_id", audit.RequestFrom(r.Context()).ID, "err", err)
		s.writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
	}
}

// passkeyLoginBegin starts the second step with a passkey.
func (s *Server) passkeyLoginBegin(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if c.Session.MFADone || !c.User.HasPasskey {
		s.writeJSON(w, http.StatusConflict, map[string]string{"error": "no passkey step pending"})
		return
	}
	if !s.limiter.allow(audit.RequestFrom(r.Context()).ClientIP, "mfa:"+c.User.ID) {
		s.writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many attempts"})
		return
	}
	cer, err := s.auth.BeginPasskeyLogin(r.Context(), *c.User, c.Session.Token)
	s.beginAnswer(w, r, cer, err)
}

// passkeyLoginFinish checks the assertion; success gives the session a new
// id with the second step done, as a TOTP code does.
func (s *Server) passkeyLoginFinish(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	if c.Session.MFADone {
		http.Redirect(w, r, "/associations", http.StatusSeeOther)
		return
	}
	if !c.User.HasPasskey {
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return
	}
	ip := audit.RequestFrom(ctx).ClientIP
	if !s.limiter.try(ip, "mfa:"+c.User.ID) {
		s.renderMFA(w, r, c, http.StatusTooManyRequests, i18n.T(c.Lang, "login.too_many"))
		return
	}
	err := s.auth.FinishPasskeyLogin(ctx, *c.User, c.Session.Token, r.PostFormValue("state"), r.PostFormValue("credential"))
	if errors.Is(err, auth.ErrBadPasskey) || errors.Is(err, auth.ErrPasskeysUnavailable) {
		s.log.Info("passkey login refused", "request_id", audit.RequestFrom(ctx).ID, "err", err)
		s.renderMFA(w, r, c, http.StatusUnauthorized, i18n.T(c.Lang, "mfa.passkey_failed"))
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

// passkeyAddBegin starts registering a passkey on the account page.
func (s *Server) passkeyAddBegin(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	cer, err := s.auth.BeginPasskeyRegistration(r.Context(), *c.User, c.Session.Token)
	s.beginAnswer(w, r, cer, err)
}

// passkeyAddFinish stores the new passkey under the name given, or a
// default name.
func (s *Server) passkeyAddFinish(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ctx := r.Context()
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = i18n.T(c.Lang, "account.passkey_default_name")
	}
	if _, err := auth.CheckPasskeyName(name); err != nil {
		s.renderAccount(w, r, c, http.StatusUnprocessableEntity, err.Error())
		return
	}
	_, err := s.auth.FinishPasskeyRegistration(ctx, *c.User, c.Session.Token, r.PostFormValue("state"), r.PostFormValue("credential"), name)
	switch {
	case err == nil:
		http.Redirect(w, r, "/account?msg=msg.passkey_added", http.StatusSeeOther)
	case errors.Is(err, auth.ErrBadPasskey), errors.Is(err, auth.ErrPasskeysUnavailable):
		s.log.Info("passkey registration refused", "request_id", audit.RequestFrom(ctx).ID, "err", err)
		s.renderAccount(w, r, c, http.StatusUnprocessableEntity, i18n.T(c.Lang, "account.passkey_failed"))
	case errors.Is(err, auth.ErrTooManyPasskeys):
		s.renderAccount(w, r, c, http.StatusConflict, i18n.T(c.Lang, "account.passkey_too_many"))
	default:
		s.fail(w, r, c, err)
	}
}

// passkeyRemove deletes one of the visitor's passkeys.
func (s *Server) passkeyRemove(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	err := s.auth.RemovePasskey(r.Context(), *c.User, r.PathValue("id"))
	switch {
	case err == nil:
		http.Redirect(w, r, "/account?msg=msg.passkey_removed", http.StatusSeeOther)
	case errors.Is(err, auth.ErrNotFound):
		s.notFound(w, r, c)
	case errors.Is(err, auth.ErrLastFactor):
		s.renderAccount(w, r, c, http.StatusForbidden, i18n.T(c.Lang, "account.passkey_last"))
	default:
		s.fail(w, r, c, err)
	}
}
