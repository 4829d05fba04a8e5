package member

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"seura.fi/seura/internal/store"
)

// Sort orders of a search.
const (
	SortNumber   = "number"
	SortLastName = "last_name"
	SortJoined   = "joined"
)

// Sorts lists the sort orders, in the order a picker shows them.
var Sorts = []string{SortNumber, SortLastName, SortJoined}

// StatusAll, among Query.Statuses, includes every status: former and
// deceased members too.
const StatusAll = "all"

// Page sizes of a search.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ErrBadQuery is matched (errors.Is) by the errors Search returns for a
// query it cannot run: an unknown status, sort or language, or a cursor that
// is not one Search gave for this sort.
var ErrBadQuery = errors.New("bad member query")

// Bounds of the search text.
const (
	MaxTextWords = 8
	MaxTextBytes = 200
)

// Query is one search of the register.
type Query struct {
	// Text is matched against names (first, last and organisation name: a
	// prefix of any word, case-insensitively), town and postcode (also word
	// prefixes), the e-mail address (prefix), the member number (exactly,
	// when Text is a number) and the phone number (its digits, national or
	// international, as the end of the E.164 number). Several words must
	// all match.
	Text string
	// Statuses filters by status; empty means Active only, as everyday
	// lists show; StatusAll includes every status.
	Statuses []string
	// Language filters by the member's language ("" for any).
	Language string
	// Sort is SortNumber (the default), SortLastName or SortJoined; Desc
	// reverses it.
	Sort string
	Desc bool
	// Cursor continues from a Page's Next or Prev ("" for the first page).
	Cursor string
	// Limit is the page size: DefaultPageSize when 0, at most MaxPageSize.
	Limit int
}

// Page is one page of search results.
type Page struct {
	Members []Member
	// Next and Prev are cursors to the following and preceding pages, ""
	// when there is none.
	Next, Prev string
}

// cursor is what an opaque cursor string holds: the sort key of one row and
// its id, and which way to read from it.
type cursor struct {
	Sort string `json:"s"`
	Desc bool   `json:"d,omitempty"`
	Back bool   `json:"b,omitempty"`
	Key  string `json:"k"`
	Key2 string `json:"k2,omitempty"`
	ID   string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	return c, nil
}

// fold is the SQL that makes text comparable with foldText: lowercase,
// including the letters of Finnish and Swedish names that SQLite's lower()
// and PostgreSQL's under the C locale leave alone, and hyphens as spaces, so
// "Anna-Liisa" has the words "anna" and "liisa".
func fold(expr string) string {
	for _, r := range []string{"Å", "Ä", "Ö", "Ü", "É"} {
		expr = "replace(" + expr + ", '" + r + "', '" + strings.ToLower(r) + "')"
	}
	return "lower(replace(" + expr + ", '-', ' '))"
}

// foldText is fold for the search text, in Go.
func foldText(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", " ")
}

// haystack is the text whose words a search word must begin one of.
var haystack = fold(`' ' || first_name || ' ' || last_name || ' ' || org_name || ' ' || town || ' ' || postcode`)

// nameKey is the name sort's first key: the organisation's or the person's
// last name.
const nameKey = `lower(CASE WHEN kind = 'organisation' THEN org_name ELSE last_name END)`

// noDate stands in for a missing joining date, so members without one sort
// last (ascending) and keyset comparisons never meet NULL.
var noDate = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// likeEscape escapes LIKE's wildcards (and the escape character) in user
// input; patterns use ESCAPE '\'.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// phoneChars is what a phone number may be typed with besides digits.
const phoneChars = "+ -()/."

