package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// addPasskey stores a credential row for a user directly, as a registration
// would, for tests that need an account with a passkey but cannot forge an
// attestation. It returns the row id.
func addPasskey(t *testing.T, env *testenv.Env, userID string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	err := env.DB.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO webauthn_credentials
			(id, user_id, credential_id, public_key, sign_count, aaguid, transports, flags, name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, userID, []byte("credential-"+id), []byte("not a real key"), int64(0), make([]byte, 16), "internal", 0x45,
			"Test key", env.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatalf("add passkey: %v", err)
	}
	return id
}

// auditOutcomes lists "action outcome reason" of a user's events with the
// given action, oldest first.
func auditOutcomes(t *testing.T, env *testenv.Env, userID, action string) []string {
	t.Helper()
	var out []string
	err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), `SELECT outcome, details FROM audit_events
			WHERE object_id = $1 AND action = $2 ORDER BY seq`, userID, action)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var outcome, details string
			if err := rows.Scan(&outcome, &details); err != nil {
				return err
			}
			var d map[string]any
			_ = json.Unmarshal([]byte(details), &d)
			out = append(out, strings.TrimSpace(outcome+" "+str(d["factor"])+" "+str(d["reason"])))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// pendingLogin logs in with the password only and expects the MFA prompt.
func pendingLogin(t *testing.T, c *testenv.Client, email string) {
	t.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if r.Status != http.StatusSeeOther || r.Location != "/login/mfa" {
		t.Fatalf("password step of %s: %d to %q, want /login/mfa", email, r.Status, r.Location)
	}
	c.Get("/login/mfa")
}

var passkeyState = regexp.MustCompile(`"state":"([^"]+)"`)

