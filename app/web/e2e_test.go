package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"selfcheck/app/checklist"
	"selfcheck/app/store"
)

// findChromium returns the browser to drive, or "" when none is installed.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needTool finds an external program the end-to-end tests need. Without it
// the test skips, unless SELFCHECK_E2E is set (as in CI), where it fails.
func needTool(t *testing.T, path, what string) {
	t.Helper()
	if path != "" {
		return
	}
	if os.Getenv("SELFCHECK_E2E") != "" {
		t.Fatalf("SELFCHECK_E2E is set but %s was not found", what)
	}
	t.Skipf("skipping: %s not found (install it, or set SELFCHECK_E2E=1 to make this a failure)", what)
}

// TestE2EFirmFillsInSubmitsAndDownloadsPDF drives Chromium through the
// walking skeleton as a new user would: log in as the demo firm member,
// start an assessment, answer every item, submit, read the score and
// download the PDF, whose text must hold the firm and theme titles in Chinese.
func TestE2EFirmFillsInSubmitsAndDownloadsPDF(t *testing.T) {
	chromium := findChromium()
	needTool(t, chromium, "Chromium")
	pdftotext, _ := exec.LookPath("pdftotext")
	needTool(t, pdftotext, "pdftotext (poppler-utils)")

	a := newTestApp(t)
	b := newBrowser(t, a.srv.URL)
	ctx, do, text, poll, css := b.ctx, b.do, b.text, b.poll, b.css

	// Headless Chromium asks for English; switch to Chinese with the toggle.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(b => { if (b) b.click(); return !!b })(document.querySelector("button[name=lang][value=zh]"))`)); err != nil {
		t.Fatal(err)
	}
	do("log in",
		chromedp.WaitVisible(css(`html[lang="zh-CN"] input[name=email]`)),
		chromedp.SendKeys(css(`input[name=email]`), "firm@demo.local"),
		chromedp.SendKeys(css(`input[name=password]`), "demo12345"),
		chromedp.Click(css(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/assessments"]`)),
	)
	do("start with every theme",
		chromedp.Click(css(`form[action="/assessments"] button[type=submit]`)),
		chromedp.WaitVisible(css(`#fill-form`)),
	)
	// The page opens at the first theme with unanswered items, not at all
	// of them; every item is one link away.
	poll("the fill-in page loaded", `document.readyState === "complete"`, 15*time.Second)
	first, _ := a.catalog.Checklists[0].ForProfile(store.DemoProfile)
	opened, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset[data-item]").length`))
	if err != nil {
		t.Fatal(err)
	}
	if opened != len(first.Items()) {
		t.Errorf("the default view shows %d items, want the first theme's %d", opened, len(first.Items()))
	}
	do("show every item",
		chromedp.Click(css(`#views a[data-all-themes]`)),
		chromedp.WaitVisible(css(`#views a[data-filter=all][aria-current=page]`)),
	)
	if href := eval[string](b, `location.search`); href != "?filter=all" {
		t.Fatalf("the link to every item leads to %q", href)
	}
	poll("the fill-in page loaded", `document.readyState === "complete"`, 15*time.Second)

	items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset[data-item]")].map(f => f.dataset.item)`))
	if err != nil {
		t.Fatal(err)
	}
	want := 0 // the start form comes pre-filled with the demo firm's profile
	for _, cl := range a.catalog.Checklists {
		kept, _ := cl.ForProfile(store.DemoProfile)
		want += len(kept.Items())
	}
	if len(items) != want {
		t.Fatalf("the fill-in page shows %d items, want %d", len(items), want)
	}

	// Answer every item by clicking, as a user does; autosave stores each.
	// One critical item is a gap, with a typed note.
	critical := ""
	for _, cl := range a.catalog.Checklists {
		kept, _ := cl.ForProfile(store.DemoProfile)
		for _, it := range kept.Items() {
			if it.Severity == checklist.Critical && critical == "" {
				critical = it.ID
			}
		}
	}
	var gaps []string
	for i, id := range items {
		answer := "compliant"
		switch {
		case id == critical:
			answer = "non_compliant"
		case i%29 == 3:
			answer = "partial"
		case i%11 == 5:
			answer = "na"
		}
		if answer == "partial" || answer == "non_compliant" {
			gaps = append(gaps, id)
		}
		sel := css(fmt.Sprintf(`#item-%s input[value=%s]`, id, answer))
		do("answer "+id, chromedp.ScrollIntoView(sel), chromedp.Click(sel))
	}
	// Every gap gets its rectification plan: the fields appear once the
	// answer is a gap.
	for _, id := range gaps {
		item := func(f string) chromedp.CSS { return css(fmt.Sprintf(`#item-%s [name="plan.%s.%s"]`, id, f, id)) }
		do("plan of "+id,
			chromedp.WaitVisible(item("measure")),
			chromedp.SendKeys(item("measure"), "关闭按钮改为显著可见，并限制弹窗频次"),
			chromedp.SendKeys(item("owner"), "产品部 李四"),
			chromedp.SetValue(item("due"), "2030-06-30"),
		)
	}
	// Evidence for the critical item, uploaded as soon as it is chosen.
	evidencePDF := filepath.Join(t.TempDir(), "整改截图.pdf")
	if err := os.WriteFile(evidencePDF, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	do("upload evidence", chromedp.SetUploadFiles(css(fmt.Sprintf(`#item-%s input[type=file]`, critical)), []string{evidencePDF}))
	poll("the evidence upload", fmt.Sprintf(`[...document.querySelectorAll("#item-%s .files a")].some(a => a.textContent === "整改截图.pdf")`, critical), 15*time.Second)
	// The fresh file shows its size as files loaded with the page do, and
	// its remove button at once, posting its own form with the CSRF token.
	if got := eval[string](b, fmt.Sprintf(`(li => { const btn = li.querySelector("button[form]"), f = btn && document.getElementById(btn.getAttribute("form"));
		return li.querySelector("small").textContent.trim().split(" · ")[0] + "|" + (btn ? btn.textContent : "") + "|" + (f ? f.getAttribute("action").replace(/[0-9]+/g, "N") + "|" + !!f.querySelector("input[name=_csrf]").value : "") })(
		[...document.querySelectorAll("#item-%s .files li")].pop())`, critical)); got != "45 B|删除|/assessments/N/evidence/N/delete|true" {
		t.Errorf("the fresh upload shows %q, want its size, a remove button and its form", got)
	}
	// The items whose proof is a document (a licence, the privacy policy)
	// need a file before the submit.
	required, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset.item")].filter(f => f.querySelector(".req")).map(f => f.dataset.item)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range required {
		if id == critical {
			continue
		}
		do("evidence of "+id, chromedp.SetUploadFiles(css(fmt.Sprintf(`#item-%s input[type=file]`, id)), []string{evidencePDF}))
		poll("the evidence of "+id, fmt.Sprintf(`[...document.querySelectorAll("#item-%s .files a")].some(a => a.textContent === "整改截图.pdf")`, id), 15*time.Second)
	}
	const note = "弹窗缺少关闭按钮，已安排整改"
	do("type a note", chromedp.SendKeys(css(fmt.Sprintf(`#item-%s textarea`, critical)), note))
	poll("every autosave", fmt.Sprintf(`document.querySelectorAll(".save-state.saved").length >= %d`, len(items)), 30*time.Second)
	poll("the note's autosave", `document.getElementById("fill-form").dataset.pending === "0" && !document.querySelector("[data-unsaved]")`, 10*time.Second)
	if got := text(`[data-progress-answered]`); got != fmt.Sprint(len(items)) {
		t.Errorf("progress shows %s answered, want %d", got, len(items))
	}

	// Reload: what autosave stored is what the page shows.
	do("reload", chromedp.Reload(), chromedp.WaitVisible(css(`#fill-form`)))
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("input[type=radio]:checked").length`))
	if err != nil {
		t.Fatal(err)
	}
	gotNote, err := chromedp.Run(ctx, chromedp.Value(css(fmt.Sprintf(`#item-%s textarea`, critical))))
	if err != nil {
		t.Fatal(err)
	}
	if checked != len(items) || gotNote != note {
		t.Fatalf("after reload: %d answers checked (want %d), note %q", checked, len(items), gotNote)
	}

	// Submit asks once, in a dialog: the score, grade, gaps and campaign.
	do("submit", chromedp.Click(css(`button[value=confirm]`)), chromedp.WaitVisible(css(`#submit-dialog #submit-confirm`)))
	if facts := text(`#submit-dialog`); !strings.Contains(facts, "不合格") || !strings.Contains(facts, "一票否决") || !strings.Contains(facts, fmt.Sprint(len(gaps))) {
		t.Errorf("the confirmation shows:\n%s", facts)
	}
	do("confirm", chromedp.Click(css(`#submit-dialog button[value=submit]`)), chromedp.WaitVisible(css(`#download-pdf, #submit-errors`)))
	if problem, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("#submit-errors") || {}).textContent || ""`)); strings.TrimSpace(problem) != "" {
		t.Fatalf("submit refused:\n%s", problem)
	}
	// A critical item is non-compliant: 一票否决.
	if grade, score := text(`[data-grade]`), text(`[data-score]`); !strings.Contains(grade, "不合格") || score == "—" {
		t.Errorf("score page: grade %q score %q", grade, score)
	}

	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	do("download the PDF",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
				DownloadPath:  dir,
				EventsEnabled: ptrTo(true),
			})
			return err
		}),
		chromedp.Click(css(`#download-pdf`)),
	)
	guid := ""
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	pdf := filepath.Join(dir, guid)
	out, err := exec.Command(pdftotext, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pdfText := strings.Join(strings.Fields(string(out)), "")
	for _, w := range []string{"示例科技有限公司", "91110108MA01C8XK7H", "不合格"} {
		if !strings.Contains(pdfText, w) {
			t.Errorf("the PDF text lacks %q", w)
		}
	}
	for _, cl := range a.catalog.Checklists {
		if !strings.Contains(pdfText, strings.Join(strings.Fields(cl.Title.ZH), "")) {
			t.Errorf("the PDF text lacks the theme title %q", cl.Title.ZH)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// chrome is a headless Chromium driven by a test, with the small steps the
// tests are written in.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newBrowser starts Chromium for a test against the server at base; the
// test's steps share two minutes.
func newBrowser(t *testing.T, base string) *chrome {
	t.Helper()
	return newBrowserFor(t, base, 120*time.Second)
}

// newBrowserFor is newBrowser with the time the test's steps share.
func newBrowserFor(t *testing.T, base string, steps time.Duration) *chrome {
	t.Helper()
	chromium := findChromium()
	needTool(t, chromium, "Chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// The first action starts the browser and must not carry a timeout (it
	// would stop the browser); later ones share a deadline.
	if err := chromedp.Do(browserCtx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(browserCtx, steps)
	t.Cleanup(cancelTimeout)
	return &chrome{t: t, ctx: ctx, base: base}
}

func (b *chrome) css(s string) chromedp.CSS { return chromedp.CSS(s) }

// do runs the actions of one step, failing the test with the step's name.
func (b *chrome) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// text returns the text of the first element matching sel.
func (b *chrome) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return v
}

// poll waits until the JavaScript expression is true.
func (b *chrome) poll(what, expr string, d time.Duration) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d))); err != nil {
		b.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// eval returns the value of a JavaScript expression.
func eval[T any](b *chrome, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
