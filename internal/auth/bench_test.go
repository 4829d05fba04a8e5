package auth_test

import (
	"testing"

	"seura.fi/seura/internal/auth"
)

// BenchmarkVerifyPassword is the cost of one password check at login: the
// Argon2id parameters are a trade between this and offline guessing.
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := auth.VerifyPassword("correct horse battery staple", h); !ok || err != nil {
			b.Fatal("verify failed")
		}
	}
}
