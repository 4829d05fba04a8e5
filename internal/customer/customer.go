// Package customer holds the customer register (asiakasrekisteri,
// kundregister): people and organisations the association invoices who are
// not members, for example a company renting the clubhouse. Their card is
// like a member's, but they are kept in their own table, so that member
// lists, counts, reports and membership fees never include them. Every
// function takes a tenant-scoped transaction.
package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/postcode"
	"seura.fi/seura/internal/store"
)

// Kinds of customer.
const (
	KindPerson       = "person"
	KindOrganisation = "organisation"
)

// Customer is one customer's card.
type Customer struct {
	ID         string `json:"id"`
	Number     int64  `json:"customer_number"`
	Kind       string `json:"kind"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	OrgName    string `json:"organisation_name,omitempty"`
	BusinessID string `json:"business_id,omitempty"`
	CareOf     string `json:"care_of,omitempty"`
	Street     string `json:"street,omitempty"`
	Postcode   string `json:"postcode,omitempty"`
	Town       string `json:"town,omitempty"`
	Country    string `json:"country"`
	Email      string `json:"email,omitempty"`
	// EmailInvoices is set when the customer wants invoices by e-mail
	// rather than on paper; it needs an e-mail address.
	EmailInvoices bool   `json:"email_invoices"`
	Phone         string `json:"phone,omitempty"`
	// PhoneMobile says the phone can receive text messages.
	PhoneMobile bool      `json:"phone_mobile"`
	Language    string    `json:"language"`
	Notes       string    `json:"notes,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DisplayName is how people see the customer in lists: the organisation's
// name, or "Last, First" for a person.
func (c Customer) DisplayName() string {
	if c.Kind == KindOrganisation {
		return c.OrgName
	}
	if c.FirstName == "" {
		return c.LastName
	}
	return c.LastName + ", " + c.FirstName
}

// sortName is the name lists sort and search by, lowercased in Go because
// SQLite lowercases only ASCII: "virtanen aino", "kahvila oy".
func (c Customer) sortName() string {
	if c.Kind == KindOrganisation {
		return strings.ToLower(c.OrgName)
	}
	return strings.ToLower(strings.TrimSpace(c.LastName + " " + c.FirstName))
}

// ErrNotFound is returned for a customer that is not in this association.
var ErrNotFound = errors.New("customer not found")

const columns = `id, customer_number, kind, first_name, last_name, org_name, business_id, care_of, street, postcode,
	town, country, email, email_invoices, phone, phone_mobile, language, notes, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	err := row.Scan(&c.ID, &c.Number, &c.Kind, &c.FirstName, &c.LastName, &c.OrgName, &c.BusinessID, &c.CareOf,
		&c.Street, &c.Postcode, &c.Town, &c.Country, &c.Email, &c.EmailInvoices, &c.Phone, &c.PhoneMobile,
		&c.Language, &c.Notes, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// Get reads one customer by id. An id of another association, or one that
// is not an id at all, is ErrNotFound.
func Get(ctx context.Context, tx *store.TenantTx, id string) (Customer, error) {
	c, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM customers WHERE association_id = $1 AND id = $2`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Customer{}, ErrNotFound
	}
	if err != nil {
		return Customer{}, fmt.Errorf("read customer: %w", err)
	}
	return c, nil
}

// Count is the number of the association's customers.
func Count(ctx context.Context, tx *store.TenantTx) (int64, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE association_id = $1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
}

// NextNumber is the customer number the next new customer gets.
func NextNumber(ctx context.Context, tx *store.TenantTx) (int64, error) {
	var n int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(customer_number), 0) + 1 FROM customers WHERE association_id = $1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("next customer number: %w", err)
	}
	return n, nil
}

// field is one audited field of the card.
type field struct {
	name     string // JSON name
	personal bool   // kept in the audit trail only as a keyed hash
	value    func(Customer) string
}

