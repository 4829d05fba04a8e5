package memberimport

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// batchRows is how many new members one member.InsertBatch call writes.
const batchRows = 500

// Commit imports the file: it plans again inside tx, the write transaction,
// so what is written is checked against the register as it is now, and
// writes only when no row has a problem. With problems it writes nothing
// and returns the Result with them (and a nil error): the import is all or
// nothing. Otherwise it inserts the new members (through member.InsertBatch,
// which keeps the per-status counts, with a first status history entry
// each), writes the changed fields of the updated members, remembers the
// mapping for the next file with the same headings (see Recall), and
// records one "member.import" audit event, then returns the Result with
// Committed set.
//
// The audit event carries the counts (rows, new, updated, unchanged,
// skipped), how many cards each field changed on and the mapping (heading
// to field), and no personal data.
// It deliberately does not list the card's field-level changes per member, as
// member.Update's "member.update" events do: for an import of 100,000 rows
// that would be 100,000 events or one event of many megabytes, for values
// the import file itself (which the association keeps) already records.
// The trail says who imported how much, when; the members' cards say what.
// Custom values an update changes are the exception: they are listed as
// changes "member.<number>.custom.<field name>", audited as Personal
// (kept as keyed hashes), since the card keeps no history of them.
//
// An error (database, or a member changed by someone else while the import
// ran, on PostgreSQL) means the caller must roll tx back; Commit may have
// written part of the import by then.
func Commit(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, t *importfile.Table, m Mapping, now time.Time, opts ...Options) (*Result, error) {
	if tx.Dialect() == store.Postgres {
		// The same lock member.Create takes before choosing a number, so
		// that the numbers planned here stay free until the commit.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7346113, hashtext($1))`); err != nil {
			return nil, fmt.Errorf("lock member numbers: %w", err)
		}
	}
	p, err := plan(ctx, tx, t, m, now, options(opts), 2)
	if err != nil {
		return nil, err
	}
	if !p.res.OK() {
		return p.res, nil
	}
	w, err := newWriter(ctx, tx, now)
	if err != nil {
		return nil, err
	}
	defer w.close()
	defer w.values.close()
	for _, c := range p.customs {
		w.customFields = append(w.customFields, c.field.ID)
	}
	total := 2 * len(t.Rows)
	fieldsChanged := map[string]int{}
	var personal []audit.Change
	for ri := range p.rows {
		r := &p.rows[ri]
		switch p.res.Outcomes[r.out].Action {
		case New:
			if err := w.add(r.card, r.feeID, r.custom); err != nil {
				return nil, err
			}
		case Update:
			changed := p.res.Outcomes[r.out].Changed
			for _, f := range changed {
				fieldsChanged[string(f)]++
			}
			if err := w.update(p.updates[ri]); err != nil {
				return nil, err
			}
			if slices.Contains(changed, FeeName) {
				if err := w.setFee(p.updates[ri].ID, r.feeID); err != nil {
					return nil, err
				}
			}
			for _, c := range p.customChanges[ri] {
				f := p.customs[c.column].field
				if err := w.values.add(p.updates[ri].ID, f.ID, c.after); err != nil {
					return nil, err
				}
				personal = append(personal, audit.Change{Field: fmt.Sprintf("member.%d.custom.%s", p.updates[ri].Number, f.Name),
					Before: c.before, After: c.after, Sensitivity: audit.Personal})
			}
		}
		if done := r.out + 1; p.opt.Progress != nil && done%progressEvery == 0 {
			p.opt.Progress(len(t.Rows)+done, total)
		}
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	if err := w.values.flush(); err != nil {
		return nil, err
	}
	if p.opt.Progress != nil {
		p.opt.Progress(total, total)
	}
	if err := remember(ctx, tx, t.Header, m, now); err != nil {
		return nil, err
	}
	res := p.res
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.import", ObjectType: "association",
		ObjectID: tx.AssociationID(), Changes: personal, Details: map[string]any{
			"rows": res.Rows, "new": res.New, "updated": res.Updated, "unchanged": res.Unchanged,
			"skipped": res.Skipped, "fields_changed": fieldsChanged,
			"mapping": auditMapping(t.Header, m),
		}}); err != nil {
		return nil, err
	}
	res.Committed = true
	return res, nil
}

// writer writes an import's new and changed members.
type writer struct {
	ctx   context.Context
	tx    *store.TenantTx
	now   time.Time
	label string
	batch []member.Member
	// fees holds, for each member of batch, the fee the row names ("" to
	// leave the association's default fee, which the database gives).
	fees []string
	// custom holds, for each member of batch, its row's custom values (by
	// index into customFields, the ids of the mapped fields).
	custom       [][]string
	customFields []string
	values       *valueWriter
	update       func(member.Member) error
	close        func()
}

