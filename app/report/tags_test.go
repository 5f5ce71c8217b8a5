package report

import (
	"fmt"
	"strings"
	"testing"
)

// structRow is a table row of the structure tree: its cells' texts.
type structRow struct{ cells []string }

// structTables reads pdfinfo -struct-text's tree and returns each table's
// rows, in the order of the tree.
func structTables(text string) [][]structRow {
	var tables [][]structRow
	for _, line := range strings.Split(text, "\n") {
		s := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(s, "Table"):
			tables = append(tables, nil)
		case s == "TR" && len(tables) > 0:
			tables[len(tables)-1] = append(tables[len(tables)-1], structRow{})
		case (strings.HasPrefix(s, "TD") || strings.HasPrefix(s, "TH")) && len(tables) > 0: // "TD:" when it has attributes
			t := tables[len(tables)-1]
			if len(t) > 0 {
				t[len(t)-1].cells = append(t[len(t)-1].cells, "")
			}
		case strings.HasPrefix(s, `"`) && len(tables) > 0:
			t := tables[len(tables)-1]
			if len(t) > 0 && len(t[len(t)-1].cells) > 0 {
				r := &t[len(t)-1]
				r.cells[len(r.cells)-1] += strings.Trim(s, `"`)
			}
		}
	}
	return tables
}

// TestPDFTagged reads the structure tree back: pdfinfo reports a tagged
// document; the item table's rows follow the items in checklist order, each
// with its answer and note in its own row; the column headers are TH cells
// before the rows; the chart and the QR code are figures with alternative
// text; running headers and footers are artifacts, outside the tree; every
// header cell has a scope, and the catalog, the tree root and every page
// carry what ties marked content to the tree (MarkInfo, ParentTree,
// StructParents).
func TestPDFTagged(t *testing.T) {
	pdfinfo := poppler(t, "pdfinfo")
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := fullData(t, lang)
			_, file := writePDF(t, d)
			if info := run(t, pdfinfo, file); !strings.Contains(info, "Tagged:          yes") {
				t.Fatalf("not tagged:\n%s", info)
			}
			tree := run(t, pdfinfo, "-struct-text", file)
			flat := stripSpace(tree)
			for _, want := range []string{"H1(block)\"" + stripSpace(d.T("report.title")), "H2(block)\"" + stripSpace(d.T("report.summary")),
				"TOCTOCILink(inline)", "LI(block)LBody(block)P(block)", "H3(block)\"" + stripSpace(d.T("report.themes"))} {
				if !strings.Contains(flat, want) {
					t.Errorf("structure tree lacks %s", want)
				}
			}
			for p := 1; p <= 3; p++ {
				if footer := d.T("report.footer", p, 50); strings.Contains(flat, stripSpace(footer)[:len(stripSpace(footer))-2]) {
					t.Errorf("footer %q is in the structure tree, not an artifact", footer)
				}
			}

			var items *[]structRow
			tables := structTables(tree)
			for i, tb := range tables {
				if len(tb) > 0 && len(tb[0].cells) == 4 && tb[0].cells[0] == d.T("report.col.id") {
					items = &tables[i]
				}
			}
			if items == nil {
				t.Fatalf("no item table in the structure tree:\n%s", tree)
			}
			if head := (*items)[0].cells; head[3] != d.T("report.col.note") {
				t.Errorf("item table header: %q", head)
			}
			var want []string
			for _, cl := range d.Sheet.Checklists {
				want = append(want, "theme "+stripSpace(cl.Title.In(lang)))
				for _, it := range cl.Items() {
					want = append(want, it.ID)
				}
			}
			var got []string
			for _, r := range (*items)[1:] {
				switch len(r.cells) {
				case 1, 2: // a theme: its title, and its score beside it
					got = append(got, "theme "+stripSpace(r.cells[0])) // a title wrapped over lines
				case 4:
					id := r.cells[0]
					for _, it := range want {
						if strings.HasPrefix(id, it) && !strings.HasPrefix(it, "theme ") {
							id = it
						}
					}
					got = append(got, id)
					if a, ok := d.Sheet.Answers[id]; ok && a.Note != "" && !strings.Contains(stripSpace(r.cells[3]), stripSpace(a.Note)) {
						t.Errorf("row %s: its note is not in its note cell: %q", id, r.cells[3])
					}
				default:
					t.Errorf("item table row with %d cells: %q", len(r.cells), r.cells)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("item rows in the structure tree:\n%v\nwant\n%v", got, want)
			}

			j, objs, _ := readQPDF(t, file)
			alts := map[string]bool{}
			var th, scoped, roots, marked, treed int
			for _, o := range objs {
				switch {
				case o["/S"] == "/Figure":
					alt, _ := o["/Alt"].(string)
					alts[strings.TrimPrefix(alt, "u:")] = true
				case o["/S"] == "/TH":
					th++
					a, _ := o["/A"].(map[string]any)
					if a["/O"] == "/Table" && (a["/Scope"] == "/Column" || a["/Scope"] == "/Row") {
						scoped++
					}
					// A theme's row header spans the columns its title
					// takes: all four, or two beside the theme's score.
					if span, _ := a["/ColSpan"].(float64); a["/Scope"] == "/Row" && span != 2 && span != 4 {
						t.Errorf("a row header spans %v columns", a["/ColSpan"])
					}
				case o["/Type"] == "/StructTreeRoot":
					roots++
					if _, ok := o["/ParentTree"]; ok {
						treed++
					}
				case o["/Type"] == "/Catalog":
					if mi, ok := o["/MarkInfo"].(map[string]any); ok && mi["/Marked"] == true {
						marked++
					}
				}
			}
			// A table header cell says whether it heads a column or a row;
			// the tree maps every page's marked content back to its
			// elements (the parent tree, each page's /StructParents).
			if th == 0 || scoped != th {
				t.Errorf("%d of %d TH cells have a table scope", scoped, th)
			}
			if roots != 1 || treed != 1 || marked != 1 {
				t.Errorf("struct tree roots %d (with a parent tree %d), catalogs marked %d; want 1 each", roots, treed, marked)
			}
			for _, pg := range j.Pages {
				if _, ok := objs[pg.Object]["/StructParents"]; !ok {
					t.Errorf("page %s has no /StructParents", pg.Object)
				}
			}
			if !alts[d.Verify.URL] || len(alts) != 2 {
				t.Errorf("figures' alternative texts: %v, want the chart's and the QR code's (%s)", alts, d.Verify.URL)
			}
			for alt := range alts {
				if alt != d.Verify.URL && !strings.Contains(alt, d.Sheet.Checklists[0].Title.In(lang)) {
					t.Errorf("chart's alternative text %q does not read its bars", alt)
				}
			}
		})
	}
}

// TestPDFFooterLast reads every page with plain pdftotext (its own reading
// order, not the structure tree): the page's footer comes last, after every
// note of the page, in either language.
func TestPDFFooterLast(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	for _, lang := range []string{"zh", "en"} {
		d := fullData(t, lang)
		pdf, _ := writePDF(t, d)
		pages := pdfPages(t, pdftotext, pdf)
		for i, p := range pages {
			footer := stripSpace(d.T("report.footer", i+1, len(pages)))
			if text := stripSpace(p); !strings.HasSuffix(text, footer) {
				at := strings.Index(text, footer)
				if at < 0 {
					t.Errorf("%s page %d: no footer %q", lang, i+1, footer)
					continue
				}
				t.Errorf("%s page %d: text after the footer: %q", lang, i+1, text[at+len(footer):])
			}
		}
	}
}
