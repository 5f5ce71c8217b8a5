package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"selfcheck/app/clean"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"selfcheck/app/access"
	"selfcheck/app/auth"
)

// The role sets of the route table (app/access, shared with the API).
var (
	anyone     = access.Anyone
	signedIn   = access.SignedIn
	firmMember = access.FirmUser
	firmAdmin  = access.FirmAdmin
	admin      = access.Admin
	reviewer   = access.Reviewer
	// hookOwner manages webhooks: a firm admin their firm's, an admin
	// the campaigns'.
	hookOwner = access.Who{auth.FirmAdmin, auth.Admin}
)

// route is one entry of the route table. MaxBody, when set, replaces the
// default request body limit (uploads).
type route struct {
	Method  string
	Path    string
	Who     access.Who
	Handler echo.HandlerFunc
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
	e.Use(s.twoFactorGate)

	s.routes = []route{
		{Method: http.MethodGet, Path: "/healthz", Who: anyone, Handler: s.readyz},
		{Method: http.MethodGet, Path: "/livez", Who: anyone, Handler: s.livez},
		{Method: http.MethodGet, Path: "/readyz", Who: anyone, Handler: s.readyz},
		{Method: http.MethodGet, Path: "/static/*", Who: anyone, Handler: s.static},
		{Method: http.MethodGet, Path: "/favicon.ico", Who: anyone, Handler: s.favicon},
		{Method: http.MethodGet, Path: "/login", Who: anyone, Handler: s.loginForm},
		{Method: http.MethodPost, Path: "/login", Who: anyone, Handler: s.login},
		{Method: http.MethodGet, Path: "/login/code", Who: anyone, Handler: s.loginCodeForm},
		{Method: http.MethodPost, Path: "/login/code", Who: anyone, Handler: s.loginCode},
		{Method: http.MethodPost, Path: "/logout", Who: signedIn, Handler: s.logout},
		{Method: http.MethodPost, Path: "/lang", Who: anyone, Handler: s.setLanguage},

		{Method: http.MethodGet, Path: "/", Who: signedIn, Handler: s.home},
		{Method: http.MethodPost, Path: "/assessments", Who: firmMember, Handler: s.createAssessment},
		{Method: http.MethodGet, Path: "/assessments/:id", Who: signedIn, Handler: s.assessmentPage},
		{Method: http.MethodPost, Path: "/assessments/:id", Who: firmMember, Handler: s.saveAssessmentForm, MaxBody: s.uploadLimit(8)},
		{Method: http.MethodGet, Path: "/assessments/:id/submit", Who: firmMember, Handler: s.submitConfirm},
		{Method: http.MethodPost, Path: "/assessments/:id/answers/:item", Who: firmMember, Handler: s.autosaveAnswer},
		{Method: http.MethodPost, Path: "/assessments/:id/answers/:item/plan", Who: firmMember, Handler: s.autosavePlan},
		{Method: http.MethodPost, Path: "/assessments/:id/answers/:item/evidence", Who: firmMember, Handler: s.uploadEvidence, MaxBody: s.uploadLimit(1)},
		{Method: http.MethodGet, Path: "/assessments/:id/evidence/:eid", Who: signedIn, Handler: s.downloadEvidence},
		{Method: http.MethodGet, Path: "/assessments/:id/evidence/:eid/view", Who: signedIn, Handler: s.viewEvidence},
		{Method: http.MethodPost, Path: "/assessments/:id/evidence/:eid/delete", Who: firmMember, Handler: s.removeEvidence},
		{Method: http.MethodPost, Path: "/assessments/:id/evidence/:eid/valid-until", Who: firmMember, Handler: s.setEvidenceValidUntil},
		{Method: http.MethodGet, Path: "/assessments/:id/timeline", Who: signedIn, Handler: s.timeline},
		{Method: http.MethodPost, Path: "/assessments/:id/assignments", Who: firmMember, Handler: s.assign},
		{Method: http.MethodPost, Path: "/assessments/:id/comments", Who: signedIn, Handler: s.comment},
		{Method: http.MethodPost, Path: "/assessments/:id/comments/edit", Who: signedIn, Handler: s.editComment},
		{Method: http.MethodPost, Path: "/assessments/:id/comments/delete", Who: signedIn, Handler: s.deleteComment},
		{Method: http.MethodGet, Path: "/assessments/:id/score", Who: signedIn, Handler: s.scorePage},
		{Method: http.MethodGet, Path: "/assessments/:id/report.pdf", Who: signedIn, Handler: s.reportPDF},
		{Method: http.MethodGet, Path: "/assessments/:id/report.xlsx", Who: signedIn, Handler: s.reportExport("xlsx")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.csv", Who: signedIn, Handler: s.reportExport("csv")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.json", Who: signedIn, Handler: s.reportExport("json")},
		{Method: http.MethodGet, Path: "/assessments/:id/report.oscal.json", Who: signedIn, Handler: s.reportExport("oscal")},
		{Method: http.MethodGet, Path: "/assessments/:id/package.zip", Who: signedIn, Handler: s.submissionPackage},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.pdf", Who: signedIn, Handler: s.rectificationPDF},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.xlsx", Who: signedIn, Handler: s.reportExport("rectification.xlsx")},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification.csv", Who: signedIn, Handler: s.reportExport("rectification.csv")},
		{Method: http.MethodGet, Path: "/plans", Who: firmMember, Handler: s.plans},
		{Method: http.MethodGet, Path: "/assessments/:id/rectification", Who: signedIn, Handler: s.rectificationPage},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/progress", Who: firmMember, Handler: s.reportProgress},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/verify", Who: reviewer, Handler: s.verifyPlan},
		{Method: http.MethodPost, Path: "/assessments/:id/plans/:item/evidence", Who: firmMember, Handler: s.uploadPlanEvidence, MaxBody: s.uploadLimit(1)},
		{Method: http.MethodGet, Path: "/assessments/:id/plans/:item/evidence/:eid", Who: signedIn, Handler: s.downloadPlanEvidence},
		{Method: http.MethodGet, Path: "/review", Who: reviewer, Handler: s.reviewQueue},
		{Method: http.MethodGet, Path: "/assessments/:id/review", Who: reviewer, Handler: s.reviewForm},
		{Method: http.MethodPost, Path: "/assessments/:id/review", Who: reviewer, Handler: s.review},

		{Method: http.MethodGet, Path: "/admin/checklists", Who: admin, Handler: s.adminChecklists},
		{Method: http.MethodPost, Path: "/admin/checklists", Who: admin, Handler: s.uploadChecklist},
		{Method: http.MethodPost, Path: "/admin/checklists/:id/delete", Who: admin, Handler: s.deleteChecklist},

		{Method: http.MethodGet, Path: "/campaigns/:id/dashboard", Who: reviewer, Handler: s.dashboard},
		{Method: http.MethodGet, Path: "/campaigns/:id/results.csv", Who: reviewer, Handler: s.resultsCSV},
		{Method: http.MethodGet, Path: "/campaigns/:id/results.xlsx", Who: reviewer, Handler: s.resultsXLSX},

		{Method: http.MethodGet, Path: "/admin/firms", Who: admin, Handler: s.adminFirms},
		{Method: http.MethodPost, Path: "/admin/firms", Who: admin, Handler: s.createFirm},
		{Method: http.MethodGet, Path: "/admin/users", Who: admin, Handler: s.adminUsers},
		{Method: http.MethodPost, Path: "/admin/users", Who: admin, Handler: s.createUser},
		{Method: http.MethodPost, Path: "/admin/users/:id/disable", Who: admin, Handler: s.disableUser},
		{Method: http.MethodPost, Path: "/admin/users/:id/role", Who: admin, Handler: s.changeRole},
		{Method: http.MethodGet, Path: "/admin/campaigns", Who: admin, Handler: s.adminCampaigns},
		{Method: http.MethodPost, Path: "/admin/campaigns", Who: admin, Handler: s.createCampaign},
		{Method: http.MethodPost, Path: "/admin/campaigns/:id/auditors", Who: admin, Handler: s.assignAuditors},
		{Method: http.MethodPost, Path: "/admin/campaigns/:id/follow-up", Who: admin, Handler: s.followUpCampaign},

		{Method: http.MethodGet, Path: "/team", Who: firmAdmin, Handler: s.team},
		{Method: http.MethodPost, Path: "/team", Who: firmAdmin, Handler: s.addTeamMember},
		{Method: http.MethodPost, Path: "/team/:id/remove", Who: firmAdmin, Handler: s.removeTeamMember},

		{Method: http.MethodGet, Path: "/notifications", Who: signedIn, Handler: s.notifications},
		{Method: http.MethodPost, Path: "/notifications/read-all", Who: signedIn, Handler: s.readAllNotifications},
		{Method: http.MethodPost, Path: "/notifications/:id/read", Who: signedIn, Handler: s.openNotification},

		{Method: http.MethodGet, Path: "/profile", Who: signedIn, Handler: s.profile},
		{Method: http.MethodPost, Path: "/profile/password", Who: signedIn, Handler: s.changePassword},
		{Method: http.MethodPost, Path: "/profile/notifications", Who: signedIn, Handler: s.saveNotificationPrefs},
		// An e-mail's unsubscribe link: its signed token stands for a sign-in.
		{Method: http.MethodGet, Path: "/unsubscribe", Who: anyone, Handler: s.unsubscribeForm},
		{Method: http.MethodPost, Path: "/unsubscribe", Who: anyone, Handler: s.unsubscribe},
		{Method: http.MethodPost, Path: "/profile/tokens", Who: signedIn, Handler: s.createToken},
		{Method: http.MethodPost, Path: "/profile/tokens/:id/revoke", Who: signedIn, Handler: s.revokeToken},
		{Method: http.MethodGet, Path: "/profile/2fa", Who: signedIn, Handler: s.twoFactor},
		{Method: http.MethodPost, Path: "/profile/2fa", Who: signedIn, Handler: s.startTwoFactor},
		{Method: http.MethodPost, Path: "/profile/2fa/confirm", Who: signedIn, Handler: s.confirmTwoFactor},
		{Method: http.MethodPost, Path: "/profile/2fa/disable", Who: signedIn, Handler: s.disableTwoFactor},
		{Method: http.MethodGet, Path: "/admin/audit", Who: admin, Handler: s.adminAudit},
		{Method: http.MethodGet, Path: "/admin/locks", Who: admin, Handler: s.adminLocks},
		{Method: http.MethodPost, Path: "/admin/locks/clear", Who: admin, Handler: s.clearLock},
		{Method: http.MethodGet, Path: "/settings/webhooks", Who: hookOwner, Handler: s.webhooks},
		{Method: http.MethodPost, Path: "/settings/webhooks", Who: hookOwner, Handler: s.createWebhook},
		{Method: http.MethodPost, Path: "/settings/webhooks/:id/delete", Who: hookOwner, Handler: s.deleteWebhook},
		{Method: http.MethodPost, Path: "/settings/webhooks/:id/test", Who: hookOwner, Handler: s.testWebhook},
		{Method: http.MethodGet, Path: "/admin/smtp", Who: admin, Handler: s.adminSMTP},
		{Method: http.MethodPost, Path: "/admin/smtp/test", Who: admin, Handler: s.testSMTP},
		{Method: http.MethodGet, Path: "/admin/deliveries", Who: admin, Handler: s.adminDeliveries},
		{Method: http.MethodPost, Path: "/admin/deliveries/:id/retry", Who: admin, Handler: s.retryDelivery},

		{Method: http.MethodGet, Path: "/verify/key", Who: anyone, Handler: s.verifyKeyPage},
		{Method: http.MethodGet, Path: "/verify/:code", Who: anyone, Handler: s.verifyPage},
	}
	for _, r := range s.routes {
		limit := r.MaxBody
		if limit == 0 {
			limit = s.Config.MaxBodyBytes
		}
		// The body limit comes before anything reads the body, and the access
		// check before the form is read and its CSRF token checked: a caller
		// who may not use the route is turned away before the body is parsed.
		e.Add(r.Method, r.Path, r.Handler, limitBody(limit), s.require(r.Who), readForm, s.csrfProtect)
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
			return failBecause(err, http.StatusBadRequest, "error.form_unreadable")
		}
		cleanForm(req)
		return next(c)
	}
}

// cleanForm cleans every value of a parsed form (clean.Text): every handler
// reads its text through the form, so no field can miss it. File names are
// cleaned where an upload is stored (evidence.CleanName).
func cleanForm(req *http.Request) {
	for _, form := range []url.Values{req.Form, req.PostForm} {
		for _, vs := range form {
			for i, v := range vs {
				vs[i] = clean.Text(v)
			}
		}
	}
	if req.MultipartForm != nil {
		for _, vs := range req.MultipartForm.Value {
			for i, v := range vs {
				vs[i] = clean.Text(v)
			}
		}
	}
}

// Routes lists the route table, for tests that check every route's access.
func (s *Server) Routes() []route { return s.routes }
