package web

// groupRoutes are the pages of this part of the register.
func (s *Server) groupRoutes() []Route { return nil }
