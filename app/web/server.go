// Package web is Selfcheck's HTTP face: the route table, middleware,
// handlers and page rendering. Handlers stay thin: they parse input, call the
// store or a domain package, and render.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/fault"
	"selfcheck/app/i18n"
	"selfcheck/app/workflow"
)

// Config is what the web layer needs to know of its deployment.
type Config struct {
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64
	// Location is the time zone dates are shown in; UTC when nil.
	Location *time.Location
	// MaxEvidenceBytes bounds one evidence file (default 20 MiB).
	MaxEvidenceBytes int64
	// PublicURL is where people reach the application (scheme, host and
	// any path prefix, validated at start): reports' verification links and
	// QR codes point under it.
	PublicURL string
	// BehindProxy trusts the forwarding headers a reverse proxy sets, when
	// it connects from a loopback or private address: X-Forwarded-For for
	// the client's address (throttling, the audit log), X-Forwarded-Proto
	// for whether the browser used HTTPS (Secure cookies). Without it they
	// are ignored: any client can send them.
	BehindProxy bool
}

// Deps are the server's collaborators, built by cmd/selfcheck.
type Deps struct {
	Work      *workflow.Service // the use cases every handler calls
	Messages  *i18n.Catalog
	Templates fs.FS // holds templates/
	Static    fs.FS // holds static/
	Log       *slog.Logger
	Config    Config
}

// Server is the web application.
type Server struct {
	Deps
	echo   *echo.Echo
	pages  *pages
	assets *assets
	routes []route

	fillItems  *fragmentCache // rendered items of the fill-in page
	fillFrames *fragmentCache // the fill-in page's head, body around its items and view links (framePart)
	csrfKey    []byte         // the database's, shared by every instance
}

