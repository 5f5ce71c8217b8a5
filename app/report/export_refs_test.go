package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
)

// refsSheet is the export fixture with standard clauses on ap-01.
func refsSheet() *assessment.Sheet {
	s := exportSheet()
	s.Checklists[0].Sections[0].Items[0].Refs = []checklist.Ref{{Standard: "gbt-35273", Clause: "5.4"}, {Standard: "miit-164", Clause: "1"}}
	return s
}

// TestExportsCarryRefs checks that an item's standard clauses (国标对照)
// reach every export in the report's language: a CSV column, an XLSX
// column beside the Items table, the JSON item, and OSCAL finding props.
func TestExportsCarryRefs(t *testing.T) {
	want := map[string]string{"zh": "GB/T 35273—2020 5.4；164号文 第1类", "en": "GB/T 35273-2020 5.4; MIIT Letter 164, item 1"}
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := exportData(t, refsSheet(), lang)

			var buf bytes.Buffer
			if err := CSV(&buf, d); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			last := len(rows[0]) - 1
			if rows[0][last] != d.T("export.col.refs") || rows[1][1] != "ap-01" || rows[1][last] != want[lang] || rows[2][last] != "" {
				t.Errorf("csv refs column: header %q, ap-01 %q, ap-02 %q", rows[0][last], rows[1][last], rows[2][last])
			}

			buf.Reset()
			if err := XLSX(&buf, d); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			xrows, err := f.GetRows(d.T("export.sheet.items"))
			if err != nil {
				t.Fatal(err)
			}
			col := len(xItemHeader(d))
			if len(xrows[0]) <= col || xrows[0][col] != d.T("export.col.refs") || xrows[1][col] != want[lang] {
				t.Errorf("xlsx items sheet: header %q, first row %q", xrows[0], xrows[1])
			}
			// The standards sheet: one row per clause ap-01 maps to, in the
			// order the standards are declared, ap-02 (no refs) absent.
			srows, err := f.GetRows(d.T("standards.xlsx.sheet"))
			if err != nil {
				t.Fatal(err)
			}
			it := refsSheet().Checklists[0].Sections[0].Items[0]
			answer := xAnswer(d, d.Sheet.Answers["ap-01"].Value)
			wantRows := [][]string{
				xLabels(d, "standards.col.standard", "standards.col.clause", "standards.col.item", "standards.col.theme",
					"standards.col.text", "standards.col.answer", "standards.col.gap"),
				{map[string]string{"zh": "GB/T 35273—2020", "en": "GB/T 35273-2020"}[lang], map[string]string{"zh": "GB/T 35273—2020 5.4", "en": "GB/T 35273-2020 5.4"}[lang], "ap-01"},
				{map[string]string{"zh": "164号文", "en": "MIIT Letter 164"}[lang], map[string]string{"zh": "164号文 第1类", "en": "MIIT Letter 164, item 1"}[lang], "ap-01"},
			}
			if len(srows) != len(wantRows) || !slices.Equal(srows[0], wantRows[0]) {
				t.Fatalf("xlsx standards sheet = %q", srows)
			}
			for i, w := range wantRows[1:] {
				r := srows[i+1]
				if len(r) < 7 || !slices.Equal(r[:3], w) || r[4] != it.Text.In(lang) || r[5] != answer {
					t.Errorf("xlsx standards row %d = %q, want it to start %q with the item's text and answer %q", i+1, r, w, answer)
				}
			}
		})
	}

	d := exportData(t, refsSheet(), "en")
	var buf bytes.Buffer
	if err := JSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	var doc jsonReport
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if r := doc.Items[0].Refs; len(r) != 2 || r[0].Standard != "gbt-35273" || r[0].Clause != "5.4" || !strings.HasPrefix(r[0].Title.ZH, "GB/T 35273—2020") {
		t.Errorf("json ap-01 refs = %+v", r)
	}
	if r := doc.Items[1].Refs; r == nil || len(r) != 0 {
		t.Errorf("json ap-02 refs = %#v, want []", r)
	}

	_, odoc, _ := renderOSCALData(t, exportData(t, refsSheet(), "en"))
	var got []string
	for _, fd := range odoc.AssessmentResults.Results[0].Findings {
		if fd.Target.TargetID != "ap-01" {
			continue
		}
		for _, p := range fd.Props {
			if p.Name == "standard-clause" && p.NS == oscalNS {
				got = append(got, p.Value)
			}
		}
	}
	if !slices.Equal(got, []string{"gbt-35273/5.4", "miit-164/1"}) {
		t.Errorf("oscal ap-01 standard-clause props = %q", got)
	}
}

// TestPDFCarriesRefs reads the clauses back from the PDF, under the item.
func TestPDFCarriesRefs(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	for lang, want := range map[string]string{"zh": "国标对照：GB/T 35273—2020 9.7", "en": "Standards mapping: GB/T 35273-2020 9.7"} {
		s := buildSheet()
		s.Checklists[0].Sections[0].Items[0].Refs = []checklist.Ref{{Standard: "gbt-35273", Clause: "9.7"}}
		var buf bytes.Buffer
		if err := r.PDF(&buf, testData(t, s, lang)); err != nil {
			t.Fatal(err)
		}
		if text := stripSpace(pdfText(t, pdftotext, buf.Bytes())); !strings.Contains(text, stripSpace(want)) {
			t.Errorf("%s PDF lacks %q", lang, want)
		}
	}
}

// TestPDFStandardsAppendix reads the appendix 国标对照 back from the PDF: its
// heading in the contents and on its page, the standard's title, and the
// clause with the item mapped there and its answer.
func TestPDFStandardsAppendix(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	for _, lang := range []string{"zh", "en"} {
		s := buildSheet()
		it := s.Checklists[0].Sections[0].Items[0]
		s.Checklists[0].Sections[0].Items[0].Refs = []checklist.Ref{{Standard: "gbt-35273", Clause: "9.7"}}
		d := testData(t, s, lang)
		var buf bytes.Buffer
		if err := r.PDF(&buf, d); err != nil {
			t.Fatal(err)
		}
		text := stripSpace(pdfText(t, pdftotext, buf.Bytes()))
		heading := stripSpace(d.T("standards.pdf.heading"))
		if strings.Count(text, heading) < 2 {
			t.Errorf("%s: %q not both in the contents and on the appendix", lang, d.T("standards.pdf.heading"))
		}
		appendix := text[strings.LastIndex(text, heading):]
		st, _ := checklist.StandardByID("gbt-35273")
		clause := checklist.Ref{Standard: "gbt-35273", Clause: "9.7"}.Text(lang)
		for _, want := range []string{
			st.Title.In(lang),
			d.T("standards.pdf.clause_line", clause, 1, btoi(s.Answers[it.ID].Value.IsGap())),
			it.ID,
			d.T(answerKey(s.Answers[it.ID].Value)),
		} {
			if !strings.Contains(appendix, stripSpace(want)) {
				t.Errorf("%s: the appendix lacks %q", lang, want)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
