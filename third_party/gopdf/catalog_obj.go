package gopdf

import (
	"fmt"
	"io"
)

// CatalogObj : catalog dictionary
type CatalogObj struct { //impl IObj
	outlinesObjID int
	// Selfcheck patch 6: see selfcheck_docinfo.go.
	lang            string
	metadataObjID   int
	displayDocTitle bool
	// Selfcheck patch 8: see selfcheck_tags.go.
	structTreeRootID int
}

func (c *CatalogObj) init(funcGetRoot func() *GoPdf) {
	c.outlinesObjID = -1

}

func (c *CatalogObj) getType() string {
	return "Catalog"
}

func (c *CatalogObj) write(w io.Writer, objID int) error {
	io.WriteString(w, "<<\n")
	fmt.Fprintf(w, "  /Type /%s\n", c.getType())
	io.WriteString(w, "  /Pages 2 0 R\n")
	if c.outlinesObjID >= 0 {
		io.WriteString(w, "  /PageMode /UseOutlines\n")
		fmt.Fprintf(w, "  /Outlines %d 0 R\n", c.outlinesObjID)
	}
	// Selfcheck patch 6: language, metadata, title shown by viewers.
	if c.lang != "" {
		fmt.Fprintf(w, "  /Lang %s\n", pdfTextString(c.lang))
	}
	if c.metadataObjID > 0 {
		fmt.Fprintf(w, "  /Metadata %d 0 R\n", c.metadataObjID)
	}
	if c.structTreeRootID > 0 {
		fmt.Fprintf(w, "  /MarkInfo << /Marked true >>\n  /StructTreeRoot %d 0 R\n", c.structTreeRootID)
	}
	if c.displayDocTitle {
		io.WriteString(w, "  /ViewerPreferences << /DisplayDocTitle true >>\n")
	}
	io.WriteString(w, ">>\n")
	return nil
}

func (c *CatalogObj) SetIndexObjOutlines(index int) {
	c.outlinesObjID = index + 1
}