// New builds the server: it parses every template and indexes the static
// files once, and fails when a page or asset is missing.
func New(d Deps) (*Server, error) {
	if d.Config.MaxBodyBytes == 0 {
		d.Config.MaxBodyBytes = 2 << 20
	}
	if d.Config.Location == nil {
		d.Config.Location = time.UTC
	}
	if d.Config.MaxEvidenceBytes == 0 {
		d.Config.MaxEvidenceBytes = 20 << 20
	}
	if d.Work == nil {
		return nil, errors.New("web: no use cases (Deps.Work)")
	}
	s := &Server{Deps: d, fillItems: &fragmentCache{maxBytes: fillCacheBytes}, fillFrames: &fragmentCache{maxBytes: frameCacheBytes}}
	var err error
	if s.csrfKey, err = d.Work.CSRFKey(context.Background()); err != nil {
		return nil, fmt.Errorf("web: the CSRF key: %w", err)
	}
	if s.assets, err = loadAssets(d.Static); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(d.Templates); err != nil {
		return nil, err
	}
	s.echo = echo.New()
	// The client address (login throttling, the audit log) and the scheme
	// (Secure cookies) are the connection's, unless the deployment says a
	// proxy sets X-Forwarded-For and X-Forwarded-Proto. The API shares
	// this router, so these hold for it too.
	if d.Config.BehindProxy {
		s.echo.IPExtractor = forwardedFor
		s.echo.SchemeExtractor = echo.ExtractSchemeFromHeaders()
	} else {
		s.echo.IPExtractor = echo.ExtractIPDirect()
		s.echo.SchemeExtractor = echo.ExtractSchemeDirect()
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.registerRoutes()
	return s, nil
}

// forwardedFor is the client's address behind a reverse proxy: the last
// X-Forwarded-For entry, the one the proxy added, when the connection comes
// from a loopback or private address (the proxy); otherwise the
// connection's peer. Earlier entries are the client's to write and are never
// read (echo.ExtractIPFromXFFHeader would read them when they look private),
// so behind a chain of proxies the address is that of the proxy before the
// last: coarser, never forged.
func forwardedFor(r *http.Request) string {
	peer := echo.ExtractIPDirect()(r)
	if ip := net.ParseIP(peer); ip == nil || !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
		return peer
	}
	values := r.Header.Values(echo.HeaderXForwardedFor)
	if len(values) == 0 {
		return peer
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	ip := net.ParseIP(strings.Trim(strings.TrimSpace(last), "[]"))
	if ip == nil {
		return peer
	}
	return ip.String()
}

// Mount lets another surface (the JSON API) add its own routes to the same
// router, with its own access table.
func (s *Server) Mount(register func(e *echo.Echo)) { register(s.echo) }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// userError is an error whose message, a message-catalog key, is safe to
// show. Status is the HTTP status to answer with.
type userError struct {
	Status int
	Key    string
	Args   []any
	Cause  error // logged, never shown: its text is for the log
}

func (e *userError) Error() string { return fmt.Sprintf("web: %d %s", e.Status, e.Key) }

func fail(status int, key string, args ...any) error {
	return &userError{Status: status, Key: key, Args: args}
}

// failBecause is fail with the error that caused it, for the log.
func failBecause(cause error, status int, key string, args ...any) error {
	return &userError{Status: status, Key: key, Args: args, Cause: cause}
}

// handleError is the one place errors become responses: the real error is
// logged, the user gets a clear page (HTML) or {"error": …} (JSON).
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, key, args := http.StatusInternalServerError, "error.internal", []any(nil)
	var ue *userError
	var he *echo.HTTPError
	var tooLarge *http.MaxBytesError
	var busy *fault.BusyError
	var msg string
	switch {
	case errors.As(err, &busy):
		status, key, args = http.StatusServiceUnavailable, "error.busy", []any{busy.RetryAfterSeconds()}
		c.Response().Header().Set("Retry-After", strconv.Itoa(busy.RetryAfterSeconds()))
	case errors.As(err, &ue):
		status, key, args = ue.Status, ue.Key, ue.Args
		if ue.Cause != nil {
			s.Log.Info("request refused", "method", c.Request().Method, "path", c.Request().URL.Path, "key", ue.Key, "err", ue.Cause)
		}
	case isFault(err):
		status, msg = http.StatusUnprocessableEntity, s.faultMessage(c, err)
	case errors.Is(err, workflow.ErrNotFound), errors.Is(err, fault.ErrNotFound):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, fault.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.As(err, &tooLarge): // a body read past limitBody's limit
		status, key = http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.As(err, &he):
		status = he.Code
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			key = "error.not_found"
			status = http.StatusNotFound
		case http.StatusRequestEntityTooLarge:
			key = "error.too_large"
		default:
			key = "error.bad_request"
		}
	}
	if status >= 500 && busy == nil {
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if msg == "" {
		msg = s.Messages.T(lang(c), key, args...)
	}
	if wantsJSON(c) {
		_ = c.JSON(status, map[string]string{"error": msg})
		return
	}
	if err := s.render(c, status, "error", s.T(c, "error.title"), errorPage{Status: status, Message: msg}); err != nil {
		s.Log.Error("render error page", "err", err)
		_ = c.String(status, msg)
	}
}

type errorPage struct {
	Status  int
	Message string
}

// isFault reports whether err refuses a field's value (*fault.FieldError).
func isFault(err error) bool {
	_, ok := fault.AsField(err)
	return ok
}

// faultMessage is the message of a refused field in the page's language;
// err must satisfy isFault. Every page shows a domain refusal through it,
// so a code has one wording per language wherever it appears.
func (s *Server) faultMessage(c echo.Context, err error) string {
	fe, _ := fault.AsField(err)
	return s.Messages.Fault(lang(c), fe)
}

// itemFaultMessage is faultMessage without naming the item, for messages
// that name it themselves ("the plan of item X was not saved: …").
func (s *Server) itemFaultMessage(c echo.Context, err error) string {
	fe, _ := fault.AsField(err)
	plain := *fe
	plain.Item = ""
	return s.Messages.Fault(lang(c), &plain)
}

func wantsJSON(c echo.Context) bool {
	r := c.Request()
	return r.Header.Get("Accept") == "application/json" || r.Header.Get("X-Requested-With") == "fetch"
}
