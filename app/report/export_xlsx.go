package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/tabular"
)

// XLSX writes the report as a workbook of three sheets, named and headed in
// the report's language:
//
//   - Summary: firm, credit code, assessment no., campaign, state, generation
//     time, overall score, grade, critical failure (and the verification
//     code when set), then a table of the themes: title, checklist id,
//     version, score, answered, total, gaps;
//   - Items: one row per item, the columns of CSV;
//   - Plans: one row per gap (partially or non-compliant item), most severe
//     first: theme, item, text, answer, measure, owner, due, status, and
//     whether the plan is overdue on GeneratedAt's date in Location.
//
// Every table has its header row frozen and an autofilter (none applied).
// Text is written as text cells holding what the user typed
// (tabular.XLSXText: a text cell never runs as a formula, so no guard is
// added), numbers as numbers, due dates and the generation time as dates.
// The document properties name the report, the firm and the language. The
// workbook is built in memory, finished by tabular.FinishXLSX (each sheet's
// dimension, no filter flag) and written to w only when complete.
func XLSX(w io.Writer, d Data) error {
	if err := exportCheck(d, true); err != nil {
		return err
	}
	b, err := newXBook(d)
	if err != nil {
		return err
	}
	defer b.f.Close()
	names := []string{d.T("export.sheet.summary"), d.T("export.sheet.items"), d.T("export.sheet.plans"), d.T("standards.xlsx.sheet")}
	if err := b.f.SetSheetName("Sheet1", names[0]); err != nil {
		return fmt.Errorf("report: xlsx sheet: %w", err)
	}
	for _, n := range names[1:] {
		if _, err := b.f.NewSheet(n); err != nil {
			return fmt.Errorf("report: xlsx sheet: %w", err)
		}
	}
	for i, part := range []func(string) error{b.summary, b.items, b.plans, b.xStandards} {
		if err := part(names[i]); err != nil {
			return fmt.Errorf("report: xlsx %s: %w", names[i], err)
		}
	}
	b.f.SetActiveSheet(0)
	lang := "zh-CN"
	if d.Lang == "en" {
		lang = "en"
	}
	if err := tabular.SetProps(b.f, tabular.Props{
		Title:   d.T("report.title") + " - " + tabular.XLSXText(d.Sheet.FirmName),
		Subject: tabular.XLSXText(d.Sheet.FirmName), Language: lang, Created: d.GeneratedAt,
	}); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	var raw, buf bytes.Buffer
	if _, err := b.f.WriteTo(&raw); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := tabular.FinishXLSX(&buf, bytes.NewReader(raw.Bytes()), int64(raw.Len())); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	return nil
}

// xBook is a workbook being written with its styles.
type xBook struct {
	f *excelize.File
	d Data

	header, label, body, score int
	partial, non, overdue      int
	date, overdueDate, when    int
}

// The fills of the header and of gap answers, as the PDF colours them.
const (
	xHeaderFill  = "DCE6F1"
	xPartialFill = "FFF2CC"
	xNonFill     = "F8D7DA"
)

func newXBook(d Data) (*xBook, error) {
	b := &xBook{f: excelize.NewFile(), d: d}
	top := &excelize.Alignment{WrapText: true, Vertical: "top"}
	score, date := "0.0", tabular.DateFormat
	// The generation time is shown in the report's zone, named as exportWhen
	// names it.
	when := tabular.DateTimeFormat
	if zone := d.GeneratedAt.In(exportZone(d)).Format("MST"); zone != "" {
		when += ` "` + strings.ReplaceAll(zone, `"`, "") + `"`
	}
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&b.header, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{xHeaderFill}}}},
		{&b.label, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}},
		{&b.body, excelize.Style{Alignment: top}},
		{&b.score, excelize.Style{Alignment: top, CustomNumFmt: &score}},
		{&b.partial, excelize.Style{Alignment: top, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{xPartialFill}}}},
		{&b.non, excelize.Style{Alignment: top, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{xNonFill}}}},
		{&b.overdue, excelize.Style{Alignment: top, Font: &excelize.Font{Bold: true, Color: "C00000"}}},
		{&b.date, excelize.Style{Alignment: top, CustomNumFmt: &date}},
		{&b.overdueDate, excelize.Style{Alignment: top, Font: &excelize.Font{Bold: true, Color: "C00000"}, CustomNumFmt: &date}},
		{&b.when, excelize.Style{Alignment: top, CustomNumFmt: &when}},
	} {
		id, err := b.f.NewStyle(&s.style)
		if err != nil {
			b.f.Close()
			return nil, fmt.Errorf("report: xlsx style: %w", err)
		}
		*s.id = id
	}
	return b, nil
}

