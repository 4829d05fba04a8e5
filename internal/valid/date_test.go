package valid

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "01.02.2020", want: "2020-02-01"},
		{in: "1.2.2020", want: "2020-02-01"},
		{in: " 1.02.2020 ", want: "2020-02-01"},
		{in: "29.2.2020", want: "2020-02-29"},
		{in: "31.12.1850", want: "1850-12-31"},
		{in: "1.1.1850", want: "1850-01-01"},
		{in: "31.12.2200", want: "2200-12-31"},
		{in: "2020-02-01", want: "2020-02-01"},
		{in: "2000-02-29", want: "2000-02-29"},

		{in: "", err: "required"},
		{in: "1.2.85", err: "four digits"},
		{in: "01.02.20", err: "four digits"},
		{in: "1.2.985", err: "dd.mm.yyyy"},
		{in: "1.2.20200", err: "dd.mm.yyyy"},
		{in: "1.2.2020.", err: "dd.mm.yyyy"},
		{in: "1.2.", err: "dd.mm.yyyy"},
		{in: "001.2.2020", err: "dd.mm.yyyy"},
		{in: "1.002.2020", err: "dd.mm.yyyy"},
		{in: "..2020", err: "dd.mm.yyyy"},
		{in: "1. 2. 2020", err: "dd.mm.yyyy"},
		{in: "+1.2.2020", err: "dd.mm.yyyy"},
		{in: "1.-2.2020", err: "dd.mm.yyyy"},
		{in: "01/02/2020", err: "dd.mm.yyyy"},
		{in: "2020-2-1", err: "dd.mm.yyyy"},
		{in: "2020-02-01T00:00:00Z", err: "dd.mm.yyyy"},
		{in: "20200201", err: "dd.mm.yyyy"},
		{in: "١.٢.٢٠٢٠", err: "dd.mm.yyyy"},
		{in: "1.2.2020\n", want: "2020-02-01"}, // trimmed
		{in: "31.02.2020", err: "no such date"},
		{in: "29.02.2019", err: "no such date"},
		{in: "29.02.1900", err: "no such date"},
		{in: "31.04.2020", err: "no such date"},
		{in: "0.1.2020", err: "no such date"},
		{in: "1.0.2020", err: "no such date"},
		{in: "1.13.2020", err: "no such date"},
		{in: "2020-13-01", err: "no such date"},
		{in: "2020-00-10", err: "no such date"},
		{in: "31.12.1849", err: "between 1850 and 2200"},
		{in: "1.1.2201", err: "between 1850 and 2200"},
		{in: "0000-01-01", err: "between 1850 and 2200"},
	}
	for _, tt := range tests {
		got, err := Date(testField, tt.in)
		iso := ""
		if err == nil {
			iso = got.Format(time.DateOnly)
			if got.Location() != time.UTC || !got.Equal(got.Truncate(24*time.Hour)) {
				t.Fatalf("%q: %v is not midnight UTC", tt.in, got)
			}
		}
		checkResult(t, tt.in, iso, err, tt.want, tt.err)
	}
}

func TestFormatDate(t *testing.T) {
	helsinki := time.FixedZone("EET", 2*60*60)
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC), "02.01.2006"},
		{time.Date(1850, 12, 31, 0, 0, 0, 0, time.UTC), "31.12.1850"},
		{time.Date(2020, 2, 29, 23, 30, 0, 0, helsinki), "29.02.2020"}, // own location
	} {
		if got := FormatDate(tt.t); got != tt.want {
			t.Fatalf("%v: got %q, want %q", tt.t, got, tt.want)
		}
	}
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{
		"01.02.2020", "1.2.2020", "2020-02-01", "31.02.2020", "1.2.85",
		"1.2.2020.", "29.2.2000", "0.0.0000", "99.99.9999", "2200-12-31",
		"1849-12-31", "١.٢.٢٠٢٠", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Date(testField, s)
		if err != nil {
			checkErr(t, err)
			return
		}
		if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 ||
			got.Second() != 0 || got.Nanosecond() != 0 || got.Year() < minYear || got.Year() > maxYear {
			t.Fatalf("%q: not canonical: %v", s, got)
		}
		for _, out := range []string{FormatDate(got), got.Format(time.DateOnly)} {
			again, err := Date(testField, out)
			if err != nil || again != got {
				t.Fatalf("%q: re-validating %q gave %v, %v, want %v", s, out, again, err, got)
			}
		}
	})
}
