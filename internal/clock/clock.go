// Package clock lets code ask for the time through an interface, so that
// expiry, retention and schedules can be tested over years in milliseconds.
package clock

import (
	"sync"
	"time"
	_ "time/tzdata" // Helsinki's rules, whatever the machine has
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock, in UTC.
type System struct{}

// Now returns the current UTC time.
func (System) Now() time.Time { return time.Now().UTC() }

// Manual is a clock for tests that moves only when told.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual starts a manual clock at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t.UTC()} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// Helsinki is where the associations are: people read times, and "today"
// is a date, in Finland, while storage stays in UTC. The zone database is
// embedded (time/tzdata), so a machine without one still gets it right.
var Helsinki = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic("clock: " + err.Error())
	}
	return loc
}()

// Date is t's calendar date, in t's own location, as midnight UTC: the form
// dates are stored and compared in. The zero time stays zero.
func Date(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Today is now's date in Finland, as midnight UTC.
func Today(now time.Time) time.Time { return Date(now.In(Helsinki)) }
