package report

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// poppler finds a poppler-utils tool. Without it the end-to-end tests skip,
// unless SELFCHECK_E2E is set (as in CI), where a missing tool is a failure.
func poppler(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	if os.Getenv("SELFCHECK_E2E") != "" {
		t.Fatalf("%s not found (install poppler-utils): %v", tool, err)
	}
	t.Skipf("%s not found: install poppler-utils, or set SELFCHECK_E2E to make this a failure", tool)
	return ""
}

// pdfText writes a PDF to a temp file and returns what pdftotext reads from it.
func pdfText(t *testing.T, pdftotext string, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestPDFText renders the 120-item report and reads it back with pdftotext:
// every item's text must come back whole, which catches characters lost at
// line breaks, and the footer must count the pages pdfinfo counts.
func TestPDFText(t *testing.T) {
	pdftotext, pdfinfo := poppler(t, "pdftotext"), poppler(t, "pdfinfo")
	r := testRenderer(t)
	sheet := buildSheet()
	for _, tt := range []struct {
		lang   string
		footer func(page, pages int) string
	}{
		{"zh", func(p, n int) string { return "第" + strconv.Itoa(p) + "页/共" + strconv.Itoa(n) + "页" }},
		{"en", func(p, n int) string { return "Page" + strconv.Itoa(p) + "of" + strconv.Itoa(n) }},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			d := testData(t, sheet, tt.lang)
			var buf bytes.Buffer
			if err := r.PDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "report-"+tt.lang+".pdf")
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdftotext, file, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := stripSpace(string(out))

			want := []string{sheet.FirmName, sheet.CreditCode, d.T("report.title"), d.T("report.critical_fail")}
			for _, cl := range sheet.Checklists {
				want = append(want, cl.Title.In(tt.lang))
				for _, it := range cl.Items() {
					want = append(want, it.Text.In(tt.lang))
				}
			}
			for _, w := range want {
				if !strings.Contains(text, stripSpace(w)) {
					t.Errorf("text not found in the PDF: %q", w)
				}
			}
			// Notes taller than a page are split over pages, and where the
			// rest of a split row goes in plain pdftotext's reading order is
			// guesswork; -raw keeps the drawing order, in which only the
			// next page's footer, header and "continued" row come between
			// the parts of a note.
			raw, err := exec.Command(pdftotext, "-raw", file, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext -raw: %v", err)
			}
			joined := furniture(d, sheet).ReplaceAllString(stripSpace(string(raw)), "")
			for id, a := range sheet.Answers {
				if !strings.Contains(joined, stripSpace(a.Note)) {
					t.Errorf("note of %s (%d bytes) not found whole in the PDF", id, len(a.Note))
				}
			}

			info, err := exec.Command(pdfinfo, file).Output()
			if err != nil {
				t.Fatalf("pdfinfo: %v", err)
			}
			m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
			if m == nil {
				t.Fatalf("pdfinfo gave no page count:\n%s", info)
			}
			pages, _ := strconv.Atoi(string(m[1]))
			if pages < 10 {
				t.Errorf("only %d pages for 120 items with long notes", pages)
			}
			for p := 1; p <= pages; p++ {
				if f := tt.footer(p, pages); !strings.Contains(text, f) {
					t.Errorf("footer %q not found", f)
				}
			}
			t.Logf("%s: %d pages, %d bytes", tt.lang, pages, buf.Len())
		})
	}
}

