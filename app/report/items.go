package report

import (
	"strings"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// Widths of the item table's fixed columns, in points.
const (
	colIDMinW     = 62.0
	colIDMaxW     = 100.0
	colAnswerMinW = 50.0
	colAnswerMaxW = 110.0
)

// itemGrid sizes the item table: id (and severity), the requirement with its
// legal basis, the answer, and the firm's note with its evidence and plan.
// The answer column fits its longest label, so answers stay on one line in
// either language (a wrapped answer beside a full line of text also makes
// pdftotext mix the two columns' lines); the rest is shared.
func (c *doc) itemGrid() (*grid, error) {
	if err := c.font(tableSize); err != nil {
		return nil, err
	}
	answer := colAnswerMinW
	for _, a := range []scoring.Answer{scoring.Unanswered, scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.NotApplicable} {
		w, err := c.m.width(c.t(answerKey(a)))
		if err != nil {
			return nil, err
		}
		answer = max(answer, w+2*cellPad+1)
	}
	answer = min(answer, colAnswerMaxW)
	colIDW, err := c.idColumnWidth()
	if err != nil {
		return nil, err
	}
	text := (contentW - colIDW - answer) * 0.45
	return c.newGrid([]float64{colIDW, text, answer, contentW - colIDW - answer - text},
		"report.col.id", "report.col.text", "report.col.answer", "report.col.note")
}

// idColumnWidth fits the id column to the widest word of the sheet's item
// ids (pw-close-button breaks only after a hyphen, so its words are
// what must fit), and the severity below the id, within colIDMinW and
// colIDMaxW. The font must be set.
func (c *doc) idColumnWidth() (float64, error) {
	w := colIDMinW
	fit := func(s string) error {
		sw, err := c.m.width(s)
		w = max(w, sw+2*cellPad+1)
		return err
	}
	for _, sev := range checklist.Severities {
		if err := fit(c.t(severityKey(sev))); err != nil {
			return 0, err
		}
	}
	for _, cl := range c.d.Sheet.Checklists {
		for _, it := range cl.Items() {
			for word := range strings.SplitAfterSeq(it.ID, "-") {
				if err := fit(word); err != nil {
					return 0, err
				}
			}
		}
	}
	return min(w, colIDMaxW), nil
}

// idText is an item id laid out for a column maxW wide: its words
// (pw-, close-, button) packed into lines, so a line ends only after a
// hyphen, never inside a word. The font must be set.
func (c *doc) idText(id string, maxW float64) (string, error) {
	var b strings.Builder
	w := 0.0
	for word := range strings.SplitAfterSeq(id, "-") {
		ww, err := c.m.width(word)
		if err != nil {
			return "", err
		}
		if w > 0 && w+ww > maxW+slack {
			b.WriteByte('\n')
			w = 0
		}
		b.WriteString(word)
		w += ww
	}
	return b.String(), nil
}

// items draws every theme's items, each theme under its own heading, with
// the table header repeated on every page.
func (c *doc) items() error {
	g, err := c.itemGrid()
	if err != nil {
		return err
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize, c.t("report.items")); err != nil {
		return err
	}
	c.y += 2
	if err := c.legend(); err != nil {
		return err
	}
	c.y += 6
	if err := c.header(g); err != nil {
		return err
	}
	res := c.d.Sheet.Result()
	g.aside = map[string]string{}
	for i, cl := range c.d.Sheet.Checklists {
		if i < len(res.Themes) && res.Themes[i].ID == cl.ID {
			tr := res.Themes[i]
			g.aside[cl.Title.In(c.d.Lang)] = c.t("report.theme_aside", c.score(tr.Score), tr.Gaps)
		}
	}
	for _, cl := range c.d.Sheet.Checklists {
		if err := c.theme(g, cl); err != nil {
			return err
		}
	}
	return nil
}

// theme draws a theme row and its items, and marks the theme's page for the
// contents.
func (c *doc) theme(g *grid, cl *checklist.Checklist) error {
	title := cl.Title.In(c.d.Lang)
	_, _, th, err := c.sectionLines(g, title, g.aside[title])
	if err != nil {
		return err
	}
	fresh, err := c.freshLines(g, title)
	if err != nil {
		return err
	}
	items := cl.Items()
	rows := make([]row, len(items))
	for i, it := range items {
		if rows[i], err = c.itemRow(g, cl, it); err != nil {
			return err
		}
	}
	// Keep the theme row with the start of its first item.
	if len(rows) > 0 && c.y+th+rowHeight(rows[0].startLines(fresh)) > bottom {
		if err := c.tableBreak(g, ""); err != nil {
			return err
		}
	}
	c.mark("theme:" + cl.ID)
	if err := c.sectionRow(g, title, g.aside[title]); err != nil {
		return err
	}
	for i := range rows {
		if err := c.place(g, &rows[i], title); err != nil {
			return err
		}
	}
	// The outline lists the theme's sections, each at its first item.
	first := 0
	for _, s := range cl.Sections {
		if len(s.Items) > 0 && first < len(rows) {
			c.sectionAt[cl.ID] = append(c.sectionAt[cl.ID], bookmark{s.Title.In(c.d.Lang), rows[first].at})
		}
		first += len(s.Items)
	}
	return nil
}

// itemRow wraps one item's cells. Gaps are shaded by their answer; the
// details cell holds the note, then the evidence files (name, size,
// SHA-256) and the rectification plan, each labelled.
func (c *doc) itemRow(g *grid, cl *checklist.Checklist, it checklist.Item) (row, error) {
	s := c.d.Sheet
	ans := s.Answers[it.ID]
	text := it.Text.In(c.d.Lang)
	if b := cl.BasisText(it, c.d.Lang); b != "" {
		text += "\n" + c.t("report.basis", b)
	}
	text = c.withRefs(it, text)
	var details strings.Builder
	details.WriteString(ans.Note)
	add := func(line string) {
		if details.Len() > 0 {
			details.WriteString("\n")
		}
		details.WriteString(line)
	}
	today := c.today()
	for _, e := range s.Evidence[it.ID] {
		add(c.t("report.evidence_line", e.Name, sizeText(e.Size), e.SHA256))
		if v := e.Validity(today); v != assessment.ValidityNone {
			add(c.t("validity.state."+string(v), e.ValidUntil))
		}
	}
	if p, ok := s.Plans[it.ID]; ok && p.Measure != "" {
		add(c.t("report.plan_line", p.Measure, orNone(c, p.Owner), orNone(c, p.Due), c.t(planStatusKey(p.Status))))
	}
	if details.Len() == 0 {
		// A dash, not an empty cell: pdftotext finds the table's rows by
		// text in every column, and reads a note with no note above or
		// below it after the page's other rows.
		details.WriteString(c.t("report.none"))
	}
	if err := c.font(tableSize); err != nil {
		return row{}, err
	}
	id, err := c.idText(it.ID, g.cols[0]-2*cellPad)
	if err != nil {
		return row{}, err
	}
	r, err := c.wrapRow(g, gapFill(ans.Value), id+"\n"+c.t(severityKey(it.Severity)), text, c.t(answerKey(ans.Value)), details.String())
	if err != nil {
		return r, err
	}
	r.cont = []string{it.ID, c.t("report.row_continued"), c.t(answerKey(ans.Value)), c.t("report.none")}
	if ans.Value == scoring.NonCompliant && it.Severity == checklist.Critical {
		r.ink = []uint32{criticalRed, 0, criticalRed}
	}
	return r, nil
}

func orNone(c *doc, s string) string {
	if s == "" {
		return c.t("report.none")
	}
	return s
}
