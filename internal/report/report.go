// Package report runs ad-hoc and built-in reports over the member register:
// a report is a choice of columns, filters and a sort over members of every
// status (former and deceased members too), or a count of members per
// value of one field. Reports run as a stream of rows, so a report of
// 100,000 members is written to a file without being held in memory.
//
// The SQL of a report is built from a whitelist only: field names select
// entries of a fixed catalogue, operators come from a fixed list, and every
// value a user typed is bound as a parameter. A name or operator outside
// the lists is an *Error naming what was wrong.
package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/store"
)

// Definition is what a report shows. It is stored as JSON in saved reports
// and sent as JSON to the API.
type Definition struct {
	// Columns are field keys of the catalogue (see Fields), in the order
	// shown.
	Columns []string `json:"columns"`
	// Filters must all hold.
	Filters []Filter `json:"filters,omitempty"`
	// Sort is the field to sort by ("" for member number); Desc reverses.
	Sort string `json:"sort,omitempty"`
	Desc bool   `json:"desc,omitempty"`
	// GroupBy, when set, makes the report a count of members per value of
	// that field: its rows are the value and the count, and Columns and
	// Sort are not used.
	GroupBy string `json:"group_by,omitempty"`
	// MilestoneYear, when set, keeps only members who turn a milestone age
	// (see MilestoneAges) in that year, adds their age then as the column
	// "milestone_age", and sorts by birthday within the year.
	MilestoneYear int `json:"milestone_year,omitempty"`
	// MilestoneFrom and MilestoneTo narrow the milestone report to the
	// birthdays in a period of MilestoneYear (dates as YYYY-MM-DD or
	// dd.mm.yyyy, in that year, both included); either may be left out.
	MilestoneFrom string `json:"milestone_from,omitempty"`
	MilestoneTo   string `json:"milestone_to,omitempty"`
}

// Filter is one condition of a report.
type Filter struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	// Value is the value compared with; "in" takes values separated by
	// commas; "empty" and "not_empty" take none.
	Value string `json:"value,omitempty"`
}

