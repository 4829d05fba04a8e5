package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Kind is what sort of value a field holds; it decides which operators a
// filter on the field may use and how its values are written.
type Kind string

// Kinds of field.
const (
	Text   Kind = "text"
	Date   Kind = "date"
	Number Kind = "number"
	Bool   Kind = "bool"
)

// Field is one column a report may show, filter or sort by. Only fields of
// the catalogue reach SQL, and only through their fixed expression: the
// name a caller sends selects an entry and is never written into a
// statement.
type Field struct {
	Key  string
	Kind Kind
	// Label is the name of a custom field, which has no message of its own.
	Label string
	// expr is the SQL expression over the members table (alias m). It is
	// part of the program, never built from input; "@param" in it stands
	// for param, bound as a parameter (a custom field's id).
	expr  string
	param any
}

// MessageKey is the i18n key of the field's label ("" for a custom field,
// whose Label is its name).
func (f Field) MessageKey() string {
	if f.Label != "" {
		return ""
	}
	return "reports.field." + f.Key
}

// sql is the field's expression, binding its parameter with arg.
func (f Field) sql(arg func(any) string) string {
	if f.param == nil {
		return f.expr
	}
	return strings.ReplaceAll(f.expr, "@param", arg(f.param))
}

// fullName is the name as lists show it: "Last, First" for a person, the
// organisation's name for an organisation.
const fullName = `CASE WHEN m.kind = 'organisation' THEN m.org_name ELSE m.last_name || ', ' || m.first_name END`

// Related data is read with subqueries that name the member's association
// too, so they stay within the tenant on either engine.
const (
	feeExpr       = `(SELECT f.name FROM fees f WHERE f.id = m.fee_id AND f.association_id = m.association_id)`
	groupsExpr    = `(SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM group_members gm JOIN groups g ON g.id = gm.group_id AND g.association_id = gm.association_id WHERE gm.member_id = m.id AND gm.association_id = m.association_id)`
	householdExpr = `(SELECT h.name FROM household_members hm JOIN households h ON h.id = hm.household_id AND h.association_id = hm.association_id WHERE hm.member_id = m.id AND hm.association_id = m.association_id)`
	customExpr    = `(SELECT cv.value FROM custom_values cv WHERE cv.member_id = m.id AND cv.association_id = m.association_id AND cv.field_id = @param)`
)

// CustomPrefix begins the key of a custom field: "custom:" and its id.
const CustomPrefix = "custom:"

// catalogue lists the fixed fields, in the order a picker shows them: every
// column of the member card (see member.go), for members of every status,
// and the fee, groups and household a member belongs to.
var catalogue = []Field{
	{Key: "member_number", Kind: Number, expr: "m.member_number"},
	{Key: "full_name", Kind: Text, expr: fullName},
	{Key: "first_name", Kind: Text, expr: "m.first_name"},
	{Key: "last_name", Kind: Text, expr: "m.last_name"},
	{Key: "organisation_name", Kind: Text, expr: "m.org_name"},
	{Key: "kind", Kind: Text, expr: "m.kind"},
	{Key: "status", Kind: Text, expr: "m.status"},
	{Key: "business_id", Kind: Text, expr: "m.business_id"},
	{Key: "gender", Kind: Text, expr: "m.gender"},
	{Key: "birth_date", Kind: Date, expr: "m.birth_date"},
	{Key: "email", Kind: Text, expr: "m.email"},
	{Key: "phone", Kind: Text, expr: "m.phone"},
	{Key: "phone_mobile", Kind: Bool, expr: "m.phone_mobile"},
	{Key: "care_of", Kind: Text, expr: "m.care_of"},
	{Key: "street", Kind: Text, expr: "m.street"},
	{Key: "postcode", Kind: Text, expr: "m.postcode"},
	{Key: "town", Kind: Text, expr: "m.town"},
	{Key: "municipality", Kind: Text, expr: "m.municipality"},
	{Key: "country", Kind: Text, expr: "m.country"},
	{Key: "language", Kind: Text, expr: "m.language"},
	{Key: "joined_on", Kind: Date, expr: "m.joined_on"},
	{Key: "left_on", Kind: Date, expr: "m.left_on"},
	{Key: "notes", Kind: Text, expr: "m.notes"},
	{Key: "fee", Kind: Text, expr: feeExpr},
	{Key: "groups", Kind: Text, expr: groupsExpr},
	{Key: "household", Kind: Text, expr: householdExpr},
}

