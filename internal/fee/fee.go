// Package fee holds the association's fee types (medlemsavgifter), the fee
// each member pays and the periods (fiscal years) fees are invoiced for. At a
// period change, members on age-based fees move to the fee their age calls
// for, after the treasurer has seen and confirmed the plan.
//
// Every function takes a tenant-scoped transaction, so a fee of one
// association is never reachable from another. The package reads members
// with its own queries instead of importing package member, so that the
// member register may in turn ask for fees without an import cycle.
package fee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"seura.fi/seura/internal/store"
)

// Fee is one fee type.
type Fee struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Product     string    `json:"product"`
	PriceCents  int64     `json:"price_cents"`
	AgeFrom     *int      `json:"age_from"`
	AgeBased    bool      `json:"age_based"`
	IsDefault   bool      `json:"is_default"`
	Position    int       `json:"position"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Price is the price as people read it in Finland and Sweden: "25,00 €".
func (f Fee) Price() string { return FormatPrice(f.PriceCents) }

// ErrNotFound is returned for a fee that is not in this association.
var ErrNotFound = errors.New("fee not found")

const feeColumns = `id, name, description, product, price_cents, age_from, age_based, is_default, position,
	created_at, updated_at`

func scanFee(row interface{ Scan(...any) error }) (Fee, error) {
	var f Fee
	var age sql.NullInt64
	err := row.Scan(&f.ID, &f.Name, &f.Description, &f.Product, &f.PriceCents, &age, &f.AgeBased, &f.IsDefault,
		&f.Position, &f.CreatedAt, &f.UpdatedAt)
	if age.Valid {
		a := int(age.Int64)
		f.AgeFrom = &a
	}
	return f, err
}

// List returns the association's fees in the order the treasurer set
// (position, then name). An association has a handful of fees, so there is
// no paging.
func List(ctx context.Context, tx *store.TenantTx) ([]Fee, error) {
	rows, err := tx.Query(ctx, `SELECT `+feeColumns+` FROM fees WHERE association_id = $1 ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("list fees: %w", err)
	}
	defer rows.Close()
	var out []Fee
	for rows.Next() {
		f, err := scanFee(rows)
		if err != nil {
			return nil, fmt.Errorf("scan fee: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list fees: %w", err)
	}
	return out, nil
}

// Get reads one fee by id; ErrNotFound when it is not this association's.
func Get(ctx context.Context, tx *store.TenantTx, id string) (Fee, error) {
	f, err := scanFee(tx.QueryRow(ctx, `SELECT `+feeColumns+` FROM fees WHERE association_id = $1 AND id = $2`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("read fee: %w", err)
	}
	return f, nil
}

// Counts returns the number of Active members on each fee, by fee id: the
// members who are invoiced and counted (former and deceased members keep
// their fee on the card but are not counted). Fees without members are
// present with 0.
func Counts(ctx context.Context, tx *store.TenantTx) (map[string]int64, error) {
	rows, err := tx.Query(ctx, `SELECT f.id, COUNT(m.id) FROM fees f
		LEFT JOIN members m ON m.association_id = $1 AND m.fee_id = f.id AND m.status = 'active'
		WHERE f.association_id = $1 GROUP BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("count members per fee: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count members per fee: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
