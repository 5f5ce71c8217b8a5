package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"selfcheck/app/report"
)

// pdfResult is what the PDF scenarios measured.
type pdfResult struct {
	single, parallel Row
	chromium         *Row // nil when no Chromium is installed
	maxBytes         int
}

// pdfs times the report of a filled 120-item assessment as its firm
// downloads it (GET …/report.pdf: gather, render, record the issued
// report): one at a time, then parallel at once; and, where Chromium is
// installed, Chromium printing the HTML version of the same report.
func (b *bench) pdfs(ctx context.Context, fx *fixture, runs, parallel int, d time.Duration, chromiumRuns int, tmp string) (pdfResult, error) {
	var res pdfResult
	f := fx.firms[0]
	path := fmt.Sprintf("/assessments/%d/report.pdf", f.assessment)
	clients := make([]*client, parallel)
	for i := range clients {
		c, err := b.session(ctx, f.users[i%len(f.users)], "")
		if err != nil {
			return res, err
		}
		clients[i] = c
	}
	var sizeMu sync.Mutex // the parallel clients share res.maxBytes
	fetch := func(c *client) error {
		body, status, err := c.get(ctx, path)
		if err != nil {
			return err
		}
		if status != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
			return fmt.Errorf("GET %s: status %d, not a PDF: %.100q", path, status, body)
		}
		sizeMu.Lock()
		res.maxBytes = max(res.maxBytes, len(body))
		sizeMu.Unlock()
		return nil
	}
	// The first report parses nothing more than later ones (the font is
	// parsed at start), but warms the connection and caches.
	if err := fetch(clients[0]); err != nil {
		return res, err
	}
	s := &sample{}
	start := time.Now()
	for range runs {
		timed(s, func() error { return fetch(clients[0]) })
	}
	res.single = s.row("PDF report, 120 items", "1 at a time", time.Since(start))
	b.logErrors("pdf", s)

	s = &sample{}
	elapsed := runFor(parallel, d, func(w, _ int) { timed(s, func() error { return fetch(clients[w]) }) })
	res.parallel = s.row("PDF report, 120 items", fmt.Sprintf("%d at once", parallel), elapsed)
	res.parallel.Figure = cpuPerOp(res.parallel, elapsed)
	b.logErrors("pdf parallel", s)

	if chromiumRuns > 0 {
		chromium := findChromium()
		if chromium == "" {
			return res, nil
		}
		data, err := b.app.Reports.Data(ctx, f.users[0], f.assessment, "zh")
		if err != nil {
			return res, err
		}
		row, err := printWithChromium(ctx, chromium, data, chromiumRuns, tmp)
		if err != nil {
			return res, err
		}
		res.chromium = &row
	}
	return res, nil
}

// findChromium is the path of an installed Chromium, or "".
func findChromium() string {
	if p := os.Getenv("SELFCHECK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// printWithChromium has headless Chromium load the HTML version of the
// report from a local server and print it to PDF, runs times, as services
// that make PDFs from HTML do. Starting the browser is not timed.
func printWithChromium(ctx context.Context, chromium string, d report.Data, runs int, tmp string) (Row, error) {
	var html bytes.Buffer
	if err := report.HTML(&html, d); err != nil {
		return Row{}, err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html.Bytes())
	}))
	defer srv.Close()
	profile, err := os.MkdirTemp(tmp, "chromium-")
	if err != nil {
		return Row{}, err
	}
	alloc, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile))...)
	defer cancel()
	cctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(cctx, chromedp.Navigate("about:blank")); err != nil {
		return Row{}, fmt.Errorf("start Chromium %s: %w", chromium, err)
	}
	size := 0
	printOnce := func() error {
		if err := chromedp.Do(cctx, chromedp.Navigate(srv.URL)); err != nil {
			return err
		}
		res, err := chromedp.Call(cctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: ptrTo(true), PreferCSSPageSize: ptrTo(true)})
		if err != nil {
			return err
		}
		size = len(res.Data)
		return nil
	}
	if err := printOnce(); err != nil { // warm up: fonts, first layout
		return Row{}, fmt.Errorf("Chromium print: %w", err)
	}
	s := &sample{}
	start := time.Now()
	for range runs {
		timed(s, printOnce)
	}
	row := s.row("PDF via Chromium printing the HTML version", "1 at a time", time.Since(start))
	row.Figure = fmt.Sprintf("%d KB", size/1000)
	return row, nil
}

func ptrTo[T any](v T) *T { return &v }
