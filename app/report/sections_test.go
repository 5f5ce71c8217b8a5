package report

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// fullData is the 120-item test report with everything a report can hold:
// plans and evidence, two review rounds, a baseline to compare with and a
// verification code with its QR code.
func fullData(tb testing.TB, lang string) Data {
	d := testData(tb, buildSheet(), lang)
	d.Sheet.State = assessment.Resubmitted
	d.Reviews = []Review{
		{State: assessment.ChangesRequested, Comment: "请补充弹窗关闭按钮的截图，并说明SDK清单的更新频率。", Reviewer: "示例审核员",
			At:    time.Date(2021, 11, 25, 9, 0, 0, 0, time.UTC),
			Items: []ItemVerdict{{ItemID: "POP-01", Verdict: "needs_change", Comment: "关键项须在12月前整改完毕"}, {ItemID: "APP-02", Verdict: "accepted"}}},
		{State: assessment.Approved, Comment: "同意。", Reviewer: "示例审核员", At: time.Date(2021, 11, 30, 16, 0, 0, 0, time.UTC)},
	}
	base := map[string]scoring.Answer{}
	for id, a := range d.Sheet.Answers {
		base[id] = a.Value
	}
	base["APP-02"], base["APP-03"], base["POP-05"] = scoring.NonCompliant, scoring.Compliant, scoring.NonCompliant
	d.Baseline = &Baseline{Kind: BaselineResubmission, AssessmentID: d.Sheet.ID, At: time.Date(2021, 11, 20, 17, 30, 0, 0, time.UTC), Answers: base}
	qr := make([][]bool, 29)
	for i := range qr {
		qr[i] = make([]bool, 29)
		for j := range qr[i] {
			qr[i][j] = (i*j+i)%3 == 0
		}
	}
	d.Verify = Verification{Code: "7KQ2-M9XD-4PLA-C3VE-8RTN", URL: "https://selfcheck.example.cn/verify/7KQ2-M9XD-4PLA-C3VE-8RTN", QR: qr}
	return d
}

// TestPDFSections reads the full report back: the cover's facts and
// verification code, the contents with the page each section starts on,
// the executive summary, every plan, evidence file and review comment, the
// before/after comparison, in both languages.
func TestPDFSections(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := fullData(t, lang)
			var buf bytes.Buffer
			if err := r.PDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			pages := pdfPages(t, pdftotext, buf.Bytes())
			all := stripSpace(strings.Join(pages, ""))
			s := d.Sheet
			cover := stripSpace(pages[0])
			for _, w := range []string{s.FirmName, s.CreditCode, d.T("report.state.resubmitted"), s.Campaign.Name.In(lang), "2021-07-01",
				d.Verify.Code, d.Verify.URL, d.T("report.checklist.line", "app-privacy", s.Checklists[0].Title.In(lang), "2021.1")} {
				if !strings.Contains(cover, stripSpace(w)) {
					t.Errorf("cover lacks %q", w)
				}
			}
			// Contents: each section's title with the page it starts on,
			// read in layout mode, which keeps a line's title and number
			// together.
			contents := stripSpace(layoutPage(t, buf.Bytes(), 2))
			for _, sec := range []struct{ title, marker string }{
				{d.T("report.summary"), d.T("report.gaps_by_severity")},
				{s.Checklists[1].Title.In(lang), d.T("report.col.note")},
				{d.T("report.plans"), d.T("report.col.measure")},
				{d.T("report.reviews"), d.T("report.col.reviewer")},
				{d.T("report.compare"), d.T("report.improved")},
			} {
				page := 0
				for i, p := range pages {
					if strings.Contains(stripSpace(p), stripSpace(sec.title)) && strings.Contains(stripSpace(p), stripSpace(sec.marker)) && i > 1 {
						page = i + 1
						break
					}
				}
				if page == 0 || !strings.Contains(contents, stripSpace(sec.title)+fmt.Sprint(page)) {
					t.Errorf("contents: %q should point at page %d:\n%s", sec.title, page, pages[1])
				}
			}
			summary := stripSpace(pages[2])
			for _, w := range []string{d.T("report.critical_fail"), "POP-01", d.T("report.gaps_by_severity"), d.T("report.progress")} {
				if !strings.Contains(summary, stripSpace(w)) {
					t.Errorf("summary page lacks %q", w)
				}
			}
			for id, p := range s.Plans {
				if !strings.Contains(all, stripSpace(p.Measure)) {
					t.Errorf("plan of %s missing", id)
				}
			}
			for id, files := range s.Evidence {
				for _, f := range files {
					if !strings.Contains(all, stripSpace(f.Name)) {
						t.Errorf("evidence %s of %s missing", f.Name, id)
					}
				}
			}
			for _, w := range []string{d.Reviews[0].Comment, "关键项须在12月前整改完毕", d.T("report.improved"), d.T("report.regressed"), d.T("report.overdue")} {
				if !strings.Contains(all, stripSpace(w)) {
					t.Errorf("report lacks %q", w)
				}
			}
			// Every page carries the running header and the footer.
			for i, p := range pages {
				if !strings.Contains(stripSpace(p), stripSpace(d.T("report.header_no", s.ID))) {
					t.Errorf("page %d has no running header", i+1)
				}
			}
		})
	}
}

// layoutPage returns the text of one page as pdftotext -layout reads it.
func layoutPage(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -layout: %v", err)
	}
	return string(out)
}

// pdfPages returns the text of each page.
func pdfPages(t *testing.T, pdftotext string, pdf []byte) []string {
	t.Helper()
	text := pdfText(t, pdftotext, pdf)
	pages := strings.Split(text, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// TestPDFStructure checks the full report with qpdf and renders the cover,
// the summary and a page of items as images with pdftoppm. Set
// SELFCHECK_REPORT_PAGES to a directory to keep the images for a reviewer.
func TestPDFStructure(t *testing.T) {
	qpdf := poppler(t, "qpdf")
	pdftoppm := poppler(t, "pdftoppm")
	r := testRenderer(t)
	dir := os.Getenv("SELFCHECK_REPORT_PAGES")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, lang := range []string{"zh", "en"} {
		var buf bytes.Buffer
		if err := r.PDF(&buf, fullData(t, lang)); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "report-"+lang+".pdf")
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(qpdf, "--check", file).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check %s: %v\n%s", lang, err, out)
		}
		for _, page := range []int{1, 3, 5} {
			prefix := filepath.Join(dir, fmt.Sprintf("%s-page", lang))
			if out, err := exec.Command(pdftoppm, "-r", "60", "-png", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), file, prefix).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm page %d: %v\n%s", page, err, out)
			}
			matches, _ := filepath.Glob(fmt.Sprintf("%s-*%d.png", prefix, page))
			if len(matches) == 0 {
				t.Fatalf("pdftoppm wrote no image of page %d", page)
			}
			if ink := inked(t, matches[0]); ink < 0.01 {
				t.Errorf("%s page %d is nearly blank (%.3f of pixels inked)", lang, page, ink)
			}
		}
	}
	t.Logf("page images and PDFs in %s", dir)
}

// inked returns the share of pixels of a PNG that are not near white.
func inked(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}
