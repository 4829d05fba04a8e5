package web

import "seura.fi/seura/internal/auth"

// reportRoutes are the pages of this part of the register. Everyone in the
// association may run reports on screen (guests see the member list too);
// exports are files of personal data that leave the register, so they need
// the User role, as do saving and deleting saved reports. Every run and
// every export is audited with its row count.
func (s *Server) reportRoutes() []Route {
	get, post := s.get, s.post
	return []Route{
		get("/a/{aid}/reports", Member, auth.RoleGuest, s.reportIndex),
		get("/a/{aid}/reports/builder", Member, auth.RoleGuest, s.reportBuilder),
		get("/a/{aid}/reports/builtin/{id}", Member, auth.RoleGuest, s.reportBuiltin),
		get("/a/{aid}/reports/saved/{rid}", Member, auth.RoleGuest, s.reportSaved),
		post("/a/{aid}/reports/saved/{rid}/delete", Member, auth.RoleUser, s.reportDelete),
		get("/a/{aid}/reports/save-search", Member, auth.RoleUser, s.reportSaveSearchForm),
		post("/a/{aid}/reports/save", Member, auth.RoleUser, s.reportSave),
		get("/a/{aid}/reports/export", Member, auth.RoleUser, s.reportExport),
		get("/a/{aid}/members/export", Member, auth.RoleUser, s.memberExport),
	}
}
