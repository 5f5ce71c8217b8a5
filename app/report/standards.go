package report

import "selfcheck/app/scoring"

// standards is the appendix 国标对照: for each national standard the
// sheet's items map to, a table of its clauses with the items there and
// their answers, gaps shaded as in the item tables.
func (c *doc) standards() error {
	groups := c.d.Sheet.ByStandard()
	if len(groups) == 0 {
		return nil
	}
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("standards")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("standards.pdf.heading")); err != nil {
		return err
	}
	c.color(grey)
	if err := c.para(marginX, contentW, bodySize, c.t("standards.intro")); err != nil {
		return err
	}
	c.color(black)
	c.y += 6
	for _, g := range groups {
		title := g.Standard.Title.In(c.d.Lang)
		if err := c.need(headingSize*lineFactor*2 + bodySize*lineFactor*3); err != nil {
			return err
		}
		c.tagNext("H3")
		if err := c.para(marginX, contentW, headingSize, title); err != nil {
			return err
		}
		c.color(grey)
		if err := c.para(marginX, contentW, bodySize, c.t("standards.summary", g.Items, g.Gaps)); err != nil {
			return err
		}
		c.color(black)
		c.y += 4
		grid, err := c.newGrid([]float64{110, contentW - 200, 90}, "standards.col.clause", "standards.col.text", "standards.col.answer")
		if err != nil {
			return err
		}
		if err := c.startTable(grid, 2); err != nil {
			return err
		}
		for _, cl := range g.Clauses {
			clause := c.t("standards.pdf.clause_line", cl.Ref.Text(c.d.Lang), len(cl.Items), cl.Gaps)
			for _, ref := range cl.Items {
				a := c.d.Sheet.Answers[ref.Item.ID].Value
				item := ref.Item.ID + "\n" + ref.Item.Text.In(c.d.Lang)
				r, err := c.wrapRow(grid, gapFill(a), clause, item, c.t(answerKey(a)))
				if err != nil {
					return err
				}
				if err := c.place(grid, &r, g.Standard.Short.In(c.d.Lang)); err != nil {
					return err
				}
			}
		}
		c.y += 10
	}
	return nil
}

// xStandards is the XLSX sheet 国标对照: one row per clause and item mapped
// there, grouped by standard and clause as on the score page, gap answers
// shaded as on the Items sheet.
func (b *xBook) xStandards(sheet string) error {
	d := b.d
	head := xLabels(d, "standards.col.standard", "standards.col.clause", "standards.col.item", "standards.col.theme",
		"standards.col.text", "standards.col.answer", "standards.col.gap")
	if err := b.row(sheet, 1, xAny(head)); err != nil {
		return err
	}
	type line struct {
		cells []any
		gap   scoring.Answer
	}
	var rows []line
	for _, g := range d.Sheet.ByStandard() {
		for _, cl := range g.Clauses {
			for _, ref := range cl.Items {
				a := d.Sheet.Answers[ref.Item.ID].Value
				rows = append(rows, line{cells: []any{
					g.Standard.Short.In(d.Lang), cl.Ref.Text(d.Lang), ref.Item.ID, ref.Checklist.Title.In(d.Lang),
					ref.Item.Text.In(d.Lang), xAnswer(d, a), xYesNo(d, a.IsGap()),
				}, gap: a})
			}
		}
	}
	for i, r := range rows {
		if err := b.row(sheet, i+2, r.cells); err != nil {
			return err
		}
	}
	if err := b.table(sheet, 1, len(head), len(rows)); err != nil {
		return err
	}
	for i, r := range rows {
		if st, ok := b.gapStyle(r.gap); ok {
			if err := b.style(sheet, 6, i+2, 6, i+2, st); err != nil {
				return err
			}
		}
	}
	return b.widths(sheet, 18, 24, 24, 20, 60, 12, 8)
}
