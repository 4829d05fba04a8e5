package postcode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// ErrNotFound is returned by Delete for a postcode the association has not
// overridden.
var ErrNotFound = errors.New("postcode override not found")

// FieldError is a problem with one field of an override: Field is "postcode"
// or "town", so a form can show the message beside it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// fieldError turns a validator's "field: reason" error into a FieldError.
func fieldError(field string, err error) *FieldError {
	return &FieldError{Field: field, Message: strings.TrimPrefix(err.Error(), field+": ")}
}

// checkOverride validates and normalises an override's postcode and town.
func checkOverride(code, town string) (string, string, error) {
	code, err := valid.Postcode("postcode", "FI", code)
	if err != nil {
		return "", "", fieldError("postcode", err)
	}
	town, err = valid.Text("town", town, MaxTown)
	if err != nil {
		return "", "", fieldError("town", err)
	}
	if strings.ContainsFunc(town, isControl) {
		return "", "", &FieldError{Field: "town", Message: "contains characters that are not allowed"}
	}
	return code, town, nil
}

// Set makes town the association's name for postcode code (adding or
// replacing its override) and audits it as "postcode.override.set", in tx.
// Setting the town it already has writes nothing.
func Set(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, code, town string) error {
	code, town, err := checkOverride(code, town)
	if err != nil {
		return err
	}
	old, exists, err := override(ctx, tx, code)
	if err != nil {
		return err
	}
	switch {
	case exists && old == town:
		return nil
	case exists:
		_, err = tx.Exec(ctx, `UPDATE association_postcodes SET town = $3, updated_at = $4
			WHERE association_id = $1 AND postcode = $2`, code, town, now.UTC())
	default:
		_, err = tx.Exec(ctx, `INSERT INTO association_postcodes (association_id, postcode, town, updated_at)
			VALUES ($1, $2, $3, $4)`, code, town, now.UTC())
	}
	if err != nil {
		return fmt.Errorf("save postcode override %s: %w", code, err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "postcode.override.set", ObjectType: "postcode",
		ObjectID: code, Changes: []audit.Change{{Field: "town", Before: old, After: town}}})
}

// Delete removes the association's override of code, so the platform
// table's town applies again, and audits it as "postcode.override.delete".
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, code string) error {
	code = strings.TrimSpace(code)
	old, exists, err := override(ctx, tx, code)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("%w: %s", ErrNotFound, code)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM association_postcodes WHERE association_id = $1 AND postcode = $2`, code); err != nil {
		return fmt.Errorf("delete postcode override %s: %w", code, err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "postcode.override.delete", ObjectType: "postcode",
		ObjectID: code, Changes: []audit.Change{{Field: "town", Before: old}}})
}

// override reads the association's town for code, if it has one.
func override(ctx context.Context, tx *store.TenantTx, code string) (string, bool, error) {
	var town string
	err := tx.QueryRow(ctx, `SELECT town FROM association_postcodes WHERE association_id = $1 AND postcode = $2`, code).Scan(&town)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read postcode override %s: %w", code, err)
	}
	return town, true, nil
}

// Row is one postcode as an association sees it.
type Row struct {
	Code   string
	TownFI string
	TownSV string
	// Municipality is the platform table's, "" for a postcode only the
	// association knows.
	Municipality string
	// Override is the association's own town, "" when it has none.
	Override string
}

// Town is the name Lookup gives for lang.
func (r Row) Town(lang string) string {
	switch {
	case r.Override != "":
		return r.Override
	case lang == "sv" && r.TownSV != "":
		return r.TownSV
	}
	return r.TownFI
}

// Query selects postcodes for List.
type Query struct {
	// Text matches the start of the postcode or of a town name (Finnish,
	// Swedish or the association's own), ignoring case.
	Text string
	// OnlyOverrides lists only the association's overrides.
	OnlyOverrides bool
	// After is the last postcode of the previous page ("" for the first).
	After string
	// Limit is the page size (default 50, at most 200).
	Limit int
}

// Page is one page of List.
type Page struct {
	Rows []Row
	// Next is the After of the next page, "" on the last page.
	Next string
}

// List returns the postcodes matching q in postcode order, the platform
// table merged with the association's overrides (and the postcodes only
// the association knows), one page at a time.
func List(ctx context.Context, tx *store.TenantTx, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	text := strings.ToUpper(strings.TrimSpace(q.Text))
	prefix := escapeLike(text) + "%"
	// Both halves are bound to the association as $1: the platform rows
	// joined with its overrides, and its overrides of postcodes the platform
	// table lacks.
	query := `SELECT postcode, town_fi, town_sv, municipality, override FROM (
		SELECT p.postcode, p.town_fi, p.town_sv, p.municipality, COALESCE(o.town, '') AS override
		FROM postcodes p LEFT JOIN association_postcodes o ON o.postcode = p.postcode AND o.association_id = $1
		UNION ALL
		SELECT o.postcode, '', '', '', o.town FROM association_postcodes o
		WHERE o.association_id = $1 AND NOT EXISTS (SELECT 1 FROM postcodes p WHERE p.postcode = o.postcode)
	) x WHERE postcode > $2
	AND ($3 = '%' OR postcode LIKE $3 ESCAPE '\' OR UPPER(town_fi) LIKE $3 ESCAPE '\'
		OR UPPER(town_sv) LIKE $3 ESCAPE '\' OR UPPER(override) LIKE $3 ESCAPE '\')
	AND ($4 = 0 OR override <> '')
	ORDER BY postcode LIMIT $5`
	only := 0
	if q.OnlyOverrides {
		only = 1
	}
	rows, err := tx.Query(ctx, query, q.After, prefix, only, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("list postcodes: %w", err)
	}
	defer rows.Close()
	var page Page
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Code, &r.TownFI, &r.TownSV, &r.Municipality, &r.Override); err != nil {
			return Page{}, fmt.Errorf("list postcodes: %w", err)
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("list postcodes: %w", err)
	}
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		page.Next = page.Rows[limit-1].Code
	}
	return page, nil
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
