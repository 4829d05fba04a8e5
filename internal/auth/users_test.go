package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// addUser gives an address a role in the association through AddUser.
func addUser(t *testing.T, env *testenv.Env, assoc, email string, role auth.Role) (auth.Member, error) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "admin"})
	var m auth.Member
	err := env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
		var err error
		m, err = env.Auth.AddUser(ctx, tx, email, "Uusi Käyttäjä", role)
		return err
	})
	return m, err
}

func roleIn(t *testing.T, env *testenv.Env, userID, assoc string) auth.Role {
	t.Helper()
	var r auth.Role
	if err := env.DB.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		r, err = auth.RoleIn(context.Background(), tx, userID, assoc)
		if errors.Is(err, auth.ErrNotFound) {
			r, err = "", nil
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

func changeRole(env *testenv.Env, assoc, userID string, role auth.Role) error {
	ctx := context.Background()
	return env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
		return env.Auth.ChangeRole(ctx, tx, userID, role)
	})
}

func removeUser(env *testenv.Env, assoc, userID string) error {
	ctx := context.Background()
	return env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
		return env.Auth.RemoveUser(ctx, tx, userID)
	})
}

func TestAddUserSendsOneActivationLinkThatWorksOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)

		m, err := addUser(t, env, a.ID, " Uusi@Example.fi", auth.RoleUser)
		if err != nil {
			t.Fatal(err)
		}
		if m.Email != "uusi@example.fi" || m.Activated || m.Role != auth.RoleUser {
			t.Errorf("AddUser returned %+v", m)
		}
		if r := roleIn(t, env, m.ID, a.ID); r != auth.RoleUser {
			t.Errorf("role %q, want user", r)
		}
		to, purposes, tokens := mailedLinks(t, env, 0)
		if len(tokens) != 1 || to[0] != "uusi@example.fi" || purposes[0] != "activate" {
			t.Fatalf("mails: to %v, purposes %v; want one activation link to uusi@example.fi", to, purposes)
		}
		token := tokens[0]
		var stored int
		platformQuery(t, env, &stored, `SELECT COUNT(*) FROM tokens WHERE hash = $1`, token)
		if stored != 0 {
			t.Error("the activation token is stored in plain")
		}
		if ev := lastEvent(t, env, a.ID, "user.role"); ev.AssociationID != a.ID || ev.ObjectID != m.ID || !strings.Contains(ev.Changes, "user") {
			t.Errorf("AddUser audited as %+v", ev)
		}

		if err := env.Auth.CheckToken(ctx, "activate", token); err != nil {
			t.Fatalf("CheckToken: %v", err)
		}
		if err := env.Auth.CheckToken(ctx, "reset", token); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("an activation token passes as a reset token: %v", err)
		}
		// A password that breaks the rules spends nothing.
		if _, err := env.Auth.UseToken(ctx, "activate", token, "short"); !errors.Is(err, auth.ErrPasswordTooShort) {
			t.Fatalf("UseToken with a short password = %v", err)
		}
		const pw = "my own long passphrase"
		u, err := env.Auth.UseToken(ctx, "activate", token, pw)
		if err != nil {
			t.Fatalf("UseToken: %v", err)
		}
		if u.ID != m.ID || !u.Activated {
			t.Errorf("UseToken returned %+v", u)
		}
		if _, err := env.Auth.Login(ctx, "uusi@example.fi", pw); err != nil {
			t.Errorf("Login after activation: %v", err)
		}
		if _, err := env.Auth.UseToken(ctx, "activate", token, "another long passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Fatalf("second UseToken = %v; want ErrTokenInvalid", err)
		}
		if err := env.Auth.CheckToken(ctx, "activate", token); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("CheckToken of a used token = %v; want ErrTokenInvalid", err)
		}
		if _, err := env.Auth.Login(ctx, "uusi@example.fi", pw); err != nil {
			t.Errorf("the refused second use changed the password: %v", err)
		}

		// An existing account joining another association gets no mail.
		b := env.Association(t, "Partio ry", 0)
		if _, err := addUser(t, env, b.ID, "uusi@example.fi", auth.RoleGuest); err != nil {
			t.Fatal(err)
		}
		if n := len(env.Mail.Sent()); n != 1 {
			t.Errorf("%d mails after adding an existing account, want still 1", n)
		}
		if r := roleIn(t, env, m.ID, b.ID); r != auth.RoleGuest {
			t.Errorf("role in B %q, want guest", r)
		}
		if _, err := addUser(t, env, b.ID, "uusi@example.fi", auth.RoleUser); err == nil {
			t.Error("the same address was added twice to one association")
		}
		if _, err := addUser(t, env, b.ID, "not an address", auth.RoleUser); err == nil {
			t.Error("AddUser accepted a malformed address")
		}
		if _, err := addUser(t, env, b.ID, "x@example.fi", auth.Role("owner")); err == nil {
			t.Error("AddUser accepted an unknown role")
		}
		if n := len(env.Mail.Sent()); n != 1 {
			t.Errorf("%d mails after refused additions, want still 1", n)
		}
	})
}

