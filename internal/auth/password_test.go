package auth_test

import (
	"errors"
	"strings"
	"testing"

	"seura.fi/seura/internal/auth"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "correct horse battery staple"
	h1, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not PHC Argon2id with m=19456,t=2,p=1", h1)
	}
	if strings.Contains(h1, pw) {
		t.Error("the hash contains the password")
	}
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Error("two hashes of the same password are equal: no random salt")
	}
	for _, h := range []string{h1, h2} {
		if ok, err := auth.VerifyPassword(pw, h); !ok || err != nil {
			t.Errorf("VerifyPassword(right password) = %v, %v", ok, err)
		}
	}
	for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", "", pw + " "} {
		if ok, err := auth.VerifyPassword(wrong, h1); ok || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	good, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	bad := map[string]string{
		"empty":             "",
		"plain text":        "correct horse battery staple",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           with(1, "argon2i"),
		"other version":     with(2, "v=16"),
		"no version":        with(2, "19"),
		"no parameters":     with(3, "x"),
		"zero passes":       with(3, "m=19456,t=0,p=1"),
		"zero lanes":        with(3, "m=19456,t=2,p=0"),
		"zero memory":       with(3, "m=0,t=2,p=1"),
		"absurd memory":     with(3, "m=4294967295,t=2,p=1"),
		"too many lanes":    with(3, "m=19456,t=2,p=300"),
		"salt not base64":   with(4, "!!!"),
		"empty salt":        with(4, ""),
		"key not base64":    with(5, "***"),
		"empty key":         with(5, ""),
		"too few fields":    strings.Join(parts[:5], "$"),
		"too many fields":   good + "$extra",
		"no leading dollar": strings.TrimPrefix(good, "$"),
	}
	for name, h := range bad {
		t.Run(name, func(t *testing.T) {
			ok, err := auth.VerifyPassword("correct horse battery staple", h)
			if ok || err == nil {
				t.Fatalf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want error
	}{
		{"", auth.ErrPasswordTooShort},
		{strings.Repeat("a", auth.MinPasswordLen-1), auth.ErrPasswordTooShort},
		{strings.Repeat("ä", auth.MinPasswordLen-1), auth.ErrPasswordTooShort}, // 22 bytes, 11 characters
		{strings.Repeat("a", auth.MinPasswordLen), nil},
		{strings.Repeat("ä", auth.MinPasswordLen), nil},
		{"correct horse battery staple", nil},
		{strings.Repeat("a", auth.MaxPasswordLen), nil},
		{strings.Repeat("ö", auth.MaxPasswordLen), nil}, // 512 bytes, 256 characters
		{strings.Repeat("a", auth.MaxPasswordLen+1), auth.ErrPasswordTooLong},
		{strings.Repeat("ö", auth.MaxPasswordLen+1), auth.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		if err := auth.CheckPassword(tt.pw); !errors.Is(err, tt.want) {
			t.Errorf("CheckPassword(%d bytes) = %v, want %v", len(tt.pw), err, tt.want)
		}
	}
	if auth.MinPasswordLen != 12 || auth.MaxPasswordLen != 256 {
		t.Errorf("password bounds are %d..%d, want 12..256", auth.MinPasswordLen, auth.MaxPasswordLen)
	}
}

func TestRandomPasswordIsAcceptable(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		pw := auth.RandomPassword()
		if err := auth.CheckPassword(pw); err != nil {
			t.Fatalf("RandomPassword() = %q: %v", pw, err)
		}
		if seen[pw] {
			t.Fatalf("RandomPassword repeated %q", pw)
		}
		seen[pw] = true
	}
}
