package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"selfcheck/app/auth"
)

// access says who may call a route. A nil access means anyone, logged in or not.
type access []auth.Role

var (
	anyone     access
	signedIn   = access{auth.FirmMember, auth.Auditor, auth.Admin}
	firmMember = access{auth.FirmMember}
	admin      = access{auth.Admin}
)

// route is one entry of the route table.
type route struct {
	Method  string
	Path    string
	Who     access
	handler echo.HandlerFunc
}

// registerRoutes is the route table: every route and who may use it, in one
// place. A route cannot be registered without saying who may call it.
func (s *Server) registerRoutes() {
	e := s.echo
	e.Use(middleware.Recover())
	e.Use(s.logRequests)
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit(formatBytes(s.Config.MaxBodyBytes)))
	e.Use(s.negotiateLanguage)
	e.Use(s.loadSession)
	e.Use(csrfProtect)

	s.routes = []route{
		{http.MethodGet, "/healthz", anyone, s.healthz},
		{http.MethodGet, "/static/*", anyone, s.static},
		{http.MethodGet, "/login", anyone, s.loginForm},
		{http.MethodPost, "/login", anyone, s.login},
		{http.MethodPost, "/logout", signedIn, s.logout},
		{http.MethodPost, "/lang", anyone, s.setLanguage},

		{http.MethodGet, "/", signedIn, s.home},
		{http.MethodPost, "/assessments", firmMember, s.createAssessment},
		{http.MethodGet, "/assessments/:id", signedIn, s.assessmentPage},
		{http.MethodPost, "/assessments/:id", firmMember, s.saveAssessmentForm},
		{http.MethodPost, "/assessments/:id/answers/:item", firmMember, s.autosaveAnswer},
		{http.MethodGet, "/assessments/:id/score", signedIn, s.scorePage},
		{http.MethodGet, "/assessments/:id/report.pdf", signedIn, s.reportPDF},

		{http.MethodGet, "/admin/checklists", admin, s.adminChecklists},
		{http.MethodPost, "/admin/checklists", admin, s.uploadChecklist},
		{http.MethodPost, "/admin/checklists/:id/delete", admin, s.deleteChecklist},
	}
	for _, r := range s.routes {
		e.Add(r.Method, r.Path, r.handler, s.require(r.Who))
	}
	e.RouteNotFound("/*", func(c echo.Context) error { return fail(http.StatusNotFound, "error.not_found") })
}

// Routes lists the route table, for tests that check every route's access.
func (s *Server) Routes() []route { return s.routes }
