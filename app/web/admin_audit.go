package web

// auditRoutes are the admin's audit log pages.
func (s *Server) auditRoutes() []route {
	return nil
}
