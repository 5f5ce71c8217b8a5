package gopdf

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestOutlineTree builds an outline of three levels and checks each
// entry's links in the tree, as a reader walks them.
func TestOutlineTree(t *testing.T) {
	gp := &GoPdf{}
	gp.Start(Config{PageSize: *PageSizeA4, Unit: UnitPT})
	for i := 0; i < 3; i++ {
		gp.AddPage()
	}
	for _, it := range []OutlineItem{
		{Title: "A", Page: 1}, {Title: "B", Page: 2}, {Title: "B1", Level: 1, Page: 2, Y: 100},
		{Title: "B1a", Level: 2, Page: 2}, {Title: "B2", Level: 1, Page: 3}, {Title: "C", Page: 3},
	} {
		gp.AddOutlineItem(it)
	}
	if err := gp.AddPageLink(1, 10, 10, 100, 20, 3, 50, "to C"); err != nil {
		t.Fatal(err)
	}
	if err := gp.AddPageLink(1, 10, 10, 100, 20, 4, 50, "nowhere"); err == nil {
		t.Error("a link to page 4 of 3 was accepted")
	}
	var buf bytes.Buffer
	if _, err := gp.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]*outlineEntryObj{}
	ids := map[int]string{}
	for i, o := range gp.pdfObjs {
		if e, ok := o.(*outlineEntryObj); ok {
			byTitle[e.item.Title] = e
			ids[i+1] = e.item.Title
		}
	}
	name := func(id int) string { return ids[id] }
	for _, tc := range []struct {
		title, prev, next, first, last string
		count                          int
	}{
		{"A", "", "B", "", "", 0},
		{"B", "A", "C", "B1", "B2", 3},
		{"B1", "", "B2", "B1a", "B1a", 1},
		{"B1a", "", "", "", "", 0},
		{"B2", "B1", "", "", "", 0},
		{"C", "B", "", "", "", 0},
	} {
		e := byTitle[tc.title]
		if got := [4]string{name(e.prev), name(e.next), name(e.first), name(e.last)}; got != [4]string{tc.prev, tc.next, tc.first, tc.last} || e.count != tc.count {
			t.Errorf("%s: prev/next/first/last %v count %d, want %v %d", tc.title, got, e.count, [4]string{tc.prev, tc.next, tc.first, tc.last}, tc.count)
		}
	}
	pdf := buf.String()
	if !regexp.MustCompile(`/Type /Outlines /First \d+ 0 R /Last \d+ 0 R /Count 6`).MatchString(pdf) {
		t.Error("no outline dictionary counting 6 entries")
	}
	if !strings.Contains(pdf, "/PageMode /UseOutlines") {
		t.Error("the catalog does not open the outline")
	}
	if !regexp.MustCompile(`/Subtype /Link /Rect \[10.00 812.00 110.00 832.00\] /Border \[0 0 0\] /P \d+ 0 R /F 4 /Contents \(to C\) /Dest \[\d+ 0 R /XYZ null 792.00 null\]`).MatchString(pdf) {
		t.Errorf("no link to page 3 at y 50 from the top:\n%s", pdf)
	}
}

func TestPdfByteString(t *testing.T) {
	if got := pdfByteString(`https://x.cn/v?a=(1)\é`); got != `(https://x.cn/v?a=\(1\)\\\303\251)` {
		t.Errorf("got %s", got)
	}
}