func TestExpiredActivationLink(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		if _, err := addUser(t, env, a.ID, "hidas@example.fi", auth.RoleGuest); err != nil {
			t.Fatal(err)
		}
		_, _, tokens := mailedLinks(t, env, 0)
		env.Clock.Advance(auth.ActivationTTL - time.Minute)
		if err := env.Auth.CheckToken(ctx, "activate", tokens[0]); err != nil {
			t.Fatalf("the link failed a minute before it expires: %v", err)
		}
		env.Clock.Advance(24*time.Hour + time.Minute) // 8 days after it was sent
		if err := env.Auth.CheckToken(ctx, "activate", tokens[0]); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("CheckToken after 8 days = %v; want ErrTokenInvalid", err)
		}
		if _, err := env.Auth.UseToken(ctx, "activate", tokens[0], "finally my passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("UseToken after 8 days = %v; want ErrTokenInvalid", err)
		}
		if _, err := env.Auth.UseToken(ctx, "activate", strings.Repeat("ab", 32), "finally my passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("UseToken with a made-up token = %v; want ErrTokenInvalid", err)
		}
	})
}

func TestRequestReset(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		u := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		if _, err := addUser(t, env, a.ID, "odottaa@example.fi", auth.RoleGuest); err != nil {
			t.Fatal(err)
		}
		sent := len(env.Mail.Sent())

		// Unknown, malformed and not-yet-activated addresses: nil, no mail.
		for _, addr := range []string{"nobody@example.fi", "not an address", "", "odottaa@example.fi"} {
			if err := env.Auth.RequestReset(ctx, addr); err != nil {
				t.Errorf("RequestReset(%q) = %v; want nil", addr, err)
			}
		}
		if n := len(env.Mail.Sent()); n != sent {
			t.Fatalf("RequestReset for unknown addresses sent %d mails", n-sent)
		}
		ev := lastEvent(t, env, "", "user.reset_link")
		if ev.Outcome != audit.Failure || strings.Contains(ev.Changes, "odottaa") || !strings.Contains(ev.Changes, "hmac:") {
			t.Errorf("refused reset audited as %+v", ev)
		}

		// A known address gets one link, valid for an hour, once.
		s := newSession(t, env, u.ID)
		if err := env.Auth.RequestReset(ctx, "KASSA@example.fi"); err != nil {
			t.Fatal(err)
		}
		to, purposes, tokens := mailedLinks(t, env, sent)
		if len(tokens) != 1 || to[0] != "kassa@example.fi" || purposes[0] != "reset" {
			t.Fatalf("reset mails: to %v, purposes %v", to, purposes)
		}
		if _, err := env.Auth.UseToken(ctx, "activate", tokens[0], "a fresh new passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("a reset token used as an activation token = %v", err)
		}
		if _, err := env.Auth.UseToken(ctx, "reset", tokens[0], "a fresh new passphrase"); err != nil {
			t.Fatalf("UseToken(reset): %v", err)
		}
		if _, err := env.Auth.LookupSession(ctx, s.Token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("a session survived the password reset: %v", err)
		}
		if _, err := env.Auth.UseToken(ctx, "reset", tokens[0], "yet another passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("second use of a reset link = %v", err)
		}

		// A reset link expires after an hour.
		if err := env.Auth.RequestReset(ctx, "kassa@example.fi"); err != nil {
			t.Fatal(err)
		}
		_, _, tokens = mailedLinks(t, env, sent+1)
		env.Clock.Advance(auth.ResetTTL + time.Second)
		if err := env.Auth.CheckToken(ctx, "reset", tokens[0]); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("a reset link after %v = %v; want ErrTokenInvalid", auth.ResetTTL+time.Second, err)
		}
	})
}

func TestChangeRoleEndsSessions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Partio ry", 0)
		env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		u := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		stranger := env.User(t, "partio@example.fi", false, b.ID, auth.RoleAdmin)
		s1, s2 := newSession(t, env, u.ID), newSession(t, env, u.ID)

		if err := changeRole(env, a.ID, u.ID, auth.RoleUser); err != nil {
			t.Fatalf("ChangeRole to the same role: %v", err)
		}
		if _, err := env.Auth.LookupSession(ctx, s1.Token); err != nil {
			t.Fatalf("a no-op role change ended a session: %v", err)
		}
		if err := changeRole(env, a.ID, u.ID, auth.RoleGuest); err != nil {
			t.Fatal(err)
		}
		if r := roleIn(t, env, u.ID, a.ID); r != auth.RoleGuest {
			t.Errorf("role %q after ChangeRole, want guest", r)
		}
		for _, s := range []auth.Session{s1, s2} {
			if _, err := env.Auth.LookupSession(ctx, s.Token); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("a session survived the role change: %v", err)
			}
		}
		ev := lastEvent(t, env, a.ID, "user.role")
		if ev.ObjectID != u.ID || !strings.Contains(ev.Changes, `"before":"user"`) || !strings.Contains(ev.Changes, `"after":"guest"`) {
			t.Errorf("role change audited as %+v", ev)
		}

		if err := changeRole(env, a.ID, u.ID, auth.Role("superuser")); err == nil {
			t.Error("ChangeRole accepted an unknown role")
		}
		// A user of another association is not reachable through A.
		if err := changeRole(env, a.ID, stranger.ID, auth.RoleGuest); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("ChangeRole of B's user through A = %v; want ErrNotFound", err)
		}
		if err := removeUser(env, a.ID, stranger.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("RemoveUser of B's user through A = %v; want ErrNotFound", err)
		}
		if r := roleIn(t, env, stranger.ID, b.ID); r != auth.RoleAdmin {
			t.Errorf("B's admin is now %q", r)
		}
	})
}

