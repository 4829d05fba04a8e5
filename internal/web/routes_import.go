package web

import "seura.fi/seura/internal/auth"

// importRoutes are the import wizard's pages.
func (s *Server) importRoutes() []Route {
	return []Route{
		s.get("/a/{aid}/members/import", Member, auth.RoleUser, s.importForm),
		withBody(s.post("/a/{aid}/members/import", Member, auth.RoleUser, s.importUpload), importMaxBody),
		s.get("/a/{aid}/members/import/{job}/status", Member, auth.RoleUser, s.importJobPage),
		s.post("/a/{aid}/members/import/{job}/mapping", Member, auth.RoleUser, s.importRemap),
		s.post("/a/{aid}/members/import/{job}/commit", Member, auth.RoleUser, s.importCommit),
	}
}
