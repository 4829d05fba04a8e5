package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestSessionIdleTimeout(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		u := env.User(t, "kassa@example.fi", false, "", "")
		s := newSession(t, env, u.ID)
		if len(s.Token) != 64 {
			t.Fatalf("session token %q", s.Token)
		}
		// Only the token's hash is stored.
		var n int
		platformQuery(t, env, &n, `SELECT COUNT(*) FROM sessions WHERE id_hash = $1`, s.Token)
		if n != 0 {
			t.Error("the session token is stored in plain")
		}

		got, err := env.Auth.LookupSession(ctx, s.Token)
		if err != nil || got.UserID != u.ID || !got.MFADone {
			t.Fatalf("LookupSession = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "short", strings.Repeat("0", 64), s.Token[:63], s.Token + "0"} {
			if _, err := env.Auth.LookupSession(ctx, bad); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("LookupSession(%q) = %v; want ErrNoSession", bad, err)
			}
		}

		// Used just inside the idle timeout, it lives on (and is touched).
		env.Clock.Advance(env.Auth.IdleTimeout - time.Minute)
		if _, err := env.Auth.LookupSession(ctx, s.Token); err != nil {
			t.Fatalf("session ended before its idle timeout: %v", err)
		}
		env.Clock.Advance(env.Auth.IdleTimeout - time.Minute)
		if _, err := env.Auth.LookupSession(ctx, s.Token); err != nil {
			t.Fatalf("a used session ended although it was never idle for %v: %v", env.Auth.IdleTimeout, err)
		}
		// Left idle past the timeout, it ends for good.
		env.Clock.Advance(env.Auth.IdleTimeout + time.Second)
		if _, err := env.Auth.LookupSession(ctx, s.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("LookupSession after %v idle = %v; want ErrNoSession", env.Auth.IdleTimeout+time.Second, err)
		}
		if ev := lastEvent(t, env, "", "auth.session_expired"); ev.ObjectID != u.ID {
			t.Errorf("expiry audited as %+v", ev)
		}
		if _, err := env.Auth.LookupSession(ctx, s.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("an expired session came back: %v", err)
		}
	})
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		u := env.User(t, "kassa@example.fi", false, "", "")
		s := newSession(t, env, u.ID)
		if env.Auth.IdleTimeout <= 10*time.Minute {
			t.Fatalf("IdleTimeout %v too short for this test", env.Auth.IdleTimeout)
		}
		// Busy all day: a request every ten minutes.
		var elapsed time.Duration
		for {
			env.Clock.Advance(10 * time.Minute)
			elapsed += 10 * time.Minute
			_, err := env.Auth.LookupSession(ctx, s.Token)
			if elapsed <= env.Auth.AbsoluteTimeout {
				if err != nil {
					t.Fatalf("session ended after %v of activity: %v", elapsed, err)
				}
				continue
			}
			if !errors.Is(err, auth.ErrNoSession) {
				t.Fatalf("LookupSession %v after login = %v; want ErrNoSession (absolute timeout %v)", elapsed, err, env.Auth.AbsoluteTimeout)
			}
			break
		}
	})
}

func TestRotateAndEndSessions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		u := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		other := env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)

		var first auth.Session
		if err := env.DB.Write(ctx, func(tx *store.Tx) error {
			var err error
			first, err = env.Auth.NewSession(ctx, tx, u.ID, false, "192.0.2.1", strings.Repeat("x", 1000))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if first.MFADone {
			t.Fatal("a password-only session is marked MFA done")
		}
		env.Clock.Advance(5 * time.Minute)
		var rotated auth.Session
		if err := env.DB.Write(ctx, func(tx *store.Tx) error {
			var err error
			rotated, err = env.Auth.Rotate(ctx, tx, first, true, a.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if rotated.Token == first.Token || len(rotated.Token) != 64 {
			t.Fatalf("Rotate gave token %q (old %q)", rotated.Token, first.Token)
		}
		if _, err := env.Auth.LookupSession(ctx, first.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("the token from before rotation still works: %v", err)
		}
		got, err := env.Auth.LookupSession(ctx, rotated.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !got.MFADone || got.AssociationID != a.ID || got.UserID != u.ID {
			t.Errorf("rotated session is %+v", got)
		}
		// The absolute timeout still counts from the first login.
		if !got.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("rotation moved the session's start from %v to %v", first.CreatedAt, got.CreatedAt)
		}

		// Log out one session.
		second := newSession(t, env, u.ID)
		if err := env.Auth.EndSession(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Auth.LookupSession(ctx, second.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("an ended session still works: %v", err)
		}

		// Log out everywhere: every session of u, none of anyone else's.
		third, fourth := newSession(t, env, u.ID), newSession(t, env, u.ID)
		others := newSession(t, env, other.ID)
		n, err := env.Auth.EndAllSessions(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("EndAllSessions ended %d sessions, want 3", n)
		}
		for _, s := range []auth.Session{rotated, third, fourth} {
			if _, err := env.Auth.LookupSession(ctx, s.Token); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("a session survived EndAllSessions: %v", err)
			}
		}
		if _, err := env.Auth.LookupSession(ctx, others.Token); err != nil {
			t.Errorf("EndAllSessions ended another user's session: %v", err)
		}
		if ev := lastEvent(t, env, "", "auth.logout_everywhere"); ev.ObjectID != u.ID || !strings.Contains(ev.Details, "3") {
			t.Errorf("logout everywhere audited as %+v", ev)
		}
	})
}

func TestPurgeSessions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		u := env.User(t, "kassa@example.fi", false, "", "")
		newSession(t, env, u.ID)
		env.Clock.Advance(env.Auth.IdleTimeout + time.Minute)
		fresh := newSession(t, env, u.ID)
		if err := env.Auth.PurgeSessions(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		platformQuery(t, env, &n, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, u.ID)
		if n != 1 {
			t.Errorf("%d sessions left after purge, want 1 (the fresh one)", n)
		}
		if _, err := env.Auth.LookupSession(ctx, fresh.Token); err != nil {
			t.Errorf("purge ended a live session: %v", err)
		}
	})
}
