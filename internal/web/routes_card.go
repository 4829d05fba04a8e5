package web

import "seura.fi/seura/internal/auth"

// cardRoutes are the pages of the member card's own settings: the
// association's custom fields, managed by its administrators.
func (s *Server) cardRoutes() []Route {
	return []Route{
		s.get("/a/{aid}/settings/fields", Member, auth.RoleAdmin, s.fieldsPage),
		s.post("/a/{aid}/settings/fields", Member, auth.RoleAdmin, s.fieldCreate),
		s.get("/a/{aid}/settings/fields/{fid}", Member, auth.RoleAdmin, s.fieldEditForm),
		s.post("/a/{aid}/settings/fields/{fid}", Member, auth.RoleAdmin, s.fieldUpdate),
		s.post("/a/{aid}/settings/fields/{fid}/delete", Member, auth.RoleAdmin, s.fieldDelete),
	}
}
