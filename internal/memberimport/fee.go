package memberimport

import (
	"fmt"
	"strings"

	"seura.fi/seura/internal/fee"
)

// The fee column names one of the association's fee types (package fee) by
// its name, as the treasurer sees it in the fee list: "Aikuinen",
// "Junior". The fee is not part of the member card (member.Member) but a
// column of its own, members.fee_id, which package fee keeps; the import
// reads and writes it next to the card, and only when the file has a fee
// column.

// feeKey is how fee names are compared: ignoring case and runs of spaces.
func feeKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}

// loadFees reads the association's fees by name and, when rows may update
// members, the fee each member pays now.
func (p *planner) loadFees() error {
	if p.m.Column(FeeName) < 0 {
		return nil
	}
	fees, err := fee.List(p.ctx, p.tx)
	if err != nil {
		return err
	}
	p.feeByName = map[string]string{}
	for _, f := range fees {
		p.feeByName[feeKey(f.Name)] = f.ID
		p.feeNames = append(p.feeNames, f.Name)
	}
	p.memberFee = map[string]string{}
	rows, err := p.tx.Query(p.ctx, `SELECT id, fee_id FROM members WHERE association_id = $1 AND fee_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("read members' fees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, feeID string
		if err := rows.Scan(&id, &feeID); err != nil {
			return fmt.Errorf("read members' fees: %w", err)
		}
		p.memberFee[id] = feeID
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read members' fees: %w", err)
	}
	return nil
}

// setFee sets the row's fee from the cell v, or says why v names no fee.
func (p *planner) setFee(r *row, v string) string {
	id, ok := p.feeByName[feeKey(v)]
	if ok {
		r.feeID = id
		return ""
	}
	if len(p.feeNames) == 0 {
		return "the association has no fees yet; add them under Fees first"
	}
	return fmt.Sprintf("no fee is named %q; the association's fees are: %s", v, strings.Join(p.feeNames, ", "))
}
