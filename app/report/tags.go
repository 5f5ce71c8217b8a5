package report

import "github.com/signintech/gopdf"

// The report is a tagged PDF (PDF/UA-1's model): every piece of text and
// every figure belongs to an element of the structure tree, created in
// reading order as the report is drawn, and everything else (running
// headers and footers, rules, cell borders and fills, the table header
// and "continued" row repeated after a page break) is an artifact that
// assistive technology skips.
//
// The drawing primitives (text, rect, line) call ink or art, which open
// the right marked-content sequence; a sequence stays open while the same
// element draws on the same page, so a paragraph of many lines is one
// sequence.

// tagger is a doc's tagging state.
type tagger struct {
	root      *gopdf.StructElem
	cur       *gopdf.StructElem // the element text belongs to; nil: an artifact
	fig       *gopdf.StructElem // the figure being drawn: graphics belong to it
	table     *gopdf.StructElem // the table being drawn
	nextType  string            // the type of the element the next para makes ("" → P)
	into      *gopdf.StructElem // where blocks go; nil: the document
	furniture int               // > 0 while page furniture is drawn

	open         bool // a marked-content sequence is open
	openArtifact bool
	openElem     *gopdf.StructElem
	openPage     int
}

// block adds an element of type typ to the document and makes it the one
// text belongs to.
func (c *doc) block(typ string) *gopdf.StructElem {
	parent := c.tags.root
	if c.tags.into != nil {
		parent = c.tags.into
	}
	e := parent.Add(typ)
	c.tags.cur = e
	return e
}

// tagNext makes the next para an element of type typ (a heading).
func (c *doc) tagNext(typ string) { c.tags.nextType = typ }

// ink opens the marked content that text drawn now belongs to.
func (c *doc) ink() {
	t := &c.tags
	switch {
	case t.furniture > 0 || (t.cur == nil && t.fig == nil):
		c.art()
	case t.fig != nil:
		c.markAs(t.fig)
	default:
		c.markAs(t.cur)
	}
}

// gfx opens the marked content that graphics drawn now belong to: the
// figure being drawn, else an artifact.
func (c *doc) gfx() {
	if c.tags.fig != nil && c.tags.furniture == 0 {
		c.markAs(c.tags.fig)
		return
	}
	c.art()
}

func (c *doc) markAs(e *gopdf.StructElem) {
	t := &c.tags
	if t.open && !t.openArtifact && t.openElem == e && t.openPage == c.pages {
		return
	}
	c.closeMarked()
	c.gp.BeginMarked(e)
	t.open, t.openArtifact, t.openElem, t.openPage = true, false, e, c.pages
}

func (c *doc) art() {
	t := &c.tags
	if t.open && t.openArtifact && t.openPage == c.pages {
		return
	}
	c.closeMarked()
	c.gp.BeginArtifact()
	t.open, t.openArtifact, t.openElem, t.openPage = true, true, nil, c.pages
}

// closeMarked ends the open marked-content sequence; a page's sequences
// end before the next page starts.
func (c *doc) closeMarked() {
	if c.tags.open {
		c.gp.EndMarked()
		c.tags.open = false
	}
}

// line draws a line as an artifact (or as part of the figure drawn).
func (c *doc) line(x1, y1, x2, y2 float64) {
	c.gfx()
	c.gp.Line(x1, y1, x2, y2)
}