// row writes values from column A of row r: strings as text cells, days
// as dates (their style is set by dateStyle), numbers as numbers.
func (b *xBook) row(sheet string, r int, vals []any) error {
	cells := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case string:
			v = tabular.XLSXText(x)
		case xDay:
			v = x.value()
		}
		cells[i] = v
	}
	return b.f.SetSheetRow(sheet, xCell(1, r), &cells)
}

// value is the cell value of a day: a date, nothing when empty, the text
// when it is no date (kept rather than lost).
func (x xDay) value() any {
	if x == "" {
		return nil
	}
	if t, err := time.Parse(assessment.DateLayout, string(x)); err == nil {
		return t
	}
	return tabular.XLSXText(string(x))
}

// dateStyle gives the cell (c, r) holding day x a date format, overdue or
// not: set after the table's styles, which would replace it.
func (b *xBook) dateStyle(sheet string, c, r int, x xDay, overdue bool) error {
	if _, ok := x.value().(time.Time); !ok {
		return nil
	}
	st := b.date
	if overdue {
		st = b.overdueDate
	}
	return b.style(sheet, c, r, c, r, st)
}

// style sets the style of the cells from (c1, r1) to (c2, r2).
func (b *xBook) style(sheet string, c1, r1, c2, r2, style int) error {
	return b.f.SetCellStyle(sheet, xCell(c1, r1), xCell(c2, r2), style)
}

