package fee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// statusActive is member.StatusActive, repeated here so that this package
// does not import package member (see the package comment).
const statusActive = "active"

// ErrMemberNotFound is returned for a member that is not in this association.
var ErrMemberNotFound = errors.New("member not found")

// ErrNotActive is returned when changing the fee of a member who is not
// Active: like the rest of the card, only Active members can be edited.
var ErrNotActive = errors.New("only active members can have their fee changed")

// Member is a member as a fee's member list shows them.
type Member struct {
	ID        string    `json:"id"`
	Number    int64     `json:"member_number"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	BirthDate time.Time `json:"birth_date,omitzero"`
}

// displayName is member.Member.DisplayName over the raw columns.
func displayName(kind, first, last, org string) string {
	if kind == "organisation" {
		return org
	}
	return strings.TrimSpace(last + ", " + first)
}

// Members returns up to limit members who have fee feeID, of every status,
// ordered by member number after afterNumber (keyset paging, so the cost
// does not grow with the page). ErrNotFound when the fee is not this
// association's.
func Members(ctx context.Context, tx *store.TenantTx, feeID string, afterNumber int64, limit int) ([]Member, error) {
	if _, err := Get(ctx, tx, feeID); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, member_number, kind, first_name, last_name, org_name, status, birth_date
		FROM members WHERE association_id = $1 AND fee_id = $2 AND member_number > $3
		ORDER BY member_number LIMIT $4`, feeID, afterNumber, limit)
	if err != nil {
		return nil, fmt.Errorf("list members of fee: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var kind, first, last, org string
		var birth sql.NullTime
		if err := rows.Scan(&m.ID, &m.Number, &kind, &first, &last, &org, &m.Status, &birth); err != nil {
			return nil, fmt.Errorf("scan member of fee: %w", err)
		}
		m.Name, m.BirthDate = displayName(kind, first, last, org), birth.Time
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list members of fee: %w", err)
	}
	return out, nil
}

// OfMember returns the fee member memberID has; ok is false when the member
// has none. ErrMemberNotFound when the member is not this association's.
func OfMember(ctx context.Context, tx *store.TenantTx, memberID string) (f Fee, ok bool, err error) {
	feeID, _, err := memberFee(ctx, tx, memberID, false)
	if err != nil || feeID == "" {
		return Fee{}, false, err
	}
	f, err = Get(ctx, tx, feeID)
	if err != nil {
		return Fee{}, false, err
	}
	return f, true, nil
}

// memberFee reads a member's fee id and status, on PostgreSQL locking the
// row when forUpdate is set, so that two changes take turns and each audits
// the state it really changed.
func memberFee(ctx context.Context, tx *store.TenantTx, memberID string, forUpdate bool) (feeID, status string, err error) {
	q := `SELECT COALESCE(fee_id, ''), status FROM members WHERE association_id = $1 AND id = $2`
	if forUpdate && tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	err = tx.QueryRow(ctx, q, memberID).Scan(&feeID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrMemberNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read member fee: %w", err)
	}
	return feeID, status, nil
}

// Assign gives an Active member fee feeID ("" leaves the member without a
// fee) and writes a "member.fee" audit event naming both fees. Members of
// other statuses are refused with ErrNotActive; a fee or member of another
// association is ErrNotFound or ErrMemberNotFound. Assigning the fee the
// member already has changes and records nothing.
func Assign(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, memberID, feeID string) error {
	before, status, err := memberFee(ctx, tx, memberID, true)
	if err != nil {
		return err
	}
	if status != statusActive {
		return ErrNotActive
	}
	var to Fee
	if feeID != "" {
		if to, err = Get(ctx, tx, feeID); err != nil {
			return err
		}
	}
	if before == feeID {
		return nil
	}
	var from Fee
	if before != "" {
		if from, err = Get(ctx, tx, before); err != nil {
			return fmt.Errorf("read member's previous fee: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE members SET fee_id = $3, updated_at = $4 WHERE association_id = $1 AND id = $2`,
		memberID, nullString(feeID), now); err != nil {
		return fmt.Errorf("change member fee: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.fee", ObjectType: "member", ObjectID: memberID,
		Changes: []audit.Change{{Field: "fee_id", Before: before, After: feeID}},
		Details: map[string]any{"from_fee": from.Name, "to_fee": to.Name}})
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
