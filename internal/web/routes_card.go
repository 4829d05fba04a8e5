package web

// cardRoutes are the pages of the member card's own settings (custom
// fields).
func (s *Server) cardRoutes() []Route { return nil }
