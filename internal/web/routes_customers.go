package web

// customerRoutes are the pages of this part of the register.
func (s *Server) customerRoutes() []Route { return nil }
