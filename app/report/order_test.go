package report

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// itemDetails is what the item table's details cell holds for an item, as
// separate pieces (the note, each evidence line, the plan line), spaces
// stripped.
func itemDetails(d Data, id string) []string {
	s := d.Sheet
	var out []string
	if n := s.Answers[id].Note; n != "" {
		out = append(out, stripSpace(n))
	}
	for _, e := range s.Evidence[id] {
		out = append(out, stripSpace(d.T("report.evidence_line", e.Name, sizeText(e.Size), e.SHA256)))
	}
	if p, ok := s.Plans[id]; ok && p.Measure != "" {
		out = append(out, stripSpace(d.T("report.plan_line", p.Measure, p.Owner, p.Due, d.T(planStatusKey(p.Status)))))
	}
	return out
}

// readingOrder takes the pages of a report as a text extractor reads them
// and returns the item table's text with the page furniture (running
// header, footer, repeated column header, "continued" row) taken out, so a
// row split over pages reads as one. On every page of the table, the
// column headers must come before the first row.
func readingOrder(t *testing.T, d Data, pages []string) string {
	t.Helper()
	s := d.Sheet
	var cont, themes, markers, fillers []string
	res := s.Result()
	for i, cl := range s.Checklists {
		aside := d.T("report.theme_aside", strconv.FormatFloat(*res.Themes[i].Score, 'f', 1, 64), res.Themes[i].Gaps)
		cont = append(cont, stripSpace(d.T("report.continued", cl.Title.In(d.Lang))+aside))
		for _, it := range cl.Items() {
			more, answer := d.T("report.row_continued"), d.T(answerKey(s.Answers[it.ID].Value))
			fillers = append(fillers, stripSpace(it.ID+more+answer), stripSpace(it.ID+answer+more))
		}
		themes = append(themes, stripSpace(cl.Title.In(d.Lang)))
		for _, it := range cl.Items() {
			markers = append(markers, stripSpace(it.ID+d.T(severityKey(it.Severity))))
		}
	}
	cols := []string{d.T("report.col.id"), d.T("report.col.text"), d.T("report.col.answer"), d.T("report.col.note")}
	var b strings.Builder
	for i, p := range pages {
		text := stripSpace(p)
		text = strings.TrimSuffix(text, stripSpace(d.T("report.footer", i+1, len(pages))))
		for _, f := range []string{stripSpace(d.T("report.title") + " · " + s.FirmName), stripSpace(d.T("report.header_no", s.ID))} {
			text = strings.Replace(text, f, "", 1)
		}
		// Where the table's rows start on this page: a "continued" row,
		// a theme row or an item, whichever is read first.
		first := -1
		for _, m := range append(append(append([]string{}, cont...), themes...), markers...) {
			if at := strings.Index(text, m); at >= 0 && (first < 0 || at < first) {
				first = at
			}
		}
		if first < 0 || !strings.Contains(text, stripSpace(cols[3])) {
			b.WriteString(text)
			continue
		}
		for _, col := range cols {
			at := strings.Index(text, stripSpace(col))
			switch {
			case at < 0:
				t.Errorf("page %d: no column header %q", i+1, col)
				continue
			case at > first:
				t.Errorf("page %d: column header %q read after the first row: %q", i+1, col, text[:min(len(text), at+len(col)+40)])
				continue
			}
			text = text[:at] + text[at+len(stripSpace(col)):]
			first -= len(stripSpace(col))
		}
		for _, c := range cont {
			text = strings.Replace(text, c, "", 1)
		}
		// What a row split over pages repeats where it continues: its
		// id, "continued" and its answer.
		for _, f := range fillers {
			text = strings.Replace(text, f, "", 1)
		}
		b.WriteString(text)
	}
	return b.String()
}

// checkItemOrder finds every item of the sheet, in checklist order, in the
// text, and its note, evidence and plan between it and the next item.
func checkItemOrder(t *testing.T, d Data, text string) {
	t.Helper()
	type mark struct{ id, marker string }
	var marks []mark
	for _, cl := range d.Sheet.Checklists {
		for _, it := range cl.Items() {
			marks = append(marks, mark{it.ID, stripSpace(it.ID + d.T(severityKey(it.Severity)))})
		}
	}
	at := make([]int, len(marks)+1)
	from := 0
	for i, m := range marks {
		k := strings.Index(text[from:], m.marker)
		if k < 0 {
			t.Fatalf("item %s not found in order after %d", m.id, from)
		}
		at[i] = from + k
		from = at[i] + len(m.marker)
	}
	at[len(marks)] = len(text)
	bad := 0
	for i, m := range marks {
		row := text[at[i]:at[i+1]]
		for _, want := range itemDetails(d, m.id) {
			if !strings.Contains(row, want) {
				bad++
				where := "nowhere whole"
				if k := strings.Index(text, want); k >= 0 {
					for j := range marks {
						if at[j] <= k && k < at[j+1] {
							where = "after " + marks[j].id
						}
					}
				}
				t.Errorf("%s: %q… is not read right after its item (found %s)", m.id, string([]rune(want)[:min(len([]rune(want)), 30)]), where)
			}
		}
	}
	if bad > 0 {
		t.Logf("%d of the items' notes and plans out of place", bad)
	}
}