// Error is a definition that cannot be run; Field names the part of the
// definition at fault (columns, field, op, value, sort, group_by,
// milestone_year).
type Error struct {
	Field  string
	Value  string
	Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("report %s %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("report %s %q %s", e.Field, e.Value, e.Reason)
}

// Bounds of a definition.
const (
	MaxColumns = 40
	MaxFilters = 20
)

// Column keys a report adds besides catalogue fields.
const (
	ColumnCount        = "count"
	ColumnMilestoneAge = "milestone_age"
)

// MilestoneAges are the ages whose birthdays the milestone report lists;
// from the last one on, every birthday is a milestone.
var MilestoneAges = []int{20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100}

// Check reports the first problem of a definition, or nil.
func (d Definition) Check(cat Catalogue) error {
	_, err := d.build(cat, 0, 0)
	return err
}

// OutputColumns are the keys of the columns a run of d yields.
func (d Definition) OutputColumns() []string {
	if d.GroupBy != "" {
		return []string{d.GroupBy, ColumnCount}
	}
	cols := slices.Clone(d.Columns)
	if d.MilestoneYear != 0 {
		cols = append(cols, ColumnMilestoneAge)
	}
	return cols
}

// query is a built statement: its SQL and arguments after $1 (the
// association), and the kinds of its columns.
type query struct {
	sql   string
	args  []any
	kinds []Kind
}

// sortKeys are the ORDER BY expressions of a row-level report, the last
// being the member id so that the order is total and pages do not overlap.
// Missing values sort last on both engines.
func (d Definition) sortKeys(cat Catalogue, arg func(any) string) ([]string, error) {
	dir := ""
	if d.Desc {
		dir = " DESC"
	}
	if d.MilestoneYear != 0 {
		return []string{"substr(CAST(m.birth_date AS TEXT), 6, 5)" + dir, lowerExpr(fullName) + dir, "m.id" + dir}, nil
	}
	if d.Sort == "" || d.Sort == "member_number" {
		return []string{"m.member_number" + dir, "m.id" + dir}, nil
	}
	f, ok := cat.Field(d.Sort)
	if !ok {
		return nil, &Error{Field: "sort", Value: d.Sort, Reason: "is not a field of the report catalogue"}
	}
	raw := f.sql(arg)
	expr := raw
	if f.Kind == Text {
		expr = lowerExpr(raw)
	}
	return []string{"CASE WHEN " + raw + " IS NULL THEN 1 ELSE 0 END", expr + dir, "m.member_number" + dir, "m.id" + dir}, nil
}

// build makes the statement of d, reading limit rows (0: all) from offset.
func (d Definition) build(cat Catalogue, offset, limit int) (query, error) {
	var q query
	arg := func(v any) string {
		q.args = append(q.args, v)
		return "$" + strconv.Itoa(len(q.args)+1)
	}
	if len(d.Filters) > MaxFilters {
		return q, &Error{Field: "filters", Reason: fmt.Sprintf("are more than %d", MaxFilters)}
	}
	var where []string
	for i, f := range d.Filters {
		// The same condition twice changes no result and only doubles the
		// work.
		if slices.Contains(d.Filters[:i], f) {
			return q, &Error{Field: "filters", Value: f.Field, Reason: "has the same condition twice"}
		}
		c, err := f.condition(cat, arg)
		if err != nil {
			return q, err
		}
		where = append(where, c)
	}
	if d.MilestoneYear != 0 {
		if d.MilestoneYear < 1900 || d.MilestoneYear > 2200 {
			return q, &Error{Field: "milestone_year", Value: strconv.Itoa(d.MilestoneYear), Reason: "is not a year from 1900 to 2200"}
		}
		where = append(where, "m.birth_date IS NOT NULL")
		age := ageExpr(arg(int64(d.MilestoneYear)))
		var ages []string
		for _, a := range MilestoneAges[:len(MilestoneAges)-1] {
			ages = append(ages, strconv.Itoa(a))
		}
		where = append(where, "("+age+" IN ("+strings.Join(ages, ", ")+") OR "+age+" >= "+
			strconv.Itoa(MilestoneAges[len(MilestoneAges)-1])+")")
		for _, bound := range []struct{ field, value, op string }{
			{"milestone_from", d.MilestoneFrom, ">="}, {"milestone_to", d.MilestoneTo, "<="},
		} {
			if strings.TrimSpace(bound.value) == "" {
				continue
			}
			t, ok := ParseDate(bound.value)
			if !ok || t.Year() != d.MilestoneYear {
				return q, &Error{Field: bound.field, Value: bound.value, Reason: fmt.Sprintf("is not a date in %d", d.MilestoneYear)}
			}
			where = append(where, "substr(CAST(m.birth_date AS TEXT), 6, 5) "+bound.op+" "+arg(t.Format("01-02")))
		}
	} else if d.MilestoneFrom != "" || d.MilestoneTo != "" {
		return q, &Error{Field: "milestone_from", Reason: "needs milestone_year"}
	}
	page := func() {
		if limit > 0 {
			q.sql += " LIMIT " + arg(int64(limit)) + " OFFSET " + arg(int64(offset))
		}
	}

	if d.GroupBy != "" {
		f, ok := cat.Field(d.GroupBy)
		if !ok {
			return q, &Error{Field: "group_by", Value: d.GroupBy, Reason: "is not a field of the report catalogue"}
		}
		// The grouped expression is selected in a subquery, so its
		// parameter (a custom field's id) is bound once.
		q.sql = "SELECT v, COUNT(*) FROM (SELECT " + f.sql(arg) + " AS v FROM members m WHERE m.association_id = $1"
		for _, w := range where {
			q.sql += " AND " + w
		}
		q.sql += ") t GROUP BY v ORDER BY CASE WHEN v IS NULL THEN 1 ELSE 0 END, v"
		q.kinds = []Kind{f.Kind, Number}
		page()
		return q, nil
	}

	if len(d.Columns) == 0 {
		return q, &Error{Field: "columns", Reason: "are empty: choose at least one"}
	}
	if len(d.Columns) > MaxColumns {
		return q, &Error{Field: "columns", Reason: fmt.Sprintf("are more than %d", MaxColumns)}
	}
	var sel []string
	for i, c := range d.Columns {
		f, ok := cat.Field(c)
		if !ok {
			return q, &Error{Field: "columns", Value: c, Reason: "is not a field of the report catalogue"}
		}
		// A column twice shows nothing new and only multiplies the work.
		if slices.Contains(d.Columns[:i], c) {
			return q, &Error{Field: "columns", Value: c, Reason: "is chosen twice"}
		}
		sel = append(sel, f.sql(arg))
		q.kinds = append(q.kinds, f.Kind)
	}
	if d.MilestoneYear != 0 {
		sel = append(sel, ageExpr(arg(int64(d.MilestoneYear))))
		q.kinds = append(q.kinds, Number)
	}
	keys, err := d.sortKeys(cat, arg)
	if err != nil {
		return q, err
	}
	q.sql = "SELECT " + strings.Join(sel, ", ") + " FROM members m WHERE m.association_id = $1"
	for _, w := range where {
		q.sql += " AND " + w
	}
	q.sql += " ORDER BY " + strings.Join(keys, ", ")
	page()
	return q, nil
}

// ageExpr is the age a member turns in the year bound as yearArg: the year
// less the birth year, read from the date's text (YYYY-… on both engines).
func ageExpr(yearArg string) string {
	return "(" + yearArg + " - CAST(substr(CAST(m.birth_date AS TEXT), 1, 4) AS INTEGER))"
}

// Value is one cell of a report: text, a date (zero when empty), a number
// or a yes/no, by the column's kind.
type Value struct {
	Kind Kind
	Text string
	Date time.Time
	Num  int64
	Bool bool
	Null bool
}

// String writes the value for people: dates as dd.mm.yyyy, as Finnish and
// Swedish readers (and their spreadsheets) expect.
func (v Value) String() string { return v.Format("02.01.2006") }

// Format writes the value with dates in the given layout.
func (v Value) Format(dateLayout string) string {
	if v.Null {
		return ""
	}
	switch v.Kind {
	case Date:
		return v.Date.Format(dateLayout)
	case Number:
		return strconv.FormatInt(v.Num, 10)
	case Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	}
	return v.Text
}

// Row is one row of a report.
type Row []Value

// Strings writes a row's values with dates in the given layout.
func (r Row) Strings(dateLayout string) []string {
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = v.Format(dateLayout)
	}
	return out
}