// furniture matches, in whitespace-free pdftotext output, what a page break
// inside the item table adds: the footer, the running header, the column
// header with the "continued" row, and the split row's repeated cells.
func furniture(d Data, s *assessment.Sheet) *regexp.Regexp {
	footer := regexp.QuoteMeta(stripSpace(d.T("report.footer", 1111111, 2222222)))
	footer = strings.NewReplacer("1111111", `\d+`, "2222222", `\d+`).Replace(footer)
	header := regexp.QuoteMeta(stripSpace(d.T("report.col.id") + d.T("report.col.text") + d.T("report.col.answer") + d.T("report.col.note")))
	var themes, fillers []string
	res := s.Result()
	for i, cl := range s.Checklists {
		aside := d.T("report.theme_aside", strconv.FormatFloat(*res.Themes[i].Score, 'f', 1, 64), res.Themes[i].Gaps)
		themes = append(themes, regexp.QuoteMeta(stripSpace(d.T("report.continued", cl.Title.In(d.Lang))+aside)))
		for _, it := range cl.Items() {
			fillers = append(fillers, regexp.QuoteMeta(stripSpace(it.ID+d.T("report.row_continued")+d.T(answerKey(s.Answers[it.ID].Value)))))
		}
	}
	running := regexp.QuoteMeta(stripSpace(d.T("report.title")+" · "+s.FirmName)) +
		strings.Replace(regexp.QuoteMeta(stripSpace(d.T("report.header_no", 1111111))), "1111111", `\d+`, 1)
	// A split row's continuation repeats its id, "continued" and answer.
	return regexp.MustCompile(footer + "|" + running + "|" + header + "(?:" + strings.Join(themes, "|") + ")?(?:" + strings.Join(fillers, "|") + ")?")
}

// TestPDFEdgeCases renders sheets with nothing to score and checks the
// report says so rather than showing a zero.
func TestPDFEdgeCases(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	allNA := buildSheet()
	allNA.Checklists = allNA.Checklists[:1]
	for id, a := range allNA.Answers {
		a.Value = scoring.NotApplicable
		allNA.Answers[id] = a
	}
	draft := buildSheet()
	draft.State, draft.SubmittedAt, draft.Answers = assessment.Draft, nil, nil
	for _, tt := range []struct {
		name  string
		sheet *assessment.Sheet
		want  []string // message keys
	}{
		{"no checklists", &assessment.Sheet{FirmName: "空白公司", State: assessment.Draft}, []string{"report.none", "report.state.draft", "report.items"}},
		{"nothing applicable", allNA, []string{"report.no_score", "report.none", "report.answer.na"}},
		{"draft, no answers", draft, []string{"report.answer.unanswered", "report.state.draft", "report.none"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := testData(t, tt.sheet, "zh")
			var buf bytes.Buffer
			if err := r.PDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			out := pdfText(t, pdftotext, buf.Bytes())
			text := stripSpace(out)
			for _, k := range tt.want {
				if !strings.Contains(text, stripSpace(d.T(k))) {
					t.Errorf("%s (%q) not in the PDF", k, d.T(k))
				}
			}
			if strings.Contains(text, stripSpace(d.T("report.critical_fail"))) {
				t.Error("critical-fail line shown without a failed critical item")
			}
		})
	}
}

// TestPDFSmall checks that only the glyphs used are embedded, not the whole
// 4.6 MB font.
func TestPDFSmall(t *testing.T) {
	r := testRenderer(t)
	var buf bytes.Buffer
	if err := r.PDF(&buf, testData(t, buildSheet(), "zh")); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output is not a PDF: %q", buf.Bytes()[:min(buf.Len(), 16)])
	}
	if buf.Len() >= 1<<20 {
		t.Errorf("report is %d bytes, want < 1 MB (font not subset?)", buf.Len())
	}
	t.Logf("%d bytes", buf.Len())
}

