// Package member holds the register's members: their cards, statuses and
// the queries over them. Every function takes a tenant-scoped transaction,
// so a member of one association is never reachable from another.
package member

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/store"
)

// Statuses a membership passes through. Only Active members appear in
// everyday lists, are invoiced and mailed.
const (
	StatusApplied  = "applied"
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusDeceased = "deceased"
)

// Statuses lists them in the order the dashboard shows them.
var Statuses = []string{StatusActive, StatusApplied, StatusInactive, StatusDeceased}

// Member is one member's card.
type Member struct {
	ID         string    `json:"id"`
	Number     int64     `json:"member_number"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	FirstName  string    `json:"first_name"`
	LastName   string    `json:"last_name"`
	OrgName    string    `json:"organisation_name,omitempty"`
	BusinessID string    `json:"business_id,omitempty"`
	Gender     string    `json:"gender,omitempty"`
	BirthDate  time.Time `json:"birth_date,omitzero"`
	Email      string    `json:"email,omitempty"`
	// ExtraEmails are further addresses besides the primary Email; mail
	// goes to all of them.
	ExtraEmails []string `json:"extra_emails,omitempty"`
	// EmailInvoices is set when the member wants invoices by e-mail rather
	// than on paper; it needs an e-mail address.
	EmailInvoices bool      `json:"email_invoices"`
	Phone         string    `json:"phone,omitempty"`
	PhoneMobile   bool      `json:"phone_mobile"`
	CareOf        string    `json:"care_of,omitempty"` // c/o line of the address
	Street        string    `json:"street,omitempty"`
	Postcode      string    `json:"postcode,omitempty"`
	Town          string    `json:"town,omitempty"`
	Municipality  string    `json:"municipality,omitempty"`
	Country       string    `json:"country"`
	Language      string    `json:"language"`
	JoinedOn      time.Time `json:"joined_on,omitzero"`
	LeftOn        time.Time `json:"left_on,omitzero"`
	Notes         string    `json:"notes,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Custom holds the association's custom fields, by field name. Read
	// (Get) it holds the canonical values of the fields that have one. Given
	// to Create or Update it is the whole set as typed, validated by each
	// field's kind; a nil map given to Update keeps the current values.
	Custom map[string]string `json:"custom,omitempty"`
}

// DisplayName is how people see the member in lists.
func (m Member) DisplayName() string {
	if m.Kind == "organisation" {
		return m.OrgName
	}
	return strings.TrimSpace(m.LastName + ", " + m.FirstName)
}

// ErrNotFound is returned for a member that is not in this association.
var ErrNotFound = errors.New("member not found")

const columns = `id, member_number, kind, status, first_name, last_name, org_name, gender, birth_date, email, phone,
	street, postcode, town, municipality, country, language, joined_on, left_on, notes, business_id, phone_mobile,
	care_of, extra_emails, email_invoices, created_at, updated_at`

// insertColumns are written by InsertBatch, after association_id ($1).
var insertColumns = strings.Split(strings.NewReplacer("\n", "", "\t", "", " ", "").Replace(columns), ",")

func scan(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var birth, joined, left sql.NullTime
	var extra string
	err := row.Scan(&m.ID, &m.Number, &m.Kind, &m.Status, &m.FirstName, &m.LastName, &m.OrgName, &m.Gender, &birth,
		&m.Email, &m.Phone, &m.Street, &m.Postcode, &m.Town, &m.Municipality, &m.Country, &m.Language, &joined, &left,
		&m.Notes, &m.BusinessID, &m.PhoneMobile, &m.CareOf, &extra, &m.EmailInvoices, &m.CreatedAt, &m.UpdatedAt)
	m.BirthDate, m.JoinedOn, m.LeftOn = birth.Time, joined.Time, left.Time
	if err == nil {
		m.ExtraEmails, err = decodeEmails(extra)
	}
	return m, err
}

// encodeEmails stores further e-mail addresses as a JSON array; the common
// case, none, costs no encoding (bulk loads write millions of these).
func encodeEmails(es []string) string {
	if len(es) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(es) // a []string always encodes
	return string(b)
}

// decodeEmails reads what encodeEmails wrote; none is nil.
func decodeEmails(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var es []string
	if err := json.Unmarshal([]byte(s), &es); err != nil {
		return nil, fmt.Errorf("read extra e-mail addresses: %w", err)
	}
	return es, nil
}

// Get reads one member by id, with its custom field values.
func Get(ctx context.Context, tx *store.TenantTx, id string) (Member, error) {
	m, err := get(ctx, tx, id, false)
	if err != nil {
		return m, err
	}
	if m.Custom, err = memberValues(ctx, tx, m.ID); err != nil {
		return Member{}, err
	}
	return m, nil
}

// get reads one member, on PostgreSQL locking the row until the transaction
// ends when forUpdate is set, so that two changes to one member take turns
// and each audits the state it really changed.
func get(ctx context.Context, tx *store.TenantTx, id string, forUpdate bool) (Member, error) {
	q := `SELECT ` + columns + ` FROM members WHERE association_id = $1 AND id = $2`
	if forUpdate && tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	m, err := scan(tx.QueryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("read member: %w", err)
	}
	return m, nil
}

