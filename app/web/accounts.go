package web

// accountRoutes lists the pages for managing people: admins' firms, users and
// campaigns, firm admins' teams, everyone's profile and API tokens.
func (s *Server) accountRoutes() []route {
	return nil
}
