package gopdf

// Selfcheck patch 7 (navigation): an outline (bookmarks) given as a flat
// list of entries with levels, written as a tree when the document is
// compiled, and link annotations from a rectangle of any page to a place
// on another page. gopdf's own outlines are one level deep unless the
// caller wires object numbers by hand (and OutlineNodes.Parse sets /Next
// where it means /Prev), and its internal links need the anchor to be set
// while its page is current, whereas a table of contents is filled in
// after every page is drawn.

import (
	"errors"
	"fmt"
	"io"
)

// OutlineItem is one bookmark: Level 0 is a top-level entry, each level
// below nests under the nearest earlier entry of a smaller level. Page
// counts from 1, Y is measured from the page's top in points.
type OutlineItem struct {
	Title string
	Level int
	Page  int
	Y     float64
}

// AddOutlineItem appends a bookmark; bookmarks are shown in the order
// added.
func (gp *GoPdf) AddOutlineItem(it OutlineItem) {
	gp.outlineItems = append(gp.outlineItems, it)
}

// AddPageLink adds a link annotation on page (from 1) over the rectangle
// x, y, w, h (y from the top, in points) that goes to destPage at destY
// (from the top). contents is the link's text for assistive technology.
func (gp *GoPdf) AddPageLink(page int, x, y, w, h float64, destPage int, destY float64, contents string) error {
	idx := gp.pageObjIndex(page)
	if idx < 0 || gp.pageObjIndex(destPage) < 0 {
		return errors.New("gopdf: link to or from a page that does not exist")
	}
	ph := gp.config.PageSize.H
	a := &pageLinkObj{gp: gp, x1: x, y1: ph - y - h, x2: x + w, y2: ph - y, dest: destPage, destY: ph - destY, contents: contents}
	return gp.addAnnot(idx, a)
}

// AddURILinkOnPage adds a link annotation to uri on page (from 1) over the
// rectangle x, y, w, h (y from the top, in points).
func (gp *GoPdf) AddURILinkOnPage(page int, x, y, w, h float64, uri, contents string) error {
	idx := gp.pageObjIndex(page)
	if idx < 0 {
		return errors.New("gopdf: link on a page that does not exist")
	}
	ph := gp.config.PageSize.H
	a := &pageLinkObj{gp: gp, x1: x, y1: ph - y - h, x2: x + w, y2: ph - y, uri: uri, contents: contents}
	return gp.addAnnot(idx, a)
}

func (gp *GoPdf) addAnnot(pageIdx int, a *pageLinkObj) error {
	if gp.isUseProtection() {
		return errors.New("gopdf: links of patch 7 do not support encryption")
	}
	page := gp.pdfObjs[pageIdx].(*PageObj)
	id := gp.addObj(a) + 1
	a.id = id
	page.LinkObjIds = append(page.LinkObjIds, id)
	a.page = pageIdx + 1
	gp.annots = append(gp.annots, a)
	return nil
}

// pageObjIndex returns the index in pdfObjs of page n (from 1), -1 if
// there is no such page.
func (gp *GoPdf) pageObjIndex(n int) int {
	if n < 1 {
		return -1
	}
	for i, obj := range gp.pdfObjs {
		if _, ok := obj.(*PageObj); ok {
			n--
			if n == 0 {
				return i
			}
		}
	}
	return -1
}

// pageLinkObj is a link annotation to a page or a URI.
type pageLinkObj struct {
	gp             *GoPdf
	page           int // object number of the page it is on
	x1, y1, x2, y2 float64
	dest           int     // destination page, from 1
	destY          float64 // from the bottom
	uri            string
	contents       string
	// Selfcheck patch 8: its object number, and its element and key in the
	// parent tree when tagged.
	id           int
	structElem   *StructElem
	structParent int
}

func (a *pageLinkObj) init(func() *GoPdf) {}
func (a *pageLinkObj) getType() string    { return "Annot" }

