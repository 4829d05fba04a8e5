package web

import (
	"errors"
	"net/http"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
)

// Access is what a route asks of the visitor before its handler runs.
type Access int

const (
	// Public routes need nothing (login, setup, links from e-mails).
	Public Access = iota
	// Pending routes need a password-checked session whose second factor is
	// still to come (the MFA prompt and enrolment).
	Pending
	// Signed routes need a fully logged-in session.
	Signed
	// Operator routes need a logged-in platform operator.
	Operator
	// Member routes need a role in the association named by {aid}.
	Member
)

// Route is one page or form endpoint.
type Route struct {
	Method  string
	Pattern string
	Access  Access
	// MinRole applies to Member routes.
	MinRole auth.Role
	// MaxBody bounds a POST's body in bytes; 0 means defaultMaxBody.
	MaxBody int64
	handle  handlerFunc
}

// reqCtx is what the guard learned about the visitor.
type reqCtx struct {
	Lang    string
	Session *auth.Session
	User    *auth.User
	Assoc   association.Association
	Role    auth.Role
	CSRF    string
	Path    string
}

func (s *Server) routeTable() []Route {
	get, post := s.get, s.post
	routes := []Route{
		get("/{$}", Public, "", s.home),
		get("/setup", Public, "", s.setupForm),
		post("/setup", Public, "", s.setupSubmit),
		get("/login", Public, "", s.loginForm),
		post("/login", Public, "", s.loginSubmit),
		post("/language", Public, "", s.chooseLanguage),
		get("/login/mfa", Pending, "", s.mfaForm),
		post("/login/mfa", Pending, "", s.mfaSubmit),
		post("/login/passkey/begin", Pending, "", s.passkeyLoginBegin),
		post("/login/passkey/finish", Pending, "", s.passkeyLoginFinish),
		get("/mfa/enrol", Pending, "", s.enrolForm),
		post("/mfa/enrol", Pending, "", s.enrolSubmit),
		post("/logout", Pending, "", s.logout),
		get("/activate/{token}", Public, "", s.tokenForm("activate")),
		post("/activate/{token}", Public, "", s.tokenSubmit("activate")),
		get("/reset", Public, "", s.resetRequestForm),
		post("/reset", Public, "", s.resetRequestSubmit),
		get("/reset/{token}", Public, "", s.tokenForm("reset")),
		post("/reset/{token}", Public, "", s.tokenSubmit("reset")),

		get("/associations", Signed, "", s.picker),
		get("/account", Signed, "", s.accountPage),
		post("/account/password", Signed, "", s.accountPassword),
		post("/account/language", Signed, "", s.accountLanguage),
		post("/account/mfa/disable", Signed, "", s.accountDisableMFA),
		post("/account/passkeys/begin", Signed, "", s.passkeyAddBegin),
		post("/account/passkeys/finish", Signed, "", s.passkeyAddFinish),
		post("/account/passkeys/{id}/remove", Signed, "", s.passkeyRemove),
		post("/account/logout-everywhere", Signed, "", s.accountLogoutEverywhere),

		get("/operator", Operator, "", s.operatorPage),
		post("/operator/associations", Operator, "", s.operatorCreateAssociation),

		get("/a/{aid}/{$}", Member, auth.RoleGuest, s.dashboard),
		get("/a/{aid}/members", Member, auth.RoleGuest, s.memberList),
		get("/a/{aid}/members/new", Member, auth.RoleUser, s.memberNewForm),
		post("/a/{aid}/members/new", Member, auth.RoleUser, s.memberCreate),
		get("/a/{aid}/members/{mid}", Member, auth.RoleGuest, s.memberCard),
		get("/a/{aid}/members/{mid}/history", Member, auth.RoleGuest, s.memberHistory),
		get("/a/{aid}/members/{mid}/edit", Member, auth.RoleUser, s.memberEditForm),
		post("/a/{aid}/members/{mid}/edit", Member, auth.RoleUser, s.memberUpdate),
		post("/a/{aid}/members/{mid}/status", Member, auth.RoleUser, s.memberStatus),
		post("/a/{aid}/members/{mid}/delete", Member, auth.RoleAdmin, s.memberDelete),
		get("/a/{aid}/users", Member, auth.RoleAdmin, s.usersPage),
		post("/a/{aid}/users", Member, auth.RoleAdmin, s.usersAdd),
		post("/a/{aid}/users/{uid}/role", Member, auth.RoleAdmin, s.usersRole),
		post("/a/{aid}/users/{uid}/remove", Member, auth.RoleAdmin, s.usersRemove),
		get("/a/{aid}/settings", Member, auth.RoleAdmin, s.settingsPage),
		post("/a/{aid}/settings", Member, auth.RoleAdmin, s.settingsSubmit),
		get("/a/{aid}/audit", Member, auth.RoleAdmin, s.auditPage),
	}
	// Each part of the register keeps its routes next to its handlers.
	for _, part := range [][]Route{s.importRoutes(), s.cardRoutes(), s.feeRoutes(), s.groupRoutes(), s.reportRoutes(), s.postcodeRoutes(), s.customerRoutes()} {
		routes = append(routes, part...)
	}
	return routes
}

// handlerFunc is what a route runs once the guard let the visitor through.
type handlerFunc func(http.ResponseWriter, *http.Request, *reqCtx)

// get is a GET route.
func (s *Server) get(p string, a Access, min auth.Role, h handlerFunc) Route {
	return Route{Method: http.MethodGet, Pattern: p, Access: a, MinRole: min, handle: h}
}

