package report

import (
	"selfcheck/app/assessment"
)

// plans tabulates the rectification plan of every gap, most severe first:
// measure, owner, due date and status, overdue ones marked.
func (c *doc) plans() error {
	gaps := c.d.Sheet.Gaps()
	if len(gaps) == 0 {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("plans")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("report.plans")); err != nil {
		return err
	}
	c.y += 6
	g, err := c.newGrid([]float64{130, 175, 70, 65, contentW - 440},
		"report.col.item", "report.col.measure", "report.col.owner", "report.col.due", "report.col.status")
	if err != nil {
		return err
	}
	if err := c.startTable(g, 2); err != nil {
		return err
	}
	today := c.today()
	for _, ref := range gaps {
		p := c.d.Sheet.Plans[ref.Item.ID]
		status := c.t(planStatusKey(p.Status))
		overdue := p.Overdue(today)
		if overdue {
			status += "\n" + c.t("report.overdue")
		}
		item := ref.Item.ID + " · " + c.t(answerKey(c.d.Sheet.Answers[ref.Item.ID].Value)) + "\n" + ref.Item.Text.In(c.d.Lang)
		r, err := c.wrapRow(g, gapFill(c.d.Sheet.Answers[ref.Item.ID].Value), item, orNone(c, p.Measure), orNone(c, p.Owner), orNone(c, p.Due), status)
		if err != nil {
			return err
		}
		if overdue {
			r.ink = []uint32{0, 0, 0, criticalRed, criticalRed}
		}
		if err := c.place(g, &r, ""); err != nil {
			return err
		}
	}
	return nil
}

func planStatusKey(s assessment.PlanStatus) string {
	switch s {
	case assessment.PlanInProgress:
		return "report.plan.in_progress"
	case assessment.PlanDone:
		return "report.plan.done"
	case assessment.PlanOpen:
		return "report.plan.open"
	case assessment.PlanVerified:
		return "report.plan.verified"
	}
	return "report.none"
}
