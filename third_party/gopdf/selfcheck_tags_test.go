package gopdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestTableAttributes writes a header cell's scope and a cell's column
// span as table attributes, and none for a plain cell.
func TestTableAttributes(t *testing.T) {
	gp := &GoPdf{}
	gp.Start(Config{PageSize: *PageSizeA4, Unit: UnitPT})
	gp.SetNoCompression()
	gp.AddPage()
	tr := gp.StructRoot().Add("Table").Add("TR")
	th := tr.Add("TH")
	th.Scope, th.ColSpan = "Row", 2
	td := tr.Add("TD")
	td.ColSpan = 2
	tr.Add("TD")
	for _, e := range []*StructElem{th, td} {
		gp.BeginMarked(e)
		gp.EndMarked()
	}
	var buf bytes.Buffer
	if _, err := gp.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.String()
	for re, n := range map[string]int{
		`/S /TH [^\n]*/A << /O /Table /Scope /Row /ColSpan 2 >>`: 1,
		`/S /TD [^\n]*/A << /O /Table /ColSpan 2 >>`:             1,
		`/A <<`: 2,
	} {
		if got := len(regexp.MustCompile(re).FindAllString(pdf, -1)); got != n {
			t.Errorf("%d matches for %s, want %d", got, re, n)
		}
	}
}

// TestStructTree tags content on two pages and a link, and checks the
// marked content, the elements, the parent tree and the catalog.
func TestStructTree(t *testing.T) {
	gp := &GoPdf{}
	gp.Start(Config{PageSize: *PageSizeA4, Unit: UnitPT})
	gp.SetNoCompression()
	gp.AddPage()
	root := gp.StructRoot()
	h := root.Add("H1")
	p := root.Add("P")
	fig := root.Add("Figure")
	fig.Alt = "图表"
	gp.BeginArtifact()
	gp.Line(0, 0, 10, 10)
	gp.EndMarked()
	gp.BeginMarked(h)
	gp.EndMarked()
	gp.BeginMarked(p)
	gp.EndMarked()
	gp.AddPage()
	gp.BeginMarked(p) // p continues on page 2
	gp.EndMarked()
	gp.BeginMarked(fig)
	gp.EndMarked()
	link := root.Add("Link")
	if err := gp.AddURILinkOnPage(2, 0, 0, 10, 10, "https://x.cn/", "x"); err != nil {
		t.Fatal(err)
	}
	gp.TagAnnot(link)
	var buf bytes.Buffer
	if _, err := gp.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.String()
	for _, re := range []string{
		`/MarkInfo << /Marked true >>\s+/StructTreeRoot \d+ 0 R`,
		`/Artifact BMC\n`,
		`/H1 <</MCID 0>> BDC\nEMC\n/P <</MCID 1>> BDC\nEMC\n`,     // page 1
		`/P <</MCID 0>> BDC\nEMC\n/Figure <</MCID 1>> BDC\nEMC\n`, // page 2
		`/StructParents 0 /Tabs /S`, `/StructParents 1 /Tabs /S`,
		`/S /H1 /P \d+ 0 R /Pg \d+ 0 R /K \[ 0 \]`,
		`/S /P /P \d+ 0 R /Pg \d+ 0 R /K \[ 1 << /Type /MCR /Pg \d+ 0 R /MCID 0 >> \]`,
		`/S /Figure /P \d+ 0 R /Pg \d+ 0 R /Alt <FEFF56FE8868> /K \[ 1 \]`,
		`/S /Link /P \d+ 0 R /K \[ << /Type /OBJR /Obj \d+ 0 R /Pg \d+ 0 R >> \]`,
		`/ParentTree << /Nums \[\n0 \[ \d+ 0 R \d+ 0 R \]\n1 \[ \d+ 0 R \d+ 0 R \]\n2 \d+ 0 R \] >> /ParentTreeNextKey 3`,
		`/StructParent 2 >>`,
	} {
		if !regexp.MustCompile(re).MatchString(pdf) {
			t.Errorf("no match for %s", re)
		}
	}
	if strings.Count(pdf, "/Type /StructElem") != 5 {
		t.Errorf("%d elements, want 5 (Document, H1, P, Figure, Link)", strings.Count(pdf, "/Type /StructElem"))
	}
}
