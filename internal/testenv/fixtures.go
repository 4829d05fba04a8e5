package testenv

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Password is the password every fixture account gets.
const Password = "correct horse battery staple"

// Association creates an association with n members.
func (env *Env) Association(t testing.TB, name string, members int) association.Association {
	t.Helper()
	ctx := context.Background()
	var a association.Association
	err := env.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		a, err = association.Create(ctx, tx, env.Audit, env.Clock.Now(), name, "fi")
		return err
	})
	if err != nil {
		t.Fatalf("create association: %v", err)
	}
	if members > 0 {
		ms := make([]member.Member, members)
		for i := range ms {
			ms[i] = member.Member{Number: int64(i + 1), Status: member.StatusActive, FirstName: "Testi",
				LastName: name + " " + string(rune('A'+i%26)), Email: "m" + string(rune('a'+i%26)) + "@example.fi"}
		}
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return member.InsertBatch(ctx, tx, env.Clock.Now(), ms)
		})
		if err != nil {
			t.Fatalf("add members: %v", err)
		}
	}
	return a
}

// Members lists an association's members.
func (env *Env) Members(t testing.TB, assocID string) []member.Member {
	t.Helper()
	var ms []member.Member
	err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		ms, err = member.List(context.Background(), tx, 0, 10000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// User creates an activated account with Password and, if assocID is set,
// the role in that association.
func (env *Env) User(t testing.TB, email string, operator bool, assocID string, role auth.Role) auth.User {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorSystem, Label: "test"})
	var u auth.User
	err := env.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = env.Auth.CreateUser(ctx, tx, email, "Test "+email, Password, operator); err != nil {
			return err
		}
		if assocID == "" {
			return nil
		}
		scoped, err := tx.Within(ctx, assocID)
		if err != nil {
			return err
		}
		_, err = env.Auth.AddUser(ctx, scoped, email, u.Name, role)
		return err
	})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// EnrolTOTP turns on the second factor for a user and returns its secret.
func (env *Env) EnrolTOTP(t testing.TB, u auth.User) string {
	t.Helper()
	e, err := env.Auth.BeginTOTP(u)
	if err != nil {
		t.Fatal(err)
	}
	code, err := auth.CodeAt(e.Secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Auth.ConfirmTOTP(context.Background(), u.ID, e.Sealed, code); err != nil {
		t.Fatalf("confirm TOTP: %v", err)
	}
	// The next code must come from a later time step.
	env.Clock.Advance(30 * time.Second)
	return e.Secret
}

// AuditActions lists the actions of an association's audit events, oldest
// first ("" for platform events).
func (env *Env) AuditActions(t testing.TB, assocID string) []string {
	t.Helper()
	var out []string
	err := env.DB.For(assocID).Read(context.Background(), func(tx *store.TenantTx) error {
		es, err := audit.List(context.Background(), tx, 0, 10000)
		for i := len(es) - 1; i >= 0; i-- {
			out = append(out, es[i].Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Client is a browser stand-in: it keeps cookies, does not follow
// redirects (tests look at them), and finds the CSRF token in the last
// page it read.
type Client struct {
	t    testing.TB
	srv  *httptest.Server
	http *http.Client
	csrf string
	// Header is sent with every request.
	Header http.Header
}

// NewClient makes a client for srv.
func NewClient(t testing.TB, srv *httptest.Server) *Client {
	jar, _ := cookiejar.New(nil)
	// srv.Client() is one shared client: copy it, so that two clients of
	// one server keep two cookie jars (two visitors).
	hc := *srv.Client()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{t: t, srv: srv, http: &hc, Header: http.Header{}}
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *Client) do(req *http.Request) Response {
	c.t.Helper()
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return Response{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// Get fetches a path.
func (c *Client) Get(path string) Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	return c.do(req)
}

// Post submits a form with the current CSRF token added.
func (c *Client) Post(path string, form url.Values) Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	return c.PostRaw(path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// PostFile submits a multipart form with one file, adding the current CSRF
// token as a field before the file, as a browser sends the form.
func (c *Client) PostFile(path string, form url.Values, field, name string, content []byte) Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		c.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// Cookie returns the value of a cookie the server set.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Login logs in with email and Password, passing the second factor with
// secret when given, and fails the test unless it ends fully logged in.
func (c *Client) Login(env *Env, email, totpSecret string) {
	c.t.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"email": {email}, "password": {Password}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d", email, r.Status)
	}
	if r.Location == "/login/mfa" {
		c.Get("/login/mfa")
		code, _ := auth.CodeAt(totpSecret, env.Clock.Now())
		r = c.Post("/login/mfa", url.Values{"code": {code}})
		env.Clock.Advance(30 * time.Second)
		if r.Status != http.StatusSeeOther || r.Location != "/associations" {
			c.t.Fatalf("second factor for %s: status %d to %q", email, r.Status, r.Location)
		}
		return
	}
	if r.Location != "/associations" {
		c.t.Fatalf("login %s went to %q", email, r.Location)
	}
}

// CSRFToken is the token from the last page the client read.
func (c *Client) CSRFToken() string { return c.csrf }

// APIKey creates a read-only API key for the association.
func (env *Env) APIKey(t testing.TB, assocID string) string {
	t.Helper()
	var key string
	err := env.DB.For(assocID).Write(context.Background(), func(tx *store.TenantTx) error {
		var err error
		key, _, err = env.Auth.CreateAPIKey(context.Background(), tx, "test", auth.ScopeRead)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// CheckCounts compares an association's kept per-status counts with a real
// GROUP BY over its members, and fails the test (naming step) on any
// difference: every way of changing members must keep them right.
func (env *Env) CheckCounts(t testing.TB, assocID, step string) {
	t.Helper()
	ctx := context.Background()
	err := env.DB.For(assocID).Read(ctx, func(tx *store.TenantTx) error {
		kept, err := member.Counts(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT status, COUNT(*) FROM members WHERE association_id = $1 GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		real := map[string]int64{}
		for rows.Next() {
			var s string
			var n int64
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			real[s] = n
		}
		for _, s := range member.Statuses {
			if kept[s] != real[s] {
				t.Errorf("%s: association %s, status %s: kept %d, real %d", step, assocID, s, kept[s], real[s])
			}
		}
		for s := range real {
			if _, known := kept[s]; !known {
				t.Errorf("%s: association %s has members with status %q that no count keeps", step, assocID, s)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
