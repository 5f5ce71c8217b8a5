package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/report"
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

func (s *Server) reportPDF(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	l := lang(c)
	var buf bytes.Buffer
	err = s.Reports.PDF(&buf, report.Data{
		Sheet: sh, Lang: l, GeneratedAt: time.Now(), Location: s.Config.Location,
		T: func(key string, args ...any) string { return s.Messages.T(l, key, args...) },
	})
	if err != nil {
		return fmt.Errorf("web: report of assessment %d: %w", sh.ID, err)
	}
	name := fmt.Sprintf("selfcheck-%d-%s.pdf", sh.ID, time.Now().Format("20060102"))
	c.Response().Header().Set("Content-Disposition", evidence.ContentDisposition(name))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
