package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// fieldsetItem is an item of the fill-in page.
var fieldsetItem = regexp.MustCompile(`<fieldset class="item[^"]*" id="item-`)

// fillViewInBrowser is headless Chromium opening the default view of the
// fill-in page of a 120-item assessment (the first theme with work left),
// runs times, each from the navigation to the load event: what a person
// waits for. The page's assets are in the browser's cache after the first
// load, as they are for anyone who has opened the page before; the page
// itself is never cached (no-store). Starting the browser is not timed.
// ok is false when no Chromium is installed.
//
// floor is the same browser navigating as often to a page of a few bytes
// (/healthz) of the same server: what any page costs Chromium on this
// machine, to read the view's time against.
func (b *bench) fillViewInBrowser(ctx context.Context, fx *fixture, runs int, tmp string) (row, floor Row, ok bool, err error) {
	chromium := findChromium()
	if chromium == "" {
		return Row{}, Row{}, false, nil
	}
	f := fx.firms[0]
	token, err := b.store().CreateSession(ctx, f.users[0].ID)
	if err != nil {
		return Row{}, Row{}, false, err
	}
	page := fmt.Sprintf("%s/assessments/%d", b.base, f.assessment)
	c, err := b.session(ctx, f.users[0], "")
	if err != nil {
		return Row{}, Row{}, false, err
	}
	body, status, err := c.get(ctx, fmt.Sprintf("/assessments/%d", f.assessment))
	if err != nil || status != http.StatusOK {
		return Row{}, Row{}, false, fmt.Errorf("GET the default view: status %d: %v", status, err)
	}
	items := fieldsetItem.FindAll(body, -1)

	profile, err := os.MkdirTemp(tmp, "chromium-view-")
	if err != nil {
		return Row{}, Row{}, false, err
	}
	alloc, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(profile))...)
	defer cancel()
	cctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(cctx, chromedp.Navigate("about:blank")); err != nil {
		return Row{}, Row{}, false, fmt.Errorf("start Chromium %s: %w", chromium, err)
	}
	// The session the bench made, as the login form would have set it.
	if _, err := chromedp.Call(cctx, network.SetCookie, network.SetCookieParams{
		Name: "selfcheck_session", Value: token, URL: b.base + "/", HTTPOnly: ptrTo(true)}); err != nil {
		return Row{}, Row{}, false, fmt.Errorf("Chromium: set the session cookie: %w", err)
	}
	load := func() error {
		if err := chromedp.Do(cctx, chromedp.Navigate(page)); err != nil {
			return err
		}
		n, err := chromedp.Run(cctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-item]").length`))
		if err != nil {
			return err
		}
		if n != len(items) {
			return fmt.Errorf("the default view shows %d items in Chromium, %d over HTTP", n, len(items))
		}
		return nil
	}
	if err := load(); err != nil { // warm up: the browser's first layout, the assets
		return Row{}, Row{}, false, fmt.Errorf("Chromium load: %w", err)
	}
	s := &sample{}
	start := time.Now()
	for range runs {
		// Navigate returns at the load event.
		timed(s, func() error { return chromedp.Do(cctx, chromedp.Navigate(page)) })
	}
	elapsed := time.Since(start)
	if err := load(); err != nil { // the page shown was the whole view
		s.fail("%v", err)
	}
	b.logErrors("fill-in default view in Chromium", s)
	row = s.row("fill-in page default view in Chromium (navigation to load)", "1 at a time", elapsed)
	row.Figure = fmt.Sprintf("%d KB HTML, %d items", len(body)/1000, len(items))

	tiny, fs := b.base+"/healthz", &sample{}
	if err := chromedp.Do(cctx, chromedp.Navigate(tiny)); err != nil {
		return Row{}, Row{}, false, fmt.Errorf("Chromium load %s: %w", tiny, err)
	}
	start = time.Now()
	for range runs {
		timed(fs, func() error { return chromedp.Do(cctx, chromedp.Navigate(tiny)) })
	}
	elapsed = time.Since(start)
	b.logErrors("Chromium floor", fs)
	floor = fs.row("Chromium floor: a navigation to a page of a few bytes (/healthz)", "1 at a time", elapsed)
	if floor.P50 > 0 {
		row.BaselineRatio = ratio(row.P50 / floor.P50)
	}
	return row, floor, true, nil
}
