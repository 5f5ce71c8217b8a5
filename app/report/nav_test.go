package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// qpdfJSON is what the navigation tests read of qpdf --json: the pages
// with their objects, the outline as a tree, and every object.
type qpdfJSON struct {
	Pages []struct {
		Object string `json:"object"`
	} `json:"pages"`
	Outlines []qpdfOutline     `json:"outlines"`
	QPDF     []json.RawMessage `json:"qpdf"`
}

type qpdfOutline struct {
	Title string        `json:"title"`
	Page  int           `json:"destpageposfrom1"`
	Kids  []qpdfOutline `json:"kids"`
}

// readQPDF returns the document as qpdf reads it: the JSON, the objects by
// "n 0 R" and the page number of each page object.
func readQPDF(t *testing.T, file string) (qpdfJSON, map[string]map[string]any, map[string]int) {
	t.Helper()
	var j qpdfJSON
	if err := json.Unmarshal([]byte(run(t, poppler(t, "qpdf"), "--json", "--json-key=pages", "--json-key=outlines", "--json-key=qpdf", file)), &j); err != nil {
		t.Fatal(err)
	}
	var raw map[string]struct {
		Value map[string]any `json:"value"`
	}
	if len(j.QPDF) < 2 {
		t.Fatal("qpdf --json gave no objects")
	}
	if err := json.Unmarshal(j.QPDF[1], &raw); err != nil {
		t.Fatal(err)
	}
	objs := map[string]map[string]any{}
	for k, v := range raw {
		objs[strings.TrimPrefix(k, "obj:")] = v.Value
	}
	pageOf := map[string]int{}
	for i, p := range j.Pages {
		pageOf[p.Object] = i + 1
	}
	return j, objs, pageOf
}

// TestPDFNavigation reads the outline and the links back with qpdf: the
// bookmarks are the cover, the contents and every section of the contents
// in order, each theme with its checklist sections under it; each line of
// the contents is a link to the page its number names, where the section's
// title is printed; the verification address on the cover is a URI link.
func TestPDFNavigation(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := fullData(t, lang)
			pdf, file := writePDF(t, d)
			j, objs, pageOf := readQPDF(t, file)
			pages := pdfPages(t, pdftotext, pdf)

			want := []string{d.T("report.title"), d.T("report.contents"), d.T("report.summary")}
			for _, cl := range d.Sheet.Checklists {
				want = append(want, cl.Title.In(lang))
				for _, s := range cl.Sections {
					want = append(want, "  "+s.Title.In(lang))
				}
			}
			want = append(want, d.T("report.plans"), d.T("report.reviews"), d.T("report.compare"))
			var got []string
			var walk func(os []qpdfOutline, indent string)
			walk = func(os []qpdfOutline, indent string) {
				for _, o := range os {
					got = append(got, indent+o.Title)
					if o.Page < 1 || o.Page > len(pages) {
						t.Errorf("bookmark %q goes to page %d of %d", o.Title, o.Page, len(pages))
					} else if !strings.Contains(stripSpace(pages[o.Page-1]), stripSpace(o.Title)) && indent == "" {
						t.Errorf("bookmark %q goes to page %d, which does not show it", o.Title, o.Page)
					}
					walk(o.Kids, indent+"  ")
				}
			}
			walk(j.Outlines, "")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if cat := objs["1 0 R"]; cat["/PageMode"] != "/UseOutlines" {
				t.Errorf("catalog does not open the outline: %v", cat)
			}

			// The contents page: one link per line, in order, to the page
			// the line's number names.
			var titles []string
			for _, e := range (&doc{d: d}).sections() {
				titles = append(titles, e.title)
			}
			contents := objs[j.Pages[1].Object]
			annots, _ := contents["/Annots"].([]any)
			if len(annots) != len(titles) {
				t.Fatalf("contents page has %d links, want %d", len(annots), len(titles))
			}
			for i, ref := range annots {
				a := objs[ref.(string)]
				dest, _ := a["/Dest"].([]any)
				if len(dest) == 0 || a["/Subtype"] != "/Link" || a["/Contents"] != "u:"+titles[i] {
					t.Errorf("contents link %d: %v", i, a)
					continue
				}
				page := pageOf[dest[0].(string)]
				line := fmt.Sprintf("%s%d", stripSpace(titles[i]), page)
				if !strings.Contains(stripSpace(pages[1]), line) {
					t.Errorf("link %q goes to page %d, but the contents line does not read %q", titles[i], page, line)
				}
				if !strings.Contains(stripSpace(pages[page-1]), stripSpace(titles[i])) {
					t.Errorf("link %q goes to page %d, which does not show it", titles[i], page)
				}
			}

			cover := objs[j.Pages[0].Object]
			links, _ := cover["/Annots"].([]any)
			if len(links) != 1 {
				t.Fatalf("cover has %d links, want the verification address", len(links))
			}
			if a, _ := objs[links[0].(string)]["/A"].(map[string]any); a["/S"] != "/URI" || a["/URI"] != "u:"+d.Verify.URL {
				t.Errorf("verification link: %v", a)
			}
		})
	}
}