// post is a POST route.
func (s *Server) post(p string, a Access, min auth.Role, h handlerFunc) Route {
	return Route{Method: http.MethodPost, Pattern: p, Access: a, MinRole: min, handle: h}
}

// defaultMaxBody bounds the body of a POST whose route sets no MaxBody:
// forms are small.
const defaultMaxBody = 1 << 20

// withBody sets a route's body limit.
func withBody(rt Route, n int64) Route {
	rt.MaxBody = n
	return rt
}

// baseContext is the context of a visitor the guard has not looked at yet.
func (s *Server) baseContext(r *http.Request) *reqCtx {
	return &reqCtx{Lang: s.language(r, nil), Path: r.URL.Path}
}

// guard runs the checks a route asks for: session, second factor, role,
// CSRF token on every POST. A visitor without the right to an association's
// page gets 404, the same as for a page that does not exist, so ids of other
// associations reveal nothing.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := s.baseContext(r)
		ctx := r.Context()
		if token := s.cookie(r, "seura"); token != "" {
			if sess, err := s.auth.LookupSession(ctx, token); err == nil {
				var u auth.User
				if err := s.db.Read(ctx, func(tx *store.Tx) error {
					var err error
					u, err = auth.UserByID(ctx, tx, sess.UserID)
					return err
				}); err == nil && !u.Disabled {
					c.Session, c.User = &sess, &u
					c.Lang = s.language(r, &u)
					ctx = audit.WithActor(ctx, auth.ActorFor(u))
					r = r.WithContext(ctx)
				}
			} else if !errors.Is(err, auth.ErrNoSession) {
				s.fail(w, r, c, err)
				return
			}
		}
		binding := ""
		if c.Session != nil {
			binding = c.Session.Token
		} else {
			binding = s.cookie(r, "pre")
			if binding == "" && r.Method == http.MethodGet {
				binding = randomID()
				s.setCookie(w, "pre", binding, 0)
			}
		}
		c.CSRF = s.csrfToken(binding)
		if r.Method == http.MethodPost {
			limit := rt.MaxBody
			if limit <= 0 {
				limit = defaultMaxBody
			}
			// A large body (an upload) is read only for a logged-in visitor
			// with the role the route asks for, so nobody else can make the
			// server hold it.
			if limit > defaultMaxBody {
				if c.Session == nil || !c.Session.MFADone {
					s.toLogin(w, r)
					return
				}
				if rt.Access == Member && !s.loadAssociation(w, r, c, rt.MinRole) {
					return
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			// Parse here, so that a body over the limit gets its own answer
			// instead of looking like a missing token. Uploads stay in
			// memory: the limit bounds them.
			var tooLarge *http.MaxBytesError
			if err := r.ParseMultipartForm(limit); errors.As(err, &tooLarge) {
				s.renderStatus(w, r, c, http.StatusRequestEntityTooLarge, "error", pageData{"Message": "error.too_large"})
				return
			}
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
			if !s.csrfValid(r, binding) {
				s.log.Warn("csrf token missing or wrong", "path", r.URL.Path)
				s.renderStatus(w, r, c, http.StatusForbidden, "error", pageData{"Message": "error.csrf"})
				return
			}
		}
		switch rt.Access {
		case Public:
		case Pending:
			if c.Session == nil {
				s.toLogin(w, r)
				return
			}
		default:
			if c.Session == nil {
				s.toLogin(w, r)
				return
			}
			if !c.Session.MFADone {
				s.toSecondFactor(w, r, c)
				return
			}
		}
		switch rt.Access {
		case Operator:
			if !c.User.IsOperator {
				s.notFound(w, r, c)
				return
			}
		case Member:
			// Checked already before reading a large body.
			if c.Assoc.ID == "" && !s.loadAssociation(w, r, c, rt.MinRole) {
				return
			}
		}
		rt.handle(w, r, c)
	})
}

// loadAssociation checks the visitor's role in {aid} and that the
// association's second-factor rule is met.
func (s *Server) loadAssociation(w http.ResponseWriter, r *http.Request, c *reqCtx, min auth.Role) bool {
	ctx := r.Context()
	aid := r.PathValue("aid")
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		role, err := auth.RoleIn(ctx, tx, c.User.ID, aid)
		if err != nil {
			return err
		}
		c.Role = role
		c.Assoc, err = association.Get(ctx, tx, aid)
		return err
	})
	if errors.Is(err, auth.ErrNotFound) || errors.Is(err, association.ErrNotFound) {
		s.notFound(w, r, c)
		return false
	}
	if err != nil {
		s.fail(w, r, c, err)
		return false
	}
	if (c.Role == auth.RoleAdmin || c.Assoc.RequireMFA) && !c.User.HasSecondFactor() {
		http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
		return false
	}
	if !c.Role.AtLeast(min) {
		// The association exists for this user, so saying so hides nothing.
		s.renderStatus(w, r, c, http.StatusForbidden, "error", pageData{"Message": "error.forbidden"})
		return false
	}
	return true
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) toSecondFactor(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if c.User.HasSecondFactor() {
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/mfa/enrol", http.StatusSeeOther)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderStatus(w, r, c, http.StatusNotFound, "error", pageData{"Message": "error.not_found"})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	s.log.Error("request failed", "request_id", audit.RequestFrom(r.Context()).ID, "err", err)
	s.renderStatus(w, r, c, http.StatusInternalServerError, "error", pageData{"Message": "error.internal"})
}
