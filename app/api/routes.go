package api

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/workflow"
)

// The role sets of the route table (app/access, shared with the web).
// access.Anyone means anyone, without a token.
var (
	anyone   = access.Anyone
	signedIn = access.SignedIn
	firmUser = access.FirmUser
	reviewer = access.Reviewer
	firmHead = access.FirmAdmin
	admin    = access.Admin
	// hookOwner manages webhooks: a firm admin their firm's, an admin
	// the campaigns'.
	hookOwner = access.Who{auth.FirmAdmin, auth.Admin}
)

// handlerFunc is an API handler. p is the caller, the zero Principal on
// routes anyone may call.
type handlerFunc func(c echo.Context, p access.Principal) error

// route is one entry of the route table. MaxBody, when set, replaces the
// JSON body limit (uploads).
type route struct {
	Method  string
	Path    string // under Prefix
	Who     access.Who
	Handler handlerFunc
	MaxBody int64
}

// table is every API route and who may call it, in one place.
func (a *API) table() []route {
	upload := a.Config.MaxEvidenceBytes + 1<<20
	return []route{
		{Method: http.MethodGet, Path: "/openapi.json", Who: anyone, Handler: a.openAPI},
		{Method: http.MethodGet, Path: "/checklists", Who: signedIn, Handler: a.listChecklists},
		{Method: http.MethodPost, Path: "/checklists", Who: admin, Handler: a.uploadChecklist, MaxBody: workflow.MaxChecklistBytes + 64<<10},
		{Method: http.MethodDelete, Path: "/checklists/:id", Who: admin, Handler: a.deleteChecklist},
		{Method: http.MethodGet, Path: "/campaigns", Who: signedIn, Handler: a.listCampaigns},
		{Method: http.MethodGet, Path: "/assessments", Who: signedIn, Handler: a.listAssessments},
		{Method: http.MethodPost, Path: "/assessments", Who: firmUser, Handler: a.createAssessment},
		{Method: http.MethodGet, Path: "/assessments/:id", Who: signedIn, Handler: a.getAssessment},
		{Method: http.MethodPut, Path: "/assessments/:id/answers/:item", Who: firmUser, Handler: a.saveAnswer},
		{Method: http.MethodPut, Path: "/assessments/:id/answers/:item/plan", Who: firmUser, Handler: a.savePlan},
		{Method: http.MethodPost, Path: "/assessments/:id/answers/:item/evidence", Who: firmUser, Handler: a.uploadEvidence, MaxBody: upload},
		{Method: http.MethodGet, Path: "/assessments/:id/answers/:item/evidence/:evidenceID", Who: signedIn, Handler: a.downloadEvidence},
		{Method: http.MethodPost, Path: "/assessments/:id/submit", Who: firmUser, Handler: a.submit},
		{Method: http.MethodPost, Path: "/assessments/:id/review", Who: reviewer, Handler: a.review},
		{Method: http.MethodGet, Path: "/assessments/:id/activity", Who: signedIn, Handler: a.listActivity},
		{Method: http.MethodGet, Path: "/assessments/:id/report.pdf", Who: signedIn, Handler: a.issued("report", a.reportPDF)},
		{Method: http.MethodGet, Path: "/assessments/:id/report.xlsx", Who: signedIn, Handler: a.reportExport("xlsx")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.csv", Who: signedIn, Handler: a.reportExport("csv")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.json", Who: signedIn, Handler: a.reportExport("json")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.oscal.json", Who: signedIn, Handler: a.reportExport("oscal")},
		{Method: http.MethodGet, Path: "/assessments/:id/package.zip", Who: signedIn, Handler: a.issued("submission package", a.submissionPackage)},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.pdf", Who: signedIn, Handler: a.issued("rectification report", a.rectificationPDF)},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.xlsx", Who: signedIn, Handler: a.reportExport("rectification.xlsx")},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.csv", Who: signedIn, Handler: a.reportExport("rectification.csv")},
		{Method: http.MethodGet, Path: "/assessments/:id/history", Who: signedIn, Handler: a.history},
		{Method: http.MethodDelete, Path: "/assessments/:id/answers/:item/evidence/:evidenceID", Who: firmUser, Handler: a.removeEvidence},
		{Method: http.MethodPut, Path: "/assessments/:id/answers/:item/evidence/:evidenceID", Who: firmUser, Handler: a.setEvidenceValidity},
		{Method: http.MethodGet, Path: "/plans", Who: firmUser, Handler: a.listPlans},
		{Method: http.MethodGet, Path: "/assessments/:id/plans/:item", Who: signedIn, Handler: a.getPlan},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/progress", Who: firmUser, Handler: a.reportProgress},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/verify", Who: reviewer, Handler: a.verifyPlan},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/evidence", Who: firmUser, Handler: a.uploadPlanEvidence, MaxBody: upload},
		{Method: http.MethodGet, Path: "/assessments/:id/plans/:item/evidence/:evidenceID", Who: signedIn, Handler: a.downloadPlanEvidence},
		{Method: http.MethodPut, Path: "/assessments/:id/assignments", Who: firmUser, Handler: a.setAssignments},
		{Method: http.MethodGet, Path: "/assessments/:id/answers/:item/comments", Who: signedIn, Handler: a.listComments},
		{Method: http.MethodPost, Path: "/assessments/:id/answers/:item/comments", Who: signedIn, Handler: a.addComment},
		{Method: http.MethodPut, Path: "/assessments/:id/comments/:commentID", Who: signedIn, Handler: a.editComment},
		{Method: http.MethodDelete, Path: "/assessments/:id/comments/:commentID", Who: signedIn, Handler: a.deleteComment},
		{Method: http.MethodGet, Path: "/notifications", Who: signedIn, Handler: a.listNotifications},
		{Method: http.MethodPost, Path: "/notifications/read-all", Who: signedIn, Handler: a.readAllNotifications},
		{Method: http.MethodPost, Path: "/notifications/:id/read", Who: signedIn, Handler: a.readNotification},
		{Method: http.MethodGet, Path: "/notification-preferences", Who: signedIn, Handler: a.notificationPreferences},
		{Method: http.MethodPut, Path: "/notification-preferences", Who: signedIn, Handler: a.setNotificationPreferences},
		{Method: http.MethodGet, Path: "/webhooks", Who: hookOwner, Handler: a.listWebhooks},
		{Method: http.MethodPost, Path: "/webhooks", Who: hookOwner, Handler: a.createWebhook},
		{Method: http.MethodDelete, Path: "/webhooks/:id", Who: hookOwner, Handler: a.deleteWebhook},
		{Method: http.MethodPost, Path: "/webhooks/:id/test", Who: hookOwner, Handler: a.testWebhook},

		{Method: http.MethodPost, Path: "/campaigns", Who: admin, Handler: a.createCampaign},
		{Method: http.MethodPost, Path: "/campaigns/:id/follow-up", Who: admin, Handler: a.followUpCampaign},
		{Method: http.MethodPut, Path: "/campaigns/:id/auditors", Who: admin, Handler: a.setAuditors},
		{Method: http.MethodPut, Path: "/campaigns/:id/firms", Who: admin, Handler: a.setFirms},
		{Method: http.MethodPut, Path: "/campaigns/:id/reminders", Who: admin, Handler: a.setReminderDays},
		{Method: http.MethodGet, Path: "/campaigns/:id/dashboard", Who: reviewer, Handler: a.campaignDashboard},
		{Method: http.MethodGet, Path: "/campaigns/:id/results.csv", Who: reviewer, Handler: a.campaignResults("csv")},
		{Method: http.MethodGet, Path: "/campaigns/:id/results.xlsx", Who: reviewer, Handler: a.campaignResults("xlsx")},
		{Method: http.MethodGet, Path: "/review-queue", Who: reviewer, Handler: a.reviewQueue},

		{Method: http.MethodGet, Path: "/team", Who: firmHead, Handler: a.listUsers},
		{Method: http.MethodPost, Path: "/team", Who: firmHead, Handler: a.addTeamMember},
		{Method: http.MethodDelete, Path: "/team/:userID", Who: firmHead, Handler: a.disableUser("userID")},
		{Method: http.MethodGet, Path: "/firms", Who: admin, Handler: a.listFirms},
		{Method: http.MethodPost, Path: "/firms", Who: admin, Handler: a.createFirm},
		{Method: http.MethodGet, Path: "/users", Who: admin, Handler: a.listUsers},
		{Method: http.MethodPost, Path: "/users", Who: admin, Handler: a.createUser},
		{Method: http.MethodPost, Path: "/users/:id/disable", Who: admin, Handler: a.disableUser("id")},
		{Method: http.MethodPut, Path: "/users/:id/role", Who: admin, Handler: a.changeRole},
		{Method: http.MethodGet, Path: "/login-locks", Who: admin, Handler: a.listLoginLocks},
		{Method: http.MethodPost, Path: "/login-locks/clear", Who: admin, Handler: a.clearLoginLock},
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
	fallback := a.handle(route{Who: anyone, Handler: a.noRoute})
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
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = fmt.Errorf("api: panic: %v\n%s", v, debug.Stack())
			}
			if err != nil {
				a.writeError(c, err)
				err = nil
			}
		}()
		c.Response().Header().Set("Cache-Control", "no-store")
		// The client's address and browser go to the audit log entries the request makes.
		c.SetRequest(c.Request().WithContext(workflow.WithRequest(c.Request().Context(), workflow.RequestInfo{IP: c.RealIP(), UserAgent: c.Request().UserAgent()})))
		var p access.Principal
		if !r.Who.Open() {
			if p, err = a.authenticate(c); err != nil {
				return err
			}
			if !r.Who.Allows(p.Role) {
				return errForbidden
			}
		}
		req := c.Request()
		if req.ContentLength > limit {
			return errTooLarge(limit)
		}
		req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, limit)
		return r.Handler(c, p)
	}
}

// noRoute answers a path under Prefix that has no route: 405 with the
// allowed methods when the path exists for other methods, otherwise 404.
func (a *API) noRoute(c echo.Context, _ access.Principal) error {
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
