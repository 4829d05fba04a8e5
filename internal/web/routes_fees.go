package web

import (
	"context"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// feeRoutes are the fee and period pages. Everyone in the association reads
// them; fee types and periods are settings, so only administrators change
// them, while changing one member's fee is everyday work for users.
func (s *Server) feeRoutes() []Route {
	get, post := s.get, s.post
	return []Route{
		get("/a/{aid}/fees", Member, auth.RoleGuest, s.feeList),
		get("/a/{aid}/fees/new", Member, auth.RoleAdmin, s.feeNewForm),
		post("/a/{aid}/fees/new", Member, auth.RoleAdmin, s.feeCreate),
		get("/a/{aid}/fees/{fid}", Member, auth.RoleGuest, s.feeMembers),
		get("/a/{aid}/fees/{fid}/edit", Member, auth.RoleAdmin, s.feeEditForm),
		post("/a/{aid}/fees/{fid}/edit", Member, auth.RoleAdmin, s.feeUpdate),
		post("/a/{aid}/fees/{fid}/delete", Member, auth.RoleAdmin, s.feeDelete),
		get("/a/{aid}/periods", Member, auth.RoleGuest, s.periodPage),
		get("/a/{aid}/periods/preview", Member, auth.RoleAdmin, s.periodPreview),
		post("/a/{aid}/periods", Member, auth.RoleAdmin, s.periodApply),
		post("/a/{aid}/members/{mid}/fee", Member, auth.RoleUser, s.memberFeeChange),
	}
}

// feeCardData is what the card's fee section (template card_fee) shows.
type feeCardData struct {
	Fee    fee.Fee
	HasFee bool
	// Fees are offered in the change form, which is shown only to users
	// who may write and only for Active members.
	Fees      []fee.Fee
	CanChange bool
}

// feeCard adds the member's fee to the card (template card_fee).
func (s *Server) feeCard(ctx context.Context, tx *store.TenantTx, c *reqCtx, m member.Member, d pageData) error {
	f, ok, err := fee.OfMember(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	card := feeCardData{Fee: f, HasFee: ok,
		CanChange: c.Role.AtLeast(auth.RoleUser) && m.Status == member.StatusActive}
	if card.CanChange {
		if card.Fees, err = fee.List(ctx, tx); err != nil {
			return err
		}
	}
	d["FeeCard"] = card
	return nil
}
