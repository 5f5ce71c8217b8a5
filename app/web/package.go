package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// submissionPackage serves the signed submission package (监管报送) of an
// assessment, to whoever may download its report.
func (s *Server) submissionPackage(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	pkg, err := s.Work.SubmissionPackage(c.Request().Context(), who(c), id, lang(c))
	if err != nil {
		return err
	}
	s.Log.Info("submission package issued", "assessment", id, "codes", pkg.Codes, "size", pkg.Size, "user", currentUser(c).ID)
	c.Response().Header().Set("X-Verification-Code", strings.Join(pkg.Codes, ", "))
	return sendFile(c, pkg.File)
}

// verifyKeyPage shows the public key submission packages are signed with,
// for whoever checks a package offline and wants to pin it.
func (s *Server) verifyKeyPage(c echo.Context) error {
	k, err := s.Work.PackageKey(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "verify_key", s.T(c, "package.key.title"), k)
}

// rectificationPDF serves the verifiable rectification report (整改报告) in
// the page's language; each download is recorded with its code.
func (s *Server) rectificationPDF(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	rep, err := s.Work.RectificationPDF(c.Request().Context(), who(c), id, lang(c))
	if err != nil {
		return err
	}
	s.Log.Info("rectification report issued", "assessment", id, "code", rep.Code, "user", currentUser(c).ID)
	c.Response().Header().Set("X-Verification-Code", rep.Code)
	return sendFile(c, rep.File)
}
