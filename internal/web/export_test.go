package web

// SetImportInlineRows sets how many rows an upload may have to be checked
// during the request; larger files are checked in the background. Tests
// set it low to take the background path with a small file.
func SetImportInlineRows(s *Server, n int) {
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	s.imports.inlineRows = n
}