func flag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// fields are the card's fields in the order audit events list them.
var fields = []field{
	{"customer_number", false, func(c Customer) string {
		if c.Number == 0 {
			return ""
		}
		return strconv.FormatInt(c.Number, 10)
	}},
	{"kind", false, func(c Customer) string { return c.Kind }},
	{"first_name", true, func(c Customer) string { return c.FirstName }},
	{"last_name", true, func(c Customer) string { return c.LastName }},
	{"organisation_name", true, func(c Customer) string { return c.OrgName }},
	{"business_id", true, func(c Customer) string { return c.BusinessID }},
	{"care_of", true, func(c Customer) string { return c.CareOf }},
	{"street", true, func(c Customer) string { return c.Street }},
	{"postcode", true, func(c Customer) string { return c.Postcode }},
	{"town", true, func(c Customer) string { return c.Town }},
	{"country", false, func(c Customer) string { return c.Country }},
	{"email", true, func(c Customer) string { return c.Email }},
	{"email_invoices", false, func(c Customer) string { return flag(c.EmailInvoices) }},
	{"phone", true, func(c Customer) string { return c.Phone }},
	{"phone_mobile", false, func(c Customer) string { return flag(c.PhoneMobile) }},
	{"language", false, func(c Customer) string { return c.Language }},
	{"notes", true, func(c Customer) string { return c.Notes }},
}

// diff lists the fields that differ, as audit changes; against the zero
// Customer it lists every non-empty field.
func diff(before, after Customer) []audit.Change {
	var out []audit.Change
	for _, f := range fields {
		b, a := f.value(before), f.value(after)
		if b == a {
			continue
		}
		ch := audit.Change{Field: f.name, Before: b, After: a}
		if f.personal {
			ch.Sensitivity = audit.Personal
		}
		out = append(out, ch)
	}
	return out
}

// suggestTown fills an empty town from the postcode table (the
// association's override first), in the customer's language, for the
// countries whose postcodes the table holds.
func suggestTown(ctx context.Context, tx *store.TenantTx, c *Customer) error {
	if c.Town != "" || c.Postcode == "" || (c.Country != "FI" && c.Country != "AX") {
		return nil
	}
	town, ok, err := postcode.Lookup(ctx, tx, c.Postcode, c.Language)
	if err != nil {
		return err
	}
	if ok {
		c.Town = town
	}
	return nil
}

// lockNumbers makes concurrent creations in one association take turns
// choosing a number (PostgreSQL; SQLite has one writer anyway).
func lockNumbers(ctx context.Context, tx *store.TenantTx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7346114, hashtext($1))`); err != nil {
		return fmt.Errorf("lock customer numbers: %w", err)
	}
	return nil
}

// numberFree returns a Problems error when number belongs to a customer
// other than except.
func numberFree(ctx context.Context, tx *store.TenantTx, number int64, except string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE association_id = $1 AND customer_number = $2 AND id <> $3`,
		number, except).Scan(&n); err != nil {
		return fmt.Errorf("check customer number: %w", err)
	}
	if n > 0 {
		return Problems{{Field: "customer_number", Message: "is already in use"}}
	}
	return nil
}