// TestPDFConcurrent renders from several goroutines on one Renderer; run it
// with -race to check that documents share nothing but the parsed font.
func TestPDFConcurrent(t *testing.T) {
	r := testRenderer(t)
	sheet := buildSheet()
	var wg sync.WaitGroup
	sizes := make([]int, 4)
	for i := range sizes {
		lang := []string{"zh", "en"}[i%2]
		d := testData(t, sheet, lang)
		wg.Go(func() {
			var buf bytes.Buffer
			if err := r.PDF(&buf, d); err != nil {
				t.Error(err)
				return
			}
			sizes[i] = buf.Len()
		})
	}
	wg.Wait()
	if sizes[0] != sizes[2] || sizes[1] != sizes[3] {
		t.Errorf("the same report came out in different sizes: %v", sizes)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPDFErrors(t *testing.T) {
	r := testRenderer(t)
	good := testData(t, buildSheet(), "zh")
	for _, tt := range []struct {
		name string
		d    Data
		fail bool // write to failWriter
	}{
		{name: "no sheet", d: Data{T: good.T}},
		{name: "no catalog", d: Data{Sheet: good.Sheet}},
		{name: "write fails", d: good, fail: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.fail {
				err = r.PDF(failWriter{}, tt.d)
			} else {
				var buf bytes.Buffer
				err = r.PDF(&buf, tt.d)
				if buf.Len() != 0 {
					t.Errorf("%d bytes written despite the error", buf.Len())
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("err = %v, want a report error", err)
			}
		})
	}
}

// BenchmarkPDF120 renders 120-item reports (target: p50 ≤ 25 ms on 2 cores):
// "long-notes" is the sheet of TestPDFText (18 notes of 2,000+ bytes, one of
// 20,000, about 46 pages); "short-notes" has a two-line note on every item,
// closer to a typical self-examination (15 pages).
func BenchmarkPDF120(b *testing.B) {
	r := testRenderer(b)
	for _, bb := range []struct {
		name  string
		sheet func() *assessment.Sheet
	}{
		{"long-notes", buildSheet},
		{"short-notes", shortNotes},
	} {
		b.Run(bb.name, func(b *testing.B) {
			d := testData(b, bb.sheet(), "zh")
			var (
				buf   bytes.Buffer
				times []time.Duration
			)
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				start := time.Now()
				if err := r.PDF(&buf, d); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(buf.Len()), "bytes/pdf")
		})
	}
}

// shortNotes is the test sheet with a short note on every item instead.
func shortNotes() *assessment.Sheet {
	s := buildSheet()
	for id, a := range s.Answers {
		a.Note = id + "：已核查隐私政策第3.2节与SDK清单（v5.2.1），抽查3个版本，整改已于2021-12-31前完成。Checked by the Privacy Office."
		s.Answers[id] = a
	}
	return s
}

// The report states the scope the firm declared and lists each item left out
// of it, with the services it applies to.
func TestPDFListsItemsLeftOut(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	sheet := buildSheet()
	sheet.Profile = checklist.NewProfile("website")
	left := checklist.Item{ID: "UR-99", Text: checklist.Text{ZH: "向儿童监护人告知并取得同意。", EN: "Guardians are told and consent."}, AppliesTo: []checklist.Tag{"minors", "app"}}
	sheet.Excluded = []assessment.Ref{{Checklist: sheet.Checklists[0], Item: left}}
	for _, lang := range []string{"zh", "en"} {
		d := testData(t, sheet, lang)
		var buf bytes.Buffer
		if err := r.PDF(&buf, d); err != nil {
			t.Fatal(err)
		}
		out := pdfText(t, pdftotext, buf.Bytes())
		text := stripSpace(out)
		for _, want := range []string{
			d.T("report.scope", checklist.Label("website", lang)),
			d.T("report.excluded"),
			"UR-99", left.Text.In(lang),
			checklist.Label("minors", lang),
		} {
			if !strings.Contains(text, stripSpace(want)) {
				t.Errorf("%s: %q not in the PDF", lang, want)
			}
		}
	}
}

// Dates print in the configured zone, named, whatever zone they carry.
func TestPDFDatesInConfiguredZone(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	r := testRenderer(t)
	sheet := buildSheet() // submitted 2021-11-20 17:30 UTC
	d := testData(t, sheet, "zh")
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	d.Location = loc
	var buf bytes.Buffer
	if err := r.PDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	out := pdfText(t, pdftotext, buf.Bytes())
	if !strings.Contains(out, "2021-11-21 01:30 CST") {
		t.Errorf("submission time not in China Standard Time:\n%.600s", out)
	}
}
