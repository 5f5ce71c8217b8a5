package web

// dashboardRoutes are the campaign dashboards and result exports.
func (s *Server) dashboardRoutes() []route {
	return nil
}
