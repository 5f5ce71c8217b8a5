package api

import (
	"net/http"
	"testing"

	"selfcheck"
	"selfcheck/app/testenv"
	"selfcheck/app/web"
)

// webToAPI maps a state-changing web route to the API route that does the
// same, where the two are not spelled alike ("METHOD path", the API's under
// Prefix).
var webToAPI = map[string]string{
	// The fill page's form saves every item at once; the API saves one item
	// per call, with the same store method.
	"POST /assessments/:id":                           "PUT /assessments/:id/answers/:item",
	"POST /assessments/:id/answers/:item":             "PUT /assessments/:id/answers/:item",
	"POST /assessments/:id/answers/:item/plan":        "PUT /assessments/:id/answers/:item/plan",
	"POST /assessments/:id/evidence/:eid/delete":      "DELETE /assessments/:id/answers/:item/evidence/:evidenceID",
	"POST /assessments/:id/evidence/:eid/valid-until": "PUT /assessments/:id/answers/:item/evidence/:evidenceID",
	"POST /assessments/:id/assignments":               "PUT /assessments/:id/assignments",
	"POST /assessments/:id/comments":                  "POST /assessments/:id/answers/:item/comments",
	"POST /assessments/:id/comments/edit":             "PUT /assessments/:id/comments/:commentID",
	"POST /assessments/:id/comments/delete":           "DELETE /assessments/:id/comments/:commentID",
	"POST /admin/firms":                               "POST /firms",
	"POST /admin/users":                               "POST /users",
	"POST /admin/users/:id/disable":                   "POST /users/:id/disable",
	"POST /admin/users/:id/role":                      "PUT /users/:id/role",
	"POST /admin/campaigns":                           "POST /campaigns",
	"POST /admin/campaigns/:id/auditors":              "PUT /campaigns/:id/auditors",
	"POST /admin/campaigns/:id/follow-up":             "POST /campaigns/:id/follow-up",
	"POST /team/:id/remove":                           "DELETE /team/:userID",
	"POST /admin/checklists":                          "POST /checklists",
	"POST /admin/checklists/:id/delete":               "DELETE /checklists/:id",
	"POST /admin/locks/clear":                         "POST /login-locks/clear",
	"POST /profile/notifications":                     "PUT /notification-preferences",
	"POST /settings/webhooks":                         "POST /webhooks",
	"POST /settings/webhooks/:id/delete":              "DELETE /webhooks/:id",
	"POST /settings/webhooks/:id/test":                "POST /webhooks/:id/test",
}

// webOnly are the state-changing web routes the API deliberately lacks.
var webOnly = map[string]string{
	"POST /login":  "a browser session starts here; API callers hold a token instead",
	"POST /logout": "ends a browser session; a token is revoked on the profile page",
	"POST /lang":   "the page language is a cookie; an API caller sends Accept-Language (error messages) or ?lang (reports)",
	// A token must not be able to change its owner's password or mint and
	// revoke tokens: a leaked token would then outlive its revocation.
	"POST /profile/password":          "needs the current password, in a browser session",
	"POST /profile/tokens":            "tokens are made in a browser session or with selfcheck token create",
	"POST /profile/tokens/:id/revoke": "revoked in a browser session, where the token list is shown",
	// Two-factor sign-in guards browser sessions only; a token that could
	// turn it off or enrol another phone would make it worthless.
	"POST /login/code":          "the second step of a browser sign-in",
	"POST /profile/2fa":         "two-factor sign-in is set up in a browser session",
	"POST /profile/2fa/confirm": "two-factor sign-in is set up in a browser session",
	"POST /profile/2fa/disable": "needs the password and a current code, in a browser session",
	// Notifications' outside channels.
	"POST /unsubscribe":                "an e-mail's link, followed in a browser; an API caller sets PUT /notification-preferences",
	"POST /admin/smtp/test":            "the SMTP check belongs beside the settings it checks, which only that page shows",
	"POST /admin/deliveries/:id/retry": "failed deliveries are seen and retried on the admins' deliveries page",
}

// TestAPIParity fails when a web route that changes something has no API
// counterpart and is not a deliberate exception: everything a person can
// do in the pages must be doable with a token.
func TestAPIParity(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	srv, err := web.New(web.Deps{Work: env.Work, Messages: env.Messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: env.Log})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Work: env.Work, Messages: env.Messages, Log: env.Log})
	apiRoutes := map[string]bool{}
	for _, r := range a.Routes() {
		apiRoutes[r.Method+" "+r.Path] = true
	}
	used := map[string]bool{}
	for _, r := range srv.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			continue
		}
		key := r.Method + " " + r.Path
		if _, ok := webOnly[key]; ok {
			used[key] = true
			continue
		}
		want := key
		if m, ok := webToAPI[key]; ok {
			want, used[key] = m, true
		}
		if !apiRoutes[want] {
			t.Errorf("web route %s has no API counterpart (%s): add one, or say why not in webOnly", key, want)
		}
	}
	for _, m := range []map[string]string{webToAPI, webOnly} {
		for key := range m {
			if !used[key] {
				t.Errorf("%s is listed but is not a state-changing web route", key)
			}
		}
	}
}
