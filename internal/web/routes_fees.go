package web

import (
	"context"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// feeRoutes are the fee and period pages.
func (s *Server) feeRoutes() []Route { return nil }

// feeCard adds the member's fee to the card (template card_fee).
func (s *Server) feeCard(ctx context.Context, tx *store.TenantTx, c *reqCtx, m member.Member, d pageData) error {
	return nil
}
