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
	// FeeID keeps the members who pay this fee ("" for any).
	FeeID string
	// GroupID keeps the members of this group ("" for any).
	GroupID string
	// CustomField keeps the members who have a value in this custom field
	// (its id; "" for any), and CustomValue, when set, those whose value is
	// exactly it (the canonical form the card stores).
	CustomField string
	CustomValue string
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

// candidateCap is how many members a search text may match for Search to
// read them all and sort them. A text matching more (a common first name in
// a large association) is answered by reading the list in its order and
// checking each member until the page is full: with so many matches, that
// takes only a few rows per hit.
const candidateCap = 3000

// Search finds members of the association. It reads a page (Limit rows)
// with keyset paging: each page costs the same however far into the list it
// is. A search text is first looked up in the word index (member_search on
// SQLite, member_words on PostgreSQL, both kept current by the triggers of
// migration 0004): a few hundred candidates are read and sorted, a few
// thousand or more make reading along the list, which finds a page of them
// soon, the cheaper way. Rows are held to the exact rules of Query.Text
// wherever the index may have offered more than they match.
func Search(ctx context.Context, tx *store.TenantTx, q Query) (Page, error) {
	p, err := plan(tx, q)
	if err != nil {
		return Page{}, err
	}
	text := strings.TrimSpace(q.Text)
	byIndex := false
	if text != "" && indexable(text) {
		n, err := countCandidates(ctx, tx, text)
		if err != nil {
			return Page{}, err
		}
		byIndex = n <= candidateCap
	}
	hits, err := p.read(ctx, tx, text, byIndex)
	if err != nil {
		return Page{}, err
	}
	return p.page(hits), nil
}

// query is a Search being built: its arguments ($2 onwards) and the
// conditions every row must meet.
type query struct {
	q        Query
	sortBy   string
	limit    int
	statuses []string // nil: any status
	cur      *cursor
	back     bool // reading backwards from cur
	desc     bool // the order read in: q.Desc, reversed when back
	dialect  store.Dialect
	args     []any
	where    []string
}

// arg adds an argument and returns its placeholder ($1 is the association).
func (p *query) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args)+1)
}