// Catalogue is what reports of the association may use: the fixed fields
// and the association's custom fields (as text: their values are stored in
// canonical text form).
type Catalogue []Field

// LoadCatalogue reads the association's catalogue.
func LoadCatalogue(ctx context.Context, tx *store.TenantTx) (Catalogue, error) {
	cat := Catalogue(slices.Clone(catalogue))
	rows, err := tx.Query(ctx, `SELECT id, name FROM custom_fields WHERE association_id = $1 ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("read custom fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read custom fields: %w", err)
		}
		cat = append(cat, Field{Key: CustomPrefix + id, Kind: Text, Label: name, expr: customExpr, param: id})
	}
	return cat, rows.Err()
}

// Field finds a field of the catalogue.
func (c Catalogue) Field(key string) (Field, bool) {
	for _, f := range c {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Operators a filter may use.
const (
	OpEquals     = "equals"
	OpContains   = "contains"
	OpStartsWith = "starts_with"
	OpBefore     = "before"
	OpAfter      = "after"
	OpEmpty      = "empty"
	OpNotEmpty   = "not_empty"
	OpIn         = "in"
)

// Operators lists them in the order a picker shows them.
var Operators = []string{OpEquals, OpContains, OpStartsWith, OpBefore, OpAfter, OpEmpty, OpNotEmpty, OpIn}

// operatorsFor are the operators that make sense for a kind of field.
func operatorsFor(k Kind) []string {
	switch k {
	case Date, Number:
		return []string{OpEquals, OpBefore, OpAfter, OpEmpty, OpNotEmpty, OpIn}
	case Bool:
		return []string{OpEquals}
	}
	return []string{OpEquals, OpContains, OpStartsWith, OpEmpty, OpNotEmpty, OpIn}
}

// MaxInValues bounds an "in list" filter, so one request cannot send a
// statement of thousands of parameters.
const MaxInValues = 50

// likeEscape escapes LIKE's wildcards in a value; patterns use ESCAPE '\'.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// lowerExpr folds case the same way on both engines for the letters of
// Finnish and Swedish names, which lower() leaves alone on SQLite and on
// PostgreSQL under the C locale.
func lowerExpr(expr string) string {
	for _, r := range []string{"Å", "Ä", "Ö", "Ü", "É"} {
		expr = "replace(" + expr + ", '" + r + "', '" + strings.ToLower(r) + "')"
	}
	return "lower(" + expr + ")"
}

// condition is the SQL condition of one filter, adding its arguments with
// arg. The field and operator are checked against the catalogue; the value
// is parsed for the field's kind and only ever bound as a parameter.
func (f Filter) condition(cat Catalogue, arg func(any) string) (string, error) {
	field, ok := cat.Field(f.Field)
	if !ok {
		return "", &Error{Field: "field", Value: f.Field, Reason: "is not a field of the report catalogue"}
	}
	if !slices.Contains(Operators, f.Op) {
		return "", &Error{Field: "op", Value: f.Op, Reason: "is not an operator (" + strings.Join(Operators, ", ") + ")"}
	}
	if !slices.Contains(operatorsFor(field.Kind), f.Op) {
		return "", &Error{Field: "op", Value: f.Op, Reason: fmt.Sprintf("cannot be used with %s (%s)", field.Key, strings.Join(operatorsFor(field.Kind), ", "))}
	}
	expr := field.sql(arg)
	switch f.Op {
	case OpEmpty, OpNotEmpty:
		empty := expr + " IS NULL"
		if field.Kind == Text {
			empty = "(" + expr + " IS NULL OR " + expr + " = '')"
		}
		if f.Op == OpNotEmpty {
			return "NOT " + empty, nil
		}
		return empty, nil
	case OpIn:
		var ps []string
		// Counted before anything is parsed, so a huge list costs nothing.
		if strings.Count(f.Value, ",") >= 2*MaxInValues {
			return "", &Error{Field: "value", Value: "", Reason: fmt.Sprintf("has more than %d values", MaxInValues)}
		}
		for v := range strings.SplitSeq(f.Value, ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			val, err := parseValue(field, v)
			if err != nil {
				return "", err
			}
			ps = append(ps, arg(val))
		}
		if len(ps) == 0 {
			return "", &Error{Field: "value", Value: f.Value, Reason: "needs at least one value, separated by commas"}
		}
		if len(ps) > MaxInValues {
			return "", &Error{Field: "value", Value: "", Reason: fmt.Sprintf("has more than %d values", MaxInValues)}
		}
		if field.Kind == Text {
			return lowerExpr(expr) + " IN (" + strings.Join(ps, ", ") + ")", nil
		}
		return expr + " IN (" + strings.Join(ps, ", ") + ")", nil
	}
	val, err := parseValue(field, f.Value)
	if err != nil {
		return "", err
	}
	switch f.Op {
	case OpEquals:
		if field.Kind == Text {
			return lowerExpr(expr) + " = " + arg(val), nil
		}
		return expr + " = " + arg(val), nil
	case OpContains:
		return lowerExpr(expr) + " LIKE " + arg("%"+likeEscape.Replace(val.(string))+"%") + ` ESCAPE '\'`, nil
	case OpStartsWith:
		return lowerExpr(expr) + " LIKE " + arg(likeEscape.Replace(val.(string))+"%") + ` ESCAPE '\'`, nil
	case OpBefore:
		return expr + " < " + arg(val), nil
	default: // OpAfter
		return expr + " > " + arg(val), nil
	}
}

