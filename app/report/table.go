package report

import (
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// Sizes of the item table, in points.
const (
	tableSize     = 9.0
	themeSize     = 10.5
	cellPad       = 5.0
	colIDW        = 62.0
	colAnswerMinW = 50.0
	colAnswerMaxW = 110.0
	swatch        = 8.0
)

// The columns: item id (and severity), item text, answer, note.
const ncols = 4

// columnWidths sizes the answer column to its longest label, so answers stay
// on one line in either language, and shares the rest between text and note.
// (A wrapped answer beside a full line of text also makes pdftotext mix the
// two columns' lines.)
func (c *doc) columnWidths() ([ncols]float64, error) {
	if err := c.font(tableSize); err != nil {
		return [ncols]float64{}, err
	}
	answer := colAnswerMinW
	for _, a := range []scoring.Answer{scoring.Unanswered, scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.NotApplicable} {
		w, err := c.m.width(c.t(answerKey(a)))
		if err != nil {
			return [ncols]float64{}, err
		}
		answer = max(answer, w+2*cellPad+1)
	}
	answer = min(answer, colAnswerMaxW)
	text := (contentW - colIDW - answer) / 2
	return [ncols]float64{colIDW, text, answer, contentW - colIDW - answer - text}, nil
}

// row is one table row, already wrapped: the lines of each cell.
type row struct {
	cells [ncols][]string
	fill  uint32 // background, 0 for none
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

// table draws every item grouped by theme, starting on a new page. The header
// row repeats on each page, and a theme that runs on gets a "continued" row.
func (c *doc) table() error {
	var err error
	if c.cols, err = c.columnWidths(); err != nil {
		return err
	}
	if err := c.newPage(); err != nil {
		return err
	}
	if err := c.para(marginX, contentW, headingSize, c.t("report.items")); err != nil {
		return err
	}
	c.y += 2
	if err := c.legend(); err != nil {
		return err
	}
	c.y += 6
	if err := c.header(); err != nil {
		return err
	}
	for _, cl := range c.d.Sheet.Checklists {
		if err := c.theme(cl); err != nil {
			return err
		}
	}
	return nil
}

// theme draws a theme row and its items.
func (c *doc) theme(cl *checklist.Checklist) error {
	title := cl.Title.In(c.d.Lang)
	th, err := c.themeRowHeight(title)
	if err != nil {
		return err
	}
	fresh, err := c.freshLines(title)
	if err != nil {
		return err
	}
	items := cl.Items()
	rows := make([]row, len(items))
	for i, it := range items {
		if rows[i], err = c.itemRow(it); err != nil {
			return err
		}
	}
	// Keep the theme row with the start of its first item.
	if len(rows) > 0 && c.y+th+rowHeight(rows[0].startLines(fresh)) > bottom {
		if err := c.tableBreak(""); err != nil {
			return err
		}
	}
	if err := c.themeRow(title); err != nil {
		return err
	}
	for i := range rows {
		if err := c.place(&rows[i], title, fresh); err != nil {
			return err
		}
	}
	return nil
}

// itemRow wraps one item's cells.
func (c *doc) itemRow(it checklist.Item) (row, error) {
	ans := c.d.Sheet.Answers[it.ID]
	texts := [ncols]string{
		it.ID + "\n" + c.t(severityKey(it.Severity)),
		it.Text.In(c.d.Lang),
		c.t(answerKey(ans.Value)),
		ans.Note,
	}
	r := row{fill: gapFill(ans.Value)}
	if err := c.font(tableSize); err != nil {
		return r, err
	}
	for i, w := range c.cols {
		ls, err := c.m.wrap(texts[i], w-2*cellPad)
		if err != nil {
			return r, err
		}
		r.cells[i] = ls
	}
	return r, nil
}

// place draws a row where it fits: here, else at the top of the next page,
// else (taller than a page of fresh lines) split between lines over as many
// pages as it takes, so no text is lost.
func (c *doc) place(r *row, theme string, fresh int) error {
	n := r.lines()
	for from, broke := 0, false; from < n; {
		room := int((bottom - c.y - 2*cellPad + slack) / (tableSize * lineFactor))
		want := 1
		if from == 0 {
			want = r.startLines(fresh)
		}
		if room < want && !broke {
			if err := c.tableBreak(theme); err != nil {
				return err
			}
			broke = true
			continue
		}
		// Right after a break at least one line goes on the page, so the
		// loop ends even if the page furniture leaves no room.
		to := min(n, from+max(room, 1))
		if err := c.drawRow(r, from, to); err != nil {
			return err
		}
		from, broke = to, false
	}
	return nil
}

// freshLines is how many lines of a row fit on a new table page of the
// given theme, below the header and the "continued" row.
func (c *doc) freshLines(theme string) (int, error) {
	top, err := c.tableTop(theme)
	if err != nil {
		return 0, err
	}
	return max(int((bottom-top-2*cellPad)/(tableSize*lineFactor)), 1), nil
}

// drawRow draws lines [from, to) of a row at c.y and moves below it.
func (c *doc) drawRow(r *row, from, to int) error {
	h := rowHeight(to - from)
	style := "D"
	if r.fill != 0 {
		c.fill(r.fill)
		style = "FD"
	}
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	x := marginX
	for _, w := range c.cols {
		c.rect(x, c.y, w, h, style)
		x += w
	}
	if err := c.font(tableSize); err != nil {
		return err
	}
	x = marginX
	for i, w := range c.cols {
		ls := r.cells[i]
		if from < len(ls) {
			if _, err := c.lines(x+cellPad, c.y+cellPad, ls[from:min(to, len(ls))]); err != nil {
				return err
			}
		}
		x += w
	}
	c.y += h
	return nil
}

// header draws the column titles, white on dark.
func (c *doc) header() error {
	r, err := c.headerRow()
	if err != nil {
		return err
	}
	c.color(white)
	defer c.color(black)
	return c.drawRow(&r, 0, r.lines())
}

func (c *doc) headerRow() (row, error) {
	keys := [ncols]string{"report.col.id", "report.col.text", "report.col.answer", "report.col.note"}
	r := row{fill: headerFill}
	if err := c.font(tableSize); err != nil {
		return r, err
	}
	for i, w := range c.cols {
		ls, err := c.m.wrap(c.t(keys[i]), w-2*cellPad)
		if err != nil {
			return r, err
		}
		r.cells[i] = ls
	}
	return r, nil
}

// themeRow draws a full-width row with the theme's title.
func (c *doc) themeRow(title string) error {
	if err := c.font(themeSize); err != nil {
		return err
	}
	ls, err := c.m.wrap(title, contentW-2*cellPad)
	if err != nil {
		return err
	}
	h := float64(max(len(ls), 1))*themeSize*lineFactor + 2*cellPad
	c.fill(themeFill)
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	c.rect(marginX, c.y, contentW, h, "FD")
	if _, err := c.lines(marginX+cellPad, c.y+cellPad, ls); err != nil {
		return err
	}
	c.y += h
	return nil
}

func (c *doc) themeRowHeight(title string) (float64, error) {
	if err := c.font(themeSize); err != nil {
		return 0, err
	}
	ls, err := c.m.wrap(title, contentW-2*cellPad)
	if err != nil {
		return 0, err
	}
	return float64(max(len(ls), 1))*themeSize*lineFactor + 2*cellPad, nil
}

// tableTop is where rows start on a fresh table page of the given theme.
func (c *doc) tableTop(theme string) (float64, error) {
	hr, err := c.headerRow()
	if err != nil {
		return 0, err
	}
	top := marginTop + rowHeight(hr.lines())
	if theme != "" {
		th, err := c.themeRowHeight(c.t("report.continued", theme))
		if err != nil {
			return 0, err
		}
		top += th
	}
	return top, nil
}

// tableBreak starts a new page with the header and, inside a theme, a row
// saying which theme continues.
func (c *doc) tableBreak(theme string) error {
	if err := c.newPage(); err != nil {
		return err
	}
	if err := c.header(); err != nil {
		return err
	}
	if theme == "" {
		return nil
	}
	return c.themeRow(c.t("report.continued", theme))
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
