package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// login signs in through the login page, first signing out whoever is in.
// Each step waits for the next page to replace the last, so no keystroke
// lands in a page that is going away.
func (b *chrome) login(email string) {
	b.t.Helper()
	b.do("open the login page", chromedp.Navigate(b.base+"/login"))
	if eval[bool](b, `!!document.querySelector('form[action="/logout"] button')`) {
		b.do("log out", chromedp.Click(b.css(`form[action="/logout"] button`)))
		b.settle("the logout", `location.pathname === "/login" && !document.querySelector('form[action="/logout"]') && !!document.querySelector("input[name=email]")`, 10*time.Second)
	}
	b.do("log in as "+email,
		chromedp.WaitVisible(b.css(`input[name=email]`)),
		chromedp.SendKeys(b.css(`input[name=email]`), email),
		chromedp.SendKeys(b.css(`input[name=password]`), "demo12345"),
		chromedp.Click(b.css(`form.stack button[type=submit]`)),
	)
	b.settle("the login", `location.pathname !== "/login" && !!document.querySelector(".site-header .who")`, 10*time.Second)
}

// settle waits until the expression is true, across page loads: an
// evaluation that fails because the page is being replaced is tried again.
func (b *chrome) settle(what, expr string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click scrolls the element to the middle of the window, clear of the
// sticky header, and clicks it as a user would.
func (b *chrome) click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(e => { e.scrollIntoView({block: "center"}); return true })(document.querySelector(%q))`, sel))); err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
	})
}

// TestE2EReturnFixResubmitApprove drives the review round in Chromium: the
// auditor finds the submission in the queue and returns one item with a
// comment; the firm sees the comment beside the item, fixes it and
// resubmits; the auditor sees exactly that change, filters the page to it
// and approves.
func TestE2EReturnFixResubmitApprove(t *testing.T) {
	a := newTestApp(t)
	a.runOutbox(t)
	b := newBrowser(t, a.srv.URL)
	css := b.css

	// The firm's first submission is made over HTTP: filling in through the
	// browser is what TestE2EFirmFillsInSubmitsAndDownloadsPDF covers.
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	item := itemField.FindStringSubmatch(firm.get("/assessments/" + id).Body)[1]
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}

	b.do("switch to Chinese", chromedp.Navigate(b.base+"/login"))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(b => { if (b) b.click(); return !!b })(document.querySelector("button[name=lang][value=zh]"))`)); err != nil {
		t.Fatal(err)
	}
	b.do("wait for Chinese", chromedp.WaitVisible(css(`html[lang="zh-CN"] input[name=email]`)))
	b.login("auditor@demo.local")
	b.do("open the queue", chromedp.Navigate(b.base+"/review"), chromedp.WaitVisible(css(`#queue`)))
	if got := b.text(`#queue tbody`); !strings.Contains(got, "示例科技有限公司") || !strings.Contains(got, "已提交") {
		t.Fatalf("queue row: %q", got)
	}
	verdict := func(v string) string { return fmt.Sprintf(`input[name="verdict.%s"][value=%s]`, item, v) }
	const itemComment = "未提供弹窗关闭按钮的截图"
	b.do("return the item",
		chromedp.Click(css(`#queue a[href="/assessments/`+id+`/review"]`)),
		chromedp.WaitVisible(css(`#review-form`)),
		b.click(verdict("needs_change")),
		chromedp.SendKeys(css(fmt.Sprintf(`input[name="comment.%s"]`, item)), itemComment),
		b.click(`input[name=decision][value=request_changes]`),
		chromedp.SendKeys(css(`textarea[name=comment]`), "请按逐项意见修改"),
		b.click(`.review-decision button[type=submit]`),
		chromedp.WaitVisible(css(`.flash`)),
	)

	b.login("firm@demo.local")
	// The bell tells the firm's user (the outbox delivers after the
	// commit, so the count may take a moment), and its notification opens
	// the assessment at the flagged item.
	badge := ""
	for deadline := time.Now().Add(15 * time.Second); badge != "1" && time.Now().Before(deadline); {
		b.do("the home page", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(css(`a.bell`)))
		badge = eval[string](b, `(document.querySelector("a.bell .badge") || {}).textContent || ""`)
		if badge != "1" {
			time.Sleep(300 * time.Millisecond)
		}
	}
	if badge != "1" {
		t.Fatalf("the firm user's bell shows %q, want 1", badge)
	}
	b.do("open the notification", b.click(`a.bell`), chromedp.WaitVisible(css(`form[action^="/notifications/"][action$="/read"] button`)),
		b.click(`form[action^="/notifications/"][action$="/read"] button`), chromedp.WaitVisible(css(`#item-`+item)))
	if got := eval[string](b, `location.pathname`); got != "/assessments/"+id {
		t.Errorf("the notification opened %s, want /assessments/%s", got, id)
	}
	if got := b.text(`#item-` + item + ` .auditor-comment`); !strings.Contains(got, itemComment) {
		t.Errorf("the notification's page does not show the flagged item's comment: %q", got)
	}
	fix := func(f string) chromedp.CSS { return css(fmt.Sprintf(`#item-%s [name="plan.%s.%s"]`, item, f, item)) }
	b.do("open the returned assessment", chromedp.Navigate(b.base+"/assessments/"+id), chromedp.WaitVisible(css(`#fill-form`)))
	if got := b.text(`#item-` + item + ` .auditor-comment`); !strings.Contains(got, itemComment) {
		t.Fatalf("the auditor's comment beside the item: %q", got)
	}
	b.do("fix the item",
		b.click(`#item-`+item+` input[value=partial]`),
		chromedp.WaitVisible(fix("measure")),
		chromedp.SendKeys(fix("measure"), "补充关闭按钮并提供截图"),
		chromedp.SendKeys(fix("owner"), "产品部 王五"),
		chromedp.SetValue(fix("due"), "2030-06-30"),
		chromedp.SendKeys(css(`#item-`+item+` textarea`), "已补充截图"),
	)
	b.poll("the autosaves", `document.getElementById("fill-form").dataset.pending === "0" && !document.querySelector("[data-unsaved]")`, 15*time.Second)
	if n := eval[int](b, `document.querySelectorAll("fieldset.item").length`); n != 1 {
		t.Errorf("the returned assessment opens at %d items, want the flagged one", n)
	}
	b.do("resubmit", b.click(`button[value=confirm]`), chromedp.WaitVisible(css(`#submit-dialog #submit-confirm`)),
		b.click(`#submit-dialog button[value=submit]`), chromedp.WaitVisible(css(`#download-pdf, #submit-errors`)))
	if problem := eval[string](b, `(document.querySelector("#submit-errors") || {}).textContent || ""`); strings.TrimSpace(problem) != "" {
		t.Fatalf("resubmit refused:\n%s", problem)
	}

	b.login("auditor@demo.local")
	b.do("open the resubmission", chromedp.Navigate(b.base+"/review?state=resubmitted"), chromedp.WaitVisible(css(`#queue`)),
		chromedp.Click(css(`#queue a[href="/assessments/`+id+`/review"]`)), chromedp.WaitVisible(css(`#diff-summary`)))
	// Read through the page's own DOM, as it is once loaded: a node read
	// by id right after the navigation can be one the page has replaced.
	b.settle("the diff summary", `document.readyState === "complete" && !!document.querySelector("#diff-summary")`, 10*time.Second)
	if got := eval[string](b, `document.querySelector("#diff-summary").textContent`); !strings.Contains(got, "修改了 1 项") {
		t.Errorf("diff summary: %q", got)
	}
	b.do("show only the changed item", chromedp.Click(css(`#only-changed`)), chromedp.WaitVisible(css(`#review-form`)))
	if n := eval[int](b, `document.querySelectorAll("fieldset.item").length`); n != 1 {
		t.Fatalf("the filtered page shows %d items", n)
	}
	diff := b.text(`#item-` + item + ` .diff`)
	for _, want := range []string{"符合", "部分符合", "已补充截图", "补充关闭按钮并提供截图"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the diff lacks %q: %q", want, diff)
		}
	}
	b.do("approve",
		b.click(verdict("accepted")),
		b.click(`input[name=decision][value=approve]`),
		b.click(`.review-decision button[type=submit]`),
		chromedp.WaitVisible(css(`.flash`)),
	)
	if got := b.text(`.page-head .state`); !strings.Contains(got, "已通过") {
		t.Errorf("state after approval: %q", got)
	}
}
