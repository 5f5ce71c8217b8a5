package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/i18n"
	"selfcheck/app/store"
)

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Log.Error("health check failed", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
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
	ctx := c.Request().Context()
	attempt, retryAt, ok, err := s.Store.BeginLogin(ctx, email, c.RealIP(), s.now())
	if err != nil {
		return err
	}
	if !ok {
		// One bcrypt comparison, as a real check takes: the refusal costs the
		// same time whether or not the account exists, and says the same.
		auth.CheckPassword("", password)
		s.Log.Warn("login throttled", "ip", c.RealIP(), "retry_at", retryAt)
		return s.render(c, http.StatusTooManyRequests, "login", s.T(c, "login.title"),
			loginPage{Email: email, Next: next, Error: s.throttledMessage(c, retryAt)})
	}
	u, err := s.Store.Authenticate(ctx, email, password)
	if errors.Is(err, auth.ErrBadCredentials) {
		return s.render(c, http.StatusUnauthorized, "login", s.T(c, "login.title"),
			loginPage{Email: email, Next: next, Error: s.T(c, "login.failed")})
	}
	if err != nil {
		return err
	}
	if err := s.Store.LoginSucceeded(ctx, attempt); err != nil {
		return err
	}
	// A fresh token at every login: a token planted before login is worthless.
	if ck, err := c.Cookie(sessionCookie); err == nil {
		_ = s.Store.DeleteSession(ctx, ck.Value)
	}
	if err := s.startSession(c, u.ID); err != nil {
		return err
	}
	s.Log.Info("login", "user", u.ID, "role", u.Role)
	return c.Redirect(http.StatusSeeOther, next)
}

// startSession gives the browser a new session of user userID and a new
// CSRF token: one planted before is worthless after.
func (s *Server) startSession(c echo.Context, userID uint) error {
	token, err := s.Store.CreateSession(c.Request().Context(), userID)
	if err != nil {
		return err
	}
	setCookie(c, sessionCookie, token, store.MaxSessionAge)
	return rotateCSRF(c)
}

// throttledMessage says, in the page's language and time zone, when a
// password may be tried again, and sets Retry-After to match. The time is
// rounded up to the minute, so trying at the minute shown works.
func (s *Server) throttledMessage(c echo.Context, retryAt time.Time) string {
	c.Response().Header().Set("Retry-After", strconv.Itoa(store.RetryAfterSeconds(retryAt, s.now())))
	at := retryAt.Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	return s.T(c, "security.locked", at.In(s.Config.Location).Format("2006-01-02 15:04"))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Store.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	clearCookie(c, sessionCookie)
	if err := rotateCSRF(c); err != nil {
		return err
	}
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
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("back")))
}
