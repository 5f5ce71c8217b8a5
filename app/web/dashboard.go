package web

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	charts "selfcheck/app/chart" // score.go has a func chart
	"selfcheck/app/checklist"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

// scoreBands colour scores the way scoring.GradeFor bands them. They are
// named by range, not by grade: a critical gap fails a firm whatever its score.
var scoreBands = []charts.Band{
	{Min: 90, Key: charts.Key{Label: "≥ 90", Color: charts.Green}},
	{Min: 75, Key: charts.Key{Label: "75–90", Color: charts.Blue}},
	{Min: 60, Key: charts.Key{Label: "60–75", Color: charts.Amber}},
	{Min: 0, Key: charts.Key{Label: "< 60", Color: charts.Red}},
}

// gradeColors are the grades' colours, matching the bands.
var gradeColors = map[scoring.Grade]charts.Color{
	scoring.Excellent: charts.Green, scoring.Good: charts.Blue, scoring.Pass: charts.Amber, scoring.Fail: charts.Red, scoring.NoGrade: charts.Grey,
}

func bandColor(v float64) charts.Color {
	for _, b := range scoreBands {
		if v >= b.Min {
			return b.Color
		}
	}
	return charts.Red
}

type dashboardPage struct {
	D          *workflow.Dashboard
	Name       string
	Themes     []string // titles of the campaign's themes, in its order
	GradeChart template.HTML
	ThemeChart template.HTML
	ItemChart  template.HTML
	Heat       template.HTML
	Items      []dashboardItem
	Clauses    []dashboardClause // gaps by clause of GB/T 35273
	Overdue    []dashboardOverdue
	Prev, Next int    // heat map pages, 0 when none
	Today      string // what evidence validity is judged on
}

// ValidityOf is where a document valid until until stands on the page's day.
func (p dashboardPage) ValidityOf(until string) assessment.Validity {
	return assessment.ValidityOf(until, p.Today)
}

type dashboardItem struct {
	workflow.ItemStat
	Theme, Text string
}

// dashboardClause is one clause of GB/T 35273 with the campaign's gaps on
// the items that map there.
type dashboardClause struct {
	assessment.ClauseGaps
	Clause string
	Items  []dashboardItem
}

// gapStandard is the standard the dashboard totals gaps by: GB/T 35273,
// the specification compliance teams are audited against.
const gapStandard = "gbt-35273"

type dashboardOverdue struct {
	workflow.OverduePlan
	Theme, Text string
}

// dashboard shows where a campaign stands: progress, grades, theme
// averages, the items most often non-compliant, a page of the firm × theme
// heat map and the overdue plans.
func (s *Server) dashboard(c echo.Context) error {
	id, err := campaignID(c)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	ctx := c.Request().Context()
	d, err := s.Work.Dashboard(ctx, who(c), id, workflow.DashboardOptions{Today: s.today(), Page: page})
	if err != nil {
		return err
	}
	l := lang(c)
	t := func(key string, args ...any) string { return s.Messages.T(l, key, args...) }
	texts, err := s.campaignTexts(ctx, d.Campaign.Themes)
	if err != nil {
		return err
	}
	p := dashboardPage{D: d, Name: d.Campaign.Name.In(l), Today: s.today()}
	for _, th := range d.Campaign.Themes {
		p.Themes = append(p.Themes, texts.theme(th, l))
	}

	grades := charts.Bars{Title: t("dashboard.grades"), LabelWidth: 120}
	for _, g := range d.Grades {
		label := t("dashboard.ungraded")
		if g.Grade != scoring.NoGrade {
			label = t("grade." + string(g.Grade))
		}
		grades.Bars = append(grades.Bars, charts.Bar{Label: label, Text: t("dashboard.grade_value", g.Count, pct(g.Count, d.Submitted)),
			Segments: []charts.Segment{{Value: float64(g.Count), Color: gradeColors[g.Grade]}}})
	}
	p.GradeChart = grades.SVG()

	themes := charts.Bars{Title: t("dashboard.themes"), Max: 100, LabelWidth: 260, Legend: bandKeys()}
	for _, ts := range d.Themes {
		bar := charts.Bar{Label: texts.theme(ts.ChecklistID, l), Text: t("dashboard.no_score")}
		if ts.Average != nil {
			bar.Text = t("dashboard.theme_value", fmt.Sprintf("%.1f", *ts.Average), ts.Scored)
			bar.Segments = []charts.Segment{{Value: *ts.Average, Color: bandColor(*ts.Average)}}
		}
		themes.Bars = append(themes.Bars, bar)
	}
	p.ThemeChart = themes.SVG()

	if len(d.TopItems) > 0 {
		items := charts.Bars{Title: t("dashboard.items"), LabelWidth: 260,
			Legend: []charts.Key{{Label: t("dashboard.non_compliant"), Color: charts.Red}, {Label: t("dashboard.partial"), Color: charts.Amber}}}
		for _, it := range d.TopItems {
			row := dashboardItem{ItemStat: it, Theme: texts.itemTheme(it.ItemID, l), Text: texts.item(it.ItemID, l)}
			p.Items = append(p.Items, row)
			items.Bars = append(items.Bars, charts.Bar{Label: it.ItemID + " " + row.Text, Text: strconv.Itoa(it.NonCompliant), Segments: []charts.Segment{
				{Value: float64(it.NonCompliant), Color: charts.Red, Label: t("dashboard.non_compliant")},
				{Value: float64(it.Partial), Color: charts.Amber, Label: t("dashboard.partial")},
			}})
		}
		p.ItemChart = items.SVG()
	}

	counts := make([]assessment.ItemGapCount, len(d.ItemGaps))
	for i, g := range d.ItemGaps {
		counts[i] = assessment.ItemGapCount{ItemID: g.ItemID, NonCompliant: g.NonCompliant, Partial: g.Partial}
	}
	std, _ := checklist.StandardByID(gapStandard)
	for _, g := range assessment.GapsByClause(std, texts.refs, counts) {
		row := dashboardClause{ClauseGaps: g, Clause: g.Ref.Text(l)}
		for _, it := range g.Items {
			row.Items = append(row.Items, dashboardItem{ItemStat: workflow.ItemStat{ItemID: it.ItemID, NonCompliant: it.NonCompliant, Partial: it.Partial},
				Theme: texts.itemTheme(it.ItemID, l), Text: texts.item(it.ItemID, l)})
		}
		p.Clauses = append(p.Clauses, row)
	}

	if len(d.Heat.Rows) > 0 {
		heat := charts.HeatMap{Title: t("dashboard.heat"), Columns: append(append([]string{}, p.Themes...), t("dashboard.overall")),
			Bands: scoreBands, Empty: charts.Key{Label: t("dashboard.no_score"), Color: charts.Grey}}
		// A score that a critical gap failed is red whatever its value:
		// its band would show a failed firm as good.
		vetoed := charts.Key{Label: t("grade.vetoed"), Color: charts.Red}
		for _, r := range d.Heat.Rows {
			row := charts.HeatRow{Label: r.FirmName, Href: fmt.Sprintf("/assessments/%d/review", r.AssessmentID),
				Values: append(append([]*float64{}, r.Themes...), r.Score)}
			if r.Grade == scoring.Fail && r.Score != nil && scoring.GradeFor(*r.Score) != scoring.Fail {
				row.Keys = make([]*charts.Key, len(row.Values))
				row.Keys[len(row.Keys)-1] = &vetoed
				if len(heat.Extra) == 0 {
					heat.Extra = append(heat.Extra, vetoed)
				}
			}
			heat.Rows = append(heat.Rows, row)
		}
		p.Heat = heat.SVG()
	}
	if d.Heat.Page > 1 {
		p.Prev = d.Heat.Page - 1
	}
	if d.Heat.Page < d.Heat.Pages() {
		p.Next = d.Heat.Page + 1
	}
	for _, o := range d.Overdue.First {
		p.Overdue = append(p.Overdue, dashboardOverdue{OverduePlan: o, Theme: texts.theme(o.ChecklistID, l), Text: texts.item(o.ItemID, l)})
	}
	return s.render(c, http.StatusOK, "dashboard", t("dashboard.title", p.Name), p)
}

