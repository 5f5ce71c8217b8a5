package report

import (
	"fmt"

	"github.com/signintech/gopdf"

	"selfcheck/app/tabular"
)

// Page geometry in points (A4 portrait). The bottom margin leaves room for
// the footer.
const (
	pageW        = 595.28
	pageH        = 841.89
	marginX      = 40.0
	marginTop    = 42.0
	marginBottom = 52.0
	contentW     = pageW - 2*marginX
	bottom       = pageH - marginBottom
	footerBase   = pageH - 28.0 // top of the footer text
	headerTop    = 18.0         // top of the running header text
	footerSize   = 8.0
	lineFactor   = 1.4 // line height as a multiple of the font size
)

// Colours as 0xRRGGBB, so they can be constants.
const (
	black       = 0x000000
	white       = 0xFFFFFF
	grey        = 0x6B7280
	ruleGrey    = 0xC8CDD3
	trackGrey   = 0xE5E7EB
	headerFill  = 0x2F4A63
	themeFill   = 0xDCE6F0
	partialFill = 0xFFF1CC // amber: partially compliant
	nonFill     = 0xFBDADA // red: non-compliant
	criticalRed = 0xB91C1C
	barGreen    = 0x2E9E5B
	barBlue     = 0x3B7DD8
	barAmber    = 0xE0A030
	barRed      = 0xD64545
)

// doc is one report being drawn. It is not shared between goroutines.
type doc struct {
	gp       *gopdf.GoPdf
	d        Data
	titleKey string // the message key of the document's title: report.title, or rectification.title
	m        *measurer
	y        float64 // top of the free space on the current page
	pages    int
	toc      []tocEntry     // the sections, as the contents lists them
	marks    map[string]pos // where each section drawn starts
	tags     tagger
	// sectionAt is where each theme's checklist sections start, by theme
	// id, for the outline.
	sectionAt map[string][]bookmark
	// tocLinks are the contents' lines, to be linked to their sections.
	tocLinks []tocLine
}

// pos is a place in the document: a page (from 1) and a y from its top.
type pos struct {
	page int
	y    float64
}

// bookmark is an outline entry below a contents entry.
type bookmark struct {
	title string
	at    pos
}

// tocLine is where one line of the contents is drawn.
type tocLine struct {
	at   pos
	x, w float64
	h    float64
	elem *gopdf.StructElem // the line's Link element
}

// t looks up a message of the report.
func (c *doc) t(key string, args ...any) string { return c.d.T(key, args...) }

// font sets the font size for the next text and for measuring.
func (c *doc) font(size float64) error {
	if c.m.size == size {
		return nil
	}
	var err error
	if c.m.size == 0 {
		err = c.gp.SetFont(fontFamily, "", size)
	} else {
		err = c.gp.SetFontSize(size)
	}
	if err != nil {
		return fmt.Errorf("set font: %w", err)
	}
	c.m.size = size
	return nil
}

// newPage starts a page with the running header (report title and firm on
// the left, assessment number on the right) and reserves its footer. The
// footer text needs the page count, known only at the end, so a placeholder
// is left per page and filled by fillFooters.
func (c *doc) newPage() error {
	c.closeMarked()
	c.gp.AddPage()
	c.pages++
	c.tags.furniture++
	defer func() { c.tags.furniture-- }()
	if err := c.font(footerSize); err != nil {
		return err
	}
	c.color(grey)
	head, err := c.m.cut(c.t(c.titleKey)+" · "+c.d.Sheet.FirmName, contentW*0.75)
	if err != nil {
		return err
	}
	if err := c.text(marginX, headerTop, head); err != nil {
		return err
	}
	if err := c.textRight(marginX+contentW*0.75, headerTop, contentW*0.25, c.t("report.header_no", c.d.Sheet.ID)); err != nil {
		return err
	}
	c.stroke(ruleGrey)
	c.gp.SetLineWidth(0.5)
	c.line(marginX, headerTop+footerSize*lineFactor+2, marginX+contentW, headerTop+footerSize*lineFactor+2)
	c.gp.SetXY(marginX, footerBase)
	c.art()
	if err := c.gp.PlaceHolderText(footerName(c.pages), contentW); err != nil {
		return fmt.Errorf("footer placeholder: %w", err)
	}
	c.color(black)
	c.y = marginTop
	return nil
}

func footerName(page int) string { return fmt.Sprintf("footer-%d", page) }

// fillFooters writes "page x of y" into every page's placeholder, at the
// right margin: under the last column, so that text extraction (poppler's
// reading order) reads the notes column before the footer, rather than
// after it as it did with the footer centred to the notes' left.
func (c *doc) fillFooters() error {
	for p := 1; p <= c.pages; p++ {
		if err := c.gp.FillInPlaceHoldText(footerName(p), c.t("report.footer", p, c.pages), gopdf.Right); err != nil {
			return fmt.Errorf("page %d: %w", p, err)
		}
	}
	return nil
}

// need starts a new page unless h points fit below y.
func (c *doc) need(h float64) error {
	if c.y+h <= bottom {
		return nil
	}
	return c.newPage()
}

// text writes one line with its top-left corner at x, y.
func (c *doc) text(x, y float64, s string) error {
	s = tabular.StripBidi(s) // as clean does for wrapped text
	if s == "" {
		return nil
	}
	c.gp.SetXY(x, y)
	c.ink()
	if err := c.gp.Cell(nil, s); err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return nil
}

// textRight writes one line ending at x+w.
func (c *doc) textRight(x, y, w float64, s string) error {
	s = tabular.StripBidi(s)
	c.gp.SetXY(x, y)
	c.ink()
	if err := c.gp.CellWithOption(&gopdf.Rect{W: w, H: c.m.size}, s, gopdf.CellOption{Align: gopdf.Right | gopdf.Top}); err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return nil
}

// lines writes wrapped lines from the top-left corner x, y and returns the
// height used.
func (c *doc) lines(x, y float64, ls []string) (float64, error) {
	lh := c.m.size * lineFactor
	for i, l := range ls {
		if err := c.text(x, y+float64(i)*lh, l); err != nil {
			return 0, err
		}
	}
	return float64(len(ls)) * lh, nil
}

// para wraps s to width w at the given size and writes it at x, c.y,
// breaking pages between lines; it moves c.y below the text.
func (c *doc) para(x, w, size float64, s string) error {
	if err := c.font(size); err != nil {
		return err
	}
	ls, err := c.m.wrap(s, w)
	if err != nil {
		return err
	}
	lh := size * lineFactor
	typ := c.tags.nextType
	if typ == "" {
		typ = "P"
	}
	c.tags.nextType = ""
	if c.tags.fig == nil {
		c.block(typ)
	}
	for _, l := range ls {
		if err := c.need(lh); err != nil {
			return err
		}
		if err := c.font(size); err != nil {
			return err
		}
		if err := c.text(x, c.y, l); err != nil {
			return err
		}
		c.y += lh
	}
	return nil
}

func rgb(c uint32) (r, g, b uint8) { return uint8(c >> 16), uint8(c >> 8), uint8(c) }

func (c *doc) color(col uint32)  { c.gp.SetTextColor(rgb(col)) }
func (c *doc) fill(col uint32)   { c.gp.SetFillColor(rgb(col)) }
func (c *doc) stroke(col uint32) { c.gp.SetStrokeColor(rgb(col)) }

// rect draws a rectangle from its upper-left corner; style is "F", "D" or "FD".
func (c *doc) rect(x, y, w, h float64, style string) {
	c.gfx()
	c.gp.RectFromUpperLeftWithStyle(x, y, w, h, style)
}
