package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's first recommended set (19 MiB, 2 passes, one
// lane), which keeps a login under ~50 ms on a small server while making
// offline guessing costly.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16

	// maxArgonMemoryKiB bounds what a stored hash may ask VerifyPassword
	// to allocate (1 GiB).
	maxArgonMemoryKiB = 1 << 20
)

// Password length rules (NIST SP 800-63B): long is what counts, no
// composition rules; the upper bound keeps hashing bounded.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// ErrPasswordTooShort and ErrPasswordTooLong are returned by CheckPassword.
var (
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d characters", MaxPasswordLen)
)

// CheckPassword applies the length rules to a new password.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen:
		return ErrPasswordTooLong
	}
	return nil
}

// HashPassword returns the PHC-format Argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// VerifyPassword reports whether pw matches the PHC-format hash, comparing
// in constant time.
func VerifyPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	// A damaged hash must not panic argon2 (no passes, no lanes, an empty
	// key) nor make it allocate without bound.
	if iters < 1 || threads < 1 || mem < 8*uint32(threads) || mem > maxArgonMemoryKiB ||
		len(salt) < 8 || len(want) < 16 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when an e-mail is unknown, so that a login
// takes as long whether or not the account exists.
var dummyHash, _ = HashPassword("not-a-real-password-but-the-same-cost")

// RandomPassword makes a random password of 128 bits (for the demo and for
// operator-created accounts), grouped for reading aloud.
func RandomPassword() string {
	t := rand.Text()[:25]
	var sb strings.Builder
	for i := 0; i < len(t); i += 5 {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(t[i:min(i+5, len(t))])
	}
	return sb.String()
}
