package report

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"selfcheck/app/checklist"
)

// htmlReport is the same report as HTML, for the baseline a common way of
// making PDFs sets: a browser printing a page. It shows what the PDF shows
// (cover facts, summary, every item with its basis, note, evidence and plan,
// the plans, the reviews), styled for print.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"text":   func(t checklist.Text, lang string) string { return t.In(lang) },
	"answer": func(d Data, id string) string { return d.T(answerKey(d.Sheet.Answers[id].Value)) },
}).Parse(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{call .T "report.title"}}</title>
<style>
@page { size: A4; margin: 42pt 40pt 52pt; }
body { font: 9pt "WenQuanYi Micro Hei", sans-serif; }
h1 { text-align: center; font-size: 20pt; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th { background: #2f4a63; color: #fff; }
th, td { border: .5pt solid #c8cdd3; padding: 5pt; vertical-align: top; word-break: break-all; }
tr.gap td { background: #fff1cc; }
.chapter { page-break-before: always; }
</style></head><body>
<h1>{{call .T "report.title"}}</h1>
<p>{{.Sheet.FirmName}} · {{.Sheet.CreditCode}} · {{.Sheet.ID}}</p>
<h2 class="chapter">{{call .T "report.summary"}}</h2>
{{range .Sheet.Checklists}}<p>{{text .Title $.Lang}}</p>{{end}}
<h2 class="chapter">{{call .T "report.items"}}</h2>
<table><thead><tr><th>{{call .T "report.col.id"}}</th><th>{{call .T "report.col.text"}}</th><th>{{call .T "report.col.answer"}}</th><th>{{call .T "report.col.note"}}</th></tr></thead><tbody>
{{range $cl := .Sheet.Checklists}}<tr><td colspan="4"><b>{{text $cl.Title $.Lang}}</b></td></tr>
{{range $it := $cl.Items}}{{$a := index $.Sheet.Answers $it.ID}}<tr{{if $a.Value.IsGap}} class="gap"{{end}}>
<td>{{$it.ID}}</td><td>{{text $it.Text $.Lang}}<br>{{$cl.BasisText $it $.Lang}}</td><td>{{answer $ $it.ID}}</td>
<td>{{$a.Note}}{{range index $.Sheet.Evidence $it.ID}}<br>{{.Name}} {{.Size}} {{.SHA256}}{{end}}
{{with index $.Sheet.Plans $it.ID}}<br>{{.Measure}} {{.Owner}} {{.Due}} {{.Status}}{{end}}</td></tr>{{end}}{{end}}
</tbody></table>
<h2 class="chapter">{{call .T "report.reviews"}}</h2>
{{range .Reviews}}<p>{{.At}} {{.Reviewer}} {{.State}} {{.Comment}}</p>{{end}}
</body></html>`))

// BenchmarkPDFvsChromium times the 120-item report with notes and plans
// (the "short-notes" sheet of BenchmarkPDF120) both ways, one at a time:
// Renderer.PDF, and headless Chromium loading the HTML version and
// printing it (page.printToPDF), as services that make PDFs from HTML do.
// It reports both medians and their ratio (target: ≥ 10).
//
//	go test -run '^$' -bench PDFvsChromium -benchtime 20x ./app/report
func BenchmarkPDFvsChromium(b *testing.B) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		b.Skip("no Chromium installed: nothing to compare with")
	}
	r := testRenderer(b)
	d := fullData(b, "zh")
	d.Sheet = shortNotes()
	var html bytes.Buffer
	if err := htmlReport.Execute(&html, d); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html.Bytes())
	}))
	defer srv.Close()

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(b.TempDir()))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.Fatalf("start Chromium: %v", err)
	}
	printOnce := func() (int, error) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
			return 0, err
		}
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: ptrTo(true), PreferCSSPageSize: ptrTo(true)})
		return len(res.Data), err
	}
	if _, err := printOnce(); err != nil { // warm up: fonts, first layout
		b.Fatal(err)
	}

	var ours, theirs []time.Duration
	var ourSize, theirSize int
	b.ResetTimer()
	for range b.N {
		var buf bytes.Buffer
		start := time.Now()
		if err := r.PDF(&buf, d); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(start))
		ourSize = buf.Len()

		start = time.Now()
		n, err := printOnce()
		if err != nil {
			b.Fatal(err)
		}
		theirs = append(theirs, time.Since(start))
		theirSize = n
	}
	b.StopTimer()
	slices.Sort(ours)
	slices.Sort(theirs)
	p50, c50 := ours[len(ours)/2], theirs[len(theirs)/2]
	b.ReportMetric(float64(p50.Microseconds())/1000, "selfcheck-p50-ms")
	b.ReportMetric(float64(c50.Microseconds())/1000, "chromium-p50-ms")
	b.ReportMetric(float64(c50)/float64(p50), "ratio")
	b.ReportMetric(float64(ourSize), "selfcheck-bytes")
	b.ReportMetric(float64(theirSize), "chromium-bytes")
}
func ptrTo[T any](v T) *T { return &v }
