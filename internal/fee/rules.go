package fee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// Longest values accepted, in characters, and the highest price: a yearly
// fee above a million euros is a typing mistake, not a fee.
const (
	maxName        = 100
	maxDescription = 1000
	maxProduct     = 50
	maxPriceCents  = 100_000_000
	maxAge         = 150
)

// FieldError is one problem with one field of a fee. Field is the field's
// JSON name (as in Fee's json tags), so a form or a problem+json answer can
// point at it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Problems is the error returned when a fee does not validate. Nothing is
// written when it is returned.
type Problems []FieldError

func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Error()
	}
	return "invalid fee: " + strings.Join(parts, "; ")
}

// ErrInUse is returned when deleting a fee that members still have: their
// fee must be changed first, so no member is left without knowing it.
var ErrInUse = errors.New("fee is in use")

// InUseError says how many members still have the fee.
type InUseError struct{ Members int64 }

func (e *InUseError) Error() string {
	return fmt.Sprintf("fee is in use by %d members; change their fee first", e.Members)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// Normalize trims the texts.
func (f Fee) Normalize() Fee {
	f.Name = strings.TrimSpace(f.Name)
	f.Description = strings.TrimSpace(f.Description)
	f.Product = strings.TrimSpace(f.Product)
	return f
}

// Validate lists the fee's problems: a name is required, the price is not
// negative, the age is 0..150, and an age-based fee names the age at which
// members move to it.
func (f Fee) Validate() []FieldError {
	var ps []FieldError
	add := func(field, msg string) { ps = append(ps, FieldError{Field: field, Message: msg}) }
	switch {
	case f.Name == "":
		add("name", "required")
	case utf8.RuneCountInString(f.Name) > maxName:
		add("name", fmt.Sprintf("at most %d characters", maxName))
	}
	if utf8.RuneCountInString(f.Description) > maxDescription {
		add("description", fmt.Sprintf("at most %d characters", maxDescription))
	}
	if utf8.RuneCountInString(f.Product) > maxProduct {
		add("product", fmt.Sprintf("at most %d characters", maxProduct))
	}
	switch {
	case f.PriceCents < 0:
		add("price_cents", "cannot be negative")
	case f.PriceCents > maxPriceCents:
		add("price_cents", "is too large")
	}
	switch {
	case f.AgeFrom != nil && (*f.AgeFrom < 0 || *f.AgeFrom > maxAge):
		add("age_from", fmt.Sprintf("must be between 0 and %d", maxAge))
	case f.AgeBased && f.AgeFrom == nil:
		add("age_from", "required for an age-based fee")
	}
	if f.Position < 0 {
		add("position", "cannot be negative")
	}
	return ps
}

// ParsePrice reads a price typed in euros: "25,00", "25.00", "25", "25,5",
// "1 250,00" or "25,00 €". Field is named in the error.
func ParsePrice(field, s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if s == "" {
		return 0, fmt.Errorf("%s: required", field)
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%s: cannot be negative", field)
	}
	euros, cents, hasCents := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if !allDigits(euros) || (hasCents && (!allDigits(cents) || len(cents) > 2)) {
		return 0, fmt.Errorf("%s: must be an amount in euros, such as 25,00", field)
	}
	if len(cents) == 1 {
		cents += "0"
	}
	if cents == "" {
		cents = "00"
	}
	if len(euros) > 7 {
		return 0, fmt.Errorf("%s: is too large", field)
	}
	e, _ := strconv.ParseInt(euros, 10, 64)
	c, _ := strconv.ParseInt(cents, 10, 64)
	total := e*100 + c
	if total > maxPriceCents {
		return 0, fmt.Errorf("%s: is too large", field)
	}
	return total, nil
}

// ParseAge reads an age in whole years, 0..150; "" is no age (nil).
func ParseAge(field, s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if !allDigits(s) || len(s) > 3 {
		return nil, fmt.Errorf("%s: must be a whole number of years", field)
	}
	n, _ := strconv.Atoi(s)
	if n > maxAge {
		return nil, fmt.Errorf("%s: must be between 0 and %d", field, maxAge)
	}
	return &n, nil
}

// FormatPrice writes cents as euros with a decimal comma: "25,00 €".
func FormatPrice(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d\u00a0€", sign, cents/100, cents%100)
}

// FormatAmount writes cents as a form value without the currency: "25,00".
func FormatAmount(cents int64) string {
	return fmt.Sprintf("%d,%02d", cents/100, cents%100)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// auditFields are the fee's values as the audit trail records them.
func auditFields(f Fee) [][2]string {
	age := ""
	if f.AgeFrom != nil {
		age = strconv.Itoa(*f.AgeFrom)
	}
	return [][2]string{
		{"name", f.Name}, {"description", f.Description}, {"product", f.Product},
		{"price_cents", strconv.FormatInt(f.PriceCents, 10)}, {"age_from", age},
		{"age_based", strconv.FormatBool(f.AgeBased)}, {"is_default", strconv.FormatBool(f.IsDefault)},
		{"position", strconv.Itoa(f.Position)},
	}
}

// diff lists the fields that differ between before and after; against the
// zero Fee it lists every field set.
func diff(before, after Fee) []audit.Change {
	b, a := auditFields(before), auditFields(after)
	var out []audit.Change
	for i := range a {
		if b[i][1] != a[i][1] {
			out = append(out, audit.Change{Field: a[i][0], Before: b[i][1], After: a[i][1]})
		}
	}
	return out
}

func ageArg(age *int) any {
	if age == nil {
		return nil
	}
	return *age
}

// Create validates a new fee and inserts it with a "fee.create" audit
// event. A fee marked default takes the place of the previous default.
// Position 0 puts the fee last.
func Create(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, f Fee) (Fee, error) {
	f = f.Normalize()
	if ps := f.Validate(); len(ps) > 0 {
		return Fee{}, Problems(ps)
	}
	if f.Position == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM fees WHERE association_id = $1`).
			Scan(&f.Position); err != nil {
			return Fee{}, fmt.Errorf("next fee position: %w", err)
		}
	}
	if f.IsDefault {
		if err := clearDefault(ctx, tx, rec, now, ""); err != nil {
			return Fee{}, err
		}
	}
	f.ID = uuid.Must(uuid.NewV7()).String()
	f.CreatedAt, f.UpdatedAt = now, now
	_, err := tx.Exec(ctx, `INSERT INTO fees (association_id, id, name, description, product, price_cents, age_from,
		age_based, is_default, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		f.ID, f.Name, f.Description, f.Product, f.PriceCents, ageArg(f.AgeFrom), f.AgeBased, f.IsDefault, f.Position,
		now, now)
	if store.IsUniqueViolation(err) {
		return Fee{}, Problems{{Field: "name", Message: "is already in use"}}
	}
	if err != nil {
		return Fee{}, fmt.Errorf("insert fee: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "fee.create", ObjectType: "fee", ObjectID: f.ID,
		Changes: diff(Fee{}, f)}); err != nil {
		return Fee{}, err
	}
	return f, nil
}

// Update replaces a fee's values with next's and writes a "fee.update"
// audit event listing what changed. Nothing changed writes nothing.
func Update(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string, next Fee) (Fee, error) {
	before, err := Get(ctx, tx, id)
	if err != nil {
		return Fee{}, err
	}
	next = next.Normalize()
	next.ID, next.CreatedAt, next.UpdatedAt = before.ID, before.CreatedAt, before.UpdatedAt
	if next.Position == 0 {
		next.Position = before.Position
	}
	if ps := next.Validate(); len(ps) > 0 {
		return Fee{}, Problems(ps)
	}
	changes := diff(before, next)
	if len(changes) == 0 {
		return before, nil
	}
	if next.IsDefault && !before.IsDefault {
		if err := clearDefault(ctx, tx, rec, now, id); err != nil {
			return Fee{}, err
		}
	}
	next.UpdatedAt = now
	_, err = tx.Exec(ctx, `UPDATE fees SET name = $3, description = $4, product = $5, price_cents = $6, age_from = $7,
		age_based = $8, is_default = $9, position = $10, updated_at = $11 WHERE association_id = $1 AND id = $2`,
		id, next.Name, next.Description, next.Product, next.PriceCents, ageArg(next.AgeFrom), next.AgeBased,
		next.IsDefault, next.Position, now)
	if store.IsUniqueViolation(err) {
		return Fee{}, Problems{{Field: "name", Message: "is already in use"}}
	}
	if err != nil {
		return Fee{}, fmt.Errorf("update fee: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "fee.update", ObjectType: "fee", ObjectID: id,
		Changes: changes}); err != nil {
		return Fee{}, err
	}
	return next, nil
}

// SetDefault makes fee id the one new members get, or, with id "", leaves
// the association without a default. Each fee whose flag changes gets a
// "fee.update" audit event.
func SetDefault(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string) error {
	if id == "" {
		return clearDefault(ctx, tx, rec, now, "")
	}
	f, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if f.IsDefault {
		return nil
	}
	next := f
	next.IsDefault = true
	_, err = Update(ctx, tx, rec, now, id, next)
	return err
}

// clearDefault removes the default flag from the current default fee
// (unless it is keep), auditing the change.
func clearDefault(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, keep string) error {
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM fees WHERE association_id = $1 AND is_default`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || id == keep && err == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read default fee: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE fees SET is_default = FALSE, updated_at = $3 WHERE association_id = $1 AND id = $2`,
		id, now); err != nil {
		return fmt.Errorf("clear default fee: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "fee.update", ObjectType: "fee", ObjectID: id,
		Changes: []audit.Change{{Field: "is_default", Before: "true", After: "false"}}})
}

// Delete removes a fee no member has, with a "fee.delete" audit event. A
// fee that members (of any status) still have is refused with InUseError.
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	f, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	var n int64
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM members WHERE association_id = $1 AND fee_id = $2`, id).
		Scan(&n); err != nil {
		return fmt.Errorf("count members of fee: %w", err)
	}
	if n > 0 {
		return &InUseError{Members: n}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM fees WHERE association_id = $1 AND id = $2`, id); err != nil {
		return fmt.Errorf("delete fee: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "fee.delete", ObjectType: "fee", ObjectID: id,
		Changes: diff(f, Fee{})})
}