// plan checks a query and turns its filters and cursor into conditions.
func plan(tx *store.TenantTx, q Query) (*query, error) {
	p := &query{q: q, sortBy: q.Sort, limit: q.Limit, dialect: tx.Dialect()}
	if p.sortBy == "" {
		p.sortBy = SortNumber
	}
	if !slices.Contains(Sorts, p.sortBy) {
		return nil, fmt.Errorf("%w: sort %q", ErrBadQuery, q.Sort)
	}
	// Each word adds a condition over several columns: a bounded search
	// keeps one request from tying up the database.
	if len(q.Text) > MaxTextBytes || len(strings.Fields(q.Text)) > MaxTextWords {
		return nil, fmt.Errorf("%w: search text longer than %d words or %d bytes", ErrBadQuery, MaxTextWords, MaxTextBytes)
	}
	if p.limit <= 0 {
		p.limit = DefaultPageSize
	}
	p.limit = min(p.limit, MaxPageSize)

	p.statuses = q.Statuses
	if len(p.statuses) == 0 {
		p.statuses = []string{StatusActive}
	}
	if slices.Contains(p.statuses, StatusAll) {
		p.statuses = nil
	} else {
		for _, s := range p.statuses {
			if !slices.Contains(Statuses, s) {
				return nil, fmt.Errorf("%w: status %q", ErrBadQuery, s)
			}
		}
		p.statuses = slices.Compact(slices.Sorted(slices.Values(p.statuses)))
	}
	if q.Language != "" {
		if !slices.Contains(Languages, q.Language) {
			return nil, fmt.Errorf("%w: language %q", ErrBadQuery, q.Language)
		}
		p.where = append(p.where, "language = "+p.arg(q.Language))
	}
	if err := p.filters(); err != nil {
		return nil, err
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, err
		}
		if c.Sort != p.sortBy || c.Desc != q.Desc {
			return nil, fmt.Errorf("%w: cursor of another sort", ErrBadQuery)
		}
		p.cur = &c
		p.back = c.Back
	}
	// Reading backwards is reading the reversed order forwards.
	p.desc = q.Desc != p.back
	if p.cur != nil {
		if err := p.after(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// sortKeys are the expressions a sort orders by, the last one unique; they
// are those of the indexes in migration 0004, so a page is read along one.
func (p *query) sortKeys() []string {
	switch p.sortBy {
	case SortLastName:
		return []string{nameKey, "lower(first_name)", "id"}
	case SortJoined:
		return []string{p.joinedKey(), "id"}
	}
	return []string{"member_number"}
}

// outerKeys are sortKeys as the columns of a merged read names them.
func (p *query) outerKeys() []string {
	switch p.sortBy {
	case SortLastName:
		return []string{"k_name", "k_first", "id"}
	case SortJoined:
		return []string{"k_joined", "id"}
	}
	return []string{"member_number"}
}

// joinedKey is the joining date with noDate for none, written as the
// joined index of each engine writes it.
func (p *query) joinedKey() string {
	if p.dialect == store.Postgres {
		return "COALESCE(joined_on, DATE '9999-12-31')"
	}
	return "COALESCE(joined_on, '9999-12-31 00:00:00+00:00')"
}

// after adds the keyset condition: rows past the cursor in the order read.
func (p *query) after() error {
	op := ">"
	if p.desc {
		op = "<"
	}
	keys := p.sortKeys()
	switch p.sortBy {
	case SortNumber:
		n, err := strconv.ParseInt(p.cur.Key, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: cursor", ErrBadQuery)
		}
		p.where = append(p.where, "member_number "+op+" "+p.arg(n))
	case SortLastName:
		p.where = append(p.where, "("+strings.Join(keys, ", ")+") "+op+" ("+p.arg(p.cur.Key)+", "+p.arg(p.cur.Key2)+", "+p.arg(p.cur.ID)+")")
	case SortJoined:
		d, err := time.Parse(time.DateOnly, p.cur.Key)
		if err != nil {
			return fmt.Errorf("%w: cursor", ErrBadQuery)
		}
		p.where = append(p.where, "("+strings.Join(keys, ", ")+") "+op+" ("+p.arg(d)+", "+p.arg(p.cur.ID)+")")
	}
	return nil
}

// order is an ORDER BY list of keys in the order read.
func (p *query) order(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if p.desc {
			out[i] += " DESC"
		}
	}
	return strings.Join(out, ", ")
}

// hit is one row read: the member and its name sort keys.
type hit struct {
	m           Member
	name, first string
}

// read reads one page and one row more (which tells there is a next page).
// With byIndex the text's candidates are read from the word index and
// sorted; otherwise each status is read along its index in the page's order
// (the text, if any, checked row by row) and the statuses merged, so that
// no read sorts more than a page per status.
func (p *query) read(ctx context.Context, tx *store.TenantTx, text string, byIndex bool) ([]hit, error) {
	where := slices.Clone(p.where)
	// PostgreSQL's word index holds the very words the rules match, so
	// its candidates all match; SQLite's full-text index may offer more,
	// so each candidate is checked. Read along the list, every row is.
	exact := byIndex && p.dialect == store.Postgres
	if text != "" && !exact {
		where = append(where, textCondition(text, p.arg))
	}
	selectList := `SELECT ` + columns + `, ` + nameKey + ` AS k_name, lower(first_name) AS k_first, ` + p.joinedKey() + ` AS k_joined FROM members WHERE association_id = $1`
	for _, w := range where {
		selectList += " AND " + w
	}
	limit := p.arg(p.limit + 1)
	var sqlText string
	switch {
	case byIndex:
		// CROSS JOIN keeps SQLite from reading the whole list along the
		// sort index in search of the few candidates.
		join := "members.id = c.cid"
		if p.dialect == store.SQLite {
			join = "members.rowid = c.cid"
		}
		sqlText = strings.Replace(selectList, " FROM members WHERE ", " FROM ("+candidates(p.dialect, text, p.arg)+
			") AS c CROSS JOIN members WHERE "+join+" AND ", 1)
		if p.statuses != nil {
			sqlText += " AND " + p.statusIn(p.statuses)
		}
		sqlText += " ORDER BY " + p.order(p.sortKeys()) + " LIMIT " + limit
	default:
		statuses := p.statuses
		if statuses == nil {
			statuses = Statuses
		}
		var parts []string
		for _, s := range statuses {
			parts = append(parts, selectList+" AND status = "+p.arg(s)+" ORDER BY "+p.order(p.sortKeys())+" LIMIT "+limit)
		}
		sqlText = parts[0]
		if len(parts) > 1 {
			for i := range parts {
				parts[i] = "SELECT * FROM (" + parts[i] + ") AS s" + strconv.Itoa(i)
			}
			sqlText = strings.Join(parts, " UNION ALL ") + " ORDER BY " + p.order(p.outerKeys()) + " LIMIT " + limit
		}
	}
	rows, err := tx.Query(ctx, sqlText, p.args...)
	if err != nil {
		return nil, fmt.Errorf("search members: %w", err)
	}
	defer rows.Close()
	var hits []hit
	for rows.Next() {
		var h hit
		var joined any
		m, err := scan(scanExtra{rows, []any{&h.name, &h.first, &joined}})
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		h.m = m
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search members: %w", err)
	}
	return hits, nil
}

// statusIn is the condition that the status is one of statuses.
func (p *query) statusIn(statuses []string) string {
	var ps []string
	for _, s := range statuses {
		ps = append(ps, p.arg(s))
	}
	return "status IN (" + strings.Join(ps, ", ") + ")"
}

// page turns the rows read into a Page with its cursors.
func (p *query) page(hits []hit) Page {
	more := len(hits) > p.limit
	if more {
		hits = hits[:p.limit]
	}
	if p.back {
		slices.Reverse(hits)
	}
	at := func(h hit, back bool) string {
		c := cursor{Sort: p.sortBy, Desc: p.q.Desc, Back: back, ID: h.m.ID}
		switch p.sortBy {
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
	var pg Page
	for _, h := range hits {
		pg.Members = append(pg.Members, h.m)
	}
	cur := p.cur
	if len(hits) > 0 {
		first, last := hits[0], hits[len(hits)-1]
		if p.back {
			if more {
				pg.Prev = at(first, true)
			}
			pg.Next = at(last, false)
		} else {
			if cur != nil {
				pg.Prev = at(first, true)
			}
			if more {
				pg.Next = at(last, false)
			}
		}
	} else if cur != nil && !p.back {
		// Past the end: offer the way back.
		pg.Prev = (&cursor{Sort: cur.Sort, Desc: cur.Desc, Back: true, Key: cur.Key, Key2: cur.Key2, ID: cur.ID}).encode()
	}
	return pg
}

// filters adds the conditions of the fee, group and custom field filters.
// An id of another association matches nobody: its rows are not this
// association's.
func (p *query) filters() error {
	q := p.q
	if q.FeeID != "" {
		p.where = append(p.where, "fee_id = "+p.arg(q.FeeID))
	}
	if q.GroupID != "" {
		p.where = append(p.where, "id IN (SELECT member_id FROM group_members WHERE association_id = $1 AND group_id = "+
			p.arg(q.GroupID)+")")
	}
	if q.CustomValue != "" && q.CustomField == "" {
		return fmt.Errorf("%w: custom value without a custom field", ErrBadQuery)
	}
	if q.CustomField != "" {
		cond := "id IN (SELECT member_id FROM custom_values WHERE association_id = $1 AND field_id = " + p.arg(q.CustomField)
		if q.CustomValue != "" {
			cond += " AND value = " + p.arg(q.CustomValue)
		}
		p.where = append(p.where, cond+")")
	}
	return nil
}

// indexable tells whether the word index can answer a search text: every
// word, and the part before an @, has a letter or digit, which the index is
// made of. A text of punctuation only ("%") is checked row by row instead.
func indexable(text string) bool {
	words := strings.Fields(foldText(text))
	for _, w := range words {
		if !hasWordChar(w) {
			return false
		}
	}
	if local, _, ok := strings.Cut(text, "@"); ok && !strings.ContainsFunc(text, unicode.IsSpace) && !hasWordChar(local) {
		return false
	}
	return len(words) > 0
}

// hasWordChar tells whether s has a letter or digit.
func hasWordChar(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
}

// countCandidates counts the members the word index offers for a text, up
// to one more than candidateCap.
func countCandidates(ctx context.Context, tx *store.TenantTx, text string) (int, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)+1)
	}
	cands := candidates(tx.Dialect(), text, arg)
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM ("+cands+" LIMIT "+arg(candidateCap+1)+") AS c", args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count search candidates: %w", err)
	}
	return n, nil
}

