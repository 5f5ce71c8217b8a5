package gopdf

// Selfcheck patch 8 (tagged PDF): marked content with MCIDs in the page
// content streams, artifacts for page furniture, and a structure tree
// (/StructTreeRoot with its /ParentTree, /StructParents on pages,
// /MarkInfo in the catalog) written when the document is compiled. The
// caller builds the tree in reading order and marks each piece of content
// with the element it belongs to; gopdf had none of this.

import (
	"fmt"
	"io"
	"strconv"
)

// StructElem is an element of the structure tree: a standard structure
// type (Document, H1, P, Table, TR, TH, TD, L, LI, Lbl, LBody, Figure,
// Link …), its attributes, and its kids (elements and marked content) in
// reading order.
type StructElem struct {
	Type  string
	Alt   string // alternative text (figures)
	Scope string // a TH's /Scope: Column or Row
	// ColSpan is how many columns a table cell spans, when more than one.
	ColSpan int
	Lang    string // when it differs from the document's

	gp     *GoPdf
	parent *StructElem
	kids   []structKid
	id     int // object number, set when written
}

// structKid is an element or a marked-content sequence (page is the page's
// index in pdfObjs) or an annotation (annot).
type structKid struct {
	elem  *StructElem
	page  int
	mcid  int
	annot *pageLinkObj
}

// StructRoot returns the document's root element (a Document element),
// creating it and marking the document as tagged.
func (gp *GoPdf) StructRoot() *StructElem {
	if gp.structRoot == nil {
		gp.structRoot = &StructElem{Type: "Document", gp: gp}
	}
	return gp.structRoot
}

// Add appends a child element of type typ and returns it.
func (e *StructElem) Add(typ string) *StructElem {
	k := &StructElem{Type: typ, gp: e.gp, parent: e}
	e.kids = append(e.kids, structKid{elem: k})
	return k
}

// Parent returns the element's parent, nil for the root.
func (e *StructElem) Parent() *StructElem { return e.parent }

// BeginMarked starts a marked-content sequence on the current page that
// belongs to e ("/Type <</MCID n>> BDC"). End it with EndMarked before the
// page ends.
func (gp *GoPdf) BeginMarked(e *StructElem) {
	page := gp.curr.IndexOfPageObj
	if gp.mcids == nil {
		gp.mcids = map[int][]*StructElem{}
	}
	mcid := len(gp.mcids[page])
	gp.mcids[page] = append(gp.mcids[page], e)
	e.kids = append(e.kids, structKid{page: page, mcid: mcid})
	gp.getContent().listCache.append(rawContent("/" + e.Type + " <</MCID " + strconv.Itoa(mcid) + ">> BDC\n"))
}

// BeginArtifact starts a marked-content sequence of page furniture (running
// headers, footers, rules, backgrounds) that assistive technology skips.
// End it with EndMarked.
func (gp *GoPdf) BeginArtifact() {
	gp.getContent().listCache.append(rawContent("/Artifact BMC\n"))
}

// EndMarked ends the marked-content sequence begun last ("EMC").
func (gp *GoPdf) EndMarked() {
	gp.getContent().listCache.append(rawContent("EMC\n"))
}

// TagAnnot makes the link annotation added last a kid of e (an OBJR), as
// PDF/UA asks of links.
func (gp *GoPdf) TagAnnot(e *StructElem) {
	if len(gp.annots) == 0 {
		return
	}
	a := gp.annots[len(gp.annots)-1]
	e.kids = append(e.kids, structKid{annot: a})
}

// rawContent is operators written into a content stream as they are.
type rawContent string

func (r rawContent) write(w io.Writer, protection *PDFProtection) error {
	_, err := io.WriteString(w, string(r))
	return err
}

// structElemObj writes one element.
type structElemObj struct{ e *StructElem }

func (o structElemObj) init(func() *GoPdf) {}
func (o structElemObj) getType() string    { return "StructElem" }

