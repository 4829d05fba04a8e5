package web

// reportRoutes are the pages of this part of the register.
func (s *Server) reportRoutes() []Route { return nil }
