package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"selfcheck/app/workflow"
)

// Two-factor sign-in: the code step of the login (/login/code), the page
// that turns it on and off (/profile/2fa), and the gate that keeps a user
// whose role requires it to that page until it is on.

// challengeCookie holds the token of a sign-in whose password was right
// and whose code is awaited; the database holds the rest (workflow).
const challengeCookie = "selfcheck_login_challenge"

// maxCodeBytes bounds what the code fields take: a recovery code with
// spaces fits many times over.
const maxCodeBytes = 64

type loginCodePage struct {
	Next  string
	Error string
}

// askForCode answers a right password of an account with two-factor
// sign-in on: the browser keeps the challenge and is sent to the code step.
func (s *Server) askForCode(c echo.Context, need *workflow.SecondFactorNeeded, next string) error {
	setCookie(c, challengeCookie, need.Challenge, workflow.LoginChallengeAge)
	return c.Redirect(http.StatusSeeOther, "/login/code?next="+url.QueryEscape(next))
}

func (s *Server) loginCodeForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if ck, err := c.Cookie(challengeCookie); err != nil || ck.Value == "" {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return s.render(c, http.StatusOK, "login_code", s.T(c, "twofactor.code.title"), loginCodePage{Next: safeNext(c.QueryParam("next"))})
}

