package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/signintech/gopdf"
)

// tocEntry is one line of the contents: a section and the key its first
// page is marked under.
type tocEntry struct {
	key, title string
}

// sections lists the report's sections in the order they are drawn. Only
// sections that have something to show are listed (and drawn).
func (c *doc) sections() []tocEntry {
	s := c.d.Sheet
	out := []tocEntry{{"summary", c.t("report.summary")}}
	for _, cl := range s.Checklists {
		out = append(out, tocEntry{"theme:" + cl.ID, cl.Title.In(c.d.Lang)})
	}
	if len(s.Gaps()) > 0 {
		out = append(out, tocEntry{"plans", c.t("report.plans")})
	}
	if len(c.d.Reviews) > 0 {
		out = append(out, tocEntry{"reviews", c.t("report.reviews")})
	}
	if c.d.Baseline != nil {
		out = append(out, tocEntry{"compare", c.t("report.compare")})
	}
	if len(s.Excluded) > 0 {
		out = append(out, tocEntry{"excluded", c.t("report.excluded")})
	}
	if len(s.ByStandard()) > 0 {
		out = append(out, tocEntry{"standards", c.t("standards.pdf.heading")})
	}
	return out
}

// contents draws the table of contents on a page of its own. Page numbers
// are known only once every section is drawn, so each line leaves a
// placeholder that fillContents writes.
func (c *doc) contents() error {
	if err := c.newPage(); err != nil {
		return err
	}
	c.mark("contents")
	c.tagNext("H2")
	if err := c.para(marginX, contentW, headingSize+2, c.t("report.contents")); err != nil {
		return err
	}
	c.y += 8
	const numW = 40.0
	toc := c.block("TOC")
	for i, e := range c.toc {
		link := toc.Add("TOCI").Add("Link")
		indent := 0.0
		if len(e.key) > 6 && e.key[:6] == "theme:" {
			indent = 16
		}
		if err := c.font(bodySize + 0.5); err != nil {
			return err
		}
		ls, err := c.m.wrap(e.title, contentW-indent-numW-10)
		if err != nil {
			return err
		}
		lh := (bodySize + 0.5) * lineFactor
		if err := c.need(lh * float64(len(ls))); err != nil {
			return err
		}
		if err := c.font(bodySize + 0.5); err != nil {
			return err
		}
		c.tocLinks = append(c.tocLinks, tocLine{at: pos{c.pages, c.y}, x: marginX + indent, w: contentW - indent, h: lh * float64(len(ls)), elem: link})
		c.tags.cur = link
		if _, err := c.lines(marginX+indent, c.y, ls); err != nil {
			return err
		}
		c.stroke(trackGrey)
		c.gp.SetLineWidth(0.5)
		last := c.y + lh*float64(len(ls)-1)
		c.line(marginX+indent, last+lh-2, marginX+contentW, last+lh-2)
		// A placeholder's y is its text's baseline, a cell's its top.
		c.gp.SetXY(marginX+contentW-numW, last+(bodySize+0.5)*0.85)
		c.tags.cur = link
		c.ink()
		if err := c.gp.PlaceHolderText(tocName(i), numW); err != nil {
			return fmt.Errorf("contents placeholder: %w", err)
		}
		c.y = last + lh + 4
	}
	return nil
}

func tocName(i int) string { return fmt.Sprintf("toc-%d", i) }

// mark records where a section starts.
func (c *doc) mark(key string) { c.marks[key] = pos{c.pages, c.y} }

// fillContents writes each section's first page into the contents.
func (c *doc) fillContents() error {
	if err := c.font(bodySize + 0.5); err != nil {
		return err
	}
	for i, e := range c.toc {
		at, ok := c.marks[e.key]
		if !ok {
			return fmt.Errorf("section %s was listed but not drawn", e.key)
		}
		if err := c.gp.FillInPlaceHoldText(tocName(i), strconv.Itoa(at.page), gopdf.Right); err != nil {
			return fmt.Errorf("contents line %d: %w", i, err)
		}
		l := c.tocLinks[i]
		if err := c.gp.AddPageLink(l.at.page, l.x, l.at.y, l.w, l.h, at.page, at.y, e.title); err != nil {
			return fmt.Errorf("contents line %d: %w", i, err)
		}
		c.gp.TagAnnot(l.elem)
	}
	return nil
}

// outline adds the bookmarks: the cover, the contents, then every section
// the contents lists, in the same order, with each theme's checklist
// sections under it.
func (c *doc) outline() error {
	c.gp.AddOutlineItem(gopdf.OutlineItem{Title: c.t(c.titleKey), Page: 1})
	at := c.marks["contents"]
	c.gp.AddOutlineItem(gopdf.OutlineItem{Title: c.t("report.contents"), Page: at.page, Y: at.y})
	for _, e := range c.toc {
		at := c.marks[e.key]
		c.gp.AddOutlineItem(gopdf.OutlineItem{Title: e.title, Page: at.page, Y: at.y})
		for _, s := range c.sectionAt[strings.TrimPrefix(e.key, "theme:")] {
			if strings.HasPrefix(e.key, "theme:") {
				c.gp.AddOutlineItem(gopdf.OutlineItem{Title: s.title, Level: 1, Page: s.at.page, Y: s.at.y})
			}
		}
	}
	return nil
}
