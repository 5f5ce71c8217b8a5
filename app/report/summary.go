package report

import (
	"fmt"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// execSummary is the page a reader of one page reads: the score and grade,
// any critical (一票否决) failure spelled out first, the theme scores as a
// chart, the gaps by severity and how far rectification has come.
func (c *doc) execSummary() error {
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("summary")
	res := c.d.Sheet.Result()
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("report.summary")); err != nil {
		return err
	}
	c.y += 6
	if err := c.criticalFailures(); err != nil {
		return err
	}
	if err := c.scoreLine(res); err != nil {
		return err
	}
	if err := c.chart(res); err != nil {
		return err
	}
	if err := c.gapCounts(); err != nil {
		return err
	}
	return c.progress()
}

// criticalFailures lists every critical item answered non-compliant, which
// fails the assessment whatever its score.
func (c *doc) criticalFailures() error {
	var failed []assessment.Ref
	for _, ref := range c.d.Sheet.Gaps() {
		if ref.Item.Severity == checklist.Critical && c.d.Sheet.Answers[ref.Item.ID].Value == scoring.NonCompliant {
			failed = append(failed, ref)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	c.color(criticalRed)
	if err := c.para(marginX, contentW, headingSize, c.t("report.critical_fail")); err != nil {
		return err
	}
	for _, ref := range failed {
		line := c.t("report.critical_item", ref.Item.ID, ref.Item.Text.In(c.d.Lang))
		if err := c.para(marginX+12, contentW-12, bodySize, line); err != nil {
			return err
		}
	}
	c.color(black)
	c.y += 8
	return nil
}

// scoreLine shows the overall score and grade large, and how much was
// answered.
func (c *doc) scoreLine(res scoring.Result) error {
	if err := c.need(scoreSize*lineFactor + 3*bodySize*lineFactor); err != nil {
		return err
	}
	// Each label is drawn with its value, one paragraph each, so that
	// they are read (and extracted) together.
	gradeX := marginX + contentW/2
	gradeInk := uint32(black)
	if res.Grade == scoring.Fail {
		gradeInk = criticalRed
	}
	for _, f := range []struct {
		x            float64
		label, value string
		ink          uint32
	}{
		{marginX, c.t("report.score"), c.score(res.Score), black},
		{gradeX, c.t("report.grade"), c.t(gradeKey(res.Grade)), gradeInk},
	} {
		c.block("P")
		if err := c.font(bodySize); err != nil {
			return err
		}
		c.color(grey)
		if err := c.text(f.x, c.y+scoreSize*0.45, f.label); err != nil {
			return err
		}
		if err := c.font(scoreSize); err != nil {
			return err
		}
		c.color(f.ink)
		if err := c.text(f.x+labelW*0.6, c.y, f.value); err != nil {
			return err
		}
	}
	c.color(black)
	c.y += scoreSize*lineFactor + 4
	if err := c.para(marginX, contentW, bodySize, c.t("report.answered", res.Answered, res.Total)); err != nil {
		return err
	}
	c.y += 10
	return nil
}

// gapCounts tabulates the gaps by severity: partially and non-compliant.
func (c *doc) gapCounts() error {
	if err := c.heading("report.gaps_by_severity"); err != nil {
		return err
	}
	w := contentW / 4
	g, err := c.newGrid([]float64{w, w, w, w}, "report.col.severity", "report.answer.partial", "report.answer.non_compliant", "report.col.total")
	if err != nil {
		return err
	}
	counts := map[checklist.Severity][2]int{}
	for _, ref := range c.d.Sheet.Gaps() {
		n := counts[ref.Item.Severity]
		if c.d.Sheet.Answers[ref.Item.ID].Value == scoring.Partial {
			n[0]++
		} else {
			n[1]++
		}
		counts[ref.Item.Severity] = n
	}
	if err := c.startTable(g, 1); err != nil {
		return err
	}
	var total [2]int
	for _, sev := range checklist.Severities {
		n := counts[sev]
		total[0] += n[0]
		total[1] += n[1]
		r, err := c.wrapRow(g, 0, c.t(severityKey(sev)), fmt.Sprint(n[0]), fmt.Sprint(n[1]), fmt.Sprint(n[0]+n[1]))
		if err != nil {
			return err
		}
		if sev == checklist.Critical && n[1] > 0 {
			r.ink = []uint32{criticalRed, 0, criticalRed, criticalRed}
		}
		if err := c.place(g, &r, ""); err != nil {
			return err
		}
	}
	r, err := c.wrapRow(g, themeFill, c.t("report.col.total"), fmt.Sprint(total[0]), fmt.Sprint(total[1]), fmt.Sprint(total[0]+total[1]))
	if err != nil {
		return err
	}
	if err := c.place(g, &r, ""); err != nil {
		return err
	}
	c.y += 10
	return nil
}

// progress sums up the rectification plans by status, with the overdue
// ones counted apart.
func (c *doc) progress() error {
	if err := c.heading("report.progress"); err != nil {
		return err
	}
	today := c.today()
	var open, doing, done, overdue int
	for _, ref := range c.d.Sheet.Gaps() {
		p := c.d.Sheet.Plans[ref.Item.ID]
		switch p.Status {
		case assessment.PlanDone, assessment.PlanVerified: // verified: done and checked
			done++
		case assessment.PlanInProgress:
			doing++
		default:
			open++
		}
		if p.Overdue(today) {
			overdue++
		}
	}
	total := open + doing + done
	if total == 0 {
		return c.para(marginX, contentW, bodySize, c.t("report.progress_none"))
	}
	if err := c.para(marginX, contentW, bodySize, c.t("report.progress_line", total, open, doing, done)); err != nil {
		return err
	}
	// A bar: done, in progress, open.
	if err := c.need(chartBarH + 8); err != nil {
		return err
	}
	x := marginX
	for _, seg := range []struct {
		n   int
		col uint32
	}{{done, barGreen}, {doing, barBlue}, {open, trackGrey}} {
		w := contentW * float64(seg.n) / float64(total)
		if w > 0 {
			c.fill(seg.col)
			c.rect(x, c.y+2, w, chartBarH, "F")
		}
		x += w
	}
	c.y += chartBarH + 8
	if overdue > 0 {
		c.color(criticalRed)
		if err := c.para(marginX, contentW, bodySize, c.t("report.overdue_count", overdue, today)); err != nil {
			return err
		}
		c.color(black)
	}
	return nil
}

// today is the report's date in its time zone, as plans' due dates are
// written.
func (c *doc) today() string {
	return c.d.GeneratedAt.In(c.location()).Format(assessment.DateLayout)
}

// location is the zone the report's dates are printed in.
func (c *doc) location() *time.Location {
	if c.d.Location == nil {
		return time.UTC
	}
	return c.d.Location
}
