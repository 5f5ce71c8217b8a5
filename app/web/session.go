package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/i18n"
	"selfcheck/app/workflow"
)

// livez answers as long as the process serves requests: a supervisor
// restarts the process when it does not, and a database that cannot be
// written is no reason to (readyz is).
func (s *Server) livez(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the database answers and takes a write
// within a short time, so that a load balancer stops sending traffic to an
// instance whose saves would all fail (a read-only file, a full disk).
// /healthz is the same check, for the deployments that already use it.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Work.Ready(ctx); err != nil {
		s.Log.Error("readiness check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable for writes"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type loginPage struct {
	Email string
	Next  string
	Error string
}

func (s *Server) loginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, "login", s.T(c, "login.title"), loginPage{Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) login(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	if email == "" || password == "" {
		return s.render(c, http.StatusUnprocessableEntity, "login", s.T(c, "login.title"),
			loginPage{Email: email, Next: next, Error: s.T(c, "login.missing")})
	}
	var prior string
	if ck, err := c.Cookie(cookieName(c, sessionCookie)); err == nil {
		prior = ck.Value
	}
	_, token, err := s.Work.Login(c.Request().Context(), email, password, c.RealIP(), prior)
	var te *workflow.ThrottledError
	var need *workflow.SecondFactorNeeded
	switch {
	case errors.As(err, &need):
		return s.askForCode(c, need, next)
	case errors.As(err, &te):
		return s.render(c, http.StatusTooManyRequests, "login", s.T(c, "login.title"),
			loginPage{Email: email, Next: next, Error: s.throttledMessage(c, te)})
	case errors.Is(err, workflow.ErrBadCredentials):
		return s.render(c, http.StatusUnauthorized, "login", s.T(c, "login.title"),
			loginPage{Email: email, Next: next, Error: s.T(c, "login.failed")})
	case err != nil:
		return err
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// startSession gives the browser the new session token and a new CSRF
// token: one planted before is worthless after.
func (s *Server) startSession(c echo.Context, token string) error {
	setCookie(c, cookieName(c, sessionCookie), token, workflow.MaxSessionAge)
	rotateCSRF(c)
	return nil
}

// throttledMessage says, in the page's language and time zone, when a
// password may be tried again, and sets Retry-After to match. The time is
// rounded up to the minute, so trying at the minute shown works.
func (s *Server) throttledMessage(c echo.Context, te *workflow.ThrottledError) string {
	c.Response().Header().Set("Retry-After", strconv.Itoa(te.RetryAfter(s.Work.Now())))
	at := te.RetryAt.Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	return s.T(c, "security.locked", at.In(s.Config.Location).Format("2006-01-02 15:04"))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(cookieName(c, sessionCookie)); err == nil {
		if err := s.Work.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	clearCookie(c, cookieName(c, sessionCookie))
	rotateCSRF(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

// setLanguage remembers the chosen language for a year and returns to the
// page the toggle was pressed on.
func (s *Server) setLanguage(c echo.Context) error {
	l := c.FormValue("lang")
	if !i18n.Supported(l) {
		return fail(http.StatusBadRequest, "error.bad_language")
	}
	setCookie(c, langCookie, l, 365*24*time.Hour)
	if p := currentUser(c); p != nil {
		// Kept for the e-mails; the page itself follows the cookie.
		if err := s.Work.SetLanguage(c.Request().Context(), *p, l); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("back")))
}
