package auth

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// RecoveryCodeCount is how many one-time recovery codes enrolment gives.
const RecoveryCodeCount = 10

// Enrolment is a second factor being set up: the secret travels to the
// browser sealed (AES-GCM, bound to the user), so nothing is stored until the
// user proves their authenticator has it.
type Enrolment struct {
	Secret string // base32, for typing into an app
	URL    string // otpauth:// URI
	QRPNG  []byte // the URI as a QR code
	Sealed string // opaque, posted back with the first code
}

// BeginTOTP makes a new secret for u.
func (s *Service) BeginTOTP(u User) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Seura", AccountName: u.Email})
	if err != nil {
		return Enrolment{}, fmt.Errorf("generate TOTP secret: %w", err)
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return Enrolment{}, fmt.Errorf("draw QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, err
	}
	sealed, err := s.seal([]byte(key.Secret()), "enrol:"+u.ID)
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), QRPNG: buf.Bytes(), Sealed: base64.RawURLEncoding.EncodeToString(sealed)}, nil
}

// ConfirmTOTP checks the first code against the sealed secret, stores the
// secret encrypted and returns fresh recovery codes (shown once).
func (s *Service) ConfirmTOTP(ctx context.Context, userID, sealed, code string) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil, ErrBadCode
	}
	secret, err := s.open(raw, "enrol:"+userID)
	if err != nil {
		return nil, ErrBadCode
	}
	step, ok := s.matchStep(string(secret), code, 0)
	if !ok {
		return nil, ErrBadCode
	}
	stored, err := s.seal(secret, "totp:"+userID)
	if err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = $2, totp_enabled = $3, totp_last_step = $4 WHERE id = $1`,
			userID, stored, true, step); err != nil {
			return fmt.Errorf("store TOTP secret: %w", err)
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, codes); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "user.mfa_enable", ObjectType: "user", ObjectID: userID,
			Changes: []audit.Change{{Field: "totp_secret", Sensitivity: audit.Secret}}})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func (s *Service) replaceRecoveryCodes(ctx context.Context, tx *store.Tx, userID string, codes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("clear recovery codes: %w", err)
	}
	for _, c := range codes {
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, hashToken(normalizeCode(c))); err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// VerifySecondFactor accepts a current TOTP code (each time step once: a
// code seen once cannot be replayed) or an unused recovery code. Both
// outcomes are audited.
func (s *Service) VerifySecondFactor(ctx context.Context, userID, code string) error {
	ok := false
	factor := "totp"
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var sealed []byte
		var enabled bool
		var lastStep int64
		if err := tx.QueryRow(ctx, `SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = $1`, userID).
			Scan(&sealed, &enabled, &lastStep); err != nil {
			return fmt.Errorf("read second factor: %w", err)
		}
		code = normalizeCode(code)
		if enabled && len(code) == 6 {
			secret, err := s.open(sealed, "totp:"+userID)
			if err != nil {
				return fmt.Errorf("open TOTP secret: %w", err)
			}
			if step, match := s.matchStep(string(secret), code, lastStep); match {
				if _, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1`, userID, step); err != nil {
					return err
				}
				ok = true
			}
		} else if enabled && len(code) > 6 {
			factor = "recovery_code"
			res, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
				userID, hashToken(code), s.Clock.Now())
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			ok = n == 1
		}
		ev := audit.Event{Action: "auth.mfa", ObjectType: "user", ObjectID: userID, Details: map[string]any{"factor": factor}}
		if !ok {
			ev.Outcome = audit.Failure
		}
		return s.Audit.Record(ctx, tx, ev)
	})
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadCode
	}
	return nil
}

// DisableTOTP removes the second factor and its recovery codes.
func (s *Service) DisableTOTP(ctx context.Context, userID string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled = $2, totp_last_step = 0 WHERE id = $1`, userID, false); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "user.mfa_disable", ObjectType: "user", ObjectID: userID,
			Changes: []audit.Change{{Field: "totp_secret", Sensitivity: audit.Secret}}})
	})
}

// matchStep finds the 30-second step (now, one before or one after, for
// clock drift) whose code is code, and accepts it only if it is later than
// the last step used.
func (s *Service) matchStep(secret, code string, lastStep int64) (int64, bool) {
	now := s.Clock.Now()
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		step := t.Unix() / 30
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep {
			return step, true
		}
	}
	return 0, false
}

// CodeAt returns the TOTP code of a base32 secret at time t, for tests and
// the demo.
func CodeAt(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

func normalizeCode(c string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(c)))
}

// newRecoveryCode returns a code like "k7d2m-q9x4p-…" (80 bits).
func newRecoveryCode() string {
	t := strings.ToLower(rand.Text())[:16]
	return t[:4] + "-" + t[4:8] + "-" + t[8:12] + "-" + t[12:]
}

func (s *Service) seal(plain []byte, bind string) ([]byte, error) {
	gcm, err := s.gcm()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, []byte(bind)), nil
}

func (s *Service) open(sealed []byte, bind string) ([]byte, error) {
	gcm, err := s.gcm()
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(bind))
}

func (s *Service) gcm() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.totpKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
