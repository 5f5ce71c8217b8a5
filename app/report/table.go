package report

import "github.com/signintech/gopdf"

// Sizes of the tables, in points.
const (
	tableSize = 9.0
	themeSize = 10.5
	cellPad   = 5.0
	swatch    = 8.0
)

// grid is one table's columns and its header, repeated on every page the
// table runs onto.
type grid struct {
	cols []float64
	head row
	// aside is the text a section row shows in the third and fourth
	// columns (a theme's score and gaps), by section title; none if empty.
	// It also keeps text extraction in order: text in those columns
	// between two rows stops pdftotext from joining the rows above and
	// below into one table, which it would read before the section row.
	aside map[string]string
}

// newGrid makes a table of the given column widths (summing to contentW)
// with header cells from the message keys.
func (c *doc) newGrid(cols []float64, headKeys ...string) (*grid, error) {
	g := &grid{cols: cols}
	texts := make([]string, len(headKeys))
	for i, k := range headKeys {
		texts[i] = c.t(k)
	}
	h, err := c.wrapRow(g, headerFill, texts...)
	if err != nil {
		return nil, err
	}
	g.head = h
	return g, nil
}

// row is one table row, already wrapped: the lines of each cell.
type row struct {
	at    pos                 // where place put its first line
	tags  []*gopdf.StructElem // its cells' elements, once drawn (none for furniture)
	cells [][]string
	fill  uint32   // background, 0 for none
	ink   []uint32 // text colour per cell, 0 for black; may be shorter than cells
	// cont is what a cell with nothing left shows on the pages a split
	// row continues onto (the item id, "continued", the answer), so the
	// continuation is a full row of the table to text extraction, read
	// in its place rather than after the page's other rows.
	cont []string
}

// wrapRow wraps one row's cell texts to the grid's columns.
func (c *doc) wrapRow(g *grid, fill uint32, texts ...string) (row, error) {
	r := row{cells: make([][]string, len(g.cols)), fill: fill}
	if err := c.font(tableSize); err != nil {
		return r, err
	}
	for i, w := range g.cols {
		if i >= len(texts) {
			break
		}
		ls, err := c.m.wrap(texts[i], w-2*cellPad)
		if err != nil {
			return r, err
		}
		r.cells[i] = ls
	}
	return r, nil
}

// lines is the number of lines of the tallest cell.
func (r *row) lines() int {
	n := 1
	for _, c := range r.cells {
		n = max(n, len(c))
	}
	return n
}

// shortLines is the number of lines of the tallest cell but one: when a row
// must be split across pages, the first part holds at least this many lines
// so that only the longest cell (usually the note) runs on.
func (r *row) shortLines() int {
	var a, b int // tallest and second tallest
	for _, c := range r.cells {
		switch n := len(c); {
		case n > a:
			a, b = n, a
		case n > b:
			b = n
		}
	}
	return max(b, 1)
}

// startLines is how many lines of a row must fit where the row starts: all
// of them, unless the row is taller than a new page (fresh lines) and is
// split anyway; then those of every cell but the longest, capped at a page.
func (r *row) startLines(fresh int) int {
	if n := r.lines(); n <= fresh {
		return n
	}
	return min(r.shortLines(), fresh)
}

func rowHeight(lines int) float64 { return float64(lines)*tableSize*lineFactor + 2*cellPad }

// place draws a row where it fits: here, else at the top of the next page
// (with the header and, inside a section, a "continued" row), so a row that
// fits on a page is never split. Only a row taller than a whole page is
// split, between lines, over as many pages as it takes, so no text is lost.
func (c *doc) place(g *grid, r *row, section string) error {
	fresh, err := c.freshLines(g, section)
	if err != nil {
		return err
	}
	n := r.lines()
	for from, broke := 0, false; from < n; {
		room := int((bottom - c.y - 2*cellPad + slack) / (tableSize * lineFactor))
		want := 1
		if from == 0 {
			want = r.startLines(fresh)
		}
		if room < want && !broke {
			if err := c.tableBreak(g, section); err != nil {
				return err
			}
			broke = true
			continue
		}
		// Right after a break at least one line goes on the page, so the
		// loop ends even if the page furniture leaves no room.
		to := min(n, from+max(room, 1))
		if from == 0 {
			r.at = pos{c.pages, c.y}
		}
		if err := c.drawRow(g, r, from, to); err != nil {
			return err
		}
		from, broke = to, false
	}
	return nil
}

// freshLines is how many lines of a row fit on a new page of the table,
// below the header and the "continued" row.
func (c *doc) freshLines(g *grid, section string) (int, error) {
	top, err := c.tableTop(g, section)
	if err != nil {
		return 0, err
	}
	return max(int((bottom-top-2*cellPad)/(tableSize*lineFactor)), 1), nil
}

