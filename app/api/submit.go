package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/evidence"
	"selfcheck/app/reporting"
)

// submit hands the assessment to review. While items block it, the answer
// is 422 listing every one of them and why.
func (a *API) submit(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := a.Work.Submit(c.Request().Context(), p, id); err != nil {
		return err
	}
	a.Log.Info("assessment submitted", "via", "api", "assessment", id, "user", p.ID)
	return a.answerSheet(c, p, http.StatusOK, id)
}

// reportLang reads ?lang (zh unless en).
func reportLang(c echo.Context) (string, error) {
	switch l := c.QueryParam("lang"); l {
	case "":
		return "zh", nil
	case "zh", "en":
		return l, nil
	}
	return "", invalid("lang", "lang must be zh or en")
}

// idAndLang reads the path's :id and ?lang (zh unless en).
func idAndLang(c echo.Context) (uint, string, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return 0, "", err
	}
	lang, err := reportLang(c)
	return id, lang, err
}

// reportExport answers the report as XLSX, CSV, JSON or OSCAL JSON.
func (a *API) reportExport(format string) func(echo.Context, access.Principal) error {
	return func(c echo.Context, p access.Principal) error {
		id, lang, err := idAndLang(c)
		if err != nil {
			return err
		}
		f, err := a.Work.ReportExport(c.Request().Context(), p, id, lang, format)
		if err != nil {
			return err
		}
		return sendFile(c, f)
	}
}

// sendFile sends a rendered report from its temporary file and releases
// it. A failure while sending can only break the connection: the status
// is already out.
func sendFile(c echo.Context, f *reporting.File) error {
	defer f.Close()
	h := c.Response().Header()
	h.Set("Content-Disposition", evidence.ContentDispositionAs(f.Name, f.ASCIIName))
	h.Set(echo.HeaderContentType, f.ContentType)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
	c.Response().WriteHeader(http.StatusOK)
	_, err := f.WriteTo(c.Response())
	return err
}
