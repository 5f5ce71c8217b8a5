package web

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/reporting"
	"selfcheck/app/scoring"
)

// bar is one row of the per-theme chart, laid out in SVG user units.
type bar struct {
	Label string
	Score *float64
	Y     int
	Width int // of the filled part, 0–barMax
	Grade scoring.Grade
}

const (
	barMax    = 420
	barHeight = 22
	barGap    = 14
)

type scorePage struct {
	Sheet     *assessment.Sheet
	Result    scoring.Result
	Bars      []bar
	ChartH    int
	BarMax    int
	BarHeight int
	Gaps      []assessment.Ref
}

// chart lays out the per-theme bars; the template draws them as inline SVG.
func chart(sh *assessment.Sheet, res scoring.Result, lang string) ([]bar, int) {
	bars := make([]bar, len(res.Themes))
	for i, t := range res.Themes {
		b := bar{Label: sh.Checklists[i].Title.In(lang), Score: t.Score, Y: i * (barHeight + barGap)}
		if t.Score != nil {
			b.Width = int(*t.Score / 100 * barMax)
			b.Grade = scoring.GradeFor(*t.Score)
		}
		bars[i] = b
	}
	return bars, len(bars)*(barHeight+barGap) + 4
}

func (s *Server) scorePage(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	res := sh.Result()
	bars, h := chart(sh, res, lang(c))
	return s.render(c, http.StatusOK, "score", s.T(c, "score.title", sh.ID), scorePage{
		Sheet: sh, Result: res, Bars: bars, ChartH: h, BarMax: barMax, BarHeight: barHeight, Gaps: sh.Gaps(),
	})
}

// reportPDF serves the verifiable PDF report in the page's language; each
// download is recorded with its verification code.
func (s *Server) reportPDF(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	rep, err := s.Work.ReportPDF(c.Request().Context(), who(c), id, lang(c))
	if err != nil {
		return err
	}
	s.Log.Info("report issued", "assessment", id, "code", rep.Code, "user", currentUser(c).ID)
	c.Response().Header().Set("Content-Disposition", evidence.ContentDisposition(rep.Name))
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("X-Verification-Code", rep.Code)
	return c.Blob(http.StatusOK, "application/pdf", rep.PDF)
}

// reportExport serves the report as XLSX, CSV, JSON or OSCAL JSON, built in
// memory first so a failure is an error page, not half a file.
func (s *Server) reportExport(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := assessmentID(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		name, err := s.Work.ReportExport(c.Request().Context(), who(c), id, lang(c), format, &buf)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", evidence.ContentDisposition(name))
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, reporting.Formats[format].ContentType, buf.Bytes())
	}
}