// candidates is the SQL listing the members (rowids on SQLite, ids on
// PostgreSQL) whose indexed words may match a text: every word begins a
// word of the names, town or postcode; or the e-mail address begins with
// the text; or the phone number ends with its digits; or the text is the
// member number. It may list more than match, never fewer.
func candidates(d store.Dialect, text string, arg func(any) string) string {
	words := strings.Fields(foldText(text))
	lower := strings.ToLower(text)
	email := !strings.ContainsFunc(lower, unicode.IsSpace)
	digits := phoneDigits(text)
	number, err := strconv.ParseInt(text, 10, 64)
	byNumber := err == nil && number > 0
	var sqlText string
	if d == store.SQLite {
		var hay []string
		for _, w := range words {
			hay = append(hay, "hay : "+ftsPhrase(w)+"*")
		}
		alts := []string{"(" + strings.Join(hay, " AND ") + ")"}
		if email {
			// The index holds the part before the @.
			if local, _, whole := strings.Cut(lower, "@"); whole {
				alts = append(alts, "email : ^"+ftsPhrase(local))
			} else {
				alts = append(alts, "email : ^"+ftsPhrase(lower)+"*")
			}
		}
		if digits != "" {
			alts = append(alts, "tel : "+ftsPhrase(reverse(digits))+"*")
		}
		sqlText = `SELECT rowid AS cid FROM member_search WHERE member_search MATCH 'a : "' || replace($1, '-', '') || '" AND (' || ` +
			arg(strings.Join(alts, " OR ")) + ` || ')' UNION SELECT member_rowid FROM member_search_pending`
		if byNumber {
			sqlText += " UNION SELECT rowid FROM members WHERE association_id = $1 AND member_number = " + arg(number)
		}
		return sqlText
	}
	prefix := func(p string) string {
		return "SELECT member_id FROM member_words WHERE association_id = $1 AND word >= " + arg(p) +
			" AND word < " + arg(p+"\U0010FFFF")
	}
	var hay []string
	for _, w := range words {
		hay = append(hay, prefix(w))
	}
	parts := []string{"SELECT member_id AS cid FROM (" + strings.Join(hay, " INTERSECT ") + ") AS hay"}
	if email {
		parts = append(parts, prefix("\x01"+lower))
	}
	if digits != "" {
		parts = append(parts, prefix("\x02"+reverse(digits)))
	}
	if byNumber {
		parts = append(parts, "SELECT id FROM members WHERE association_id = $1 AND member_number = "+arg(number))
	}
	return strings.Join(parts, " UNION ")
}

// ftsPhrase quotes a text as an FTS5 phrase.
func ftsPhrase(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reverse reverses a string of digits.
func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
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
