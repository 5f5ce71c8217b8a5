package report

import (
	"strconv"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// The report keeps its own message keys ("report.*") so that the PDF's
// wording can change without touching the pages' messages and the reverse.

func answerKey(a scoring.Answer) string {
	switch a {
	case scoring.Compliant:
		return "report.answer.compliant"
	case scoring.Partial:
		return "report.answer.partial"
	case scoring.NonCompliant:
		return "report.answer.non_compliant"
	case scoring.NotApplicable:
		return "report.answer.na"
	}
	return "report.answer.unanswered"
}

func gradeKey(g scoring.Grade) string {
	switch g {
	case scoring.Excellent:
		return "report.grade.excellent"
	case scoring.Good:
		return "report.grade.good"
	case scoring.Pass:
		return "report.grade.pass"
	case scoring.Fail:
		return "report.grade.fail"
	}
	return "report.none"
}

func severityKey(s checklist.Severity) string {
	switch s {
	case checklist.Critical:
		return "report.severity.critical"
	case checklist.High:
		return "report.severity.high"
	case checklist.Medium:
		return "report.severity.medium"
	}
	return "report.severity.low"
}

// stateLabel names the state; a state the report does not know yet is shown
// as stored rather than hidden.
func (c *doc) stateLabel(s assessment.State) string {
	switch s {
	case assessment.Draft, assessment.Submitted, assessment.ChangesRequested, assessment.Resubmitted, assessment.Approved, assessment.Rejected:
		return c.t("report.state." + string(s))
	}
	return string(s)
}

// sizeText writes a file size the way people read it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// score formats a score with one decimal, or the "none" mark when there is
// nothing to score.
func (c *doc) score(s *float64) string {
	if s == nil {
		return c.t("report.none")
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// gapFill returns the background of an item row, 0 for none.
func gapFill(a scoring.Answer) uint32 {
	switch a {
	case scoring.Partial:
		return partialFill
	case scoring.NonCompliant:
		return nonFill
	}
	return 0
}

// barColor picks a bar's colour by the grade band of its score.
func barColor(s float64) uint32 {
	switch scoring.GradeFor(s) {
	case scoring.Excellent:
		return barGreen
	case scoring.Good:
		return barBlue
	case scoring.Pass:
		return barAmber
	}
	return barRed
}
