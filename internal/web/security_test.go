package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
	"seura.fi/seura/internal/web"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	csrfLine    = regexp.MustCompile(`name="csrf" value="[^"]+"`)
	secretShown = regexp.MustCompile(`<code id="secret">([^<]+)</code>`)
	sealedField = regexp.MustCompile(`name="sealed" value="([^"]+)"`)
)

type storeTx = store.Tx

// fill replaces the {…} wildcards of a route pattern with the given ids.
func fill(pattern string, ids map[string]string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	for k, v := range ids {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

func TestLoginRotatesSessionAndRefusesCSRFlessPost(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 3)
		env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)

		// A POST without the token changes nothing and says why.
		c.Get("/login")
		r := c.PostRaw("/login", url.Values{"email": {"kassa@example.fi"}, "password": {testenv.Password}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("login without CSRF token: status %d, want 403", r.Status)
		}
		if c.Cookie("__Host-seura") != "" {
			t.Fatal("a session was started by a POST without a CSRF token")
		}
		// A token from another visitor does not work either.
		other := testenv.NewClient(t, srv)
		other.Get("/login")
		r = c.PostRaw("/login", url.Values{"csrf": {"AAAA" + strings.Repeat("b", 39)}, "email": {"kassa@example.fi"}, "password": {testenv.Password}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("login with a forged CSRF token: status %d, want 403", r.Status)
		}

		// A planted session cookie is replaced at login.
		c.Login(env, "kassa@example.fi", "")
		first := c.Cookie("__Host-seura")
		if len(first) != 64 {
			t.Fatalf("session cookie %q", first)
		}
		c.Post("/logout", nil)
		c.Login(env, "kassa@example.fi", "")
		if second := c.Cookie("__Host-seura"); second == first || second == "" {
			t.Fatalf("session id did not change at login: %q then %q", first, second)
		}

		// Logged in, a POST still needs the token of this session.
		r = c.PostRaw("/account/language", url.Values{"lang": {"sv"}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("language change without CSRF token: status %d", r.Status)
		}
		r = c.PostRaw("/account/language", url.Values{"lang": {"sv"}, "csrf": {other.CSRFToken()}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("language change with another visitor's token: status %d", r.Status)
		}
		c.Get("/account")
		if r := c.Post("/account/language", url.Values{"lang": {"sv"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("language change with token: status %d", r.Status)
		}

		// A cross-site form post is refused even with a valid token.
		c.Get("/account")
		c.Header.Set("Sec-Fetch-Site", "cross-site")
		r = c.Post("/account/language", url.Values{"lang": {"en"}})
		c.Header.Del("Sec-Fetch-Site")
		if r.Status != http.StatusForbidden {
			t.Fatalf("cross-site POST: status %d, want 403", r.Status)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	srv := env.Server(t)
	r := testenv.NewClient(t, srv).Get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(r.Body, "<script") || strings.Contains(r.Body, "style=") {
		t.Error("inline script or style on the login page")
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
	for _, c := range r.Header.Values("Set-Cookie") {
		if !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("cookie without Secure, HttpOnly, SameSite: %s", c)
		}
	}
}

func TestLoginDoesNotRevealAccounts(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Kuoro ry", 0)
	env.User(t, "known@example.fi", false, a.ID, auth.RoleUser)
	srv := env.Server(t)
	c := testenv.NewClient(t, srv)
	c.Get("/login")
	unknown := c.Post("/login", url.Values{"email": {"unknown@example.fi"}, "password": {"wrong password 1"}})
	wrong := c.Post("/login", url.Values{"email": {"known@example.fi"}, "password": {"wrong password 1"}})
	if unknown.Status != wrong.Status || unknown.Status != http.StatusUnauthorized {
		t.Fatalf("statuses differ: unknown %d, wrong %d", unknown.Status, wrong.Status)
	}
	strip := func(s string) string { return csrfLine.ReplaceAllString(s, "") }
	if strip(unknown.Body) != strings.ReplaceAll(strip(wrong.Body), "known@example.fi", "unknown@example.fi") {
		t.Fatal("the page for an unknown e-mail differs from the page for a wrong password")
	}
	// Reset requests answer alike too.
	c.Get("/reset")
	r1 := c.Post("/reset", url.Values{"email": {"unknown@example.fi"}})
	r2 := c.Post("/reset", url.Values{"email": {"known@example.fi"}})
	if r1.Status != r2.Status || strip(r1.Body) != strip(r2.Body) {
		t.Fatal("reset answers differ for known and unknown addresses")
	}
	if n := len(env.Mail.Sent()); n != 1 {
		t.Fatalf("%d reset mails, want 1 (to the known address)", n)
	}
}

func TestAdministratorWithoutMFAIsSentToEnrolment(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Venekerho ry", 2)
		env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		c := testenv.NewClient(t, env.Server(t))
		c.Get("/login")
		r := c.Post("/login", url.Values{"email": {"admin@example.fi"}, "password": {testenv.Password}})
		if r.Location != "/mfa/enrol" {
			t.Fatalf("admin without MFA sent to %q, want /mfa/enrol", r.Location)
		}
		for _, path := range []string{"/associations", "/a/" + a.ID + "/", "/a/" + a.ID + "/users", "/account"} {
			if r := c.Get(path); r.Status != http.StatusSeeOther || r.Location != "/mfa/enrol" {
				t.Fatalf("GET %s before enrolment: %d to %q", path, r.Status, r.Location)
			}
		}
		// Enrol through the page: the secret is shown, a code turns it on.
		page := c.Get("/mfa/enrol")
		secret := strings.ReplaceAll(secretShown.FindStringSubmatch(page.Body)[1], " ", "")
		sealed := sealedField.FindStringSubmatch(page.Body)[1]
		code, _ := auth.CodeAt(secret, env.Clock.Now())
		old := c.Cookie("__Host-seura")
		r = c.Post("/mfa/enrol", url.Values{"sealed": {sealed}, "code": {code}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "recovery-codes") {
			t.Fatalf("enrolment: status %d", r.Status)
		}
		if c.Cookie("__Host-seura") == old {
			t.Fatal("session id did not change when the second factor was passed")
		}
		if r := c.Get("/a/" + a.ID + "/"); r.Status != http.StatusOK {
			t.Fatalf("dashboard after enrolment: %d", r.Status)
		}
		// An association that requires MFA sends its plain users to enrolment too.
		env.User(t, "user@example.fi", false, a.ID, auth.RoleUser)
		admin := c
		admin.Get("/a/" + a.ID + "/settings")
		if r := admin.Post("/a/"+a.ID+"/settings", url.Values{"name": {"Venekerho ry"}, "default_language": {"fi"}, "require_mfa": {"on"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("settings: %d", r.Status)
		}
		u := testenv.NewClient(t, env.Server(t))
		u.Get("/login")
		if r := u.Post("/login", url.Values{"email": {"user@example.fi"}, "password": {testenv.Password}}); r.Location != "/mfa/enrol" {
			t.Fatalf("user of an MFA association sent to %q", r.Location)
		}
	})
}

// TestGuestCannotChangeAnything tries every mutating route as a Guest, with
// a valid CSRF token, and checks that nothing in the association changed.
func TestGuestCannotChangeAnything(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 2)
		admin := env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		env.EnrolTOTP(t, admin)
		env.User(t, "guest@example.fi", false, a.ID, auth.RoleGuest)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, "guest@example.fi", "")
		before := env.AuditActions(t, a.ID)
		ids := map[string]string{"aid": a.ID, "uid": admin.ID, "mid": env.Members(t, a.ID)[0].ID}
		tried := 0
		for _, rt := range env.Web.Routes() {
			if rt.Method != http.MethodPost || rt.Access != web.Member {
				continue
			}
			c.Get("/a/" + a.ID + "/")
			path := fill(rt.Pattern, ids)
			r := c.Post(path, url.Values{"role": {"guest"}, "name": {"Hacked"}, "email": {"x@example.fi"},
				"default_language": {"en"}, "require_mfa": {"on"}})
			if r.Status != http.StatusForbidden {
				t.Errorf("guest POST %s: status %d, want 403", path, r.Status)
			}
			tried++
		}
		if tried < 4 {
			t.Fatalf("only %d mutating association routes tried", tried)
		}
		if after := env.AuditActions(t, a.ID); len(after) != len(before) {
			t.Fatalf("guest changed something: audit went from %v to %v", before, after)
		}
	})
}

// TestIsolation logs in as a user of association A and asks for every page
// and API path with association B's ids: each answer is 404.
func TestIsolation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "A ry", 3)
		b := env.Association(t, "B ry", 3)
		userA := env.User(t, "a-admin@example.fi", false, a.ID, auth.RoleAdmin)
		secretA := env.EnrolTOTP(t, userA)
		userB := env.User(t, "b-admin@example.fi", false, b.ID, auth.RoleAdmin)
		memberB := env.Members(t, b.ID)[0]
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		c.Login(env, userA.Email, secretA)

		checked := 0
		for _, rt := range env.Web.Routes() {
			if rt.Access != web.Member {
				continue
			}
			for _, ids := range []map[string]string{
				{"aid": b.ID, "uid": userB.ID, "mid": memberB.ID}, // B's association
				{"aid": a.ID, "uid": userB.ID, "mid": memberB.ID}, // B's objects under A's path
			} {
				if ids["aid"] == a.ID && !strings.Contains(rt.Pattern, "{uid}") && !strings.Contains(rt.Pattern, "{mid}") {
					continue
				}
				path := fill(rt.Pattern, ids)
				var r testenv.Response
				if rt.Method == http.MethodGet {
					r = c.Get(path)
				} else {
					c.Get("/a/" + a.ID + "/")
					r = c.Post(path, url.Values{"role": {"guest"}, "name": {"x"}, "email": {"x@example.fi"}, "default_language": {"fi"}})
				}
				if r.Status != http.StatusNotFound {
					t.Errorf("%s %s: status %d, want 404", rt.Method, path, r.Status)
				}
				if strings.Contains(r.Body, "B ry") || strings.Contains(r.Body, memberB.LastName) {
					t.Errorf("%s %s: page shows B's data", rt.Method, path)
				}
				checked++
			}
		}
		if checked < 10 {
			t.Fatalf("only %d paths checked", checked)
		}
		// B's data is intact: its administrator is still an administrator.
		ctx := context.Background()
		var role auth.Role
		if err := env.DB.Read(ctx, func(tx *storeTx) error {
			var err error
			role, err = auth.RoleIn(ctx, tx, userB.ID, b.ID)
			return err
		}); err != nil || role != auth.RoleAdmin {
			t.Fatalf("B's admin role is %q, %v", role, err)
		}

		// The API: A's key gets 404 for B's member, and only A's members in lists.
		keyA := env.APIKey(t, a.ID)
		api := testenv.NewClient(t, srv)
		api.Header.Set("Authorization", "Bearer "+keyA)
		if r := api.Get("/api/v1/members/" + memberB.ID); r.Status != http.StatusNotFound ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("API: B's member with A's key: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		r := api.Get("/api/v1/members?limit=500")
		if r.Status != http.StatusOK || strings.Contains(r.Body, "B ry") || strings.Count(r.Body, `"member_number"`) != 3 {
			t.Fatalf("API list with A's key: %d %s", r.Status, r.Body)
		}
	})
}
