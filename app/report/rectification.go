package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"selfcheck/app/assessment"
)

// RectificationPDF writes the rectification report (整改报告) of d.Sheet to
// w: a cover like the main report's (with its own verification code and
// QR code, which d.Verify carries), a summary of the gaps and their plans,
// then every gap with its finding (answer and note) and its plan: measure,
// owner, due date, status (overdue marked), the progress log, the
// completion date, the rectification evidence (name, size, SHA-256) and the
// auditor's verification.
func (r *Renderer) RectificationPDF(w io.Writer, d Data) error {
	if d.Sheet == nil {
		return errors.New("report: no sheet")
	}
	if d.T == nil {
		return errors.New("report: no message catalog")
	}
	doc, err := r.newDoc(d, "rectification.title")
	if err != nil {
		return err
	}
	doc.toc = []tocEntry{{"rect-summary", doc.t("rectification.summary")}}
	if len(d.Sheet.Gaps()) > 0 {
		doc.toc = append(doc.toc, tocEntry{"rect-gaps", doc.t("rectification.gaps")})
	}
	for _, part := range []struct {
		name string
		draw func() error
	}{
		{"cover", doc.cover},
		{"contents", doc.contents},
		{"summary", doc.rectSummary},
		{"gaps", doc.rectGaps},
		{"tags", func() error { doc.closeMarked(); return nil }},
		{"footers", doc.fillFooters},
		{"contents", doc.fillContents},
		{"outline", doc.outline},
	} {
		if err := part.draw(); err != nil {
			return fmt.Errorf("report: rectification %s: %w", part.name, err)
		}
	}
	return doc.compile(w)
}

// RectificationCounts summarizes an assessment's gaps and their plans as
// of today.
type RectificationCounts struct {
	Gaps, Planned, Open, InProgress, Done, Verified, Overdue int
}

// CountRectification counts the gaps of s and their plans on today.
func CountRectification(s *assessment.Sheet, today string) RectificationCounts {
	var n RectificationCounts
	for _, ref := range s.Gaps() {
		n.Gaps++
		p, ok := s.Plans[ref.Item.ID]
		if !ok || p.Measure == "" {
			continue
		}
		n.Planned++
		switch p.Status {
		case assessment.PlanVerified:
			n.Verified++
		case assessment.PlanDone:
			n.Done++
		case assessment.PlanInProgress:
			n.InProgress++
		default:
			n.Open++
		}
		if p.Overdue(today) {
			n.Overdue++
		}
	}
	return n
}

// rectSummary draws the counts: gaps found, plans, open, in progress,
// done, overdue.
func (c *doc) rectSummary() error {
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("rect-summary")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("rectification.summary")); err != nil {
		return err
	}
	c.y += 6
	n := CountRectification(c.d.Sheet, c.today())
	for _, row := range []struct {
		key string
		n   int
	}{
		{"rectification.count.gaps", n.Gaps}, {"rectification.count.planned", n.Planned},
		{"rectification.count.open", n.Open}, {"rectification.count.in_progress", n.InProgress},
		{"rectification.count.done", n.Done}, {"rectification.count.verified", n.Verified},
		{"rectification.count.overdue", n.Overdue},
	} {
		if err := c.labelled(c.t(row.key), strconv.Itoa(row.n)); err != nil {
			return err
		}
	}
	if days, closed, ok := daysToClose(c.d.Sheet, c.today(), c.location()); ok {
		key := "rectification.days_open"
		if closed {
			key = "rectification.days_to_close"
		}
		if err := c.labelled(c.t(key), strconv.Itoa(days)); err != nil {
			return err
		}
	}
	c.y += 8
	return nil
}

// rectGaps tabulates every gap, most severe first: the item, the finding
// (answer and note), and the plan.
func (c *doc) rectGaps() error {
	gaps := c.d.Sheet.Gaps()
	if len(gaps) == 0 {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("rect-gaps")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("rectification.gaps")); err != nil {
		return err
	}
	c.y += 6
	g, err := c.newGrid([]float64{120, 110, 120, 60, 60, contentW - 470},
		"report.col.item", "rectification.col.finding", "report.col.measure", "report.col.owner", "report.col.due", "report.col.status")
	if err != nil {
		return err
	}
	if err := c.startTable(g, 2); err != nil {
		return err
	}
	today := c.today()
	for _, ref := range gaps {
		a := c.d.Sheet.Answers[ref.Item.ID]
		p := c.d.Sheet.Plans[ref.Item.ID]
		status := c.t(planStatusKey(p.Status))
		overdue := p.Overdue(today)
		if overdue {
			status += "\n" + c.t("report.overdue")
		}
		finding := c.t(answerKey(a.Value))
		if a.Note != "" {
			finding += "\n" + a.Note
		}
		if p.DoneOn != "" {
			status += "\n" + c.t("rectification.done_on", p.DoneOn)
		}
		if p.VerifiedOn != "" {
			status += "\n" + c.t("rectification.verified_on", p.VerifiedOn)
		}
		if p.ReviewComment != "" {
			status += "\n" + c.t("rectification.auditor_said", p.ReviewComment)
		}
		measure := orNone(c, p.Measure)
		for _, e := range c.d.PlanLog[ref.Item.ID] {
			line := e.At.In(c.location()).Format("2006-01-02") + " " + e.By + " " + c.t("rectify.entry."+string(e.Kind))
			if e.Text != "" {
				line += c.t("rectification.said", e.Text)
			}
			measure += "\n" + line
		}
		for _, f := range c.d.PlanFiles[ref.Item.ID] {
			measure += "\n" + c.t("report.evidence_line", f.Name, sizeText(f.Size), f.SHA256)
		}
		item := ref.Item.ID + "\n" + ref.Item.Text.In(c.d.Lang)
		r, err := c.wrapRow(g, gapFill(a.Value), item, finding, measure, orNone(c, p.Owner), orNone(c, p.Due), status)
		if err != nil {
			return err
		}
		// Where a row runs onto another page, its cells with nothing left
		// say so, so that text extraction reads the rest in its place.
		none := c.t("report.none")
		r.cont = []string{ref.Item.ID + c.t("report.row_continued"), none, none, none, none, none}
		if overdue {
			r.ink = []uint32{0, 0, 0, 0, criticalRed, criticalRed}
		}
		if err := c.place(g, &r, ""); err != nil {
			return err
		}
	}
	return nil
}

// daysToClose is how many days the rectification took, from the
// submission to the day its last plan was verified (closed), or how many
// it has been open so far; ok is false before the assessment is submitted.
func daysToClose(s *assessment.Sheet, today string, loc *time.Location) (days int, closed, ok bool) {
	if s.SubmittedAt == nil {
		return 0, false, false
	}
	end, closed := today, s.RectifiedOn != ""
	if closed {
		end = s.RectifiedOn
	}
	to, err := time.ParseInLocation("2006-01-02", end, loc)
	if err != nil {
		return 0, false, false
	}
	from := s.SubmittedAt.In(loc)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	return max(0, int(to.Sub(from).Hours()/24+0.5)), closed, true
}