// Search finds members of the association. It reads a page (Limit rows)
// with keyset paging: each page costs the same however far into the list it
// is.
func Search(ctx context.Context, tx *store.TenantTx, q Query) (Page, error) {
	sortBy := q.Sort
	if sortBy == "" {
		sortBy = SortNumber
	}
	if !slices.Contains(Sorts, sortBy) {
		return Page{}, fmt.Errorf("%w: sort %q", ErrBadQuery, q.Sort)
	}
	// Each word adds a condition over several columns: a bounded search
	// keeps one request from tying up the database.
	if len(q.Text) > MaxTextBytes || len(strings.Fields(q.Text)) > MaxTextWords {
		return Page{}, fmt.Errorf("%w: search text longer than %d words or %d bytes", ErrBadQuery, MaxTextWords, MaxTextBytes)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)

	var where []string
	args := []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)+1) // $1 is the association
	}

	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = []string{StatusActive}
	}
	if !slices.Contains(statuses, StatusAll) {
		var ps []string
		for _, s := range statuses {
			if !slices.Contains(Statuses, s) {
				return Page{}, fmt.Errorf("%w: status %q", ErrBadQuery, s)
			}
			ps = append(ps, arg(s))
		}
		where = append(where, "status IN ("+strings.Join(ps, ", ")+")")
	}
	if q.Language != "" {
		if !slices.Contains(Languages, q.Language) {
			return Page{}, fmt.Errorf("%w: language %q", ErrBadQuery, q.Language)
		}
		where = append(where, "language = "+arg(q.Language))
	}
	if cond := textCondition(q.Text, arg); cond != "" {
		where = append(where, cond)
	}

	var cur *cursor
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return Page{}, err
		}
		if c.Sort != sortBy || c.Desc != q.Desc {
			return Page{}, fmt.Errorf("%w: cursor of another sort", ErrBadQuery)
		}
		cur = &c
	}
	back := cur != nil && cur.Back
	// Reading backwards is reading the reversed order forwards.
	desc := q.Desc != back

	var keys []string // ORDER BY columns, last one id
	switch sortBy {
	case SortNumber:
		keys = []string{"member_number"}
	case SortLastName:
		keys = []string{nameKey, "lower(first_name)", "id"}
	case SortJoined:
		keys = []string{"COALESCE(joined_on, " + arg(noDate) + ")", "id"}
	}
	if cur != nil {
		op := ">"
		if desc {
			op = "<"
		}
		switch sortBy {
		case SortNumber:
			n, err := strconv.ParseInt(cur.Key, 10, 64)
			if err != nil {
				return Page{}, fmt.Errorf("%w: cursor", ErrBadQuery)
			}
			where = append(where, "member_number "+op+" "+arg(n))
		case SortLastName:
			where = append(where, "("+strings.Join(keys, ", ")+") "+op+" ("+arg(cur.Key)+", "+arg(cur.Key2)+", "+arg(cur.ID)+")")
		case SortJoined:
			d, err := time.Parse(time.DateOnly, cur.Key)
			if err != nil {
				return Page{}, fmt.Errorf("%w: cursor", ErrBadQuery)
			}
			where = append(where, "("+strings.Join(keys, ", ")+") "+op+" ("+arg(d)+", "+arg(cur.ID)+")")
		}
	}
	order := make([]string, len(keys))
	for i, k := range keys {
		order[i] = k
		if desc {
			order[i] += " DESC"
		}
	}
	sqlText := `SELECT ` + columns + `, ` + nameKey + `, lower(first_name) FROM members WHERE association_id = $1`
	for _, w := range where {
		sqlText += " AND " + w
	}
	sqlText += " ORDER BY " + strings.Join(order, ", ") + " LIMIT " + arg(limit+1)

	rows, err := tx.Query(ctx, sqlText, args...)
	if err != nil {
		return Page{}, fmt.Errorf("search members: %w", err)
	}
	defer rows.Close()
	type hit struct {
		m           Member
		name, first string
	}
	var hits []hit
	for rows.Next() {
		var h hit
		m, err := scan(scanExtra{rows, []any{&h.name, &h.first}})
		if err != nil {
			return Page{}, fmt.Errorf("scan member: %w", err)
		}
		h.m = m
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("search members: %w", err)
	}

	more := len(hits) > limit
	if more {
		hits = hits[:limit]
	}
	if back {
		slices.Reverse(hits)
	}
	at := func(h hit, back bool) string {
		c := cursor{Sort: sortBy, Desc: q.Desc, Back: back, ID: h.m.ID}
		switch sortBy {
		case SortNumber:
			c.Key = strconv.FormatInt(h.m.Number, 10)
		case SortLastName:
			c.Key, c.Key2 = h.name, h.first
		case SortJoined:
			c.Key = noDate.Format(time.DateOnly)
			if !h.m.JoinedOn.IsZero() {
				c.Key = h.m.JoinedOn.Format(time.DateOnly)
			}
		}
		return c.encode()
	}
	var p Page
	for _, h := range hits {
		p.Members = append(p.Members, h.m)
	}
	if len(hits) > 0 {
		first, last := hits[0], hits[len(hits)-1]
		if back {
			if more {
				p.Prev = at(first, true)
			}
			p.Next = at(last, false)
		} else {
			if cur != nil {
				p.Prev = at(first, true)
			}
			if more {
				p.Next = at(last, false)
			}
		}
	} else if cur != nil && !back {
		// Past the end: offer the way back.
		p.Prev = (&cursor{Sort: cur.Sort, Desc: cur.Desc, Back: true, Key: cur.Key, Key2: cur.Key2, ID: cur.ID}).encode()
	}
	return p, nil
}

// scanExtra scans the member's columns followed by extra ones.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// textCondition is the WHERE condition for a search text ("" for none),
// adding its arguments with arg.
func textCondition(text string, arg func(any) string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	var alts []string
	// Every word begins a word of the names, town or postcode.
	words := strings.Fields(foldText(text))
	var all []string
	for _, w := range words {
		all = append(all, haystack+" LIKE "+arg("% "+likeEscape.Replace(w)+"%")+` ESCAPE '\'`)
	}
	if len(all) > 0 {
		alts = append(alts, "("+strings.Join(all, " AND ")+")")
	}
	lower := strings.ToLower(text)
	if !strings.ContainsFunc(lower, unicode.IsSpace) {
		alts = append(alts, "email LIKE "+arg(likeEscape.Replace(lower)+"%")+` ESCAPE '\'`)
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > 0 {
		alts = append(alts, "member_number = "+arg(n))
	}
	if d := phoneDigits(text); d != "" {
		alts = append(alts, "phone LIKE "+arg("%"+d))
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// phoneDigits returns the digits of a text that looks like a phone number
// (at least five digits, nothing but digits and phoneChars), as the end of
// an E.164 number: a national number's leading zero dropped ("040 123" →
// "40123"), an international one's "+" or "00" dropped. Otherwise "".
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(phoneChars, r):
		default:
			return ""
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	}
	if len(d) < 5 {
		return ""
	}
	return d
}
