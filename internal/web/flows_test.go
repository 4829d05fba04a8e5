package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

var linkInMail = regexp.MustCompile(`https://seura\.test(/(?:activate|reset)/[0-9a-f]{64})`)

// TestSetupOperatorAndActivation walks the life of a fresh installation:
// setup creates the operator and first association, the operator (after
// enrolling a second factor) creates a second association, whose
// administrator activates the account from the mailed link.
func TestSetupOperatorAndActivation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		if r := c.Get("/"); r.Location != "/setup" {
			t.Fatalf("fresh install: / goes to %q, want /setup", r.Location)
		}
		c.Get("/setup")
		form := url.Values{"association": {"Rauman Martat ry"}, "language": {"fi"}, "name": {"Olli Operaattori"},
			"email": {"olli@example.fi"}, "password": {"short"}}
		if r := c.Post("/setup", form); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("setup with a short password: %d", r.Status)
		}
		form.Set("password", testenv.Password)
		if r := c.Post("/setup", form); r.Status != http.StatusSeeOther {
			t.Fatalf("setup: %d", r.Status)
		}
		// Setup is a one-time door.
		c.Get("/login")
		form.Set("email", "mallory@example.fi")
		if r := c.Post("/setup", form); r.Location != "/login" {
			t.Fatalf("second setup: %d %q", r.Status, r.Location)
		}
		// Someone tries an unknown address: the operator will see the attempt,
		// but not the address typed.
		c.Get("/login")
		c.Post("/login", url.Values{"email": {"intruder@example.fi"}, "password": {"guess guess guess"}})
		// The operator must enrol a second factor first.
		c.Get("/login")
		r := c.Post("/login", url.Values{"email": {"olli@example.fi"}, "password": {testenv.Password}})
		if r.Location != "/mfa/enrol" {
			t.Fatalf("operator login went to %q, want /mfa/enrol", r.Location)
		}
		page := c.Get("/mfa/enrol")
		secret := strings.ReplaceAll(secretShown.FindStringSubmatch(page.Body)[1], " ", "")
		code, _ := auth.CodeAt(secret, env.Clock.Now())
		c.Post("/mfa/enrol", url.Values{"sealed": {sealedField.FindStringSubmatch(page.Body)[1]}, "code": {code}})
		op := c.Get("/operator")
		if op.Status != http.StatusOK || !strings.Contains(op.Body, "Rauman Martat ry") {
			t.Fatalf("operator page: %d", op.Status)
		}
		for _, want := range []string{"auth.login", "unknown_email", "user.mfa_enable", "association.create"} {
			if !strings.Contains(op.Body, want) {
				t.Errorf("operator page's platform events lack %q", want)
			}
		}
		if strings.Contains(op.Body, "intruder@example.fi") {
			t.Error("the operator page shows the address of a failed login in plain text")
		}
		r = c.Post("/operator/associations", url.Values{"name": {"Vasa Segelsällskap rf"}, "language": {"sv"},
			"admin_name": {"Stina Sjöberg"}, "admin_email": {"stina@example.fi"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create association: %d %s", r.Status, r.Body)
		}
		// The operator gets no role in it, so sees none of its pages.
		if r := c.Get("/associations"); strings.Contains(r.Body, "Vasa Segelsällskap") {
			t.Fatal("operator was given the new association")
		}
		sent := env.Mail.Sent()
		if len(sent) != 1 || sent[0].To != "stina@example.fi" {
			t.Fatalf("mail sent: %+v", sent)
		}
		link := linkInMail.FindStringSubmatch(sent[0].Body)[1]
		s := testenv.NewClient(t, srv)
		if r := s.Get(link); r.Status != http.StatusOK {
			t.Fatalf("activation page: %d", r.Status)
		}
		if r := s.Post(link, url.Values{"password": {testenv.Password}, "password2": {testenv.Password + "x"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("mismatched passwords: %d", r.Status)
		}
		if r := s.Post(link, url.Values{"password": {testenv.Password}, "password2": {testenv.Password}}); r.Location != "/login?msg=msg.password_set" {
			t.Fatalf("activation: %d %q", r.Status, r.Location)
		}
		if r := s.Get(link); r.Status != http.StatusNotFound {
			t.Fatalf("activation link works twice: %d", r.Status)
		}
		s.Get("/login")
		if r := s.Post("/login", url.Values{"email": {"stina@example.fi"}, "password": {testenv.Password}}); r.Location != "/mfa/enrol" {
			t.Fatalf("new administrator's login went to %q", r.Location)
		}
	})
}

// TestAdministrationIsAudited changes users and settings through the pages
// and reads the trail back on the audit page.
func TestAdministrationIsAudited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 1)
		admin := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		c := testenv.NewClient(t, env.Server(t))
		c.Login(env, admin.Email, secret)
		base := "/a/" + a.ID
		c.Get(base + "/users")
		if r := c.Post(base+"/users", url.Values{"name": {"Sari Sihteeri"}, "email": {"sari@example.fi"}, "role": {"user"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add user: %d", r.Status)
		}
		c.Get(base + "/users")
		if r := c.Post(base+"/users", url.Values{"name": {"X"}, "email": {"not an address"}, "role": {"user"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("add user with a bad address: %d", r.Status)
		}
		// The last administrator cannot demote themselves.
		if r := c.Post(base+"/users/"+admin.ID+"/role", url.Values{"role": {"guest"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("demoting the last admin: %d", r.Status)
		}
		c.Get(base + "/settings")
		if r := c.Post(base+"/settings", url.Values{"name": {"Kuoro ry (uusi)"}, "default_language": {"sv"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("settings: %d", r.Status)
		}
		page := c.Get(base + "/audit")
		for _, want := range []string{"user.create", "user.role", "user.activate_link", "association.settings", "Kuoro ry (uusi)"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("audit page lacks %q", want)
			}
		}
		// A plain user cannot read the trail.
		u := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		uc := testenv.NewClient(t, env.Server(t))
		uc.Login(env, u.Email, "")
		if r := uc.Get(base + "/audit"); r.Status != http.StatusForbidden {
			t.Fatalf("user reads audit: %d", r.Status)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		c := testenv.NewClient(t, env.Server(t))
		if r := c.Get("/healthz"); r.Status != http.StatusOK {
			t.Fatalf("healthz: %d", r.Status)
		}
		if r := c.Get("/readyz"); r.Status != http.StatusOK || !strings.Contains(r.Body, "ready") {
			t.Fatalf("readyz: %d %q", r.Status, r.Body)
		}
		env.Web.Drain()
		if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "draining") {
			t.Fatalf("readyz while draining: %d %q", r.Status, r.Body)
		}
		if r := c.Get("/healthz"); r.Status != http.StatusOK {
			t.Fatalf("healthz while draining: %d", r.Status)
		}
		env.DB.Close()
		env2 := testenv.New(t, e)
		c2 := testenv.NewClient(t, env2.Server(t))
		env2.DB.Close()
		if r := c2.Get("/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "database") {
			t.Fatalf("readyz without a database: %d %q", r.Status, r.Body)
		}
	})
}