// Create validates a new customer, fills an empty town from the postcode
// table, and inserts it with a "customer.create" audit event, all in tx. A
// card that does not validate returns Problems and writes nothing. Number 0
// takes the association's next free customer number.
func Create(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, c Customer) (Customer, error) {
	c = c.Normalize()
	if ps := c.Validate(); len(ps) > 0 {
		return Customer{}, ps
	}
	if err := suggestTown(ctx, tx, &c); err != nil {
		return Customer{}, err
	}
	if err := lockNumbers(ctx, tx); err != nil {
		return Customer{}, err
	}
	if c.Number == 0 {
		n, err := NextNumber(ctx, tx)
		if err != nil {
			return Customer{}, err
		}
		c.Number = n
	} else if err := numberFree(ctx, tx, c.Number, ""); err != nil {
		return Customer{}, err
	}
	c.ID = uuid.Must(uuid.NewV7()).String()
	c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC()
	_, err := tx.Exec(ctx, `INSERT INTO customers (association_id, `+columns+`, sort_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		c.ID, c.Number, c.Kind, c.FirstName, c.LastName, c.OrgName, c.BusinessID, c.CareOf, c.Street, c.Postcode,
		c.Town, c.Country, c.Email, c.EmailInvoices, c.Phone, c.PhoneMobile, c.Language, c.Notes, c.CreatedAt,
		c.UpdatedAt, c.sortName())
	if store.IsUniqueViolation(err) {
		return Customer{}, Problems{{Field: "customer_number", Message: "is already in use"}}
	}
	if err != nil {
		return Customer{}, fmt.Errorf("insert customer: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "customer.create", ObjectType: "customer",
		ObjectID: c.ID, Changes: diff(Customer{}, c)}); err != nil {
		return Customer{}, err
	}
	return c, nil
}

// Update replaces the card of customer id with next (the whole card: empty
// fields clear them; number 0 keeps the current number), fills an empty
// town from the postcode table, and audits the fields that changed as
// "customer.update". When nothing changed nothing is written.
func Update(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string, next Customer) (Customer, error) {
	cur, err := Get(ctx, tx, id)
	if err != nil {
		return Customer{}, err
	}
	next = next.Normalize()
	if next.Number == 0 {
		next.Number = cur.Number
	}
	if ps := next.Validate(); len(ps) > 0 {
		return Customer{}, ps
	}
	if err := suggestTown(ctx, tx, &next); err != nil {
		return Customer{}, err
	}
	if next.Number != cur.Number {
		if err := lockNumbers(ctx, tx); err != nil {
			return Customer{}, err
		}
		if err := numberFree(ctx, tx, next.Number, cur.ID); err != nil {
			return Customer{}, err
		}
	}
	next.ID, next.CreatedAt, next.UpdatedAt = cur.ID, cur.CreatedAt, cur.UpdatedAt
	changes := diff(cur, next)
	if len(changes) == 0 {
		return cur, nil
	}
	next.UpdatedAt = now.UTC()
	_, err = tx.Exec(ctx, `UPDATE customers SET customer_number = $3, kind = $4, first_name = $5, last_name = $6,
		org_name = $7, business_id = $8, care_of = $9, street = $10, postcode = $11, town = $12, country = $13,
		email = $14, email_invoices = $15, phone = $16, phone_mobile = $17, language = $18, notes = $19,
		updated_at = $20, sort_name = $21
		WHERE association_id = $1 AND id = $2`,
		cur.ID, next.Number, next.Kind, next.FirstName, next.LastName, next.OrgName, next.BusinessID, next.CareOf,
		next.Street, next.Postcode, next.Town, next.Country, next.Email, next.EmailInvoices, next.Phone,
		next.PhoneMobile, next.Language, next.Notes, next.UpdatedAt, next.sortName())
	if store.IsUniqueViolation(err) {
		return Customer{}, Problems{{Field: "customer_number", Message: "is already in use"}}
	}
	if err != nil {
		return Customer{}, fmt.Errorf("update customer: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "customer.update", ObjectType: "customer",
		ObjectID: cur.ID, Changes: changes}); err != nil {
		return Customer{}, err
	}
	return next, nil
}

// A Blocker looks at one customer inside the deletion's transaction and
// returns a reason ("has 3 invoices") when it must not be deleted.
type Blocker func(ctx context.Context, tx *store.TenantTx, customerID string) (reason string, err error)

// DeleteBlockers are asked before a customer is deleted; any reason refuses
// it. Billing registers here, from init, so that invoices keep their
// customer.
var DeleteBlockers []Blocker

// ErrDeleteBlocked is matched (errors.Is) by every BlockedError.
var ErrDeleteBlocked = errors.New("customer cannot be deleted")

// BlockedError says why a customer cannot be deleted.
type BlockedError struct{ Reasons []string }

func (e *BlockedError) Error() string {
	return "customer cannot be deleted: " + strings.Join(e.Reasons, "; ")
}

// Is makes errors.Is(err, ErrDeleteBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrDeleteBlocked }

// Delete removes customer id and audits it as "customer.delete", with the
// card's values (personal ones as keyed hashes) so the trail shows what
// was removed.
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	cur, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	var reasons []string
	for _, blocker := range DeleteBlockers {
		reason, err := blocker(ctx, tx, cur.ID)
		if err != nil {
			return fmt.Errorf("check customer before deleting: %w", err)
		}
		if reason != "" {
			reasons = append(reasons, reason)
		}
	}
	if len(reasons) > 0 {
		return &BlockedError{Reasons: reasons}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM customers WHERE association_id = $1 AND id = $2`, cur.ID); err != nil {
		return fmt.Errorf("delete customer: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "customer.delete", ObjectType: "customer",
		ObjectID: cur.ID, Changes: diff(cur, Customer{})})
}