func TestPasskeyRoutesNeedCSRF(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Avain ry", 1)
		admin := env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		pending := env.User(t, "pending@example.fi", false, a.ID, auth.RoleAdmin)
		addPasskey(t, env, pending.ID)
		srv := env.Server(t)

		c := testenv.NewClient(t, srv)
		c.Login(env, admin.Email, secret)
		c.Get("/account")
		for _, path := range []string{"/account/passkeys/begin", "/account/passkeys/finish"} {
			if r := c.PostRaw(path, url.Values{"credential": {"{}"}, "state": {"x"}}); r.Status != http.StatusForbidden {
				t.Errorf("POST %s without CSRF token: %d, want 403", path, r.Status)
			}
		}
		// With the token, begin answers the options for this base URL.
		r := c.Post("/account/passkeys/begin", nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("begin registration: %d %s", r.Status, r.Body)
		}
		var begun struct {
			Options struct {
				PublicKey struct {
					Challenge string
					RP        struct{ ID string } `json:"rp"`
					User      struct{ ID, Name string }
				} `json:"publicKey"`
			} `json:"options"`
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(r.Body), &begun); err != nil {
			t.Fatal(err)
		}
		pk := begun.Options.PublicKey
		if pk.RP.ID != "seura.test" || len(pk.Challenge) < 22 || pk.User.Name != admin.Email || begun.State == "" {
			t.Fatalf("registration options: %s", r.Body)
		}
		// The sealed state does not show the challenge.
		if strings.Contains(begun.State, pk.Challenge) {
			t.Fatal("the ceremony state carries the challenge in the clear")
		}

		p := testenv.NewClient(t, srv)
		pendingLogin(t, p, pending.Email)
		for _, path := range []string{"/login/passkey/begin", "/login/passkey/finish"} {
			if r := p.PostRaw(path, url.Values{"credential": {"{}"}, "state": {"x"}}); r.Status != http.StatusForbidden {
				t.Errorf("POST %s without CSRF token: %d, want 403", path, r.Status)
			}
		}
		if got := auditOutcomes(t, env, pending.ID, "auth.mfa"); len(got) != 0 {
			t.Fatalf("requests refused for CSRF reached the second factor: %v", got)
		}
		r = p.Post("/login/passkey/begin", nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"allowCredentials"`) {
			t.Fatalf("begin passkey login: %d %s", r.Status, r.Body)
		}
	})
}

// TestPasskeyOnlyAdministrator: an administrator whose only second factor is
// a passkey is asked for it, is not sent to TOTP enrolment, and cannot get
// round it through enrolment either.
func TestPasskeyOnlyAdministrator(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Avain ry", 1)
		admin := env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		addPasskey(t, env, admin.ID)
		srv := env.Server(t)
		c := testenv.NewClient(t, srv)
		pendingLogin(t, c, admin.Email)

		page := c.Get("/login/mfa")
		if page.Status != http.StatusOK || !strings.Contains(page.Body, `action="/login/passkey/finish"`) ||
			strings.Contains(page.Body, `name="code"`) || !strings.Contains(page.Body, `src="/static/passkey.js"`) {
			t.Fatalf("MFA prompt of a passkey-only account: %d\n%s", page.Status, page.Body)
		}
		for _, path := range []string{"/associations", "/a/" + a.ID + "/", "/account", "/mfa/enrol"} {
			if r := c.Get(path); r.Status != http.StatusSeeOther || r.Location != "/login/mfa" {
				t.Errorf("GET %s with the passkey step pending: %d to %q, want /login/mfa", path, r.Status, r.Location)
			}
		}
		// Enrolling TOTP instead would end in a full session: refused.
		e2, err := env.Auth.BeginTOTP(admin)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.CodeAt(e2.Secret, env.Clock.Now())
		c.Get("/login/mfa")
		if r := c.Post("/mfa/enrol", url.Values{"sealed": {e2.Sealed}, "code": {code}}); r.Status != http.StatusSeeOther || r.Location != "/login/mfa" {
			t.Fatalf("TOTP enrolment with the passkey step pending: %d to %q", r.Status, r.Location)
		}
		if r := c.Get("/a/" + a.ID + "/"); r.Location != "/login/mfa" {
			t.Fatalf("after the enrolment attempt the dashboard goes to %q", r.Location)
		}
		// A TOTP code is not a way in for an account without TOTP.
		c.Get("/login/mfa")
		if r := c.Post("/login/mfa", url.Values{"code": {"123456"}}); r.Location != "/login/mfa" {
			t.Fatalf("TOTP code for a passkey-only account: %d to %q", r.Status, r.Location)
		}
		// The users page counts the passkey as a second factor.
		var listed []auth.Member
		if err := env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			var err error
			listed, err = auth.ListUsers(context.Background(), tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 1 || !listed[0].HasPasskey || !listed[0].HasSecondFactor() {
			t.Fatalf("ListUsers: %+v", listed)
		}
	})
}

// TestPasskeyGarbageFinish posts malformed, forged and foreign answers to
// both finish routes: each gets a 4xx page, an audited failure, and changes
// nothing.
func TestPasskeyGarbageFinish(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Avain ry", 1)
		admin := env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		keyID := addPasskey(t, env, admin.ID)
		srv := env.Server(t)

		// The second step of login.
		c := testenv.NewClient(t, srv)
		pendingLogin(t, c, admin.Email)
		r := c.Post("/login/passkey/begin", nil)
		state := passkeyState.FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || state == nil {
			t.Fatalf("begin: %d %s", r.Status, r.Body)
		}
		other := testenv.NewClient(t, srv)
		pendingLogin(t, other, admin.Email)
		foreign := passkeyState.FindStringSubmatch(other.Post("/login/passkey/begin", nil).Body)[1]

		assertion := `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}`
		// A well-formed answer for the stored credential with this
		// ceremony's challenge, but no valid signature: it gets as far as
		// the verification, which refuses it.
		challenge := regexp.MustCompile(`"challenge":"([^"]+)"`).FindStringSubmatch(r.Body)[1]
		b64 := base64.RawURLEncoding.EncodeToString
		authData := make([]byte, 37)
		authData[32] = 0x05 // user present and verified
		forged, _ := json.Marshal(map[string]any{
			"id": b64([]byte("credential-" + keyID)), "rawId": b64([]byte("credential-" + keyID)), "type": "public-key",
			"response": map[string]string{
				"clientDataJSON":    b64([]byte(`{"type":"webauthn.get","challenge":"` + challenge + `","origin":"https://seura.test"}`)),
				"authenticatorData": b64(authData),
				"signature":         b64([]byte("no signature")),
				"userHandle":        b64([]byte(admin.ID)),
			},
		})
		garbage := []url.Values{
			{},
			{"state": {state[1]}},
			{"state": {state[1]}, "credential": {"not json"}},
			{"state": {state[1]}, "credential": {"{}"}},
			{"state": {state[1]}, "credential": {`{"id":"` + strings.Repeat("A", 5000) + `"}`}},
			{"state": {state[1]}, "credential": {assertion}},
			{"state": {state[1]}, "credential": {string(forged)}},
			{"state": {"garbage"}, "credential": {assertion}},
			{"state": {foreign}, "credential": {assertion}}, // another session's ceremony
		}
		for i, form := range garbage {
			c.Get("/login/mfa")
			r := c.Post("/login/passkey/finish", form)
			if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "passkey") {
				t.Errorf("login finish #%d: status %d, want 401 with the prompt", i, r.Status)
			}
		}
		got := auditOutcomes(t, env, admin.ID, "auth.mfa")
		if len(got) != len(garbage) {
			t.Fatalf("audited second-factor failures: %v, want %d", got, len(garbage))
		}
		verified := false
		for _, g := range got {
			if !strings.HasPrefix(g, "failure passkey ") {
				t.Errorf("audit event %q, want a passkey failure", g)
			}
			verified = verified || g == "failure passkey verify"
		}
		if !verified {
			t.Errorf("no answer reached the signature check: %q", got)
		}
		if r := c.Get("/a/" + a.ID + "/"); r.Location != "/login/mfa" {
			t.Fatalf("after garbage the session went to %q", r.Location)
		}

		// Registration, fully logged in.
		reg := testenv.NewClient(t, srv)
		reg.Login(env, admin.Email, secret)
		reg.Get("/account")
		r = reg.Post("/account/passkeys/begin", nil)
		rstate := passkeyState.FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || rstate == nil {
			t.Fatalf("begin registration: %d %s", r.Status, r.Body)
		}
		attestation := `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`
		for i, form := range []url.Values{
			{},
			{"state": {rstate[1]}, "credential": {"["}},
			{"state": {rstate[1]}, "credential": {attestation}},
			{"state": {state[1]}, "credential": {attestation}}, // a login state
		} {
			reg.Get("/account")
			r := reg.Post("/account/passkeys/finish", form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("registration finish #%d: status %d, want 422", i, r.Status)
			}
		}
		adds := auditOutcomes(t, env, admin.ID, "user.passkey_add")
		if len(adds) != 4 {
			t.Fatalf("audited registration failures: %v", adds)
		}
		var n int
		if err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1`, admin.ID).Scan(&n)
		}); err != nil || n != 1 {
			t.Fatalf("passkeys after garbage: %d, %v", n, err)
		}
	})
}

// TestPasskeyRemoval: the account page lists passkeys; an administrator may
// drop TOTP while a passkey remains, but not the last passkey then; a plain
// user may remove their last one; nobody removes another's.
func TestPasskeyRemoval(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Avain ry", 1)
		admin := env.User(t, "admin@example.fi", false, a.ID, auth.RoleAdmin)
		secret := env.EnrolTOTP(t, admin)
		keyID := addPasskey(t, env, admin.ID)
		user := env.User(t, "user@example.fi", false, a.ID, auth.RoleUser)
		userKey := addPasskey(t, env, user.ID)
		srv := env.Server(t)

		c := testenv.NewClient(t, srv)
		c.Login(env, admin.Email, secret)
		page := c.Get("/account")
		if !strings.Contains(page.Body, "Test key") || !strings.Contains(page.Body, `/account/passkeys/`+keyID+`/remove`) {
			t.Fatalf("account page does not list the passkey:\n%s", page.Body)
		}
		if r := c.Post("/account/passkeys/"+userKey+"/remove", nil); r.Status != http.StatusNotFound {
			t.Fatalf("removing another user's passkey: %d, want 404", r.Status)
		}
		c.Get("/account")
		if r := c.Post("/account/mfa/disable", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("administrator with a passkey turning TOTP off: %d", r.Status)
		}
		c.Get("/account")
		r := c.Post("/account/passkeys/"+keyID+"/remove", nil)
		if r.Status != http.StatusForbidden {
			t.Fatalf("removing the last second factor of an administrator: %d, want 403", r.Status)
		}
		// Still a passkey-only administrator: the dashboard opens.
		if r := c.Get("/a/" + a.ID + "/"); r.Status != http.StatusOK {
			t.Fatalf("dashboard of a passkey-only administrator: %d to %q", r.Status, r.Location)
		}

		// A plain user may remove their only passkey (through the service:
		// logging in with it needs a browser).
		if err := env.Auth.RemovePasskey(context.Background(), user, userKey); err != nil {
			t.Fatalf("user removes their only passkey: %v", err)
		}
		if got := auditOutcomes(t, env, user.ID, "user.passkey_remove"); len(got) != 1 || got[0] != "success" {
			t.Fatalf("audit of removal: %v", got)
		}
		if err := env.Auth.RemovePasskey(context.Background(), admin, keyID); err != auth.ErrLastFactor {
			t.Fatalf("service removal of the administrator's last factor: %v", err)
		}
	})
}
