package report

import (
	"errors"
	"math"
	"strconv"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// The exports (XLSX, CSV, JSON, OSCAL) share the item model below. Their
// labels are message keys "export.*", kept apart from the PDF's "report.*"
// so that either can change its wording alone. Unexported names here start
// with "export" or "x" so they stay clear of the PDF's code in this package.

// exportItem is one item of the sheet with the firm's answer, plan and
// evidence.
type exportItem struct {
	cl       *checklist.Checklist
	section  string
	it       checklist.Item
	answer   assessment.Answer
	plan     assessment.Plan
	hasPlan  bool
	evidence []assessment.Evidence
}

// exportItems lists the sheet's items in checklist order.
func exportItems(s *assessment.Sheet) []exportItem {
	var out []exportItem
	for _, cl := range s.Checklists {
		for _, sec := range cl.Sections {
			for _, it := range sec.Items {
				p, ok := s.Plans[it.ID]
				out = append(out, exportItem{
					cl: cl, section: sec.ID, it: it,
					answer:   s.Answers[it.ID],
					plan:     p,
					hasPlan:  ok,
					evidence: s.Evidence[it.ID],
				})
			}
		}
	}
	return out
}

// exportGaps lists the gap items (partially or non-compliant) in the order
// of Sheet.Gaps: most severe first, then checklist order, as the PDF's plan
// table does.
func exportGaps(s *assessment.Sheet) []exportItem {
	var out []exportItem
	for _, ref := range s.Gaps() {
		p, ok := s.Plans[ref.Item.ID]
		out = append(out, exportItem{
			cl: ref.Checklist, it: ref.Item,
			answer:   s.Answers[ref.Item.ID],
			plan:     p,
			hasPlan:  ok,
			evidence: s.Evidence[ref.Item.ID],
		})
	}
	return out
}

// exportCheck rejects Data an export cannot render; labelled exports need
// the message catalog as well.
func exportCheck(d Data, labelled bool) error {
	if d.Sheet == nil {
		return errors.New("report: no sheet")
	}
	if labelled && d.T == nil {
		return errors.New("report: no message catalog")
	}
	return nil
}

// exportZone is the zone dates are shown in: Data.Location, or UTC.
func exportZone(d Data) *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}

// exportToday is the date plans are judged overdue against: GeneratedAt's
// date in the report's zone.
func exportToday(d Data) string {
	return d.GeneratedAt.In(exportZone(d)).Format(assessment.DateLayout)
}

// exportWhen prints a moment in the report's zone, with the zone named.
func exportWhen(d Data, t time.Time) string {
	if t.IsZero() {
		return d.T("export.none")
	}
	return t.In(exportZone(d)).Format("2006-01-02 15:04 MST")
}

// xAnswerCode is the stable code of an answer: compliant, partial,
// non_compliant, na, or unanswered.
func xAnswerCode(a scoring.Answer) string {
	if a == scoring.Unanswered {
		return "unanswered"
	}
	return string(a)
}

func xAnswer(d Data, a scoring.Answer) string {
	if a != scoring.Unanswered && !a.Valid() {
		return string(a)
	}
	return d.T("export.answer." + xAnswerCode(a))
}

func xSeverity(d Data, s checklist.Severity) string {
	if !s.Valid() {
		return string(s)
	}
	return d.T("export.severity." + string(s))
}

func xGrade(d Data, g scoring.Grade) string {
	switch g {
	case scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail:
		return d.T("export.grade." + string(g))
	}
	return d.T("export.none")
}

// xState names a state; one the exports do not know is shown as stored.
func xState(d Data, s assessment.State) string {
	for _, st := range assessment.States {
		if s == st {
			return d.T("export.state." + string(s))
		}
	}
	return string(s)
}

// xPlanStatus names a plan's status, says that a gap has no plan, or is
// empty for an item that needs none.
func xPlanStatus(d Data, x exportItem) string {
	if !x.hasPlan {
		if x.answer.Value.IsGap() {
			return d.T("export.plan.none")
		}
		return ""
	}
	if !x.plan.Status.Known() {
		return string(x.plan.Status)
	}
	return d.T("export.plan." + string(x.plan.Status))
}

// xPlanStatusOverdue is xPlanStatus with the overdue mark, for the sheets
// whose only plan column is the status (the items of XLSX and CSV).
func xPlanStatusOverdue(d Data, x exportItem) string {
	s := xPlanStatus(d, x)
	if x.hasPlan && x.plan.Overdue(exportToday(d)) {
		s = d.T("export.plan.overdue_status", s)
	}
	return s
}

func xYesNo(d Data, b bool) string {
	if b {
		return d.T("export.yes")
	}
	return d.T("export.no")
}

// xScore formats a score with one decimal, or the "none" mark.
func xScore(d Data, s *float64) string {
	if s == nil {
		return d.T("export.none")
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// xItemHeader is the header of the Items sheet and of the CSV.
func xItemHeader(d Data) []string {
	return xLabels(d, "export.col.theme", "export.col.item_id", "export.col.text", "export.col.answer",
		"export.col.note", "export.col.basis", "export.col.severity", "export.col.weight",
		"export.col.measure", "export.col.owner", "export.col.due", "export.col.plan_status",
		"export.col.evidence_count")
}

// xDay is a day (YYYY-MM-DD) in a row of cells: a date cell in the XLSX,
// the text itself in the CSV.
type xDay string

// xItemCells is one row of the Items sheet and of the CSV: text as strings,
// weight and evidence count as ints (numbers in the XLSX).
func xItemCells(d Data, x exportItem) []any {
	return []any{
		x.cl.Title.In(d.Lang),
		x.it.ID,
		x.it.Text.In(d.Lang),
		xAnswer(d, x.answer.Value),
		x.answer.Note,
		x.cl.BasisText(x.it, d.Lang),
		xSeverity(d, x.it.Severity),
		x.it.Weight,
		x.plan.Measure,
		x.plan.Owner,
		xDay(x.plan.Due),
		xPlanStatusOverdue(d, x),
		len(x.evidence),
	}
}

func xLabels(d Data, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = d.T(k)
	}
	return out
}

// xRound rounds v to the given number of decimal places.
func xRound(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