// table finishes a table whose header is row hdr, n columns wide with rows
// data rows: header style, body style, frozen header, autofilter.
func (b *xBook) table(sheet string, hdr, n, rows int) error {
	if err := b.style(sheet, 1, hdr, n, hdr, b.header); err != nil {
		return err
	}
	if rows > 0 {
		if err := b.style(sheet, 1, hdr+1, n, hdr+rows, b.body); err != nil {
			return err
		}
	}
	if err := b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: hdr, TopLeftCell: xCell(1, hdr+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: xCell(1, hdr+1), ActiveCell: xCell(1, hdr+1), Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	return b.f.AutoFilter(sheet, xCell(1, hdr)+":"+xCell(n, hdr+rows), nil)
}

func (b *xBook) widths(sheet string, ws ...float64) error {
	for i, w := range ws {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

// summary writes the assessment's facts, then the table of themes, whose
// header row is frozen with the facts above it.
func (b *xBook) summary(sheet string) error {
	d, s := b.d, b.d.Sheet
	res := s.Result()
	campaign := d.T("export.none")
	if s.Campaign != nil {
		campaign = s.Campaign.Name.In(d.Lang)
	}
	var score any = d.T("export.none")
	if res.Score != nil {
		score = xRound(*res.Score, 1)
	}
	const whenRow, scoreRow = 6, 7 // the rows of the generation time and overall score below
	facts := [][2]any{
		{d.T("export.firm"), s.FirmName},
		{d.T("export.credit_code"), s.CreditCode},
		{d.T("export.assessment_no"), s.ID},
		{d.T("export.campaign"), campaign},
		{d.T("export.state"), xState(d, s.State)},
		{d.T("export.generated_at"), xWhen(d, d.GeneratedAt)},
		{d.T("export.score"), score},
		{d.T("export.grade"), xGrade(d, res.Grade)},
		{d.T("export.critical_fail"), xYesNo(d, res.CriticalFail)},
	}
	if d.Verify.Code != "" {
		facts = append(facts, [2]any{d.T("export.verification_code"), d.Verify.Code})
	}
	for i, f := range facts {
		if err := b.row(sheet, i+1, f[:]); err != nil {
			return err
		}
	}
	if err := b.style(sheet, 1, 1, 1, len(facts), b.label); err != nil {
		return err
	}
	if err := b.style(sheet, 2, 1, 2, len(facts), b.body); err != nil {
		return err
	}
	if res.Score != nil {
		if err := b.style(sheet, 2, scoreRow, 2, scoreRow, b.score); err != nil {
			return err
		}
	}
	if !d.GeneratedAt.IsZero() {
		if err := b.style(sheet, 2, whenRow, 2, whenRow, b.when); err != nil {
			return err
		}
	}

	hdr := len(facts) + 2
	head := xLabels(d, "export.col.theme", "export.col.checklist", "export.col.version", "export.col.score",
		"export.col.answered", "export.col.total", "export.col.gaps")
	if err := b.row(sheet, hdr, xAny(head)); err != nil {
		return err
	}
	for i, cl := range s.Checklists {
		tr := res.Themes[i]
		var sc any = d.T("export.none")
		if tr.Score != nil {
			sc = xRound(*tr.Score, 1)
		}
		if err := b.row(sheet, hdr+1+i, []any{cl.Title.In(d.Lang), cl.ID, cl.Version, sc, tr.Answered, tr.Total, tr.Gaps}); err != nil {
			return err
		}
	}
	if err := b.table(sheet, hdr, len(head), len(s.Checklists)); err != nil {
		return err
	}
	if len(s.Checklists) > 0 {
		if err := b.style(sheet, 4, hdr+1, 4, hdr+len(s.Checklists), b.score); err != nil {
			return err
		}
	}
	return b.widths(sheet, 36, 40, 12, 10, 10, 10, 10)
}

// items writes one row per item; gap answers are shaded as in the PDF.
func (b *xBook) items(sheet string) error {
	d := b.d
	head := xItemHeader(d)
	if err := b.row(sheet, 1, xAny(head)); err != nil {
		return err
	}
	items := exportItems(d.Sheet)
	for i, x := range items {
		if err := b.row(sheet, i+2, xItemCells(d, x)); err != nil {
			return err
		}
	}
	if err := b.table(sheet, 1, len(head), len(items)); err != nil {
		return err
	}
	for i, x := range items {
		if st, ok := b.gapStyle(x.answer.Value); ok {
			if err := b.style(sheet, 4, i+2, 4, i+2, st); err != nil {
				return err
			}
		}
		if err := b.dateStyle(sheet, 11, i+2, xDay(x.plan.Due), false); err != nil {
			return err
		}
	}
	if err := b.widths(sheet, 24, 16, 60, 12, 60, 40, 10, 8, 40, 14, 12, 12, 10); err != nil {
		return err
	}
	return b.refsColumn(sheet, len(head)+1, items)
}

// plans writes one row per gap, overdue ones marked.
func (b *xBook) plans(sheet string) error {
	d := b.d
	head := xLabels(d, "export.col.theme", "export.col.item_id", "export.col.text", "export.col.answer",
		"export.col.measure", "export.col.owner", "export.col.due", "export.col.plan_status", "export.col.overdue")
	if err := b.row(sheet, 1, xAny(head)); err != nil {
		return err
	}
	today := exportToday(d)
	gaps := exportGaps(d.Sheet)
	for i, x := range gaps {
		overdue := x.hasPlan && x.plan.Overdue(today)
		if err := b.row(sheet, i+2, []any{
			x.cl.Title.In(d.Lang), x.it.ID, x.it.Text.In(d.Lang), xAnswer(d, x.answer.Value),
			x.plan.Measure, x.plan.Owner, xDay(x.plan.Due), xPlanStatus(d, x), xYesNo(d, overdue),
		}); err != nil {
			return err
		}
	}
	if err := b.table(sheet, 1, len(head), len(gaps)); err != nil {
		return err
	}
	for i, x := range gaps {
		if st, ok := b.gapStyle(x.answer.Value); ok {
			if err := b.style(sheet, 4, i+2, 4, i+2, st); err != nil {
				return err
			}
		}
		overdue := x.hasPlan && x.plan.Overdue(today)
		if overdue {
			if err := b.style(sheet, 7, i+2, 9, i+2, b.overdue); err != nil {
				return err
			}
		}
		if err := b.dateStyle(sheet, 7, i+2, xDay(x.plan.Due), overdue); err != nil {
			return err
		}
	}
	return b.widths(sheet, 24, 16, 60, 12, 40, 14, 12, 12, 10)
}

func (b *xBook) gapStyle(a scoring.Answer) (int, bool) {
	switch a {
	case scoring.Partial:
		return b.partial, true
	case scoring.NonCompliant:
		return b.non, true
	}
	return 0, false
}

// xWhen is moment t as a date-time cell showing the wall clock of the
// report's zone (a cell holds no zone; the format names it), or the "none"
// mark.
func xWhen(d Data, t time.Time) any {
	if t.IsZero() {
		return d.T("export.none")
	}
	w := t.In(exportZone(d))
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
}

// xCell names the cell at column c (from 1) and row r.
func xCell(c, r int) string {
	name, _ := excelize.CoordinatesToCellName(c, r)
	return name
}

func xAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