func newWriter(ctx context.Context, tx *store.TenantTx, now time.Time) (*writer, error) {
	actor := audit.RequestFrom(ctx).Actor
	label := actor.Label
	if label == "" {
		label = actor.ID
	}
	w := &writer{ctx: ctx, tx: tx, now: now, label: label, batch: make([]member.Member, 0, batchRows), close: func() {},
		values: &valueWriter{ctx: ctx, tx: tx}}
	const set = `UPDATE members SET kind = $3, first_name = $4, last_name = $5, org_name = $6, gender = $7,
		birth_date = $8, email = $9, phone = $10, phone_mobile = $11, street = $12, postcode = $13, town = $14,
		municipality = $15, country = $16, language = $17, joined_on = $18, left_on = $19, notes = $20,
		business_id = $21, care_of = $22, extra_emails = $23, email_invoices = $24, updated_at = $25
		WHERE association_id = $1 AND id = $2`
	args := func(m member.Member) []any {
		return []any{m.ID, m.Kind, m.FirstName, m.LastName, m.OrgName, m.Gender, member.NullDate(m.BirthDate), m.Email,
			m.Phone, m.PhoneMobile, m.Street, m.Postcode, m.Town, m.Municipality, m.Country, m.Language,
			member.NullDate(m.JoinedOn), member.NullDate(m.LeftOn), m.Notes, m.BusinessID, m.CareOf,
			extraEmailsJSON(m.ExtraEmails), m.EmailInvoices, now.UTC()}
	}
	if tx.Dialect() == store.SQLite {
		// One writer: nobody can have changed the card since the plan read
		// it in this transaction. A prepared statement saves parsing it per
		// row.
		st, err := tx.Prepare(ctx, set)
		if err != nil {
			return nil, fmt.Errorf("prepare member update: %w", err)
		}
		w.close = func() { st.Close() }
		w.update = func(m member.Member) error {
			if _, err := st.Exec(ctx, args(m)...); err != nil {
				return fmt.Errorf("update member %d: %w", m.Number, err)
			}
			return nil
		}
		return w, nil
	}
	// PostgreSQL runs writers side by side: write only a card still as the
	// plan read it, so a concurrent edit is never silently overwritten.
	w.update = func(m member.Member) error {
		res, err := tx.Exec(ctx, set+` AND updated_at = $26`, append(args(m), m.UpdatedAt)...)
		if err != nil {
			return fmt.Errorf("update member %d: %w", m.Number, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("member %d was changed while the import ran; run the import again", m.Number)
		}
		return nil
	}
	return w, nil
}

// extraEmailsJSON stores further e-mail addresses as the member card does:
// a JSON array, "[]" for none.
func extraEmailsJSON(es []string) string {
	if len(es) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(es) // a []string always encodes
	return string(b)
}

// add queues a new member with the fee its row names, writing a batch when
// it is full.
func (w *writer) add(m member.Member, feeID string, custom []string) error {
	w.batch = append(w.batch, m)
	w.fees = append(w.fees, feeID)
	w.custom = append(w.custom, custom)
	if len(w.batch) == batchRows {
		return w.flush()
	}
	return nil
}

// flush inserts the queued members and their first status history entries.
func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := member.InsertBatch(w.ctx, w.tx, w.now, w.batch); err != nil {
		return err
	}
	if err := w.history(); err != nil {
		return err
	}
	for i, m := range w.batch {
		if w.fees[i] != "" {
			if err := w.setFee(m.ID, w.fees[i]); err != nil {
				return err
			}
		}
		for k, v := range w.custom[i] {
			if v == "" {
				continue
			}
			if err := w.values.add(m.ID, w.customFields[k], v); err != nil {
				return err
			}
		}
	}
	w.batch, w.fees, w.custom = w.batch[:0], w.fees[:0], w.custom[:0]
	return nil
}

// setFee gives a member the fee feeID, a fee of the association that Plan
// found by name.
func (w *writer) setFee(memberID, feeID string) error {
	if _, err := w.tx.Exec(w.ctx, `UPDATE members SET fee_id = $3 WHERE association_id = $1 AND id = $2`,
		memberID, feeID); err != nil {
		return fmt.Errorf("set member fee: %w", err)
	}
	return nil
}