func bandKeys() []charts.Key {
	keys := make([]charts.Key, len(scoreBands))
	for i, b := range scoreBands {
		keys[i] = b.Key
	}
	return keys
}

func pct(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (part*100 + whole/2) / whole
}

func campaignID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, fail(http.StatusNotFound, "error.not_found")
	}
	return uint(id), nil
}

// catalogTexts names a campaign's themes and items from the current catalog,
// falling back to the ids for a theme no longer offered.
type catalogTexts struct {
	themes map[string]*checklist.Checklist
	items  map[string]itemText
}

type itemText struct {
	checklist string
	text      checklist.Text
	refs      []checklist.Ref
}

// campaignTexts indexes the items of the campaign's themes: about a hundred
// map entries, looked up for the few items a dashboard shows.
func (s *Server) campaignTexts(ctx context.Context, themes []string) (catalogTexts, error) {
	cat, _, err := s.Work.Catalog(ctx)
	if err != nil {
		return catalogTexts{}, err
	}
	out := catalogTexts{themes: map[string]*checklist.Checklist{}, items: map[string]itemText{}}
	for _, id := range themes {
		cl, ok := cat.Get(id)
		if !ok {
			continue
		}
		out.themes[id] = cl
		for _, it := range cl.Items() {
			out.items[it.ID] = itemText{checklist: id, text: it.Text, refs: it.Refs}
		}
	}
	return out, nil
}

func (t catalogTexts) theme(id, lang string) string {
	if cl, ok := t.themes[id]; ok {
		return cl.Title.In(lang)
	}
	return id
}

func (t catalogTexts) item(id, lang string) string { return t.items[id].text.In(lang) }

func (t catalogTexts) refs(id string) []checklist.Ref { return t.items[id].refs }

func (t catalogTexts) itemTheme(id, lang string) string {
	if it, ok := t.items[id]; ok {
		return t.theme(it.checklist, lang)
	}
	return ""
}

// exportDeadline lets a large export take longer than the server's write
// timeout, which is sized for pages.
func exportDeadline(c echo.Context) {
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(15 * time.Minute))
}

// resultsCSV streams the campaign's results as CSV: nothing is written
// until the first row is ready, so a refusal is still an error page; a
// failure after that aborts the connection, so the client sees a broken
// download rather than a short file that looks complete.
func (s *Server) resultsCSV(c echo.Context) error { return s.results(c, "csv") }

// resultsXLSX builds the campaign's results as a workbook (rows kept in a
// temporary file by excelize's stream writer) and sends it once complete.
func (s *Server) resultsXLSX(c echo.Context) error { return s.results(c, "xlsx") }

// results sends a campaign's results export (reporting.CampaignResults)
// in the page's language.
func (s *Server) results(c echo.Context, format string) error {
	id, err := campaignID(c)
	if err != nil {
		return err
	}
	err = s.Work.ExportResults(c.Request().Context(), who(c), id, lang(c), format, func(name, contentType string) io.Writer {
		h := c.Response().Header()
		evidence.SetDownloadHeaders(h, name)
		h.Set(echo.HeaderContentType, contentType)
		exportDeadline(c)
		return c.Response()
	})
	if err != nil && c.Response().Committed {
		s.Log.Error("results export failed", "campaign", id, "format", format, "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}
