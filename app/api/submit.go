package api

import (
	"bytes"
	"fmt"
	"net/http"
	"selfcheck/app/evidence"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/report"
	"selfcheck/app/store"
)

// submit hands the assessment to review. While items block it, the answer
// is 422 listing every one of them and why.
func (a *API) submit(c echo.Context, u *store.User) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.Submit(c.Request().Context(), u, id); err != nil {
		return err
	}
	a.Log.Info("assessment submitted", "via", "api", "assessment", id, "user", u.ID)
	return a.answerSheet(c, u, http.StatusOK, id)
}

// reportPDF answers the PDF report, in Chinese unless ?lang=en.
func (a *API) reportPDF(c echo.Context, u *store.User) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	switch lang {
	case "":
		lang = "zh"
	case "zh", "en":
	default:
		return invalid("lang", "lang must be zh or en")
	}
	sh, err := a.Store.Sheet(c.Request().Context(), u, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = a.Reports.PDF(&buf, report.Data{
		Sheet: sh, Lang: lang, GeneratedAt: time.Now(), Location: a.Config.Location,
		T: func(key string, args ...any) string { return a.Messages.T(lang, key, args...) },
	})
	if err != nil {
		return fmt.Errorf("api: report of assessment %d: %w", sh.ID, err)
	}
	name := fmt.Sprintf("selfcheck-%d-%s.pdf", sh.ID, time.Now().In(a.Config.Location).Format("20060102"))
	c.Response().Header().Set("Content-Disposition", evidence.ContentDisposition(name))
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
