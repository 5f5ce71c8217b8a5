package api

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/reporting"
)

// issuedDoc is a verifiable document just issued: its file and the
// verification codes it carries.
type issuedDoc struct {
	file  *reporting.File
	codes []string
	size  int64 // logged when known
}

// issued answers the verifiable document of an assessment that issue makes,
// in Chinese unless ?lang=en, with its codes in X-Verification-Code; what
// names it in the log.
func (a *API) issued(what string, issue func(ctx context.Context, p access.Principal, id uint, lang string) (issuedDoc, error)) func(echo.Context, access.Principal) error {
	return func(c echo.Context, p access.Principal) error {
		id, lang, err := idAndLang(c)
		if err != nil {
			return err
		}
		doc, err := issue(c.Request().Context(), p, id, lang)
		if err != nil {
			return err
		}
		a.Log.Info(what+" issued", "via", "api", "assessment", id, "codes", doc.codes, "size", doc.size, "user", p.ID)
		c.Response().Header().Set("X-Verification-Code", strings.Join(doc.codes, ", "))
		return sendFile(c, doc.file)
	}
}

// reportPDF answers the verifiable PDF report.
func (a *API) reportPDF(ctx context.Context, p access.Principal, id uint, lang string) (issuedDoc, error) {
	rep, err := a.Work.ReportPDF(ctx, p, id, lang)
	if err != nil {
		return issuedDoc{}, err
	}
	return issuedDoc{file: rep.File, codes: []string{rep.Code}}, nil
}

// rectificationPDF answers the verifiable rectification report (整改报告).
func (a *API) rectificationPDF(ctx context.Context, p access.Principal, id uint, lang string) (issuedDoc, error) {
	rep, err := a.Work.RectificationPDF(ctx, p, id, lang)
	if err != nil {
		return issuedDoc{}, err
	}
	return issuedDoc{file: rep.File, codes: []string{rep.Code}}, nil
}

// submissionPackage answers the signed submission package (监管报送) of an
// assessment as a ZIP.
func (a *API) submissionPackage(ctx context.Context, p access.Principal, id uint, lang string) (issuedDoc, error) {
	pkg, err := a.Work.SubmissionPackage(ctx, p, id, lang)
	if err != nil {
		return issuedDoc{}, err
	}
	return issuedDoc{file: pkg.File, codes: pkg.Codes, size: pkg.Size}, nil
}
