package report

import (
	"strings"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// reviews lists each auditor decision, oldest first, with its comment and
// the items it returned with theirs.
func (c *doc) reviews() error {
	if len(c.d.Reviews) == 0 {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("reviews")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("report.reviews")); err != nil {
		return err
	}
	c.y += 6
	g, err := c.newGrid([]float64{95, 85, 80, contentW - 260}, "report.col.when", "report.col.reviewer", "report.col.decision", "report.col.comment")
	if err != nil {
		return err
	}
	if err := c.startTable(g, 2); err != nil {
		return err
	}
	for _, rv := range c.d.Reviews {
		var comment strings.Builder
		comment.WriteString(orNone(c, rv.Comment))
		for _, it := range rv.Items {
			if it.Verdict != "needs_change" && it.Comment == "" {
				continue
			}
			comment.WriteString("\n" + c.t("report.verdict_line", it.ItemID, c.t("report.verdict."+verdictKey(it.Verdict)), it.Comment))
		}
		r, err := c.wrapRow(g, 0, c.when(rv.At), rv.Reviewer, c.stateLabel(rv.State), comment.String())
		if err != nil {
			return err
		}
		if err := c.place(g, &r, ""); err != nil {
			return err
		}
	}
	return nil
}

func verdictKey(v string) string {
	if v == "needs_change" {
		return "needs_change"
	}
	return "accepted"
}

// compare sets the answers now beside those of the baseline: each theme's
// score then and now, and the items that improved or regressed.
func (c *doc) compare() error {
	b := c.d.Baseline
	if b == nil {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("compare")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("report.compare")); err != nil {
		return err
	}
	c.y += 4
	intro := c.t("report.compare_resubmission", c.when(b.At))
	if b.Kind == BaselineEarlier {
		intro = c.t("report.compare_earlier", b.AssessmentID, c.when(b.At))
	}
	c.color(grey)
	if err := c.para(marginX, contentW, bodySize, intro); err != nil {
		return err
	}
	c.color(black)
	c.y += 6

	then := *c.d.Sheet
	then.Answers = make(map[string]assessment.Answer, len(b.Answers))
	for id, a := range b.Answers {
		then.Answers[id] = assessment.Answer{Value: a}
	}
	before, now := then.Result(), c.d.Sheet.Result()
	g, err := c.newGrid([]float64{contentW - 3*80, 80, 80, 80}, "report.col.theme", "report.col.then", "report.col.now", "report.col.change")
	if err != nil {
		return err
	}
	if err := c.startTable(g, 1); err != nil {
		return err
	}
	for i, cl := range c.d.Sheet.Checklists {
		r, err := c.wrapRow(g, 0, cl.Title.In(c.d.Lang), c.score(before.Themes[i].Score), c.score(now.Themes[i].Score), c.delta(before.Themes[i].Score, now.Themes[i].Score))
		if err != nil {
			return err
		}
		if err := c.place(g, &r, ""); err != nil {
			return err
		}
	}
	r, err := c.wrapRow(g, themeFill, c.t("report.score"), c.score(before.Score), c.score(now.Score), c.delta(before.Score, now.Score))
	if err != nil {
		return err
	}
	if err := c.place(g, &r, ""); err != nil {
		return err
	}
	c.y += 10

	var better, worse []assessment.Ref
	for _, cl := range c.d.Sheet.Checklists {
		for _, it := range cl.Items() {
			was, is := rank(b.Answers[it.ID]), rank(c.d.Sheet.Answers[it.ID].Value)
			switch {
			case was == 0 || is == 0:
			case is > was:
				better = append(better, assessment.Ref{Checklist: cl, Item: it})
			case is < was:
				worse = append(worse, assessment.Ref{Checklist: cl, Item: it})
			}
		}
	}
	for _, part := range []struct {
		key  string
		refs []assessment.Ref
	}{{"report.improved", better}, {"report.regressed", worse}} {
		if err := c.heading(part.key); err != nil {
			return err
		}
		if len(part.refs) == 0 {
			if err := c.para(marginX, contentW, bodySize, c.t("report.none_changed")); err != nil {
				return err
			}
			c.y += 6
			continue
		}
		ig, err := c.newGrid([]float64{contentW - 2*90, 90, 90}, "report.col.item", "report.col.then", "report.col.now")
		if err != nil {
			return err
		}
		if err := c.startTable(ig, 2); err != nil {
			return err
		}
		for _, ref := range part.refs {
			r, err := c.wrapRow(ig, 0, ref.Item.ID+"  "+ref.Item.Text.In(c.d.Lang), c.t(answerKey(b.Answers[ref.Item.ID])), c.t(answerKey(c.d.Sheet.Answers[ref.Item.ID].Value)))
			if err != nil {
				return err
			}
			if err := c.place(ig, &r, ""); err != nil {
				return err
			}
		}
		c.y += 6
	}
	return nil
}

// rank orders answers for the comparison; 0 for those that do not compare
// (unanswered, not applicable).
func rank(a scoring.Answer) int {
	switch a {
	case scoring.Compliant:
		return 3
	case scoring.Partial:
		return 2
	case scoring.NonCompliant:
		return 1
	}
	return 0
}

// delta shows a change of score with its sign.
func (c *doc) delta(then, now *float64) string {
	if then == nil || now == nil {
		return c.t("report.none")
	}
	d := *now - *then
	s := c.score(&d)
	if d > 0 {
		s = "+" + s
	}
	return s
}