// parseValue turns a filter's text into the value bound for the field:
// folded text, a date (YYYY-MM-DD or dd.mm.yyyy), a whole number or a
// yes/no.
func parseValue(f Field, s string) (any, error) {
	s = strings.TrimSpace(s)
	switch f.Kind {
	case Date:
		d, ok := ParseDate(s)
		if !ok {
			return nil, &Error{Field: "value", Value: s, Reason: "is not a date (dd.mm.yyyy or yyyy-mm-dd)"}
		}
		return d, nil
	case Number:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, &Error{Field: "value", Value: s, Reason: "is not a whole number"}
		}
		return n, nil
	case Bool:
		switch strings.ToLower(s) {
		case "true", "yes", "1", "kyllä", "ja":
			return true, nil
		case "false", "no", "0", "ei", "nej":
			return false, nil
		}
		return nil, &Error{Field: "value", Value: s, Reason: "is not true or false"}
	}
	if len(s) > maxValueBytes {
		return nil, &Error{Field: "value", Value: "", Reason: fmt.Sprintf("is longer than %d bytes", maxValueBytes)}
	}
	if f.Key == "status" {
		return statusCode(s), nil
	}
	return strings.ToLower(s), nil
}

// statusCode reads a status as people write it, in any of the product's
// languages ("Eronnut", "avliden") or as its code ("inactive").
func statusCode(s string) string {
	lower := strings.ToLower(s)
	for _, st := range member.Statuses {
		for _, lang := range i18n.Languages {
			if lower == strings.ToLower(i18n.T(lang, "status."+st)) {
				return st
			}
		}
	}
	return lower
}

// maxValueBytes bounds a filter's text.
const maxValueBytes = 200
