package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// openAs opens the page p in the browser as its caller in lang, and
// reports whether it landed there.
func openAs(b *chrome, f *authzFixture, p pageAs, lang, name string) bool {
	b.t.Helper()
	b.do("cookies for "+name, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			return err
		}
		cookies := map[string]string{langCookie: lang}
		if s := f.sessions[p.who]; s != "" {
			cookies[sessionCookie] = s
		}
		for k, v := range cookies {
			if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: k, Value: v, URL: f.reads}); err != nil {
				return err
			}
		}
		return nil
	}), chromedp.Navigate(f.reads+p.path))
	// Polled again when the page's context went away under the first poll
	// (a navigation still settling).
	for try := 1; ; try++ {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingTimeout(20*time.Second)))
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(err.Error(), "Cannot find context") {
			b.t.Fatalf("waiting for %s: %v", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := eval[string](b, `location.pathname`); got != strings.SplitN(p.path, "?", 2)[0] {
		b.t.Errorf("%s: landed on %s", name, got)
		return false
	}
	return true
}

// phoneChecks measures, on the page as laid out, what a phone user
// notices: how much of the screen the sticky bars take, and short labels
// (navigation, badges, dates, buttons, short table cells) broken inside a
// word — in Chinese, a word cut in the middle.
const phoneChecks = `(() => {
  // A line break inside a word: a character that starts a new line
  // without a space before it.
  const cutWord = el => {
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let top = null, prev = "";
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      for (let i = 0; i < n.length; i++) {
        const ch = n.data[i];
        if (/\s/.test(ch)) { prev = ch; continue; }
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const rect = r.getBoundingClientRect();
        if (rect.width === 0) continue;
        if (top !== null && rect.top > top + rect.height / 2 && !/\s/.test(prev)) return true;
        top = rect.top; prev = ch;
      }
    }
    return false;
  };
  let sticky = 0;
  for (const el of document.querySelectorAll("body *")) {
    const pos = getComputedStyle(el).position;
    if ((pos === "sticky" || pos === "fixed") && el.offsetParent !== null) {
      sticky += el.getBoundingClientRect().height;
    }
  }
  const broken = [];
  const short = "nav a, header a, .state, .sev, .badge, .views a, time, button, a.button, td, th, .grade, .veto, .overdue";
  for (const el of document.querySelectorAll(short)) {
    const text = el.textContent.trim();
    if (!text || [...text].length > 12 || el.closest("svg") || el.offsetParent === null) continue;
    if (el.querySelector("input, textarea, select, ul, ol, p, div")) continue;
    // Free text a user typed (a note) wraps like any text.
    if (el.matches("[data-user-text]")) continue;
    if (cutWord(el)) broken.push(el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ").join(".") : "") + " " + JSON.stringify(text));
  }
  return JSON.stringify({sticky: sticky / innerHeight, broken: broken.slice(0, 5), more: Math.max(0, broken.length - 5)});
})()`

// On a phone (390 × 844 CSS pixels) every page keeps its sticky bars
// within a fifth of the screen and no short label breaks inside a word,
// in both languages.
func TestE2EPhoneLayout(t *testing.T) {
	f := newAuthzFixture(t)
	b := newBrowserFor(t, f.reads, 8*time.Minute)
	b.do("phone viewport", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 3, Mobile: true})
		return err
	}))
	for _, lang := range []string{"zh", "en"} {
		for _, p := range f.everyPage() {
			name := fmt.Sprintf("%s %s as %s", lang, p.path, callerNames[p.who])
			if !openAs(b, f, p, lang, name) {
				continue
			}
			var got struct {
				Sticky float64
				Broken []string
				More   int
			}
			if err := json.Unmarshal([]byte(eval[string](b, phoneChecks)), &got); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Sticky > 0.2 {
				t.Errorf("%s: the sticky bars take %.0f%% of a phone's screen, more than 20%%", name, got.Sticky*100)
			}
			if len(got.Broken) > 0 {
				t.Errorf("%s: short labels break inside a word at 390 px: %s (and %d more)", name, strings.Join(got.Broken, ", "), got.More)
			}
		}
	}
}

// stickyCover reports, for the page as scrolled, whether a sticky bar
// covers the element: its top under a bar stuck at the top, or its bottom
// (of a tall one, the end of its first lines) under one stuck at the
// bottom.
const stickyCover = `(el => {
  const box = el.getBoundingClientRect();
  // A tall field (a note) counts as in sight when its first lines are,
  // where its caret and text begin.
  const r = {top: box.top, bottom: Math.min(box.bottom, box.top + 48)};
  for (const bar of document.querySelectorAll("body *")) {
    const pos = getComputedStyle(bar).position;
    if ((pos !== "sticky" && pos !== "fixed") || bar.contains(el) || bar.offsetParent === null) continue;
    const b = bar.getBoundingClientRect();
    if (b.top <= 1 && b.bottom > r.top + 1) return "under the bar at the top (" + bar.className + ")";
    if (b.bottom >= innerHeight - 1 && b.top < r.bottom - 1) return "under the bar at the bottom (" + bar.className + ")";
  }
  return "";
})`

// On a desktop and on a phone, a link to an item (the views, the banner
// of a returned assessment, a notification) lands with the item's
// heading in sight, not under the sticky progress panel, and a field
// reached with Tab is never hidden under the sticky save bar.
func TestE2EStickyBarsNeverCover(t *testing.T) {
	f := newAuthzFixture(t)
	b := newBrowserFor(t, f.reads, 4*time.Minute)
	for _, size := range []struct{ w, h int64 }{{1280, 800}, {390, 844}} {
		b.do("viewport", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: size.w, Height: size.h, DeviceScaleFactor: 1, Mobile: size.w < 600})
			return err
		}))
		page := pageAs{asMember, fmt.Sprintf("/assessments/%d?filter=all", f.draft)}
		name := fmt.Sprintf("%dx%d %s", size.w, size.h, page.path)
		if !openAs(b, f, page, "zh", name) {
			continue
		}
		items := eval[[]string](b, `[...document.querySelectorAll("fieldset[data-item]")].map(f => f.id)`)
		if len(items) < 6 {
			t.Fatalf("%s: %d items", name, len(items))
		}
		target := items[len(items)/2]
		b.do("jump to "+target, chromedp.Navigate(f.reads+page.path+"#"+target))
		b.poll("the jump", `location.hash === "#`+target+`"`, 10*time.Second)
		if got := eval[string](b, stickyCover+`(document.querySelector("#`+target+` legend"))`); got != "" {
			t.Errorf("%s: after a link to #%s its heading is %s", name, target, got)
		}
		// Tab from the top through the fields: every focused field in sight.
		eval[bool](b, `scrollTo(0, 0); document.activeElement.blur(); true`)
		for i := 0; i < 40; i++ {
			b.do("tab", chromedp.KeyEvent("\t"))
			if got := eval[string](b, `(e => e && e.matches("input, textarea, select") ? (`+stickyCover+`)(e) : "")(document.activeElement)`); got != "" {
				t.Errorf("%s: after %d tabs the focused field %s is %s (%s)", name, i+1, eval[string](b, `document.activeElement.name || document.activeElement.id`), got,
					eval[string](b, `JSON.stringify([document.activeElement.getBoundingClientRect(), document.querySelector(".form-actions").getBoundingClientRect(), innerHeight, scrollY])`))
				break
			}
		}
	}
}
