package valid

import (
	"strconv"
	"strings"
	"time"
)

// Years outside this range are almost certainly typos on a member card
// (birth dates, joining dates, dues paid until).
const (
	minYear = 1850
	maxYear = 2200
)

// dateForm is the hint given whenever a date's shape is wrong.
const dateForm = "use the form dd.mm.yyyy"

// Date checks a date as Finnish and Swedish users write it and returns it as
// midnight UTC, so dates compare and store without time-zone surprises.
//
// Accepted are "dd.mm.yyyy" with one- or two-digit day and month
// ("1.2.2020", "01.02.2020") and ISO "yyyy-mm-dd", which Swedish users and
// other programs use. Two-digit years ("1.2.85") are refused with their own
// message, since for birth dates 1985 and 2085 are both conceivable and a
// wrong guess goes unnoticed. A trailing dot, other separators and
// impossible dates ("31.02.2020") are refused, as are years before 1850 or
// after 2200.
func Date(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fail(field, "required")
	}
	var d, m, y string
	if parts := strings.Split(s, "."); len(parts) == 3 {
		d, m, y = parts[0], parts[1], parts[2]
		if len(d) > 2 || len(m) > 2 {
			return time.Time{}, fail(field, dateForm)
		}
		if len(y) == 2 && digits(y) {
			return time.Time{}, fail(field, "write the year with four digits")
		}
	} else if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, m, d = s[:4], s[5:7], s[8:]
	} else {
		return time.Time{}, fail(field, dateForm)
	}
	if len(y) != 4 || !digits(d) || !digits(m) || !digits(y) {
		return time.Time{}, fail(field, dateForm)
	}
	day, _ := strconv.Atoi(d)
	month, _ := strconv.Atoi(m)
	year, _ := strconv.Atoi(y)
	if year < minYear || year > maxYear {
		return time.Time{}, fail(field, "year must be between "+strconv.Itoa(minYear)+" and "+strconv.Itoa(maxYear))
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, fail(field, "no such date")
	}
	return t, nil
}

// FormatDate writes t's calendar date (in t's own location) the way Date
// reads it and Finnish users expect to see it: "02.01.2006".
func FormatDate(t time.Time) string {
	return t.Format("02.01.2006")
}
