package customer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"seura.fi/seura/internal/store"
)

// Query selects customers for Search.
type Query struct {
	// Text matches the start of the name (last or first name, or any word
	// of an organisation's name), of the e-mail address, or the customer
	// number exactly; case does not matter.
	Text string
	// After is the Next of the previous page ("" for the first).
	After string
	// Limit is the page size (default 50, at most 500).
	Limit int
}

// Page is one page of Search, in name order.
type Page struct {
	Customers []Customer
	// Next continues after this page; "" on the last page.
	Next string
}

// ErrBadCursor is returned for an After that Search did not give out.
var ErrBadCursor = errors.New("customer list: bad page cursor")

// cursor is the keyset position after a page: the last row's sort name
// and id, which together are unique.
func encodeCursor(sortName, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sortName + "\x00" + id))
}

func decodeCursor(s string) (name, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", ErrBadCursor
	}
	name, id, ok := strings.Cut(string(b), "\x00")
	if !ok {
		return "", "", ErrBadCursor
	}
	return name, id, nil
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Search lists the association's customers matching q, a page at a time
// (keyset paging, so a page costs the same however deep it is).
func Search(ctx context.Context, tx *store.TenantTx, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	where := []string{"association_id = $1"}
	args := []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)+1)
	}
	if text := strings.ToLower(strings.Join(strings.Fields(q.Text), " ")); text != "" {
		prefix := escapeLike(text) + "%"
		p := arg(prefix)
		conds := []string{
			"sort_name LIKE " + p + ` ESCAPE '\'`,
			"sort_name LIKE " + arg("% "+prefix) + ` ESCAPE '\'`,
			"email LIKE " + p + ` ESCAPE '\'`,
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > 0 {
			conds = append(conds, "customer_number = "+arg(n))
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
	}
	if q.After != "" {
		name, id, err := decodeCursor(q.After)
		if err != nil {
			return Page{}, err
		}
		n, i := arg(name), arg(id)
		where = append(where, "(sort_name > "+n+" OR (sort_name = "+n+" AND id > "+i+"))")
	}
	query := `SELECT ` + columns + `, sort_name FROM customers WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY sort_name, id LIMIT ` + arg(limit+1)
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return Page{}, fmt.Errorf("search customers: %w", err)
	}
	defer rows.Close()
	var page Page
	var lastSortName string
	for rows.Next() {
		var sortName string
		c, err := scan(scanExtra{rows, &sortName})
		if err != nil {
			return Page{}, fmt.Errorf("search customers: %w", err)
		}
		if len(page.Customers) < limit {
			lastSortName = sortName
		}
		page.Customers = append(page.Customers, c)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("search customers: %w", err)
	}
	if len(page.Customers) > limit {
		page.Customers = page.Customers[:limit]
		page.Next = encodeCursor(lastSortName, page.Customers[limit-1].ID)
	}
	return page, nil
}

// scanExtra scans a row with columns after the card's into extra.
type scanExtra struct {
	row   interface{ Scan(...any) error }
	extra *string
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }
