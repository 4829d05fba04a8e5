package clock_test

import (
	"testing"
	"time"

	"seura.fi/seura/internal/clock"
)

func TestTodayIsTheDateInFinland(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		// 22:30 UTC on 31 December is already New Year's Day in Helsinki (UTC+2).
		{time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		// In summer time (UTC+3), 20:59 UTC is still the same day, 21:00 is the next.
		{time.Date(2026, 6, 30, 20, 59, 0, 0, time.UTC), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := clock.Today(c.now); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("Today(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	if !clock.Date(time.Time{}).IsZero() {
		t.Error("the zero time did not stay zero")
	}
}

func TestManualClockMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := clock.NewManual(start)
	if !c.Now().Equal(start) {
		t.Fatal("manual clock did not start where told")
	}
	c.Advance(90 * time.Minute)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Minute)) {
		t.Fatalf("after Advance: %v", got)
	}
}