func (a *pageLinkObj) write(w io.Writer, objID int) error {
	fmt.Fprintf(w, "<< /Type /Annot /Subtype /Link /Rect [%.2f %.2f %.2f %.2f] /Border [0 0 0] /P %d 0 R /F 4",
		a.x1, a.y1, a.x2, a.y2, a.page)
	if a.contents != "" {
		fmt.Fprintf(w, " /Contents %s", pdfTextString(a.contents))
	}
	if a.uri != "" {
		fmt.Fprintf(w, " /A << /S /URI /URI %s >>", pdfByteString(a.uri))
	} else {
		fmt.Fprintf(w, " /Dest [%d 0 R /XYZ null %.2f null]", a.gp.pageObjIndex(a.dest)+1, a.destY)
	}
	if a.structElem != nil {
		fmt.Fprintf(w, " /StructParent %d", a.structParent)
	}
	io.WriteString(w, " >>\n")
	return nil
}

// pdfByteString writes s as a literal string of its bytes (a URI is ASCII).
func pdfByteString(s string) string {
	b := []byte{'('}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == ')' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c > 0x7e:
			b = append(b, []byte(fmt.Sprintf("\\%03o", c))...)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, ')'))
}

// outlineEntryObj is one bookmark as written.
type outlineEntryObj struct {
	gp                              *GoPdf
	item                            OutlineItem
	parent, prev, next, first, last int // object numbers, 0: none
	count                           int // open descendants
}

func (o *outlineEntryObj) init(func() *GoPdf) {}
func (o *outlineEntryObj) getType() string    { return "SelfcheckOutline" }

func (o *outlineEntryObj) write(w io.Writer, objID int) error {
	fmt.Fprintf(w, "<< /Title %s /Parent %d 0 R", pdfTextString(o.item.Title), o.parent)
	for _, r := range []struct {
		k string
		v int
	}{{"Prev", o.prev}, {"Next", o.next}, {"First", o.first}, {"Last", o.last}} {
		if r.v > 0 {
			fmt.Fprintf(w, " /%s %d 0 R", r.k, r.v)
		}
	}
	if o.count > 0 {
		fmt.Fprintf(w, " /Count %d", o.count)
	}
	fmt.Fprintf(w, " /Dest [%d 0 R /XYZ null %.2f null] >>\n", o.gp.pageObjIndex(o.item.Page)+1, o.gp.config.PageSize.H-o.item.Y)
	return nil
}

// outlineRootObj is the outline dictionary.
type outlineRootObj struct {
	first, last, count int
}

func (o *outlineRootObj) init(func() *GoPdf) {}
func (o *outlineRootObj) getType() string    { return "SelfcheckOutlines" }

func (o *outlineRootObj) write(w io.Writer, objID int) error {
	fmt.Fprintf(w, "<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>\n", o.first, o.last, o.count)
	return nil
}

// addOutline writes the outline items as a tree of objects, every entry
// open, and returns the root's object number (0 when there is none).
func (gp *GoPdf) addOutline() (int, error) {
	if len(gp.outlineItems) == 0 {
		return 0, nil
	}
	for _, it := range gp.outlineItems {
		if gp.pageObjIndex(it.Page) < 0 {
			return 0, fmt.Errorf("gopdf: bookmark %q to page %d, which does not exist", it.Title, it.Page)
		}
	}
	root := &outlineRootObj{}
	rootID := gp.addObj(root) + 1
	entries := make([]*outlineEntryObj, len(gp.outlineItems))
	ids := make([]int, len(entries))
	for i, it := range gp.outlineItems {
		entries[i] = &outlineEntryObj{gp: gp, item: it}
		ids[i] = gp.addObj(entries[i]) + 1
	}
	// stack holds the open ancestors of the entry being placed, as indexes.
	var stack []int
	lastChild := map[int]int{} // parent index (-1: root) -> last child index
	for i, e := range entries {
		for len(stack) > 0 && entries[stack[len(stack)-1]].item.Level >= e.item.Level {
			stack = stack[:len(stack)-1]
		}
		parent := -1
		e.parent = rootID
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
			e.parent = ids[parent]
		}
		if prev, ok := lastChild[parent]; ok {
			e.prev = ids[prev]
			entries[prev].next = ids[i]
		} else if parent >= 0 {
			entries[parent].first = ids[i]
		} else {
			root.first = ids[i]
		}
		lastChild[parent] = i
		if parent >= 0 {
			entries[parent].last = ids[i]
		} else {
			root.last = ids[i]
		}
		for _, a := range stack {
			entries[a].count++
		}
		root.count++
		stack = append(stack, i)
	}
	return rootID, nil
}
