package report

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
