package report

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

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
	if err := HTML(&html, d); err != nil {
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
