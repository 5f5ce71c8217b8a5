package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// An item's closed comment box is sent inside <noscript data-lazy>: with
// JavaScript, its field is no element until the box opens; without, it is
// one from the start. Either way a member opens the box, writes and sends.
func TestE2ELazyCommentBox(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := startCampaign(t, c)
	items := teamItem.FindAllStringSubmatch(c.get("/assessments/"+id).Body, 2)
	if len(items) < 2 {
		t.Fatal("fewer than two item team parts on the fill-in page")
	}
	u, _ := url.Parse(a.srv.URL)
	var session string
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == sessionCookie {
			session = k.Value
		}
	}
	// Each run writes on an item of its own, whose thread starts empty.
	for i, tc := range []struct {
		name   string
		script bool
	}{{"with JavaScript", true}, {"without JavaScript", false}} {
		t.Run(tc.name, func(t *testing.T) {
			item := items[i][1]
			b := newBrowserFor(t, a.srv.URL, time.Minute)
			box := fmt.Sprintf(`#team-%s details.comments`, item)
			field := fmt.Sprintf(`%s textarea[name="thread.%s"]`, box, item)
			b.do("session and script", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: session, URL: a.srv.URL}); err != nil {
					return err
				}
				_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !tc.script})
				return err
			}), chromedp.Navigate(a.srv.URL+"/assessments/"+id), chromedp.WaitReady(b.css(box)))
			fields := func() int {
				n, err := chromedp.Run(b.ctx, chromedp.Nodes(b.css(field), chromedp.AtLeast(0)))
				if err != nil {
					t.Fatal(err)
				}
				return len(n)
			}
			if got, want := fields(), map[bool]int{true: 0, false: 1}[tc.script]; got != want {
				t.Errorf("the closed box holds %d comment fields, want %d", got, want)
			}
			// By keyboard: scrolled into view, the box's summary sits under
			// the sticky progress panel, which would take a click.
			b.do("open the box and write",
				chromedp.SendKeys(b.css(box+" > summary"), kb.Enter),
				chromedp.WaitVisible(b.css(field)),
				chromedp.SendKeys(b.css(field), "请法务看一下"),
				chromedp.SendKeys(b.css(fmt.Sprintf(`%s button[form="team-comment"]`, box)), kb.Enter),
				chromedp.WaitVisible(b.css(fmt.Sprintf(`#team-%s ol.thread`, item))),
			)
			if got := b.text(fmt.Sprintf(`#team-%s ol.thread`, item)); !strings.Contains(got, "请法务看一下") {
				t.Errorf("the thread after sending: %q", got)
			}
		})
	}
}
