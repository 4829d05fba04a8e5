package web

import (
	"context"
	"net/http"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// cardPart adds one part of the register's data (the member's fee, …) to
// the member card page; its template is a partial the card includes.
type cardPart func(ctx context.Context, tx *store.TenantTx, c *reqCtx, m member.Member, d pageData) error

// addCardParts runs every card part in one read transaction.
func (s *Server) addCardParts(r *http.Request, c *reqCtx, m member.Member, d pageData) error {
	parts := []cardPart{s.feeCard}
	return s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		for _, part := range parts {
			if err := part(r.Context(), tx, c, m, d); err != nil {
				return err
			}
		}
		return nil
	})
}
