package web

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seura.fi/seura/internal/clock"
)

// TestLimiterHoldsUnderParallelTries: tries sent at once cannot all pass
// the check before the first of them is counted.
func TestLimiterHoldsUnderParallelTries(t *testing.T) {
	l := newLimiter(clock.NewManual(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	var passed atomic.Int32
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.try("192.0.2.1", "mfa:user") {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := passed.Load(); int(n) != l.perKey {
		t.Fatalf("%d of 200 parallel tries passed, want %d", n, l.perKey)
	}
	// A success gives its try back.
	l.succeeded("192.0.2.1", "mfa:user")
	if !l.try("192.0.2.1", "mfa:user") || l.try("192.0.2.1", "mfa:user") {
		t.Fatal("a success did not give back exactly one try")
	}
}

func TestLocalPath(t *testing.T) {
	for back, want := range map[string]string{
		"/a/x/members?q=virtanen": "/a/x/members?q=virtanen",
		"/":                       "/",
		"//evil.example":          "/login",
		"/\t/evil.example":        "/login",
		"/\n/evil.example":        "/login",
		"/\\evil.example":         "/login",
		"https://evil.example":    "/login",
		"evil.example":            "/login",
		"":                        "/login",
	} {
		if got := localPath(back, "/login"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", back, got, want)
		}
	}
}