// Rows is a running report. Read it with All, then check Err; Close it
// when done (All closes it at the end).
type Rows struct {
	rows  *sql.Rows
	kinds []Kind
	err   error
	n     int
}

// Run starts d in the transaction. Reading the rows streams them from the
// database: a large report is never held in memory.
func Run(ctx context.Context, tx *store.TenantTx, d Definition) (*Rows, error) {
	return run(ctx, tx, d, 0, 0)
}

func run(ctx context.Context, tx *store.TenantTx, d Definition, offset, limit int) (*Rows, error) {
	cat, err := LoadCatalogue(ctx, tx)
	if err != nil {
		return nil, err
	}
	q, err := d.build(cat, offset, limit)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("run report: %w", err)
	}
	return &Rows{rows: rows, kinds: q.kinds}, nil
}

// All yields the rows in order. It stops at the first error, which Err
// then returns.
func (r *Rows) All() iter.Seq[Row] {
	return func(yield func(Row) bool) {
		defer r.Close()
		for r.rows.Next() {
			row, err := r.scan()
			if err != nil {
				r.err = err
				return
			}
			r.n++
			if !yield(row) {
				return
			}
		}
		if err := r.rows.Err(); err != nil {
			r.err = fmt.Errorf("run report: %w", err)
		}
	}
}