// TestPDFReadingOrder reads the full report with plain pdftotext, which
// guesses the reading order from where text stands (as copy-paste and
// simple screen readers do): every item's note, evidence and plan come
// right after the item, before the next one, even when a row is split over
// pages, and on every page of the item table the column headers come
// before the rows. pdftotext -layout must find the items in order, each
// note's start beside its item. Two reports: the full one, and one with
// notes of every length, so rows split at every height.
func TestPDFReadingOrder(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	for _, tc := range []struct {
		name string
		data func(testing.TB, string) Data
	}{{"full", fullData}, {"varied", variedNotes}} {
		for _, lang := range []string{"zh", "en"} {
			t.Run(tc.name+"-"+lang, func(t *testing.T) { readingOrderOf(t, pdftotext, tc.data(t, lang)) })
		}
	}
}

// variedNotes is the full report with notes of every length, none to a few
// pages long, so rows split over pages at every height, next to rows with
// and without notes.
func variedNotes(tb testing.TB, lang string) Data {
	d := fullData(tb, lang)
	n := 0
	for _, cl := range d.Sheet.Checklists {
		for _, it := range cl.Items() {
			a := d.Sheet.Answers[it.ID]
			a.Note = ""
			if size := n * 397 % 3100; size > 300 {
				a.Note = noteText(it.ID+"：", size, 1<<20)
			}
			d.Sheet.Answers[it.ID] = a
			n++
		}
	}
	return d
}

// readingOrderOf checks one report's reading order with plain pdftotext
// and with pdftotext -layout.
func readingOrderOf(t *testing.T, pdftotext string, d Data) {
	pdf, file := writePDF(t, d)
	checkItemOrder(t, d, readingOrder(t, d, pdfPages(t, pdftotext, pdf)))

	out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -layout: %v", err)
	}
	// In layout mode a row's cells share lines, so only the start of each
	// note is looked for, between its item's first line and the next
	// item's.
	lines := strings.Split(string(out), "\n")
	var ids []string
	var starts []int
	n := 0
	for _, cl := range d.Sheet.Checklists {
		for _, it := range cl.Items() {
			for n < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[n]), it.ID) {
				n++
			}
			if n == len(lines) {
				t.Fatalf("-layout: item %s not found in order", it.ID)
			}
			ids, starts = append(ids, it.ID), append(starts, n)
		}
	}
	starts = append(starts, len(lines))
	for i, id := range ids {
		note := []rune(stripSpace(d.Sheet.Answers[id].Note))
		if len(note) == 0 {
			continue
		}
		head := string(note[:min(len(note), 10)])
		if row := stripSpace(strings.Join(lines[starts[i]:starts[i+1]], "")); !strings.Contains(row, head) {
			t.Errorf("-layout: %s's note (%q…) is not beside it", id, head)
		}
	}
}

// TestRectificationReadingOrder reads the rectification report's table of
// gaps with plain pdftotext: each gap's finding (its note) and its plan's
// measure, first words to last, come after the gap's item and before the
// next gap's, with notes of every length splitting rows over pages.
func TestRectificationReadingOrder(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := variedNotes(t, lang)
			var buf bytes.Buffer
			if err := testRenderer(t).RectificationPDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			pages := pdfPages(t, pdftotext, buf.Bytes())
			s := d.Sheet
			cols := []string{d.T("report.col.item"), d.T("rectification.col.finding"), d.T("report.col.measure"),
				d.T("report.col.owner"), d.T("report.col.due"), d.T("report.col.status")}
			var b strings.Builder
			for i, p := range pages {
				text := strings.TrimSuffix(stripSpace(p), stripSpace(d.T("report.footer", i+1, len(pages))))
				for _, f := range []string{stripSpace(d.T("rectification.title") + " · " + s.FirmName), stripSpace(d.T("report.header_no", s.ID)),
					stripSpace(strings.Join(cols, ""))} {
					text = strings.Replace(text, f, "", 1)
				}
				for _, g := range s.Gaps() {
					text = strings.Replace(text, stripSpace(g.Item.ID+d.T("report.row_continued")), "", 1)
				}
				b.WriteString(text)
			}
			// pdftotext drops a hyphen that ends a line (zh-CN wrapped
			// after "zh-" reads "zhCN"), so hyphens are not compared; nor
			// are the dashes of a continued row's empty cells.
			text := strings.NewReplacer("-", "", d.T("report.none"), "").Replace(b.String())
			gaps := s.Gaps()
			at := make([]int, len(gaps)+1)
			from := strings.Index(text, stripSpace(d.T("rectification.gaps")))
			for i, g := range gaps {
				k := strings.Index(text[from:], strings.ReplaceAll(stripSpace(g.Item.ID+g.Item.Text.In(lang)), "-", ""))
				if k < 0 {
					t.Fatalf("gap %s not found in order", g.Item.ID)
				}
				at[i] = from + k
				from = at[i] + 1
			}
			at[len(gaps)] = len(text)
			for i, g := range gaps {
				row := text[at[i]:at[i+1]]
				for _, want := range []string{s.Answers[g.Item.ID].Note, s.Plans[g.Item.ID].Measure} {
					w := []rune(strings.ReplaceAll(stripSpace(want), "-", ""))
					if len(w) == 0 {
						continue
					}
					// The finding and the measure are not the last column,
					// so the rest of the row comes between the parts of a
					// split one: their first and last words are looked for.
					for _, part := range []string{string(w[:min(len(w), 20)]), string(w[max(0, len(w)-20):])} {
						if !strings.Contains(row, part) {
							t.Errorf("%s: %q is not read between its gap and the next", g.Item.ID, part)
						}
					}
				}
			}
		})
	}
}
