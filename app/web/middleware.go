package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/i18n"
	"selfcheck/app/workflow"
)

const (
	sessionCookie = "selfcheck_session"
	csrfCookie    = "selfcheck_csrf"
	langCookie    = "selfcheck_lang"
	ctxUser       = "user"
	ctxLang       = "lang"
	ctxCSRF       = "csrf"
)

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.Log.Debug("request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", c.Response().Status, "dur", time.Since(start))
		return nil
	}
}

// securityHeaders sets the headers every response carries. Scripts come only
// from our own origin: no inline script anywhere in the templates.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if secureRequest(c) {
			// Browsers that reached us over HTTPS keep doing so for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

func (s *Server) negotiateLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		l := ""
		if ck, err := c.Cookie(langCookie); err == nil && i18n.Supported(ck.Value) {
			l = ck.Value
		} else {
			l = i18n.Match(c.Request().Header.Get("Accept-Language"))
		}
		c.Set(ctxLang, l)
		return next(c)
	}
}

func lang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return i18n.Default
}

// loadSession puts the logged-in user, if any, into the context.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(cookieName(c, sessionCookie))
		if err != nil || ck.Value == "" {
			return next(c)
		}
		p, err := s.Work.SessionPrincipal(c.Request().Context(), ck.Value, lang(c))
		switch {
		case errors.Is(err, workflow.ErrNotFound):
			clearCookie(c, cookieName(c, sessionCookie))
		case err != nil:
			return err
		default:
			c.Set(ctxUser, &p)
		}
		return next(c)
	}
}

// currentUser is who is signed in, nil for an anonymous visitor.
func currentUser(c echo.Context) *access.Principal {
	p, _ := c.Get(ctxUser).(*access.Principal)
	return p
}

// who is the principal the use cases act for: the signed-in person, or
// the zero Principal (anonymous) on open routes.
func who(c echo.Context) access.Principal {
	if p := currentUser(c); p != nil {
		return *p
	}
	return access.Principal{Lang: lang(c)}
}

// require enforces a route's access. Anonymous visitors of a protected page
// are sent to the login form; a logged-in user without the role gets 403.
func (s *Server) require(allowed access.Who) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if allowed.Open() {
			return next
		}
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				if c.Request().Method == http.MethodGet && !wantsJSON(c) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
				}
				return fail(http.StatusUnauthorized, "error.login_required")
			}
			if allowed.Allows(u.Role) {
				return next(c)
			}
			return fail(http.StatusForbidden, "error.forbidden")
		}
	}
}

// csrfProtect checks the anti-forgery token of every state-changing
// request, in the form field _csrf or the X-CSRF-Token header. The token
// is derived from the session (auth.CSRFToken of the session cookie under
// the database's key), so a cookie an attacker manages to set for the host
// (a sibling subdomain, plain HTTP, another port) gives them no token that
// works with the victim's session; and every instance derives the same.
// Before login the token is bound to a random cookie of the visitor's.
// The API takes no cookies, only bearer tokens, and needs none of this.
func (s *Server) csrfProtect(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, err := s.csrfToken(c)
		if err != nil {
			return err
		}
		c.Set(ctxCSRF, token)
		c.Response().Header().Add("Vary", "Cookie")
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			// FormValue would hide a form that cannot be read (too many
			// fields, a broken upload) behind a missing token: say what
			// went wrong instead.
			if _, err := c.FormParams(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return fail(http.StatusRequestEntityTooLarge, "error.too_large")
				}
				return failBecause(err, http.StatusBadRequest, "error.form_unreadable")
			}
			sent = c.FormValue("_csrf")
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return fail(http.StatusForbidden, "error.csrf")
		}
		return next(c)
	}
}

// csrfToken is the token this request's forms carry: the session's when
// the visitor is signed in, else that of the visitor's anonymous cookie,
// made now if missing.
func (s *Server) csrfToken(c echo.Context) (string, error) {
	if currentUser(c) != nil {
		if ck, err := c.Cookie(cookieName(c, sessionCookie)); err == nil {
			return auth.CSRFToken(s.csrfKey, csrfSessionBinding(ck.Value)), nil
		}
	}
	name := cookieName(c, csrfCookie)
	ck, err := c.Cookie(name)
	anon := ""
	if err == nil && len(ck.Value) >= 40 {
		anon = ck.Value
	} else {
		if anon, err = auth.NewToken(); err != nil {
			return "", err
		}
		setCookie(c, name, anon, 0)
	}
	return auth.CSRFToken(s.csrfKey, csrfAnonymousBinding(anon)), nil
}

// The bindings of a token: a session's and an anonymous visitor's never
// share a token, even should their cookies be equal.
func csrfSessionBinding(session string) string  { return "session\x00" + session }
func csrfAnonymousBinding(cookie string) string { return "anonymous\x00" + cookie }

// rotateCSRF drops the anonymous visitor's cookie, at login and logout: a
// token from before is worthless after.
func rotateCSRF(c echo.Context) { clearCookie(c, cookieName(c, csrfCookie)) }

// cookieName is the name of a session or CSRF cookie: under HTTPS with the
// __Host- prefix, which a browser accepts only from this host over HTTPS,
// with Path=/ and no Domain, so neither a sibling subdomain nor plain HTTP
// can plant or shadow it. Plain HTTP (localhost) keeps the plain name,
// since browsers refuse __Host- cookies without Secure.
func cookieName(c echo.Context, name string) string {
	if secureRequest(c) {
		return "__Host-" + name
	}
	return name
}

// secureRequest reports whether the browser reached us over HTTPS: over a
// TLS connection, or, with Config.BehindProxy, through a proxy that says so
// in X-Forwarded-Proto (New chooses the scheme extractor).
func secureRequest(c echo.Context) bool { return c.Scheme() == "https" }

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the request
// came over HTTPS. maxAge 0 makes a browser-session cookie.
func setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(c),
	}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.SetCookie(ck)
}

func clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(c)})
}

// safeNext keeps a post-login redirect on this site: a path, without scheme
// or host, and without the control characters or backslashes that browsers
// strip or rewrite into "//other.site".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