// Strings yields the rows as text, dates in the given layout, for the
// export writers.
func (r *Rows) Strings(dateLayout string) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for row := range r.All() {
			if !yield(row.Strings(dateLayout)) {
				return
			}
		}
	}
}

// Count is how many rows were read so far.
func (r *Rows) Count() int { return r.n }

// Err is the error that stopped reading, if any.
func (r *Rows) Err() error { return r.err }

// Close ends the query; the transaction can be used again after it.
func (r *Rows) Close() error { return r.rows.Close() }

func (r *Rows) scan() (Row, error) {
	raw := make([]any, len(r.kinds))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("read report row: %w", err)
	}
	row := make(Row, len(r.kinds))
	for i, k := range r.kinds {
		v, err := toValue(k, raw[i])
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

// Page is one page of a report's rows; Next continues after it ("" at the
// end).
type Page struct {
	Rows []Row
	Next string
}

// Bounds of a page.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// ReadPage reads limit rows of d (DefaultPageSize when 0, at most
// MaxPageSize) from where cursor points ("" for the first page).
func ReadPage(ctx context.Context, tx *store.TenantTx, d Definition, cursor string, limit int) (Page, error) {
	offset := 0
	if cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, "o"))
		if err != nil || n < 0 || !strings.HasPrefix(cursor, "o") {
			return Page{}, ErrBadCursor
		}
		offset = n
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	rows, err := run(ctx, tx, d, offset, limit+1)
	if err != nil {
		return Page{}, err
	}
	var p Page
	for row := range rows.All() {
		p.Rows = append(p.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(p.Rows) > limit {
		p.Rows = p.Rows[:limit]
		p.Next = "o" + strconv.Itoa(offset+limit)
	}
	return p, nil
}

// toValue converts what the driver returned for a column of kind k.
// SQLite returns dates as text or time and booleans as integers;
// PostgreSQL returns time.Time and bool.
func toValue(k Kind, raw any) (Value, error) {
	v := Value{Kind: k}
	if raw == nil {
		v.Null = true
		return v, nil
	}
	switch k {
	case Date:
		switch x := raw.(type) {
		case time.Time:
			v.Date = x.UTC()
		case string:
			t, ok := parseStoredDate(x)
			if !ok {
				return v, fmt.Errorf("read report: date %q", x)
			}
			v.Date = t
		case []byte:
			t, ok := parseStoredDate(string(x))
			if !ok {
				return v, fmt.Errorf("read report: date %q", x)
			}
			v.Date = t
		default:
			return v, fmt.Errorf("read report: date of type %T", raw)
		}
	case Number:
		switch x := raw.(type) {
		case int64:
			v.Num = x
		case int32:
			v.Num = int64(x)
		case float64:
			v.Num = int64(x)
		case []byte:
			n, _ := strconv.ParseInt(string(x), 10, 64)
			v.Num = n
		case string:
			n, _ := strconv.ParseInt(x, 10, 64)
			v.Num = n
		default:
			return v, fmt.Errorf("read report: number of type %T", raw)
		}
	case Bool:
		switch x := raw.(type) {
		case bool:
			v.Bool = x
		case int64:
			v.Bool = x != 0
		default:
			return v, fmt.Errorf("read report: yes/no of type %T", raw)
		}
	default:
		switch x := raw.(type) {
		case string:
			v.Text = x
		case []byte:
			v.Text = string(x)
		default:
			v.Text = fmt.Sprint(x)
		}
	}
	return v, nil
}

// parseStoredDate reads a date as SQLite stores it: YYYY-MM-DD, optionally
// followed by a time.
func parseStoredDate(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	return t, err == nil
}

// ParseDate reads a date typed as dd.mm.yyyy (as people in Finland and
// Sweden write it; d.m.yyyy too) or YYYY-MM-DD.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2.1.2006", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// ErrBadCursor is returned for a cursor that Page did not give.
var ErrBadCursor = errors.New("report cursor is not one this report gave")
