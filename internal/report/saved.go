package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// Kinds of saved report.
const (
	// SavedReport holds a Definition.
	SavedReport = "report"
	// SavedSearch holds the query string of the member list (q, status,
	// sort, dir), so a saved search opens the list as it was.
	SavedSearch = "member_search"
)

// Stored is what a saved report's definition column holds.
type Stored struct {
	Kind       string      `json:"kind"`
	Definition *Definition `json:"definition,omitempty"`
	Query      string      `json:"query,omitempty"`
}

// Saved is a report or member-list search saved by an association.
type Saved struct {
	ID        string
	Name      string
	Stored    Stored
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrNotFound is returned for a saved report that is not in this
// association.
var ErrNotFound = errors.New("saved report not found")

// MaxNameLength bounds a saved report's name, in characters.
const MaxNameLength = 100

// searchParams are the member list's query parameters a saved search keeps.
var searchParams = []string{"q", "status", "sort", "dir", "fee", "group", "field", "value"}

// SearchQuery keeps only the member list's search parameters of a query
// string, in a fixed order.
func SearchQuery(v url.Values) string {
	out := url.Values{}
	for _, k := range searchParams {
		if s := strings.TrimSpace(v.Get(k)); s != "" {
			out.Set(k, s)
		}
	}
	return out.Encode()
}

// AuditedSearch is SearchQuery as the audit trail keeps it: the search
// text is usually a person's name or address, which the trail must not
// repeat (nor keep after the member is erased), so only its length is
// recorded (and a custom field value's); status, sort and the fee, group
// and field ids stay as they are.
func AuditedSearch(v url.Values) string {
	out, err := url.ParseQuery(SearchQuery(v))
	if err != nil {
		return ""
	}
	// A custom field's value (a licence number, …) may be as personal.
	for _, k := range []string{"q", "value"} {
		if v := out.Get(k); v != "" {
			out.Set(k, fmt.Sprintf("(%d characters)", utf8.RuneCountInString(v)))
		}
	}
	return out.Encode()
}

// Save stores a new saved report or search under name, auditing it in the
// same transaction. A definition that does not run, an empty or duplicate
// name are errors naming the field.
func Save(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, name string, st Stored, createdBy string) (Saved, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Saved{}, &Error{Field: "name", Reason: "is required"}
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return Saved{}, &Error{Field: "name", Reason: fmt.Sprintf("is longer than %d characters", MaxNameLength)}
	}
	switch st.Kind {
	case SavedReport:
		if st.Definition == nil {
			return Saved{}, &Error{Field: "definition", Reason: "is missing"}
		}
		cat, err := LoadCatalogue(ctx, tx)
		if err != nil {
			return Saved{}, err
		}
		if err := st.Definition.Check(cat); err != nil {
			return Saved{}, err
		}
		st.Query = ""
	case SavedSearch:
		q, err := url.ParseQuery(st.Query)
		if err != nil {
			return Saved{}, &Error{Field: "query", Reason: "is not a query string"}
		}
		st.Query, st.Definition = SearchQuery(q), nil
	default:
		return Saved{}, &Error{Field: "kind", Value: st.Kind, Reason: "is not report or member_search"}
	}
	body, err := json.Marshal(st)
	if err != nil {
		return Saved{}, fmt.Errorf("save report: %w", err)
	}
	s := Saved{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Stored: st, CreatedBy: createdBy, CreatedAt: now, UpdatedAt: now}
	_, err = tx.Exec(ctx, `INSERT INTO saved_reports (association_id, id, name, definition, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.ID, s.Name, string(body), s.CreatedBy, now, now)
	if store.IsUniqueViolation(err) {
		return Saved{}, &Error{Field: "name", Value: name, Reason: "is already the name of a saved report"}
	}
	if err != nil {
		return Saved{}, fmt.Errorf("save report: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "report.save", ObjectType: "saved_report", ObjectID: s.ID,
		Details: map[string]any{"name": s.Name, "kind": st.Kind}}); err != nil {
		return Saved{}, err
	}
	return s, nil
}

// ListSaved lists the association's saved reports and searches by name.
func ListSaved(ctx context.Context, tx *store.TenantTx) ([]Saved, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, definition, created_by, created_at, updated_at FROM saved_reports
		WHERE association_id = $1 ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list saved reports: %w", err)
	}
	defer rows.Close()
	var out []Saved
	for rows.Next() {
		s, err := scanSaved(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetSaved reads one saved report; ErrNotFound when it is not the
// association's.
func GetSaved(ctx context.Context, tx *store.TenantTx, id string) (Saved, error) {
	s, err := scanSaved(tx.QueryRow(ctx, `SELECT id, name, definition, created_by, created_at, updated_at
		FROM saved_reports WHERE association_id = $1 AND id = $2`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// DeleteSaved removes a saved report, auditing it in the same transaction.
func DeleteSaved(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	s, err := GetSaved(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM saved_reports WHERE association_id = $1 AND id = $2`, id); err != nil {
		return fmt.Errorf("delete saved report: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "report.delete", ObjectType: "saved_report", ObjectID: id,
		Details: map[string]any{"name": s.Name}})
}

func scanSaved(row interface{ Scan(...any) error }) (Saved, error) {
	var s Saved
	var body string
	if err := row.Scan(&s.ID, &s.Name, &body, &s.CreatedBy, &s.CreatedAt, &s.UpdatedAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, err
		}
		return s, fmt.Errorf("read saved report: %w", err)
	}
	if err := json.Unmarshal([]byte(body), &s.Stored); err != nil {
		return s, fmt.Errorf("read saved report %s: %w", s.ID, err)
	}
	return s, nil
}
