package web

// postcodeRoutes are the pages of this part of the register.
func (s *Server) postcodeRoutes() []Route { return nil }
