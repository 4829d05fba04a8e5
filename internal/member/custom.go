package member

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// Kinds of custom field. The kind decides how a value is checked and the
// canonical form it is stored in.
const (
	FieldText   = "text"   // one line of text
	FieldNumber = "number" // a decimal number, stored as "12.5"
	FieldDate   = "date"   // a date, stored as "2026-01-31"
	FieldYesNo  = "yesno"  // yes or no, stored as "true" or "false"
	FieldChoice = "choice" // one of the field's choices, stored as written there
)

// FieldKinds lists the kinds in the order forms offer them.
var FieldKinds = []string{FieldText, FieldNumber, FieldDate, FieldYesNo, FieldChoice}

// Limits on custom fields and their values, in characters.
const (
	maxFieldName   = 60
	maxChoices     = 100
	maxChoice      = 100
	maxCustomText  = 500
	maxNumberChars = 30
)

// CustomField is one field an association adds to its member cards.
type CustomField struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Choices   []string  `json:"choices,omitempty"`
	Required  bool      `json:"required"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrFieldNotFound is returned for a custom field that is not this
// association's.
var ErrFieldNotFound = errors.New("custom field not found")

const fieldColumns = `id, name, kind, choices, required, position, created_at`

func scanField(row interface{ Scan(...any) error }) (CustomField, error) {
	var f CustomField
	var choices string
	if err := row.Scan(&f.ID, &f.Name, &f.Kind, &choices, &f.Required, &f.Position, &f.CreatedAt); err != nil {
		return f, err
	}
	if choices != "" && choices != "[]" {
		if err := json.Unmarshal([]byte(choices), &f.Choices); err != nil {
			return f, fmt.Errorf("read choices of custom field %s: %w", f.ID, err)
		}
	}
	return f, nil
}

// CustomFields returns the association's custom fields in the order cards
// show them.
func CustomFields(ctx context.Context, tx *store.TenantTx) ([]CustomField, error) {
	rows, err := tx.Query(ctx, `SELECT `+fieldColumns+` FROM custom_fields WHERE association_id = $1
		ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	defer rows.Close()
	var out []CustomField
	for rows.Next() {
		f, err := scanField(rows)
		if err != nil {
			return nil, fmt.Errorf("scan custom field: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// GetCustomField reads one custom field by id; ErrFieldNotFound when it
// is not this association's.
func GetCustomField(ctx context.Context, tx *store.TenantTx, id string) (CustomField, error) {
	f, err := scanField(tx.QueryRow(ctx, `SELECT `+fieldColumns+` FROM custom_fields
		WHERE association_id = $1 AND id = $2`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrFieldNotFound
	}
	if err != nil {
		return f, fmt.Errorf("read custom field: %w", err)
	}
	return f, nil
}

// normalizeField trims the definition and drops empty and repeated
// choices; fields of kinds other than choice have none.
func normalizeField(f CustomField) CustomField {
	f.Name = strings.TrimSpace(f.Name)
	f.Kind = strings.ToLower(strings.TrimSpace(f.Kind))
	var choices []string
	seen := map[string]bool{}
	for _, c := range f.Choices {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			choices = append(choices, c)
		}
		// Past the limit the definition is refused anyway (validateField):
		// one more is enough to say so, however many were sent.
		if len(choices) > maxChoices {
			break
		}
	}
	if f.Kind != FieldChoice {
		choices = nil
	}
	f.Choices = choices
	return f
}

// validateField checks a normalised definition.
func validateField(f CustomField) []FieldError {
	var ps []FieldError
	add := func(field, msg string) { ps = append(ps, FieldError{Field: field, Message: msg}) }
	switch {
	case f.Name == "":
		add("name", "required")
	case utf8.RuneCountInString(f.Name) > maxFieldName:
		add("name", fmt.Sprintf("at most %d characters", maxFieldName))
	case strings.IndexFunc(f.Name, unicode.IsControl) >= 0:
		add("name", "must be on one line")
	}
	if !slices.Contains(FieldKinds, f.Kind) {
		add("kind", "must be text, number, date, yesno or choice")
	}
	if f.Kind == FieldChoice {
		switch {
		case len(f.Choices) == 0:
			add("choices", "a choice field needs at least one choice")
		case len(f.Choices) > maxChoices:
			add("choices", fmt.Sprintf("at most %d choices", maxChoices))
		}
		for _, c := range f.Choices {
			if utf8.RuneCountInString(c) > maxChoice || strings.IndexFunc(c, unicode.IsControl) >= 0 {
				add("choices", fmt.Sprintf("each choice is one line of at most %d characters", maxChoice))
				break
			}
		}
	}
	if f.Position < 0 {
		add("position", "must be a positive number")
	}
	return ps
}

// nameFree returns a Problems error when another field (not except) of the
// association has the name, compared without regard to case.
func nameFree(ctx context.Context, tx *store.TenantTx, name, except string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM custom_fields WHERE association_id = $1
		AND lower(name) = lower($2) AND id <> $3`, name, except).Scan(&n); err != nil {
		return fmt.Errorf("check custom field name: %w", err)
	}
	if n > 0 {
		return Problems{{Field: "name", Message: "is already in use"}}
	}
	return nil
}

// fieldChanges are the audit changes between two definitions (none of it
// is personal data).
func fieldChanges(before, after CustomField) []audit.Change {
	var out []audit.Change
	add := func(name, b, a string) {
		if b != a {
			out = append(out, audit.Change{Field: name, Before: b, After: a})
		}
	}
	add("name", before.Name, after.Name)
	add("kind", before.Kind, after.Kind)
	add("choices", strings.Join(before.Choices, "\n"), strings.Join(after.Choices, "\n"))
	add("required", strconv.FormatBool(before.Required), strconv.FormatBool(after.Required))
	add("position", strconv.Itoa(before.Position), strconv.Itoa(after.Position))
	return out
}

func encodeChoices(cs []string) string {
	if len(cs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(cs) // a []string always encodes
	return string(b)
}

// CreateCustomField validates and adds a custom field, audited as
// "custom_field.create". Position 0 puts it after the others. A definition
// that does not validate returns Problems and writes nothing.
func CreateCustomField(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, f CustomField) (CustomField, error) {
	f = normalizeField(f)
	if ps := validateField(f); len(ps) > 0 {
		return CustomField{}, Problems(ps)
	}
	if err := nameFree(ctx, tx, f.Name, ""); err != nil {
		return CustomField{}, err
	}
	if f.Position == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM custom_fields
			WHERE association_id = $1`).Scan(&f.Position); err != nil {
			return CustomField{}, fmt.Errorf("next custom field position: %w", err)
		}
	}
	f.ID, f.CreatedAt = uuid.Must(uuid.NewV7()).String(), now.UTC()
	if _, err := tx.Exec(ctx, `INSERT INTO custom_fields (association_id, id, name, kind, choices, required, position, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, f.Name, f.Kind, encodeChoices(f.Choices), f.Required,
		f.Position, f.CreatedAt); err != nil {
		if store.IsUniqueViolation(err) {
			return CustomField{}, Problems{{Field: "name", Message: "is already in use"}}
		}
		return CustomField{}, fmt.Errorf("add custom field: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "custom_field.create", ObjectType: "custom_field",
		ObjectID: f.ID, Changes: fieldChanges(CustomField{}, f)}); err != nil {
		return CustomField{}, err
	}
	return f, nil
}

// UpdateCustomField changes a field's name, choices, required flag and
// position, audited as "custom_field.update". Its kind cannot change, since
// the stored values are in that kind's form, and a choice members have
// cannot be removed until no member has it.
func UpdateCustomField(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string, next CustomField) (CustomField, error) {
	cur, err := GetCustomField(ctx, tx, id)
	if err != nil {
		return CustomField{}, err
	}
	if strings.TrimSpace(next.Kind) == "" {
		next.Kind = cur.Kind
	}
	next = normalizeField(next)
	ps := validateField(next)
	if next.Kind != cur.Kind {
		ps = append(ps, FieldError{Field: "kind", Message: "cannot be changed once the field exists"})
	}
	if next.Position == 0 {
		next.Position = cur.Position
	}
	if len(ps) > 0 {
		return CustomField{}, Problems(ps)
	}
	if err := nameFree(ctx, tx, next.Name, cur.ID); err != nil {
		return CustomField{}, err
	}
	if err := choicesNotInUse(ctx, tx, cur, next.Choices); err != nil {
		return CustomField{}, err
	}
	next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
	changes := fieldChanges(cur, next)
	if len(changes) == 0 {
		return cur, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE custom_fields SET name = $3, choices = $4, required = $5, position = $6
		WHERE association_id = $1 AND id = $2`, cur.ID, next.Name, encodeChoices(next.Choices), next.Required,
		next.Position); err != nil {
		if store.IsUniqueViolation(err) {
			return CustomField{}, Problems{{Field: "name", Message: "is already in use"}}
		}
		return CustomField{}, fmt.Errorf("update custom field: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "custom_field.update", ObjectType: "custom_field",
		ObjectID: cur.ID, Changes: changes}); err != nil {
		return CustomField{}, err
	}
	return next, nil
}

// choicesNotInUse refuses to drop a choice some member has.
func choicesNotInUse(ctx context.Context, tx *store.TenantTx, cur CustomField, next []string) error {
	for _, c := range cur.Choices {
		if slices.Contains(next, c) {
			continue
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM custom_values WHERE association_id = $1 AND field_id = $2
			AND value = $3`, cur.ID, c).Scan(&n); err != nil {
			return fmt.Errorf("count members with choice: %w", err)
		}
		if n > 0 {
			return Problems{{Field: "choices", Message: fmt.Sprintf("%q is chosen on %d member cards; change those first", c, n)}}
		}
	}
	return nil
}

// DeleteCustomField removes a field and every member's value of it,
// audited as "custom_field.delete" with the number of values erased (never
// the values). It returns that number.
func DeleteCustomField(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) (int64, error) {
	cur, err := GetCustomField(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	res, err := tx.Exec(ctx, `DELETE FROM custom_values WHERE association_id = $1 AND field_id = $2`, cur.ID)
	if err != nil {
		return 0, fmt.Errorf("delete custom field values: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("count deleted custom field values: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM custom_fields WHERE association_id = $1 AND id = $2`, cur.ID); err != nil {
		return 0, fmt.Errorf("delete custom field: %w", err)
	}
	return n, rec.Record(ctx, tx.Platform(), audit.Event{Action: "custom_field.delete", ObjectType: "custom_field",
		ObjectID: cur.ID, Changes: fieldChanges(cur, CustomField{Position: cur.Position, Required: cur.Required}),
		Details: map[string]any{"name": cur.Name, "values_deleted": n}})
}

// CountValues returns how many members have a value of field id, so that
// deleting it can say what will be lost.
func CountValues(ctx context.Context, tx *store.TenantTx, id string) (int64, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM custom_values WHERE association_id = $1 AND field_id = $2`,
		id).Scan(&n); err != nil {
		return 0, fmt.Errorf("count custom field values: %w", err)
	}
	return n, nil
}

// memberValues reads one member's custom values by field name (nil when
// there are none).
func memberValues(ctx context.Context, tx *store.TenantTx, memberID string) (map[string]string, error) {
	all, err := CustomValuesFor(ctx, tx, []string{memberID})
	if err != nil {
		return nil, err
	}
	return all[memberID], nil
}

// CustomValuesFor reads the custom values of several members in one
// query: member id → field name → canonical value. Members without values
// are absent.
func CustomValuesFor(ctx context.Context, tx *store.TenantTx, memberIDs []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(memberIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(memberIDs))
	marks := make([]string, len(memberIDs))
	for i, id := range memberIDs {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	rows, err := tx.Query(ctx, `SELECT v.member_id, f.name, v.value FROM custom_values v
		JOIN custom_fields f ON f.id = v.field_id AND f.association_id = v.association_id
		WHERE v.association_id = $1 AND v.member_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read custom values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, value string
		if err := rows.Scan(&id, &name, &value); err != nil {
			return nil, fmt.Errorf("scan custom value: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]string{}
		}
		out[id][name] = value
	}
	return out, rows.Err()
}

// CustomValue checks a value typed for field f and returns it in canonical
// form; "" (after trimming) is no value. The error is the reason, for a
// FieldError naming the field.
func CustomValue(f CustomField, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	switch f.Kind {
	case FieldText:
		if utf8.RuneCountInString(s) > maxCustomText {
			return "", fmt.Errorf("at most %d characters", maxCustomText)
		}
		if strings.IndexFunc(s, unicode.IsControl) >= 0 {
			return "", errors.New("must be on one line")
		}
		return s, nil
	case FieldNumber:
		return canonicalNumber(s)
	case FieldDate:
		d, err := valid.Date("value", s)
		if err != nil {
			return "", errors.New(strings.TrimPrefix(err.Error(), "value: "))
		}
		return d.Format(time.DateOnly), nil
	case FieldYesNo:
		switch strings.ToLower(s) {
		case "true", "yes", "on", "1", "kyllä", "ja":
			return "true", nil
		case "false", "no", "0", "ei", "nej":
			return "false", nil
		}
		return "", errors.New("must be yes or no")
	case FieldChoice:
		for _, c := range f.Choices {
			if strings.EqualFold(c, s) {
				return c, nil
			}
		}
		return "", errors.New("must be one of the choices")
	}
	return "", fmt.Errorf("unknown kind %q", f.Kind)
}

// canonicalNumber reads a decimal number as people write it ("12,50",
// "1 200", "-3.5") and writes it as "12.5": a point, no grouping, no
// leading or trailing zeros.
func canonicalNumber(s string) (string, error) {
	bad := errors.New("must be a number, like 12,5")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	if len(s) > maxNumberChars {
		return "", bad
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "\u2212"):
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "\u2212")
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if !allDigits(whole) || (hasFrac && !allDigits(frac)) {
		return "", bad
	}
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, nil
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

// customProblem names a custom field in a problem as forms and the API
// know it.
func customProblem(name, msg string) FieldError {
	return FieldError{Field: "custom." + name, Message: msg}
}

// checkCustom checks the values typed for the association's fields (by
// name) and returns them in canonical form, without empty ones. A name that
// is no field of the association is a problem; so is a required field
// without a value when requireAll is set (an Active member's card).
func checkCustom(defs []CustomField, in map[string]string, requireAll bool) (map[string]string, []FieldError) {
	var ps []FieldError
	out := map[string]string{}
	byName := map[string]CustomField{}
	for _, f := range defs {
		byName[f.Name] = f
	}
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := byName[name]
		if !ok {
			ps = append(ps, customProblem(name, "no such custom field"))
			continue
		}
		v, err := CustomValue(f, in[name])
		if err != nil {
			ps = append(ps, customProblem(name, err.Error()))
			continue
		}
		if v != "" {
			out[name] = v
		}
	}
	if requireAll {
		for _, f := range defs {
			_, given := in[f.Name]
			if f.Required && out[f.Name] == "" && !(given && hasProblem(ps, "custom."+f.Name)) {
				ps = append(ps, customProblem(f.Name, "required"))
			}
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, ps
}

// hasProblem reports whether ps has a problem on field.
func hasProblem(ps []FieldError, field string) bool {
	return slices.ContainsFunc(ps, func(p FieldError) bool { return p.Field == field })
}

// customChanges are the audit changes between two sets of values, by
// field name; values are personal data.
func customChanges(before, after map[string]string) []audit.Change {
	names := map[string]bool{}
	for n := range before {
		names[n] = true
	}
	for n := range after {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	var out []audit.Change
	for _, n := range sorted {
		if before[n] != after[n] {
			out = append(out, audit.Change{Field: "custom." + n, Before: before[n], After: after[n],
				Sensitivity: audit.Personal})
		}
	}
	return out
}

// writeCustom stores the member's values that changed from before to
// after: changed ones upserted, cleared ones deleted.
func writeCustom(ctx context.Context, tx *store.TenantTx, defs []CustomField, memberID string, before, after map[string]string) error {
	for _, f := range defs {
		b, a := before[f.Name], after[f.Name]
		switch {
		case a == b:
		case a == "":
			if _, err := tx.Exec(ctx, `DELETE FROM custom_values WHERE association_id = $1 AND member_id = $2
				AND field_id = $3`, memberID, f.ID); err != nil {
				return fmt.Errorf("clear custom value: %w", err)
			}
		default:
			if _, err := tx.Exec(ctx, `INSERT INTO custom_values (association_id, member_id, field_id, value)
				VALUES ($1, $2, $3, $4) ON CONFLICT (association_id, member_id, field_id) DO UPDATE SET value = excluded.value`,
				memberID, f.ID, a); err != nil {
				return fmt.Errorf("write custom value: %w", err)
			}
		}
	}
	return nil
}
