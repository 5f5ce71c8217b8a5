package web

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"selfcheck/app/access"
)

// The role sets of the route table (app/access, shared with the API).
var (
	anyone     = access.Anyone
	signedIn   = access.SignedIn
	firmMember = access.FirmUser
	firmAdmin  = access.FirmAdmin
	admin      = access.Admin
	reviewer   = access.Reviewer
)

// route is one entry of the route table. MaxBody, when set, replaces the
// default request body limit (uploads).
type route struct {
	Method  string
	Path    string
	Who     access.Who
	handler echo.HandlerFunc
	MaxBody int64
}

// registerRoutes is the route table: every route and who may use it, in one
// place. A route cannot be registered without saying who may call it.
func (s *Server) registerRoutes() {
	e := s.echo
	e.Use(middleware.Recover())
	e.Use(s.logRequests)
	e.Use(securityHeaders)
	e.Use(s.negotiateLanguage)
	e.Use(s.auditContext)
	e.Use(s.loadSession)

	s.routes = []route{
		{http.MethodGet, "/healthz", anyone, s.healthz, 0},
		{http.MethodGet, "/static/*", anyone, s.static, 0},
		{http.MethodGet, "/login", anyone, s.loginForm, 0},
		{http.MethodPost, "/login", anyone, s.login, 0},
		{http.MethodPost, "/logout", signedIn, s.logout, 0},
		{http.MethodPost, "/lang", anyone, s.setLanguage, 0},

		{http.MethodGet, "/", signedIn, s.home, 0},
		{http.MethodPost, "/assessments", firmMember, s.createAssessment, 0},
		{http.MethodGet, "/assessments/:id", signedIn, s.assessmentPage, 0},
		{http.MethodPost, "/assessments/:id", firmMember, s.saveAssessmentForm, s.uploadLimit(8)},
		{http.MethodPost, "/assessments/:id/answers/:item", firmMember, s.autosaveAnswer, 0},
		{http.MethodPost, "/assessments/:id/answers/:item/plan", firmMember, s.autosavePlan, 0},
		{http.MethodPost, "/assessments/:id/answers/:item/evidence", firmMember, s.uploadEvidence, s.uploadLimit(1)},
		{http.MethodGet, "/assessments/:id/evidence/:eid", signedIn, s.downloadEvidence, 0},
		{http.MethodGet, "/assessments/:id/evidence/:eid/view", signedIn, s.viewEvidence, 0},
		{http.MethodPost, "/assessments/:id/evidence/:eid/delete", firmMember, s.removeEvidence, 0},
		{http.MethodGet, "/assessments/:id/timeline", signedIn, s.timeline, 0},
		{http.MethodGet, "/assessments/:id/score", signedIn, s.scorePage, 0},
		{http.MethodGet, "/assessments/:id/report.pdf", signedIn, s.reportPDF, 0},
		{http.MethodGet, "/assessments/:id/report.xlsx", signedIn, s.reportExport("xlsx"), 0},
		{http.MethodGet, "/assessments/:id/report.csv", signedIn, s.reportExport("csv"), 0},
		{http.MethodGet, "/assessments/:id/report.json", signedIn, s.reportExport("json"), 0},
		{http.MethodGet, "/assessments/:id/report.oscal.json", signedIn, s.reportExport("oscal"), 0},
		{http.MethodGet, "/plans", firmMember, s.plans, 0},
		{http.MethodGet, "/review", reviewer, s.reviewQueue, 0},
		{http.MethodGet, "/assessments/:id/review", reviewer, s.reviewForm, 0},
		{http.MethodPost, "/assessments/:id/review", reviewer, s.review, 0},

		{http.MethodGet, "/admin/checklists", admin, s.adminChecklists, 0},
		{http.MethodPost, "/admin/checklists", admin, s.uploadChecklist, 0},
		{http.MethodPost, "/admin/checklists/:id/delete", admin, s.deleteChecklist, 0},
	}
	s.routes = append(s.routes, s.accountRoutes()...)
	s.routes = append(s.routes, s.dashboardRoutes()...)
	s.routes = append(s.routes, s.auditRoutes()...)
	s.routes = append(s.routes, s.verifyRoutes()...)
	for _, r := range s.routes {
		limit := r.MaxBody
		if limit == 0 {
			limit = s.Config.MaxBodyBytes
		}
		// The body limit comes before anything reads the body, and the access
		// check before the form is read and its CSRF token checked: a caller
		// who may not use the route is turned away before the body is parsed.
		e.Add(r.Method, r.Path, r.handler, limitBody(limit), s.require(r.Who), readForm, csrfProtect)
	}
	e.RouteNotFound("/*", func(c echo.Context) error { return fail(http.StatusNotFound, "error.not_found") })
}

// uploadLimit is the body limit of a route that takes up to files evidence
// files, with room for the rest of the form.
func (s *Server) uploadLimit(files int64) int64 {
	return files*s.Config.MaxEvidenceBytes + s.Config.MaxBodyBytes
}

// limitBody refuses a request body over limit bytes with 413: at once when
// its Content-Length says so, otherwise as soon as reading it passes the
// limit (a chunked body), when the reader returns *http.MaxBytesError,
// which readForm and handleError answer with 413.
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return fail(http.StatusRequestEntityTooLarge, "error.too_large")
			}
			req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, limit)
			return next(c)
		}
	}
}

// maxFormMemory is how much of a multipart form is held in memory; larger
// files wait in temporary files until the request ends.
const maxFormMemory = 8 << 20

// readForm reads the whole body of a request that changes state before
// anything looks at its fields, so that a body over the limit is a 413 and
// an unreadable form a 400, whichever reads a field first: the CSRF check
// (which reads no body when the token comes in a header) or the handler.
// Forms are parsed, to be read later from the request; no page takes any
// other body, so one is read only to check its size, and dropped.
func readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		var err error
		switch mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt {
		case echo.MIMEMultipartForm:
			err = req.ParseMultipartForm(maxFormMemory)
		case echo.MIMEApplicationForm:
			err = req.ParseForm()
		default:
			_, err = io.Copy(io.Discard, req.Body)
		}
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return fail(http.StatusRequestEntityTooLarge, "error.too_large")
		case err != nil:
			return fail(http.StatusBadRequest, "error.form_unreadable", err.Error())
		}
		return next(c)
	}
}

// Routes lists the route table, for tests that check every route's access.
func (s *Server) Routes() []route { return s.routes }
