package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// TestLoginGuessingIsSlowedDown: after ten wrong passwords for one account
// even the right one is refused for the rest of the window; the window
// passes and the right one works again.
func TestLoginGuessingIsSlowedDown(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "Kuoro ry", 0)
	env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
	c := testenv.NewClient(t, env.Server(t))
	c.Get("/login")
	for i := 0; i < 10; i++ {
		if r := c.Post("/login", url.Values{"email": {"kassa@example.fi"}, "password": {"guess number " + string(rune('a'+i))}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i, r.Status)
		}
	}
	r := c.Post("/login", url.Values{"email": {"kassa@example.fi"}, "password": {testenv.Password}})
	if r.Status != http.StatusTooManyRequests || c.Cookie("__Host-seura") != "" {
		t.Fatalf("right password after ten guesses: status %d", r.Status)
	}
	// Another account from the same address is not locked by these.
	env.User(t, "sihteeri@example.fi", false, a.ID, auth.RoleUser)
	if r := c.Post("/login", url.Values{"email": {"sihteeri@example.fi"}, "password": {testenv.Password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("another account: status %d", r.Status)
	}
	env.Clock.Advance(16 * time.Minute)
	c2 := testenv.NewClient(t, env.Server(t))
	c2.Login(env, "kassa@example.fi", "")
}