func TestLastAdministratorStays(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		first := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		user := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		// Another association's administrator does not count for A.
		b := env.Association(t, "Partio ry", 0)
		env.User(t, "partio@example.fi", false, b.ID, auth.RoleAdmin)

		for _, role := range []auth.Role{auth.RoleUser, auth.RoleGuest} {
			if err := changeRole(env, a.ID, first.ID, role); !errors.Is(err, auth.ErrLastAdmin) {
				t.Errorf("demoting the last admin to %s = %v; want ErrLastAdmin", role, err)
			}
		}
		if err := removeUser(env, a.ID, first.ID); !errors.Is(err, auth.ErrLastAdmin) {
			t.Errorf("removing the last admin = %v; want ErrLastAdmin", err)
		}
		if r := roleIn(t, env, first.ID, a.ID); r != auth.RoleAdmin {
			t.Fatalf("the last admin is now %q", r)
		}

		// With a second administrator the first may step down; then the
		// second is the last.
		if err := changeRole(env, a.ID, user.ID, auth.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := changeRole(env, a.ID, first.ID, auth.RoleUser); err != nil {
			t.Fatalf("demoting one of two admins: %v", err)
		}
		if err := removeUser(env, a.ID, user.ID); !errors.Is(err, auth.ErrLastAdmin) {
			t.Errorf("removing the new last admin = %v; want ErrLastAdmin", err)
		}
		if err := removeUser(env, a.ID, first.ID); err != nil {
			t.Errorf("removing a non-admin: %v", err)
		}
		if r := roleIn(t, env, first.ID, a.ID); r != "" {
			t.Errorf("removed user still has role %q", r)
		}
		if ev := lastEvent(t, env, a.ID, "user.remove"); ev.ObjectID != first.ID {
			t.Errorf("removal audited as %+v", ev)
		}
	})
}

// TestConcurrentDemotionsKeepAnAdministrator has two administrators demote
// each other at the same time. One of them must be refused.
func TestConcurrentDemotionsKeepAnAdministrator(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		first := env.User(t, "pj@example.fi", false, a.ID, auth.RoleAdmin)
		second := env.User(t, "vpj@example.fi", false, a.ID, auth.RoleAdmin)

		demoted := make(chan struct{})
		release := make(chan struct{})
		firstDone := make(chan error, 1)
		go func() {
			firstDone <- env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				if err := env.Auth.ChangeRole(ctx, tx, first.ID, auth.RoleUser); err != nil {
					close(demoted)
					return err
				}
				close(demoted)
				<-release // hold the transaction open
				return nil
			})
		}()
		<-demoted
		secondDone := make(chan error, 1)
		go func() { secondDone <- changeRole(env, a.ID, second.ID, auth.RoleUser) }()
		// Give the second demotion time to run as far as it can while the
		// first is still open, then let the first commit.
		var secondErr error
		secondFinished := false
		select {
		case secondErr = <-secondDone:
			secondFinished = true
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-firstDone; err != nil {
			t.Fatalf("first demotion: %v", err)
		}
		if !secondFinished {
			secondErr = <-secondDone
		}
		if !errors.Is(secondErr, auth.ErrLastAdmin) {
			t.Errorf("second, concurrent demotion = %v; want ErrLastAdmin", secondErr)
		}
		admins := 0
		for _, u := range []auth.User{first, second} {
			if roleIn(t, env, u.ID, a.ID) == auth.RoleAdmin {
				admins++
			}
		}
		if admins != 1 {
			t.Errorf("%d administrators left after concurrent demotions, want 1", admins)
		}
	})
}

// TestPasswordChangeCancelsResetLinks: a reset link asked for before the
// owner changed the password cannot undo the change.
func TestPasswordChangeCancelsResetLinks(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		u := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		sent := len(env.Mail.Sent())
		if err := env.Auth.RequestReset(ctx, u.Email); err != nil {
			t.Fatal(err)
		}
		_, _, tokens := mailedLinks(t, env, sent)
		if len(tokens) != 1 {
			t.Fatalf("%d reset links", len(tokens))
		}
		if err := env.Auth.ChangePassword(ctx, u.ID, testenv.Password, "a brand new passphrase", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Auth.UseToken(ctx, "reset", tokens[0], "the attacker's passphrase"); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Fatalf("reset link after a password change: %v, want ErrTokenInvalid", err)
		}
		if _, err := env.Auth.Login(ctx, u.Email, "a brand new passphrase"); err != nil {
			t.Fatalf("the changed password no longer works: %v", err)
		}
	})
}
