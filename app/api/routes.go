package api

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// access says who may call a route. A nil access means anyone, without a token.
type access []auth.Role

var (
	anyone   access
	signedIn = access{auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin}
	firmUser = access{auth.FirmMember, auth.FirmAdmin}
	reviewer = access{auth.Auditor, auth.Admin}
	firmHead = access{auth.FirmAdmin}
	admin    = access{auth.Admin}
)

// handlerFunc is an API handler. u is the caller, nil on routes anyone may call.
type handlerFunc func(c echo.Context, u *store.User) error

// route is one entry of the route table. MaxBody, when set, replaces the
// JSON body limit (uploads).
type route struct {
	Method  string
	Path    string // under Prefix
	Who     access
	handler handlerFunc
	MaxBody int64
}

// table is every API route and who may call it, in one place.
func (a *API) table() []route {
	upload := a.Config.MaxEvidenceBytes + 1<<20
	return []route{
		{http.MethodGet, "/openapi.json", anyone, a.openAPI, 0},
		{http.MethodGet, "/checklists", signedIn, a.listChecklists, 0},
		{http.MethodGet, "/campaigns", signedIn, a.listCampaigns, 0},
		{http.MethodGet, "/assessments", signedIn, a.listAssessments, 0},
		{http.MethodPost, "/assessments", firmUser, a.createAssessment, 0},
		{http.MethodGet, "/assessments/:id", signedIn, a.getAssessment, 0},
		{http.MethodPut, "/assessments/:id/answers/:item", firmUser, a.saveAnswer, 0},
		{http.MethodPut, "/assessments/:id/answers/:item/plan", firmUser, a.savePlan, 0},
		{http.MethodPost, "/assessments/:id/answers/:item/evidence", firmUser, a.uploadEvidence, upload},
		{http.MethodGet, "/assessments/:id/answers/:item/evidence/:evidenceID", signedIn, a.downloadEvidence, 0},
		{http.MethodPost, "/assessments/:id/submit", firmUser, a.submit, 0},
		{http.MethodPost, "/assessments/:id/review", reviewer, a.review, 0},
		{http.MethodGet, "/assessments/:id/activity", signedIn, a.listActivity, 0},
		{http.MethodGet, "/assessments/:id/report.pdf", signedIn, a.reportPDF, 0},
		{http.MethodGet, "/assessments/:id/report.xlsx", signedIn, a.reportExport("xlsx"), 0},
		{http.MethodGet, "/assessments/:id/report.csv", signedIn, a.reportExport("csv"), 0},
		{http.MethodGet, "/assessments/:id/report.json", signedIn, a.reportExport("json"), 0},
		{http.MethodGet, "/assessments/:id/report.oscal.json", signedIn, a.reportExport("oscal"), 0},
		{http.MethodGet, "/assessments/:id/history", signedIn, a.history, 0},
		{http.MethodDelete, "/assessments/:id/answers/:item/evidence/:evidenceID", firmUser, a.removeEvidence, 0},
		{http.MethodGet, "/plans", firmUser, a.listPlans, 0},

		{http.MethodPost, "/campaigns", admin, a.createCampaign, 0},
		{http.MethodPut, "/campaigns/:id/auditors", admin, a.setAuditors, 0},
		{http.MethodPut, "/campaigns/:id/firms", admin, a.setFirms, 0},
		{http.MethodGet, "/campaigns/:id/dashboard", reviewer, a.campaignDashboard, 0},
		{http.MethodGet, "/campaigns/:id/results.csv", reviewer, a.campaignResults("csv"), 0},
		{http.MethodGet, "/campaigns/:id/results.xlsx", reviewer, a.campaignResults("xlsx"), 0},
		{http.MethodGet, "/review-queue", reviewer, a.reviewQueue, 0},

		{http.MethodGet, "/team", firmHead, a.listUsers, 0},
		{http.MethodPost, "/team", firmHead, a.addTeamMember, 0},
		{http.MethodDelete, "/team/:userID", firmHead, a.disableUser("userID"), 0},
		{http.MethodGet, "/firms", admin, a.listFirms, 0},
		{http.MethodPost, "/firms", admin, a.createFirm, 0},
		{http.MethodGet, "/users", admin, a.listUsers, 0},
		{http.MethodPost, "/users", admin, a.createUser, 0},
		{http.MethodPost, "/users/:id/disable", admin, a.disableUser("id"), 0},
		{http.MethodPut, "/users/:id/role", admin, a.changeRole, 0},
	}
}

// Routes lists the route table, for tests that check every route's access.
func (a *API) Routes() []route { return a.routes }

// Register adds the API's routes to e (see web.Server.Mount). Requests under
// Prefix that match no route get a JSON 404, or 405 when another method
// would match.
func (a *API) Register(e *echo.Echo) {
	g := e.Group(Prefix)
	for _, r := range a.routes {
		g.Add(r.Method, r.Path, a.handle(r))
	}
	fallback := a.handle(route{Who: anyone, handler: a.noRoute})
	g.RouteNotFound("", fallback)
	g.RouteNotFound("/*", fallback)
}

// handle wraps a handler with everything an API request goes through:
// authentication, the route's access, the body limit, and the conversion of
// any error (or panic) into a JSON answer. Errors never leave this function,
// so the web app's error handler is not involved.
func (a *API) handle(r route) echo.HandlerFunc {
	limit := r.MaxBody
	if limit == 0 {
		limit = a.Config.MaxJSONBytes
	}
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				err = fmt.Errorf("api: panic: %v\n%s", p, debug.Stack())
			}
			if err != nil {
				a.writeError(c, err)
				err = nil
			}
		}()
		c.Response().Header().Set("Cache-Control", "no-store")
		// The client's address and browser go to the audit log entries the request makes.
		c.SetRequest(c.Request().WithContext(store.WithRequest(c.Request().Context(), store.RequestInfo{IP: c.RealIP(), UserAgent: c.Request().UserAgent()})))
		var u *store.User
		if r.Who != nil {
			if u, err = a.authenticate(c); err != nil {
				return err
			}
			if !slices.Contains(r.Who, u.Role) {
				return errForbidden
			}
		}
		req := c.Request()
		if req.ContentLength > limit {
			return errTooLarge(limit)
		}
		req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, limit)
		return r.handler(c, u)
	}
}

// noRoute answers a path under Prefix that has no route: 405 with the
// allowed methods when the path exists for other methods, otherwise 404.
func (a *API) noRoute(c echo.Context, _ *store.User) error {
	path := strings.TrimPrefix(c.Request().URL.Path, Prefix)
	var allowed []string
	for _, r := range a.routes {
		if matchPath(r.Path, path) && !slices.Contains(allowed, r.Method) {
			allowed = append(allowed, r.Method)
		}
	}
	if len(allowed) == 0 {
		return errNotFound
	}
	sort.Strings(allowed)
	c.Response().Header().Set("Allow", strings.Join(allowed, ", "))
	return &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
		Message: "method not allowed; this path accepts " + strings.Join(allowed, ", ")}
}

// matchPath reports whether path matches an Echo route pattern, where each
// ":name" segment matches one non-empty segment.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], ":") {
			if xs[i] == "" {
				return false
			}
		} else if ps[i] != xs[i] {
			return false
		}
	}
	return true
}
