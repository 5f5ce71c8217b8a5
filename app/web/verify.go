package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/verify"
	"selfcheck/app/workflow"
)

// verifyRoutes is the public verification page a report's QR code points
// to. It is open to anyone, logged in or not, and shows only what
// workflow.Verified holds.
type verifyPage struct {
	workflow.Verified
	Code         string // grouped for reading
	Generated    string // in the configured zone, with its offset
	SupersededAt string // "" when not superseded
}

// verifyPage shows what an issued report stated. A malformed code and an
// unknown one get the same 404 page, so the answer tells nothing but
// whether the code was issued.
func (s *Server) verifyPage(c echo.Context) error {
	// Set before the lookup, so that the 404 page carries it too.
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	// A code that is malformed and one that was never issued get the same
	// answer, which says what that means for the report in hand.
	code, ok := verify.Normalize(c.Param("code"))
	if !ok {
		return fail(http.StatusNotFound, "verify.unknown")
	}
	v, err := s.Work.VerifyReport(c.Request().Context(), code)
	if errors.Is(err, workflow.ErrNotFound) {
		return failBecause(err, http.StatusNotFound, "verify.unknown")
	}
	if err != nil {
		return err
	}
	p := verifyPage{Verified: v, Code: verify.Format(v.Code), Generated: s.verifyTime(v.GeneratedAt)}
	if v.SupersededBy != nil {
		p.SupersededAt = s.verifyTime(*v.SupersededBy)
	}
	return s.render(c, http.StatusOK, "verify", s.T(c, "verify.title"), p)
}

// verifyTime shows a generation time to the second with its UTC offset:
// whoever holds the report may be in another zone than the server.
func (s *Server) verifyTime(t time.Time) string {
	return t.In(s.Config.Location).Format("2006-01-02 15:04:05 (UTC-07:00)")
}
