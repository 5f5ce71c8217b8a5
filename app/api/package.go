package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
)

// submissionPackage answers the signed submission package (监管报送) of an
// assessment as a ZIP, its reports in Chinese unless ?lang=en.
func (a *API) submissionPackage(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	lang, err := reportLang(c)
	if err != nil {
		return err
	}
	pkg, err := a.Work.SubmissionPackage(c.Request().Context(), p, id, lang)
	if err != nil {
		return err
	}
	a.Log.Info("submission package issued", "via", "api", "assessment", id, "codes", pkg.Codes, "size", pkg.Size, "user", p.ID)
	c.Response().Header().Set("X-Verification-Code", strings.Join(pkg.Codes, ", "))
	return sendFile(c, pkg.File)
}

// rectificationPDF answers the verifiable rectification report (整改报告),
// in Chinese unless ?lang=en.
func (a *API) rectificationPDF(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	lang, err := reportLang(c)
	if err != nil {
		return err
	}
	rep, err := a.Work.RectificationPDF(c.Request().Context(), p, id, lang)
	if err != nil {
		return err
	}
	a.Log.Info("rectification report issued", "via", "api", "assessment", id, "code", rep.Code, "user", p.ID)
	c.Response().Header().Set("X-Verification-Code", rep.Code)
	return sendFile(c, rep.File)
}
