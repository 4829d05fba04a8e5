package web

import (
	"sync"
	"time"

	"seura.fi/seura/internal/clock"
)

// limiter slows down password and code guessing: after too many failures
// from one address, or against one account, further tries are refused for
// the rest of the window. It lives in memory; a restart forgets it, which
// costs an attacker a restart they cannot cause.
type limiter struct {
	mu       sync.Mutex
	clock    clock.Clock
	window   time.Duration
	perKey   int
	perIP    int
	failures map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(c clock.Clock) *limiter {
	return &limiter{clock: c, window: 15 * time.Minute, perKey: 10, perIP: 50, failures: map[string]*window{}}
}

func (l *limiter) count(key string, now time.Time) int {
	w := l.failures[key]
	if w == nil || now.Sub(w.start) > l.window {
		return 0
	}
	return w.n
}

// allow reports whether another try from ip against key may go ahead.
func (l *limiter) allow(ip, key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	return l.count("ip:"+ip, now) < l.perIP && l.count("key:"+key, now) < l.perKey
}

// try reports whether another try from ip against key may go ahead and,
// if so, counts it at once as a failure: checking and counting in one step
// means tries sent in parallel cannot all slip under the limit before the
// first of them fails. A try that then succeeds is taken back (succeeded).
func (l *limiter) try(ip, key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if l.count("ip:"+ip, now) >= l.perIP || l.count("key:"+key, now) >= l.perKey {
		return false
	}
	if len(l.failures) > 100000 {
		for k, w := range l.failures {
			if now.Sub(w.start) > l.window {
				delete(l.failures, k)
			}
		}
	}
	for _, k := range []string{"ip:" + ip, "key:" + key} {
		w := l.failures[k]
		if w == nil || now.Sub(w.start) > l.window {
			w = &window{start: now}
			l.failures[k] = w
		}
		w.n++
	}
	return true
}

// succeeded takes back the count of a try that turned out right.
func (l *limiter) succeeded(ip, key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"ip:" + ip, "key:" + key} {
		if w := l.failures[k]; w != nil && w.n > 0 {
			w.n--
		}
	}
}
