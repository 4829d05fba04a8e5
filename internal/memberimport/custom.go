package memberimport

import (
	"fmt"
	"strings"

	"seura.fi/seura/internal/member"
)

// Custom fields (member.CustomFields) are imported like the card's own
// fields: a column is mapped to CustomTarget(id), each cell is read by the
// field's kind with the rules of the member form (see customCell), and
// empty cells never erase. Their values live in table custom_values, next
// to the card, and Commit writes them in bulk in the same transaction.
// Required fields are required of Active members, as the form requires
// them: of a new Active row, and of an Active member whose card a row
// changes.

// customColumn is one column of the file mapped to a custom field.
type customColumn struct {
	col   int
	field member.CustomField
}

// customChange is one custom value an update changes.
type customChange struct {
	column        int // index into planner.customs
	before, after string
}

// loadCustom reads the association's custom fields and sets up the
// columns mapped to them; a column mapped to a field the association does
// not have makes the mapping wrong.
func (p *planner) loadCustom() error {
	fields, err := member.CustomFields(p.ctx, p.tx)
	if err != nil {
		return err
	}
	if err := p.m.CheckCustom(p.t.Header, fields); err != nil {
		return err
	}
	p.fields = fields
	for col, f := range p.m {
		if id, ok := f.CustomID(); ok {
			p.customs = append(p.customs, customColumn{col: col, field: fields[customIndex(fields, id)]})
		}
	}
	return nil
}

// customCell reads a cell for field f and returns its canonical value, or
// the reason it cannot be read. The rules are the member form's
// (member.CustomValue), and yes or no is also read as spreadsheets write it
// ("x", "kyllä", "ja", "1"; "ei", "nej", "0"), and dates with the midnight
// some spreadsheets add.
func customCell(f member.CustomField, v string) (string, string) {
	switch f.Kind {
	case member.FieldYesNo:
		b, ok := yesNo[fold(v)]
		if !ok {
			return "", "must be yes or no (kyllä/ei, ja/nej, yes/no, x, 1/0)"
		}
		if b {
			return "true", ""
		}
		return "false", ""
	case member.FieldDate:
		v = dropMidnight(v)
	}
	out, err := member.CustomValue(f, v)
	if err != nil {
		msg := err.Error()
		if f.Kind == member.FieldChoice {
			msg = fmt.Sprintf("must be one of the choices: %s", strings.Join(f.Choices, ", "))
		}
		return "", msg
	}
	return out, ""
}

// parseCustom reads the row's custom cells into r.custom (by index into
// p.customs), recording the cells that cannot be read; it reports whether
// the row has any custom value.
func (p *planner) parseCustom(i int, cells []string, r *row) bool {
	any := false
	for k, c := range p.customs {
		v := cells[c.col]
		if v == "" {
			continue
		}
		any = true
		if r.custom == nil {
			r.custom = make([]string, len(p.customs))
		}
		target := CustomTarget(c.field.ID)
		if formulaCell(v) {
			p.add(i, target, formulaMessage(v))
			continue
		}
		out, msg := customCell(c.field, v)
		if msg != "" {
			p.add(i, target, msg)
			continue
		}
		r.custom[k] = out
	}
	return any
}

// customOf is the row's value of p.customs[k], "" when it has none.
func (r *row) customOf(k int) string {
	if r.custom == nil {
		return ""
	}
	return r.custom[k]
}

// requiresCustom reports whether required custom fields apply to a new
// member or updated card of this status: they are required of Active
// members only, as on the member form.
func requiresCustom(status string) bool { return status == member.StatusActive }

// checkRequired records a problem for each required custom field that the
// card would lack: value gives the value the card would have, by field.
// A field whose cell could not be read is not reported again.
func (p *planner) checkRequired(i int, value func(f member.CustomField) string) {
	for _, f := range p.fields {
		if !f.Required || value(f) != "" {
			continue
		}
		target := CustomTarget(f.ID)
		if p.reportedCell(i, target) {
			continue
		}
		if p.m.Column(target) < 0 {
			p.add(i, "", fmt.Sprintf("the custom field %q is required for active members, and the file has no column for it", f.Name))
			continue
		}
		p.add(i, target, "required for active members")
	}
}

// reportedCell reports whether row i already has a problem with the
// custom field f.
func (p *planner) reportedCell(i int, f Field) bool {
	return p.customProblems[cellKey{i, f}]
}

// cellKey names one cell by its row (index into the table) and field.
type cellKey struct {
	row   int
	field Field
}

// loadCustomValues reads, in one query, the custom values of the matched
// members for the fields the import compares or requires: member id →
// field id → value.
func (p *planner) loadCustomValues() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(p.matched) == 0 || (len(p.customs) == 0 && !p.anyRequired()) {
		return out, nil
	}
	rows, err := p.tx.Query(p.ctx, `SELECT member_id, field_id, value FROM custom_values WHERE association_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("read custom values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var memberID, fieldID, value string
		if err := rows.Scan(&memberID, &fieldID, &value); err != nil {
			return nil, fmt.Errorf("read custom values: %w", err)
		}
		if _, ok := p.matched[memberID]; !ok {
			continue
		}
		if out[memberID] == nil {
			out[memberID] = map[string]string{}
		}
		out[memberID][fieldID] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read custom values: %w", err)
	}
	return out, nil
}

func (p *planner) anyRequired() bool {
	for _, f := range p.fields {
		if f.Required {
			return true
		}
	}
	return false
}

// compareCustom works out which custom values row ri changes on a member
// whose values are cur (field id → value).
func (p *planner) compareCustom(ri int, cur map[string]string) []customChange {
	r := &p.rows[ri]
	var out []customChange
	for k, c := range p.customs {
		v := r.customOf(k)
		if v != "" && v != cur[c.field.ID] {
			out = append(out, customChange{column: k, before: cur[c.field.ID], after: v})
		}
	}
	return out
}

// customColumnOf is the index into p.customs of the column mapped to the
// field with this id, or -1.
func (p *planner) customColumnOf(id string) int {
	for k, c := range p.customs {
		if c.field.ID == id {
			return k
		}
	}
	return -1
}