// loginCode finishes a sign-in with a code from the app or a recovery
// code. A wrong code counts as a failed login (the workflow's throttle).
func (s *Server) loginCode(c echo.Context) error {
	next := safeNext(c.FormValue("next"))
	code := strings.TrimSpace(c.FormValue("code"))
	page := func(status int, key string) error {
		return s.render(c, status, "login_code", s.T(c, "twofactor.code.title"), loginCodePage{Next: next, Error: s.T(c, key)})
	}
	ck, err := c.Cookie(challengeCookie)
	if err != nil || ck.Value == "" {
		return s.challengeGone(c, next)
	}
	if code == "" {
		return page(http.StatusUnprocessableEntity, "twofactor.error.code_required")
	}
	if len(code) > maxCodeBytes {
		code = code[:maxCodeBytes]
	}
	var prior string
	if sc, err := c.Cookie(sessionCookie); err == nil {
		prior = sc.Value
	}
	_, token, err := s.Work.CompleteLogin(c.Request().Context(), ck.Value, code, c.RealIP(), prior)
	var te *workflow.ThrottledError
	switch {
	case errors.As(err, &te):
		return s.render(c, http.StatusTooManyRequests, "login_code", s.T(c, "twofactor.code.title"),
			loginCodePage{Next: next, Error: s.throttledMessage(c, te)})
	case errors.Is(err, workflow.ErrWrongCode):
		return page(http.StatusUnauthorized, "twofactor.error.wrong_code")
	case errors.Is(err, workflow.ErrChallengeExpired), errors.Is(err, workflow.ErrTwoFactorOff):
		return s.challengeGone(c, next)
	case errors.Is(err, workflow.ErrTwoFactorUnavailable):
		s.Log.Error("an app code cannot be checked without the two-factor key", "err", err)
		return page(http.StatusServiceUnavailable, "twofactor.error.no_key")
	case err != nil:
		return err
	}
	clearCookie(c, challengeCookie)
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// challengeGone sends a code step without a live sign-in back to the
// password.
func (s *Server) challengeGone(c echo.Context, next string) error {
	clearCookie(c, challengeCookie)
	flash(c, "twofactor.error.expired")
	return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
}

type twoFactorPage struct {
	workflow.TwoFactor
	QR template.URL // the pending secret's otpauth:// URI as a PNG data URI
	// Recovery are the codes of an enrolment just confirmed, shown once.
	Recovery      []string
	Errors        []string
	DisableErrors []string
}

func (s *Server) twoFactor(c echo.Context) error {
	return s.renderTwoFactor(c, http.StatusOK, twoFactorPage{})
}

func (s *Server) renderTwoFactor(c echo.Context, status int, data twoFactorPage) error {
	st, err := s.Work.TwoFactorStatus(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	data.TwoFactor = st
	if st.Pending != nil {
		png, err := qrcode.Encode(st.Pending.URL, qrcode.Medium, 256)
		if err != nil {
			return err
		}
		// Made here from our own bytes: html/template would refuse a data
		// URI given as a string.
		data.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	return s.render(c, status, "twofactor", s.T(c, "twofactor.title"), data)
}

// twoFactorRefusal is the status and message of a refused change on the
// two-factor page, ok false for an error that is not a refusal.
func (s *Server) twoFactorRefusal(c echo.Context, err error) (int, string, bool) {
	var te *workflow.ThrottledError
	switch {
	case errors.As(err, &te):
		return http.StatusTooManyRequests, s.throttledMessage(c, te), true
	case errors.Is(err, workflow.ErrWrongCode):
		return http.StatusUnprocessableEntity, s.T(c, "twofactor.error.wrong_code"), true
	case errors.Is(err, workflow.ErrWrongPassword):
		return http.StatusUnprocessableEntity, s.T(c, "twofactor.error.password_wrong"), true
	case errors.Is(err, workflow.ErrTwoFactorOn):
		return http.StatusConflict, s.T(c, "twofactor.error.already_on"), true
	case errors.Is(err, workflow.ErrTwoFactorUnavailable):
		return http.StatusConflict, s.T(c, "twofactor.unavailable"), true
	}
	return 0, "", false
}

// startTwoFactor begins an enrolment (or begins it again with a new
// secret) and shows its QR code.
func (s *Server) startTwoFactor(c echo.Context) error {
	err := s.Work.StartTwoFactor(c.Request().Context(), who(c))
	if status, msg, ok := s.twoFactorRefusal(c, err); ok {
		return s.renderTwoFactor(c, status, twoFactorPage{Errors: []string{msg}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/profile/2fa")
}

// confirmTwoFactor turns two-factor sign-in on with a current code and
// shows the recovery codes, the only time they can be seen.
func (s *Server) confirmTwoFactor(c echo.Context) error {
	code := c.FormValue("code")
	if len(code) > maxCodeBytes {
		code = code[:maxCodeBytes]
	}
	codes, err := s.Work.ConfirmTwoFactor(c.Request().Context(), who(c), code)
	if errors.Is(err, workflow.ErrTwoFactorOff) {
		return s.renderTwoFactor(c, http.StatusConflict, twoFactorPage{Errors: []string{s.T(c, "twofactor.error.not_pending")}})
	}
	if status, msg, ok := s.twoFactorRefusal(c, err); ok {
		return s.renderTwoFactor(c, status, twoFactorPage{Errors: []string{msg}})
	}
	if err != nil {
		return err
	}
	return s.renderTwoFactor(c, http.StatusOK, twoFactorPage{Recovery: codes})
}

// disableTwoFactor turns two-factor sign-in off with the password and a
// current code.
func (s *Server) disableTwoFactor(c echo.Context) error {
	password, code := c.FormValue("password"), c.FormValue("code")
	if password == "" || strings.TrimSpace(code) == "" {
		return s.renderTwoFactor(c, http.StatusUnprocessableEntity, twoFactorPage{DisableErrors: []string{s.T(c, "twofactor.error.password_required")}})
	}
	if len(code) > maxCodeBytes {
		code = code[:maxCodeBytes]
	}
	err := s.Work.DisableTwoFactor(c.Request().Context(), who(c), password, code, c.RealIP())
	if errors.Is(err, workflow.ErrTwoFactorOff) {
		return s.renderTwoFactor(c, http.StatusConflict, twoFactorPage{Errors: []string{s.T(c, "twofactor.error.off")}})
	}
	if status, msg, ok := s.twoFactorRefusal(c, err); ok {
		return s.renderTwoFactor(c, status, twoFactorPage{DisableErrors: []string{msg}})
	}
	if err != nil {
		return err
	}
	flash(c, "twofactor.disabled")
	return c.Redirect(http.StatusSeeOther, "/profile/2fa")
}

// setupRoutes are what a user who must set up two-factor sign-in may
// still reach: the setup itself, signing out, the language, and the pages
// that need no account.
var setupRoutes = map[string]bool{
	"/profile/2fa": true, "/profile/2fa/confirm": true,
	"/logout": true, "/lang": true, "/login": true, "/login/code": true,
	"/static/*": true, "/healthz": true, "/verify/:code": true,
}

// twoFactorGate keeps a signed-in user whose role requires two-factor
// sign-in (serve --require-2fa), and who has not set it up, to the setup
// page. It reads the database on each request, so a role changed or a
// second factor turned off elsewhere applies at once, on every instance.
// The API is not gated: its bearer tokens are unaffected.
func (s *Server) twoFactorGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := currentUser(c)
		if u == nil || setupRoutes[c.Path()] || strings.HasPrefix(c.Request().URL.Path, "/api/") {
			return next(c)
		}
		need, err := s.Work.TwoFactorSetupNeeded(c.Request().Context(), *u)
		if err != nil {
			return err
		}
		if !need {
			return next(c)
		}
		if c.Request().Method == http.MethodGet && !wantsJSON(c) {
			return c.Redirect(http.StatusSeeOther, "/profile/2fa")
		}
		return fail(http.StatusForbidden, "twofactor.error.setup_required")
	}
}