// history writes the first status history entry of each queued member, as
// member.Create does for one: the status it starts in, on the joining date
// (leaving date for former members) when known, else today.
func (w *writer) history() error {
	const width = 8
	rows := make([][]any, len(w.batch))
	today := clock.Today(w.now)
	for i, m := range w.batch {
		on := today
		switch {
		case m.Status == member.StatusActive && !m.JoinedOn.IsZero():
			on = clock.Date(m.JoinedOn)
		case (m.Status == member.StatusInactive || m.Status == member.StatusDeceased) && !m.LeftOn.IsZero():
			on = clock.Date(m.LeftOn)
		}
		rows[i] = []any{uuid.Must(uuid.NewV7()).String(), m.ID, "", m.Status, on, "", w.now.UTC(), w.label}
	}
	head := `INSERT INTO member_status_history
		(association_id, id, member_id, from_status, to_status, on_date, reason, changed_at, actor_label) VALUES `
	if w.tx.Dialect() == store.SQLite {
		st, err := w.tx.Prepare(w.ctx, head+"($1"+strings.Repeat(", ?", width)+")")
		if err != nil {
			return fmt.Errorf("prepare status history: %w", err)
		}
		defer st.Close()
		for _, r := range rows {
			if _, err := st.Exec(w.ctx, r...); err != nil {
				return fmt.Errorf("write status history: %w", err)
			}
		}
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, len(rows)*width)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("($1")
		for j := range width {
			fmt.Fprintf(&sb, ", $%d", 2+i*width+j)
		}
		sb.WriteString(")")
		args = append(args, r...)
	}
	if _, err := w.tx.Exec(w.ctx, head+sb.String(), args...); err != nil {
		return fmt.Errorf("write status history: %w", err)
	}
	return nil
}

// valueWriter writes custom values in bulk, statements of many rows rather
// than a round trip per value. On SQLite the full statement is prepared
// once and kept to a few hundred parameters (SQLite parses statements of
// thousands in quadratic time). A value replaces the member's earlier value
// of the field.
type valueWriter struct {
	ctx     context.Context
	tx      *store.TenantTx
	pending [][3]string // member id, field id, value
	stmt    *store.Stmt // SQLite: the prepared statement of sqliteValueRows rows
}

// Rows of values per statement: SQLite's prepared one, PostgreSQL's.
const (
	sqliteValueRows = 100
	valueBatch      = 500
)

const insertValues = `INSERT INTO custom_values (association_id, member_id, field_id, value) VALUES `

const upsertValue = ` ON CONFLICT (association_id, member_id, field_id) DO UPDATE SET value = excluded.value`

// add queues one value, writing the queue when it is full.
func (v *valueWriter) add(memberID, fieldID, value string) error {
	v.pending = append(v.pending, [3]string{memberID, fieldID, value})
	if len(v.pending) >= valueBatch {
		return v.flush()
	}
	return nil
}

// flush writes the queued values.
func (v *valueWriter) flush() error {
	defer func() { v.pending = v.pending[:0] }()
	rows := v.pending
	if v.tx.Dialect() == store.SQLite {
		for len(rows) >= sqliteValueRows {
			if err := v.writeSQLite(rows[:sqliteValueRows]); err != nil {
				return err
			}
			rows = rows[sqliteValueRows:]
		}
	}
	if len(rows) == 0 {
		return nil
	}
	query, args := valuesStatement(rows, v.tx.Dialect())
	if _, err := v.tx.Exec(v.ctx, query, args...); err != nil {
		return fmt.Errorf("write custom values: %w", err)
	}
	return nil
}

// writeSQLite writes sqliteValueRows values with the prepared statement.
func (v *valueWriter) writeSQLite(rows [][3]string) error {
	query, args := valuesStatement(rows, store.SQLite)
	if v.stmt == nil {
		st, err := v.tx.Prepare(v.ctx, query)
		if err != nil {
			return fmt.Errorf("prepare custom values: %w", err)
		}
		v.stmt = st
	}
	if _, err := v.stmt.Exec(v.ctx, args...); err != nil {
		return fmt.Errorf("write custom values: %w", err)
	}
	return nil
}

// valuesStatement is the upsert of rows and its arguments after $1: numbered
// on PostgreSQL, anonymous (bound by position) on SQLite.
func valuesStatement(rows [][3]string, d store.Dialect) (string, []any) {
	var sb strings.Builder
	sb.WriteString(insertValues)
	args := make([]any, 0, 3*len(rows))
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		if d == store.SQLite {
			sb.WriteString("($1, ?, ?, ?)")
		} else {
			fmt.Fprintf(&sb, "($1, $%d, $%d, $%d)", 2+3*i, 3+3*i, 4+3*i)
		}
		args = append(args, r[0], r[1], r[2])
	}
	sb.WriteString(upsertValue)
	return sb.String(), args
}

// close releases the prepared statement, if any.
func (v *valueWriter) close() {
	if v.stmt != nil {
		v.stmt.Close()
	}
}