func (o structElemObj) write(w io.Writer, objID int) error {
	e := o.e
	parent := e.gp.structTreeRootID
	if e.parent != nil {
		parent = e.parent.id
	}
	fmt.Fprintf(w, "<< /Type /StructElem /S /%s /P %d 0 R", e.Type, parent)
	// /Pg names the page of the first marked content; kids on it are
	// written as bare MCIDs, which keeps the tree small.
	pg := -1
	for _, k := range e.kids {
		if k.elem == nil && k.annot == nil {
			pg = k.page
			break
		}
	}
	if pg >= 0 {
		fmt.Fprintf(w, " /Pg %d 0 R", pg+1)
	}
	if e.Alt != "" {
		fmt.Fprintf(w, " /Alt %s", pdfTextString(e.Alt))
	}
	if e.Lang != "" {
		fmt.Fprintf(w, " /Lang %s", pdfTextString(e.Lang))
	}
	if e.Scope != "" || e.ColSpan > 1 {
		io.WriteString(w, " /A << /O /Table")
		if e.Scope != "" {
			fmt.Fprintf(w, " /Scope /%s", e.Scope)
		}
		if e.ColSpan > 1 {
			fmt.Fprintf(w, " /ColSpan %d", e.ColSpan)
		}
		io.WriteString(w, " >>")
	}
	io.WriteString(w, " /K [")
	for _, k := range e.kids {
		switch {
		case k.elem != nil:
			fmt.Fprintf(w, " %d 0 R", k.elem.id)
		case k.annot != nil:
			fmt.Fprintf(w, " << /Type /OBJR /Obj %d 0 R /Pg %d 0 R >>", k.annot.id, k.annot.page)
		case k.page == pg:
			fmt.Fprintf(w, " %d", k.mcid)
		default:
			fmt.Fprintf(w, " << /Type /MCR /Pg %d 0 R /MCID %d >>", k.page+1, k.mcid)
		}
	}
	io.WriteString(w, " ] >>\n")
	return nil
}

// structTreeRootObj writes the root with the parent tree: for each page
// (by its /StructParents) the elements of its MCIDs, and for each tagged
// annotation (by its /StructParent) its element.
type structTreeRootObj struct {
	gp    *GoPdf
	pages []int // page indexes in pdfObjs, in /StructParents order
}

func (o structTreeRootObj) init(func() *GoPdf) {}
func (o structTreeRootObj) getType() string    { return "StructTreeRoot" }

func (o structTreeRootObj) write(w io.Writer, objID int) error {
	gp := o.gp
	fmt.Fprintf(w, "<< /Type /StructTreeRoot /K [%d 0 R] /ParentTree << /Nums [", gp.structRoot.id)
	for i, page := range o.pages {
		fmt.Fprintf(w, "\n%d [", i)
		for _, e := range gp.mcids[page] {
			fmt.Fprintf(w, " %d 0 R", e.id)
		}
		io.WriteString(w, " ]")
	}
	for _, a := range gp.annots {
		if a.structElem != nil {
			fmt.Fprintf(w, "\n%d %d 0 R", a.structParent, a.structElem.id)
		}
	}
	fmt.Fprintf(w, " ] >> /ParentTreeNextKey %d >>\n", len(o.pages)+len(gp.annots))
	return nil
}

// addStructTree numbers and appends the structure tree's objects and
// returns the root's object number (0 when the document is not tagged).
func (gp *GoPdf) addStructTree() int {
	if gp.structRoot == nil {
		return 0
	}
	root := structTreeRootObj{gp: gp}
	gp.structTreeRootID = gp.addObj(root) + 1
	var walk func(e *StructElem)
	walk = func(e *StructElem) {
		e.id = gp.addObj(structElemObj{e}) + 1
		for _, k := range e.kids {
			if k.elem != nil {
				walk(k.elem)
			}
			if k.annot != nil {
				k.annot.structElem = e
			}
		}
	}
	walk(gp.structRoot)
	// Every page gets a /StructParents key, in page order; annotations
	// are numbered after the pages.
	for i, obj := range gp.pdfObjs {
		if p, ok := obj.(*PageObj); ok {
			p.structParents = len(root.pages)
			p.tagged = true
			root.pages = append(root.pages, i)
		}
	}
	for i, a := range gp.annots {
		a.structParent = len(root.pages) + i
	}
	// root was copied into pdfObjs before its pages were set.
	gp.pdfObjs[gp.structTreeRootID-1] = root
	return gp.structTreeRootID
}
