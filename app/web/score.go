package web

import (
	"net/http"
	"strconv"

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
	// ByStandard is set on the standards view (?by=standard): the items
	// grouped by standard and clause instead of the theme chart and gaps.
	ByStandard bool
	Standards  []assessment.Standard
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
	p := scorePage{Sheet: sh, Result: res}
	switch by := c.QueryParam("by"); by {
	case "", "theme":
		p.Bars, p.ChartH = chart(sh, res, lang(c))
		p.BarMax, p.BarHeight, p.Gaps = barMax, barHeight, sh.Gaps()
	case "standard":
		p.ByStandard, p.Standards = true, sh.ByStandard()
	default:
		return fail(http.StatusBadRequest, "standards.unknown_view", by)
	}
	return s.render(c, http.StatusOK, "score", s.T(c, "score.title", sh.ID), p)
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
	c.Response().Header().Set("X-Verification-Code", rep.Code)
	return sendFile(c, rep.File)
}

// reportExport serves the report as XLSX, CSV, JSON or OSCAL JSON,
// rendered into a temporary file first so a failure is an error page, not
// half a file.
func (s *Server) reportExport(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := assessmentID(c)
		if err != nil {
			return err
		}
		f, err := s.Work.ReportExport(c.Request().Context(), who(c), id, lang(c), format)
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
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, f.ContentType)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
	c.Response().WriteHeader(http.StatusOK)
	_, err := f.WriteTo(c.Response())
	return err
}
