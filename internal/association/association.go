// Package association manages the tenants: each association (förening,
// yhdistys) keeps its own register, users and settings.
package association

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// Association is one tenant.
type Association struct {
	ID              string
	Name            string
	DefaultLanguage string
	RequireMFA      bool
	CreatedAt       time.Time
}

// ErrNotFound is returned for an unknown association.
var ErrNotFound = errors.New("association not found")

// Languages are the languages the register speaks.
var Languages = []string{"fi", "sv", "en"}

// ValidLanguage reports whether lang is one of Languages.
func ValidLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// CheckName validates an association's name.
func CheckName(name string) (string, error) { return valid.Text("name", name, 200) }

// Create adds an association inside tx and audits it.
func Create(ctx context.Context, tx *store.Tx, rec *audit.Recorder, now time.Time, name, lang string) (Association, error) {
	name, err := CheckName(name)
	if err != nil {
		return Association{}, err
	}
	if !ValidLanguage(lang) {
		return Association{}, fmt.Errorf("language: %q is not one of fi, sv, en", lang)
	}
	a := Association{ID: uuid.Must(uuid.NewV7()).String(), Name: name, DefaultLanguage: lang, CreatedAt: now.UTC()}
	if _, err := tx.Exec(ctx, `INSERT INTO associations (id, name, default_language, require_mfa, created_at)
		VALUES ($1, $2, $3, $4, $5)`, a.ID, a.Name, a.DefaultLanguage, false, a.CreatedAt); err != nil {
		return Association{}, fmt.Errorf("create association: %w", err)
	}
	err = rec.Record(ctx, tx, audit.Event{Action: "association.create", ObjectType: "association", ObjectID: a.ID,
		Changes: []audit.Change{{Field: "name", After: a.Name}, {Field: "default_language", After: lang}}})
	return a, err
}

// Get reads one association.
func Get(ctx context.Context, tx *store.Tx, id string) (Association, error) {
	var a Association
	err := tx.QueryRow(ctx, `SELECT id, name, default_language, require_mfa, created_at FROM associations WHERE id = $1`, id).
		Scan(&a.ID, &a.Name, &a.DefaultLanguage, &a.RequireMFA, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("read association: %w", err)
	}
	return a, nil
}

// Summary is what an operator sees of an association: no member data.
type Summary struct {
	Association
	Users int
}

// List returns every association with its number of users, for operators.
func List(ctx context.Context, tx *store.Tx) ([]Summary, error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.name, a.default_language, a.require_mfa, a.created_at,
		(SELECT COUNT(*) FROM memberships m WHERE m.association_id = a.id)
		FROM associations a ORDER BY a.name`)
	if err != nil {
		return nil, fmt.Errorf("list associations: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var s Summary
		if err := rows.Scan(&s.ID, &s.Name, &s.DefaultLanguage, &s.RequireMFA, &s.CreatedAt, &s.Users); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Settings are what an association's administrators may change.
type Settings struct {
	Name            string
	DefaultLanguage string
	RequireMFA      bool
}

// UpdateSettings changes the association's settings and audits each field
// that changed.
func UpdateSettings(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, s Settings) error {
	name, err := CheckName(s.Name)
	if err != nil {
		return err
	}
	if !ValidLanguage(s.DefaultLanguage) {
		return fmt.Errorf("default_language: %q is not one of fi, sv, en", s.DefaultLanguage)
	}
	old, err := Get(ctx, tx.Platform(), tx.AssociationID())
	if err != nil {
		return err
	}
	var changes []audit.Change
	if old.Name != name {
		changes = append(changes, audit.Change{Field: "name", Before: old.Name, After: name})
	}
	if old.DefaultLanguage != s.DefaultLanguage {
		changes = append(changes, audit.Change{Field: "default_language", Before: old.DefaultLanguage, After: s.DefaultLanguage})
	}
	if old.RequireMFA != s.RequireMFA {
		changes = append(changes, audit.Change{Field: "require_mfa", Before: fmt.Sprint(old.RequireMFA), After: fmt.Sprint(s.RequireMFA)})
	}
	if len(changes) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE associations SET name = $2, default_language = $3, require_mfa = $4 WHERE id = $1`,
		name, s.DefaultLanguage, s.RequireMFA); err != nil {
		return fmt.Errorf("update settings: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "association.settings", ObjectType: "association",
		ObjectID: tx.AssociationID(), Changes: changes})
}
