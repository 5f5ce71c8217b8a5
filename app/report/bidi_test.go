package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/tabular"
)

// bidiNote hides an overridden run in a note: shown as stored it reads
// "pay to evil" reversed, and it reorders the rest of the line.
const bidiNote = "付款给\u202Elive\u202C，见\u2066附件\u2069\u200F"

// Issue 19, finding 7: bidirectional controls a user typed into notes,
// plan owners and names are left out of the documents people read — the
// PDF's lines, and every CSV and XLSX cell — so they cannot reorder what a
// reader sees; the visible text stays. (JSON and OSCAL keep the text as
// stored: they are data for programs, which must isolate it when they show
// it, as the web pages do.)
func TestBidiControlsLeftOutOfDocuments(t *testing.T) {
	s := exportSheet()
	a := s.Answers["ap-01"]
	a.Note = bidiNote
	s.Answers["ap-01"] = a
	p := s.Plans["ap-02"]
	p.Owner = "\u202E李四"
	s.Plans["ap-02"] = p
	s.FirmName = "\u202D示例\u202C公司"
	d := exportData(t, s, "zh")
	clean := func(t *testing.T, format, out string, visible ...string) {
		t.Helper()
		if strings.ContainsFunc(out, tabular.IsBidiControl) {
			t.Errorf("%s holds a bidirectional control", format)
		}
		for _, v := range visible {
			if !strings.Contains(out, v) {
				t.Errorf("%s lacks %q", format, v)
			}
		}
	}

	var csvOut bytes.Buffer
	if err := CSV(&csvOut, d); err != nil {
		t.Fatal(err)
	}
	clean(t, "CSV", csvOut.String(), "付款给live，见附件")

	var xlsxOut bytes.Buffer
	if err := XLSX(&xlsxOut, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xlsxOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			cells.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	clean(t, "XLSX", cells.String(), "付款给live，见附件", "李四", "示例公司")

	// The PDF draws a note as the lines wrap gives it.
	lines, err := testMeasurer(t).wrap(bidiNote, 400)
	if err != nil {
		t.Fatal(err)
	}
	clean(t, "the PDF's lines", strings.Join(lines, ""), "付款给live，见附件")
}
