package web

// SetImportMaxJobs sets how many uploads the server holds at once, so a
// test can fill the server with two associations' files.
func SetImportMaxJobs(s *Server, n int) {
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	s.imports.maxJobs = n
}
