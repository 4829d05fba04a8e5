package web

import "seura.fi/seura/internal/auth"

// customerRoutes are the customer register's pages. Everyone in the
// association reads them, users add and edit customers, and only
// administrators delete one, as with members.
func (s *Server) customerRoutes() []Route {
	get, post := s.get, s.post
	return []Route{
		get("/a/{aid}/customers", Member, auth.RoleGuest, s.customerList),
		get("/a/{aid}/customers/new", Member, auth.RoleUser, s.customerNewForm),
		post("/a/{aid}/customers/new", Member, auth.RoleUser, s.customerCreate),
		get("/a/{aid}/customers/{cid}", Member, auth.RoleGuest, s.customerCard),
		get("/a/{aid}/customers/{cid}/edit", Member, auth.RoleUser, s.customerEditForm),
		post("/a/{aid}/customers/{cid}/edit", Member, auth.RoleUser, s.customerUpdate),
		post("/a/{aid}/customers/{cid}/delete", Member, auth.RoleAdmin, s.customerDelete),
	}
}