// List returns up to limit members ordered by member number, after the
// given number (keyset paging: the cost does not grow with the page).
func List(ctx context.Context, tx *store.TenantTx, afterNumber int64, limit int) ([]Member, error) {
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM members WHERE association_id = $1 AND member_number > $2
		ORDER BY member_number LIMIT $3`, afterNumber, limit)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Counts returns the number of members per status, from the counts the
// database keeps up to date, so it costs the same for 50 or 500,000 members.
func Counts(ctx context.Context, tx *store.TenantTx) (map[string]int64, error) {
	rows, err := tx.Query(ctx, `SELECT status, n FROM member_counts WHERE association_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for _, s := range Statuses {
		out[s] = 0
	}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// NextNumber is the next free member number in the association.
func NextNumber(ctx context.Context, tx *store.TenantTx) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(member_number), 0) + 1 FROM members WHERE association_id = $1`).Scan(&n)
	return n, err
}

// InsertBatch writes new members; ids, timestamps and defaults are filled
// in. It is the one way members are inserted, because it also adds them to
// the per-status counts (triggers follow later status changes and deletes).
// It does not validate and writes neither custom field values, status
// history nor audit events: Create does that for one member, and bulk paths
// (demo data, imports) validate their rows themselves and audit the batch as
// one event. PostgreSQL gets one
// statement of many rows; SQLite one prepared row run many times, which is
// faster there.
func InsertBatch(ctx context.Context, tx *store.TenantTx, now time.Time, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	if err := addCounts(ctx, tx, ms); err != nil {
		return err
	}
	rows := make([][]any, len(ms))
	for i := range ms {
		m := &ms[i]
		if m.ID == "" {
			m.ID = uuid.Must(uuid.NewV7()).String()
		}
		if m.Kind == "" {
			m.Kind = "person"
		}
		if m.Country == "" {
			m.Country = "FI"
		}
		if m.Language == "" {
			m.Language = "fi"
		}
		m.CreatedAt, m.UpdatedAt = now, now
		rows[i] = []any{m.ID, m.Number, m.Kind, m.Status, m.FirstName, m.LastName, m.OrgName, m.Gender,
			NullDate(m.BirthDate), m.Email, m.Phone, m.Street, m.Postcode, m.Town, m.Municipality, m.Country,
			m.Language, NullDate(m.JoinedOn), NullDate(m.LeftOn), m.Notes, m.BusinessID, m.PhoneMobile,
			m.CareOf, encodeEmails(m.ExtraEmails), m.EmailInvoices, m.CreatedAt, m.UpdatedAt}
	}
	head := "INSERT INTO members (association_id, " + strings.Join(insertColumns, ", ") + ") VALUES "
	if tx.Dialect() == store.SQLite {
		// Anonymous ? parameters after $1: SQLite binds them by position
		// without looking names up, which is a fifth of a bulk load's time.
		st, err := tx.Prepare(ctx, head+"($1"+strings.Repeat(", ?", len(insertColumns))+")")
		if err != nil {
			return fmt.Errorf("prepare member insert: %w", err)
		}
		defer st.Close()
		for i, r := range rows {
			for j, v := range r {
				if t, ok := v.(time.Time); ok {
					r[j] = sqliteTime(t)
				}
			}
			if _, err := st.Exec(ctx, r...); err != nil {
				return fmt.Errorf("insert member %d: %w", ms[i].Number, err)
			}
		}
		return nil
	}
	var args []any
	for _, r := range rows {
		args = append(args, r...)
	}
	if _, err := tx.Exec(ctx, head+placeholders(len(rows), 2, len(insertColumns)), args...); err != nil {
		return fmt.Errorf("insert %d members: %w", len(ms), err)
	}
	return nil
}

// sqliteTime writes a time as the SQLite driver does (its "sqlite" format),
// once per value instead of once per bind.
func sqliteTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999999-07:00")
}

// addCounts adds a batch to the per-status counts, one statement per status.
func addCounts(ctx context.Context, tx *store.TenantTx, ms []Member) error {
	per := map[string]int64{}
	for _, m := range ms {
		per[m.Status]++
	}
	for status, n := range per {
		if _, err := tx.Exec(ctx, `INSERT INTO member_counts (association_id, status, n) VALUES ($1, $2, $3)
			ON CONFLICT (association_id, status) DO UPDATE SET n = member_counts.n + excluded.n`, status, n); err != nil {
			return fmt.Errorf("count members: %w", err)
		}
	}
	return nil
}

// placeholders writes n rows of ($1, $first, …) with width parameters
// each after the association id.
func placeholders(n, first, width int) string {
	var sb strings.Builder
	p := first
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("($1")
		for range width {
			fmt.Fprintf(&sb, ", $%d", p)
			p++
		}
		sb.WriteString(")")
	}
	return sb.String()
}

// NullDate is a date as a query argument: NULL for the zero time, else the
// calendar date (clock.Date).
func NullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return clock.Date(t)
}
