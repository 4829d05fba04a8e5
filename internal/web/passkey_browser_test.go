package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// TestBrowserPasskeySecondFactor runs the real WebAuthn ceremonies in
// headless Chromium against a virtual authenticator (CTAP2, internal,
// resident keys, user verification): an administrator logs in with password
// and TOTP, adds a passkey on the account page, logs out, logs in again with
// the password and passes the second step with the passkey alone.
//
// WebAuthn refuses an IP address as relying party id, so the browser uses
// https://localhost:PORT, the application's base URL for this test.
func TestBrowserPasskeySecondFactor(t *testing.T) {

	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Avainkerho ry", 5)
	admin := env.User(t, "avain@example.fi", false, a.ID, auth.RoleAdmin)
	secret := env.EnrolTOTP(t, admin)
	_, base := env.LocalhostServer(t)
	if !strings.HasPrefix(base, "https://localhost:") {
		t.Fatalf("base URL %q", base)
	}

	bctx := startChromium(t, "en", 90*time.Second)

	consoleClean := watchConsole(t, bctx)

	// The virtual authenticator: a platform authenticator with resident
	// keys whose user is verified, and presence simulated.
	if _, err := chromedp.Call(bctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	va, err := chromedp.Call(bctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Ctap2version:                webauthn.Ctap2versionCtap21,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}

	b := &browser{t: t, ctx: bctx, base: base}
	dashboard := "/a/" + a.ID + "/"

	// Password and TOTP, as before passkeys.
	b.navigate("/login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), admin.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/login/mfa")
	if n := b.count(`form.passkey`); n != 0 {
		t.Fatalf("MFA prompt of an account without passkeys shows %d passkey forms", n)
	}
	code, err := auth.CodeAt(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SendKeys(chromedp.ID("code"), code))
	b.submit(`main form[action="/login/mfa"] button[type=submit]`)
	env.Clock.Advance(30 * time.Second)
	b.expectPath(dashboard)

	// The account page offers the passkey button, since this browser can
	// use passkeys; the no-JavaScript hint is gone.
	b.navigate("/account")
	b.expectText("#passkeys h2", "Passkeys")
	if !b.visible("#passkey-add") || b.visible("#passkeys .passkey-nojs") {
		t.Fatal("passkey button hidden or no-JavaScript hint shown in a browser with passkeys")
	}
	b.do(chromedp.SendKeys(chromedp.ID("passkey-name"), "Virtual key"))
	b.ceremony("#passkey-add")
	b.expectPath("/account?msg=msg.passkey_added")
	b.expectText("main .notice", "Passkey added.")
	b.expectText("#passkey-list tbody .passkey-name", "Virtual key")

	var rows []struct {
		ID        string
		SignCount int64
		Used      bool
	}
	readPasskeys := func() {
		t.Helper()
		rows = rows[:0]
		if err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
			rs, err := tx.Query(context.Background(), `SELECT id, sign_count, last_used_at IS NOT NULL FROM webauthn_credentials WHERE user_id = $1`, admin.ID)
			if err != nil {
				return err
			}
			defer rs.Close()
			for rs.Next() {
				var r struct {
					ID        string
					SignCount int64
					Used      bool
				}
				if err := rs.Scan(&r.ID, &r.SignCount, &r.Used); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return rs.Err()
		}); err != nil {
			t.Fatal(err)
		}
	}
	readPasskeys()
	if len(rows) != 1 || rows[0].Used {
		t.Fatalf("stored passkeys after registration: %+v", rows)
	}
	registeredCount := rows[0].SignCount
	creds, err := chromedp.Call(bctx, webauthn.GetCredentials, webauthn.GetCredentialsParams(va))
	if err != nil || len(creds.Credentials) != 1 {
		t.Fatalf("virtual authenticator credentials: %v, %v", creds, err)
	}

	// Log out; log in with the password and the passkey only.
	b.submit(`header form[action="/logout"] button[type=submit]`)
	b.expectPath("/login?msg=msg.logged_out")
	b.do(chromedp.SendKeys(chromedp.ID("email"), admin.Email), chromedp.SendKeys(chromedp.ID("password"), testenv.Password))
	b.submit(`main form[action="/login"] button[type=submit]`)
	b.expectPath("/login/mfa")
	if !b.visible("#passkey-login") {
		t.Fatal("the MFA prompt does not show the passkey button")
	}
	if b.count("#code") != 1 {
		t.Fatal("the MFA prompt lost the TOTP field of an account with TOTP")
	}
	b.ceremony("#passkey-login")
	// Fully logged in: an administrator of one association lands on its
	// dashboard, and can open it afresh.
	b.expectPath(dashboard)
	b.navigate(dashboard)
	b.expectPath(dashboard)
	b.expectText("#counts-h", "Members")

	readPasskeys()
	if len(rows) != 1 || !rows[0].Used || rows[0].SignCount <= registeredCount {
		t.Fatalf("passkey after login: %+v (sign count at registration %d)", rows, registeredCount)
	}

	// The audit trail has both ceremonies.
	type ev struct{ Action, Outcome, Details string }
	var evs []ev
	if err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
		rs, err := tx.Query(context.Background(), `SELECT action, outcome, details FROM audit_events
			WHERE object_id = $1 AND action IN ('user.passkey_add', 'auth.mfa') ORDER BY seq`, admin.ID)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var e ev
			if err := rs.Scan(&e.Action, &e.Outcome, &e.Details); err != nil {
				return err
			}
			evs = append(evs, e)
		}
		return rs.Err()
	}); err != nil {
		t.Fatal(err)
	}
	var added, passkeyMFA bool
	for _, e := range evs {
		var d map[string]any
		_ = json.Unmarshal([]byte(e.Details), &d)
		if e.Outcome != "success" {
			t.Errorf("unexpected failed event %+v", e)
		}
		switch {
		case e.Action == "user.passkey_add" && d["passkey_id"] == rows[0].ID:
			added = true
		case e.Action == "auth.mfa" && d["factor"] == "passkey" && d["passkey_id"] == rows[0].ID:
			passkeyMFA = true
		}
	}
	if !added || !passkeyMFA {
		t.Fatalf("audit events %+v: passkey_add %v, auth.mfa with passkey %v", evs, added, passkeyMFA)
	}

	consoleClean()
}

// visible reports whether the element exists and is rendered.
func (b *browser) visible(sel string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+jsString(sel)+`);`+
		`return !!e && e.getClientRects().length > 0;})()`))
	if err != nil {
		b.t.Fatalf("visible %s: %v", sel, err)
	}
	return v
}

// ceremony clicks a passkey button and waits for the page the form is
// submitted to once the authenticator has answered.
func (b *browser) ceremony(button string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		shown := "unknown"
		if v, e := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector(".passkey-error:not([hidden])")`)); e == nil {
			shown = map[bool]string{true: "shown", false: "hidden"}[v]
		}
		b.t.Fatalf("passkey ceremony with %s: %v (error message %s)", button, err, shown)
	}
	if resp.Status != 200 {
		b.t.Fatalf("passkey ceremony with %s: landed on %s with status %d", button, resp.URL, resp.Status)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