// drawRow draws lines [from, to) of a row at c.y and moves below it.
func (c *doc) drawRow(g *grid, r *row, from, to int) error {
	h := rowHeight(to - from)
	style := "D"
	if r.fill != 0 {
		c.fill(r.fill)
		style = "FD"
	}
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	x := marginX
	for _, w := range g.cols {
		c.rect(x, c.y, w, h, style)
		x += w
	}
	if err := c.font(tableSize); err != nil {
		return err
	}
	if c.tags.furniture == 0 && r.tags == nil && c.tags.table != nil {
		tr := c.tags.table.Add("TR")
		for range g.cols {
			if r == &g.head {
				th := tr.Add("TH")
				th.Scope = "Column"
				r.tags = append(r.tags, th)
			} else {
				r.tags = append(r.tags, tr.Add("TD"))
			}
		}
	}
	x = marginX
	for i, w := range g.cols {
		ls := r.cells[i]
		c.tags.cur = nil
		if i < len(r.tags) {
			c.tags.cur = r.tags[i]
		}
		switch {
		case from < len(ls):
			if i < len(r.ink) && r.ink[i] != 0 {
				c.color(r.ink[i])
			}
			if _, err := c.lines(x+cellPad, c.y+cellPad, ls[from:min(to, len(ls))]); err != nil {
				return err
			}
			if i < len(r.ink) && r.ink[i] != 0 {
				c.color(black)
			}
		case from > 0 && i < len(r.cont) && r.cont[i] != "":
			// A repeat of what the row's first part said: an artifact.
			s, err := c.m.cut(r.cont[i], w-2*cellPad)
			if err != nil {
				return err
			}
			c.tags.cur = nil
			c.color(grey)
			if err := c.text(x+cellPad, c.y+cellPad, s); err != nil {
				return err
			}
			c.color(black)
		}
		x += w
	}
	c.y += h
	return nil
}

// header draws the column titles, white on dark.
func (c *doc) header(g *grid) error {
	if c.tags.furniture == 0 {
		// A table starts; its header row is tagged once, its repeats
		// after page breaks are artifacts.
		c.tags.table = c.block("Table")
		g.head.tags = nil
	}
	c.color(white)
	defer c.color(black)
	return c.drawRow(g, &g.head, 0, g.head.lines())
}

// startTable draws the header where the table begins, first moving to a new
// page unless the header and a first row of minLines fit here.
func (c *doc) startTable(g *grid, minLines int) error {
	if err := c.need(rowHeight(g.head.lines()) + rowHeight(minLines)); err != nil {
		return err
	}
	return c.header(g)
}

// sectionRow draws a full-width row with a title (a theme in the item
// table) and, in the third and fourth columns, an aside (its score).
func (c *doc) sectionRow(g *grid, title, aside string) error {
	ls, al, h, err := c.sectionLines(g, title, aside)
	if err != nil {
		return err
	}
	c.fill(themeFill)
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	c.rect(marginX, c.y, contentW, h, "FD")
	var tr *gopdf.StructElem
	c.tags.cur = nil
	if c.tags.furniture == 0 && c.tags.table != nil {
		tr = c.tags.table.Add("TR")
		th := tr.Add("TH")
		th.Scope, th.ColSpan = "Row", len(g.cols)
		if len(al) > 0 {
			th.ColSpan = 2
		}
		c.tags.cur = th
	}
	if _, err := c.lines(marginX+cellPad, c.y+cellPad, ls); err != nil {
		return err
	}
	if len(al) > 0 {
		if tr != nil {
			td := tr.Add("TD")
			td.ColSpan = len(g.cols) - 2
			c.tags.cur = td
		}
		if _, err := c.lines(marginX+g.cols[0]+g.cols[1]+cellPad, c.y+cellPad, al); err != nil {
			return err
		}
	}
	c.y += h
	return nil
}

// sectionLines wraps a section row's title and aside and returns its
// height; it leaves the font at themeSize.
func (c *doc) sectionLines(g *grid, title, aside string) (ls, al []string, h float64, err error) {
	if err := c.font(themeSize); err != nil {
		return nil, nil, 0, err
	}
	titleW := contentW
	if aside != "" {
		titleW = g.cols[0] + g.cols[1]
		if al, err = c.m.wrap(aside, contentW-titleW-2*cellPad); err != nil {
			return nil, nil, 0, err
		}
	}
	if ls, err = c.m.wrap(title, titleW-2*cellPad); err != nil {
		return nil, nil, 0, err
	}
	return ls, al, float64(max(len(ls), len(al), 1))*themeSize*lineFactor + 2*cellPad, nil
}

// tableTop is where rows start on a fresh page of the table.
func (c *doc) tableTop(g *grid, section string) (float64, error) {
	top := marginTop + rowHeight(g.head.lines())
	if section != "" {
		_, _, th, err := c.sectionLines(g, c.t("report.continued", section), g.aside[section])
		if err != nil {
			return 0, err
		}
		top += th
	}
	return top, nil
}

// tableBreak starts a new page with the header and, inside a section, a row
// saying which section continues.
func (c *doc) tableBreak(g *grid, section string) error {
	if err := c.newPage(); err != nil {
		return err
	}
	c.tags.furniture++
	defer func() { c.tags.furniture-- }()
	if err := c.header(g); err != nil {
		return err
	}
	if section == "" {
		return nil
	}
	return c.sectionRow(g, c.t("report.continued", section), g.aside[section])
}

// legend explains the row colours with a swatch for each kind of gap.
func (c *doc) legend() error {
	if err := c.font(tableSize); err != nil {
		return err
	}
	lh := tableSize * lineFactor
	if err := c.need(lh); err != nil {
		return err
	}
	if err := c.font(tableSize); err != nil {
		return err
	}
	c.block("P")
	x := marginX
	label := c.t("report.legend")
	c.color(grey)
	if err := c.text(x, c.y, label); err != nil {
		return err
	}
	w, err := c.m.width(label)
	if err != nil {
		return err
	}
	x += w + 8
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	for _, e := range []struct {
		fill uint32
		key  string
	}{{nonFill, "report.answer.non_compliant"}, {partialFill, "report.answer.partial"}} {
		c.fill(e.fill)
		c.rect(x, c.y+(lh-swatch)/2-1, swatch, swatch, "FD")
		x += swatch + 4
		s := c.t(e.key)
		if err := c.text(x, c.y, s); err != nil {
			return err
		}
		w, err := c.m.width(s)
		if err != nil {
			return err
		}
		x += w + 12
	}
	c.color(black)
	c.y += lh
	return nil
}
