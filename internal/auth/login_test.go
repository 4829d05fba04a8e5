package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestLoginIsAuditedEitherWay(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-1", ClientIP: "198.51.100.7"})
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		kassa := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)

		// Success, with the address as typed by a person.
		u, err := env.Auth.Login(ctx, "  Kassa@Example.fi ", testenv.Password)
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if u.ID != kassa.ID || u.Email != "kassa@example.fi" || !u.Activated {
			t.Errorf("Login returned %+v", u)
		}
		ev := lastEvent(t, env, "", "auth.login")
		if ev.Outcome != audit.Success || ev.ObjectID != kassa.ID || ev.ActorType != audit.ActorUser || ev.ActorID != kassa.ID {
			t.Errorf("successful login audited as %+v", ev)
		}

		// Wrong password.
		if _, err := env.Auth.Login(ctx, "kassa@example.fi", "not the password at all"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("Login with a wrong password = %v; want ErrBadCredentials", err)
		}
		ev = lastEvent(t, env, "", "auth.login")
		if ev.Outcome != audit.Failure || ev.ObjectID != kassa.ID || !strings.Contains(ev.Details, "wrong_password") {
			t.Errorf("wrong password audited as %+v", ev)
		}

		// Unknown address: the address is kept only as a keyed hash.
		const stranger = "stranger@example.fi"
		_, errUnknown := env.Auth.Login(ctx, stranger, testenv.Password)
		if !errors.Is(errUnknown, auth.ErrBadCredentials) {
			t.Fatalf("Login with an unknown address = %v; want ErrBadCredentials", errUnknown)
		}
		ev = lastEvent(t, env, "", "auth.login")
		if ev.Outcome != audit.Failure || ev.ObjectID != "" || !strings.Contains(ev.Details, "unknown_email") {
			t.Errorf("unknown address audited as %+v", ev)
		}
		if !strings.Contains(ev.Changes, `"hmac:`) || strings.Contains(ev.Changes+ev.Details, "stranger") {
			t.Errorf("unknown address stored as %s; want only its hmac", ev.Changes)
		}

		// An account waiting for activation has no password to match, not
		// even the dummy one used to even out the timing.
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			_, err := env.Auth.AddUser(ctx, tx, "uusi@example.fi", "Uusi Jäsen", auth.RoleGuest)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{testenv.Password, "not-a-real-password-but-the-same-cost", ""} {
			if _, err := env.Auth.Login(ctx, "uusi@example.fi", pw); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("Login to a not-activated account with %q = %v; want ErrBadCredentials", pw, err)
			}
		}
		if ev = lastEvent(t, env, "", "auth.login"); ev.Outcome != audit.Failure || !strings.Contains(ev.Details, "not_activated") {
			t.Errorf("not-activated login audited as %+v", ev)
		}

		// A disabled account fails the same way, even with its password.
		platformExec(t, env, `UPDATE users SET disabled = $2 WHERE id = $1`, kassa.ID, true)
		_, errDisabled := env.Auth.Login(ctx, "kassa@example.fi", testenv.Password)
		if !errors.Is(errDisabled, auth.ErrBadCredentials) {
			t.Fatalf("Login to a disabled account = %v; want ErrBadCredentials", errDisabled)
		}
		if ev = lastEvent(t, env, "", "auth.login"); ev.Outcome != audit.Failure || !strings.Contains(ev.Details, "disabled") {
			t.Errorf("disabled login audited as %+v", ev)
		}
		if errDisabled.Error() != errUnknown.Error() {
			t.Errorf("a disabled account answers %q, an unknown one %q", errDisabled, errUnknown)
		}

		// Every attempt left exactly one event: 1 success, 6 failures.
		var ok, failed int
		for _, ev := range events(t, env, "", "auth.login") {
			switch ev.Outcome {
			case audit.Success:
				ok++
			case audit.Failure:
				failed++
			}
		}
		if ok != 1 || failed != 6 {
			t.Errorf("auth.login events: %d successes, %d failures; want 1 and 6", ok, failed)
		}
	})
}

func TestOperatorLoginIsAuditedAsOperator(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		op := env.User(t, "operator@example.fi", true, "", "")
		u, err := env.Auth.Login(context.Background(), "operator@example.fi", testenv.Password)
		if err != nil || !u.IsOperator {
			t.Fatalf("Login = %+v, %v", u, err)
		}
		if ev := lastEvent(t, env, "", "auth.login"); ev.ActorType != audit.ActorOperator || ev.ActorID != op.ID {
			t.Errorf("operator login audited as %+v", ev)
		}
	})
}

func TestChangePassword(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		u := env.User(t, "kassa@example.fi", false, "", "")
		keep, other := newSession(t, env, u.ID), newSession(t, env, u.ID)
		const next = "a brand new passphrase"
		if err := env.Auth.ChangePassword(ctx, u.ID, "wrong current password", next, keep.Token); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("ChangePassword with a wrong current password = %v", err)
		}
		if err := env.Auth.ChangePassword(ctx, u.ID, testenv.Password, "short", keep.Token); !errors.Is(err, auth.ErrPasswordTooShort) {
			t.Fatalf("ChangePassword to a short password = %v", err)
		}
		if err := env.Auth.ChangePassword(ctx, u.ID, testenv.Password, next, keep.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Auth.Login(ctx, u.Email, testenv.Password); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("the old password still works: %v", err)
		}
		if _, err := env.Auth.Login(ctx, u.Email, next); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		if _, err := env.Auth.LookupSession(ctx, keep.Token); err != nil {
			t.Errorf("the session that changed the password ended: %v", err)
		}
		if _, err := env.Auth.LookupSession(ctx, other.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("another session survived the password change: %v", err)
		}
		ev := lastEvent(t, env, "", "user.password")
		if ev.Outcome != audit.Success || strings.Contains(ev.Changes, next) || !strings.Contains(ev.Changes, "(changed)") {
			t.Errorf("password change audited as %+v", ev)
		}
	})
}
