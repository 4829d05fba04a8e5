package web

import "seura.fi/seura/internal/auth"

// postcodeRoutes are the postcode table's pages. Everyone with a role in
// the association may search the table and ask for a town (forms fill the
// town with it); only administrators change the association's own towns,
// since they apply to every card.
func (s *Server) postcodeRoutes() []Route {
	get, post := s.get, s.post
	return []Route{
		get("/a/{aid}/settings/postcodes", Member, auth.RoleGuest, s.postcodePage),
		post("/a/{aid}/settings/postcodes", Member, auth.RoleAdmin, s.postcodeSet),
		post("/a/{aid}/settings/postcodes/{code}/delete", Member, auth.RoleAdmin, s.postcodeDelete),
		get("/a/{aid}/postcodes/{code}", Member, auth.RoleGuest, s.postcodeTown),
	}
}
