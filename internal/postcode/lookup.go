// Package postcode suggests the town for a postcode, so that a treasurer
// typing an address need not type the town, and so addresses on letters and
// invoices are spelled as the post expects. The platform table holds
// Finland's postcodes with their Finnish and Swedish town names; each
// association may override a town (a village name its members use).
package postcode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"seura.fi/seura/internal/store"
)

// Lookup returns the town for code as the association writes it: the
// association's own override when there is one, otherwise the platform
// table's name, in Swedish when lang is "sv" and the place has a Swedish
// name, in Finnish otherwise. ok is false when the code is unknown.
func Lookup(ctx context.Context, tx *store.TenantTx, code, lang string) (town string, ok bool, err error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", false, nil
	}
	err = tx.QueryRow(ctx, `SELECT town FROM association_postcodes
		WHERE association_id = $1 AND postcode = $2`, code).Scan(&town)
	switch {
	case err == nil:
		return town, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", false, fmt.Errorf("look up postcode override: %w", err)
	}
	var fi, sv string
	err = tx.Platform().QueryRow(ctx, `SELECT town_fi, town_sv FROM postcodes WHERE postcode = $1`, code).Scan(&fi, &sv)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("look up postcode: %w", err)
	}
	if lang == "sv" && sv != "" {
		return sv, true, nil
	}
	return fi, true, nil
}
