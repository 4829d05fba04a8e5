package auth_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// code is the TOTP code of secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.CodeAt(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a six-digit code that is none of the codes valid around at.
func wrongCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[code(t, secret, at.Add(d))] = true
	}
	for _, c := range []string{"000000", "123456", "999999", "314159"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

func TestTOTPEnrolmentAndSecondFactor(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		u := env.User(t, "puheenjohtaja@example.fi", false, "", "")
		other := env.User(t, "kassa@example.fi", false, "", "")

		en, err := env.Auth.BeginTOTP(u)
		if err != nil {
			t.Fatal(err)
		}
		if en.Secret == "" || !strings.HasPrefix(en.URL, "otpauth://totp/") || len(en.QRPNG) == 0 || en.Sealed == "" {
			t.Fatalf("enrolment %+v", en)
		}
		if strings.Contains(en.Sealed, en.Secret) {
			t.Error("the sealed secret carries the secret in plain")
		}
		now := env.Clock.Now()

		// A wrong code, a malformed sealed value and another user's sealed
		// value are all refused, and nothing is stored.
		if _, err := env.Auth.ConfirmTOTP(ctx, u.ID, en.Sealed, wrongCode(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("ConfirmTOTP with a wrong code = %v; want ErrBadCode", err)
		}
		if _, err := env.Auth.ConfirmTOTP(ctx, u.ID, "not base64!", code(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("ConfirmTOTP with a garbled sealed secret = %v; want ErrBadCode", err)
		}
		if _, err := env.Auth.ConfirmTOTP(ctx, other.ID, en.Sealed, code(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("ConfirmTOTP of another user's enrolment = %v; want ErrBadCode", err)
		}
		var enabled bool
		platformQuery(t, env, &enabled, `SELECT totp_enabled FROM users WHERE id = $1`, u.ID)
		if enabled {
			t.Fatal("a refused confirmation turned TOTP on")
		}

		codes, err := env.Auth.ConfirmTOTP(ctx, u.ID, en.Sealed, code(t, en.Secret, now))
		if err != nil {
			t.Fatalf("ConfirmTOTP: %v", err)
		}
		if len(codes) != 10 || auth.RecoveryCodeCount != 10 {
			t.Fatalf("got %d recovery codes, want 10", len(codes))
		}
		distinct := map[string]bool{}
		for _, c := range codes {
			if len(c) < 16 || distinct[c] {
				t.Errorf("recovery code %q is short or repeated", c)
			}
			distinct[c] = true
		}
		if ev := lastEvent(t, env, "", "user.mfa_enable"); strings.Contains(ev.Changes, en.Secret) {
			t.Errorf("enabling TOTP audited the secret: %s", ev.Changes)
		}

		// The stored secret is encrypted: neither its base32 form nor its
		// raw bytes are in the database.
		var stored []byte
		platformQuery(t, env, &stored, `SELECT totp_secret FROM users WHERE id = $1`, u.ID)
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) == 0 || bytes.Contains(stored, []byte(en.Secret)) || bytes.Contains(stored, raw) {
			t.Errorf("users.totp_secret holds the secret in plain: %q", stored)
		}
		var recovery int
		platformQuery(t, env, &recovery, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND code_hash = $2`, u.ID, codes[0])
		if recovery != 0 {
			t.Error("a recovery code is stored in plain")
		}

		// The code that confirmed enrolment cannot be used again to log in.
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, code(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("the enrolment code was accepted again: %v", err)
		}

		// The current code works once; the same code again is a replay.
		env.Clock.Advance(30 * time.Second)
		now = env.Clock.Now()
		current := code(t, en.Secret, now)
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, current); err != nil {
			t.Fatalf("VerifySecondFactor(current code): %v", err)
		}
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, current); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("a replayed code = %v; want ErrBadCode", err)
		}
		if ev := lastEvent(t, env, "", "auth.mfa"); ev.Outcome != audit.Failure {
			t.Errorf("replay audited as %+v", ev)
		}
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, wrongCode(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("a wrong code = %v; want ErrBadCode", err)
		}
		// The next step's code is accepted (clock drift); after it, a code
		// of an earlier step, even one never used, is not.
		env.Clock.Advance(30 * time.Second)
		now = env.Clock.Now()
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, code(t, en.Secret, now.Add(30*time.Second))); err != nil {
			t.Fatalf("VerifySecondFactor(next step's code): %v", err)
		}
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, code(t, en.Secret, now)); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("an unused code older than the last one used = %v; want ErrBadCode", err)
		}
		// A code from long ago is refused.
		env.Clock.Advance(10 * time.Minute)
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, code(t, en.Secret, env.Clock.Now().Add(-5*time.Minute))); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("a five-minute-old code = %v; want ErrBadCode", err)
		}

		// A recovery code works once, however it is typed.
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, codes[0]); err != nil {
			t.Fatalf("VerifySecondFactor(recovery code): %v", err)
		}
		if ev := lastEvent(t, env, "", "auth.mfa"); ev.Outcome != audit.Success || !strings.Contains(ev.Details, "recovery_code") {
			t.Errorf("recovery code audited as %+v", ev)
		}
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, codes[0]); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("a used recovery code = %v; want ErrBadCode", err)
		}
		typed := " " + strings.ToUpper(strings.ReplaceAll(codes[1], "-", " ")) + " "
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, typed); err != nil {
			t.Errorf("recovery code typed as %q: %v", typed, err)
		}
		if err := env.Auth.VerifySecondFactor(ctx, other.ID, codes[2]); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("u's recovery code worked for another user: %v", err)
		}

		// Turning TOTP off removes the secret and the codes.
		if err := env.Auth.DisableTOTP(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := env.Auth.VerifySecondFactor(ctx, u.ID, codes[3]); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("a recovery code works after TOTP was turned off: %v", err)
		}
		platformQuery(t, env, &recovery, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1`, u.ID)
		if recovery != 0 {
			t.Errorf("%d recovery codes left after TOTP was turned off", recovery)
		}
	})
}

func TestEnrolTOTPFixtureLogsIn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		u := env.User(t, "kassa@example.fi", false, "", "")
		secret := env.EnrolTOTP(t, u)
		if err := env.Auth.VerifySecondFactor(context.Background(), u.ID, code(t, secret, env.Clock.Now())); err != nil {
			t.Fatal(err)
		}
		var uu auth.User
		err := env.DB.Read(context.Background(), func(tx *storeTx) error {
			var err error
			uu, err = auth.UserByID(context.Background(), tx, u.ID)
			return err
		})
		if err != nil || !uu.TOTPEnabled {
			t.Fatalf("UserByID = %+v, %v; want TOTP enabled", uu, err)
		}
	})
}
