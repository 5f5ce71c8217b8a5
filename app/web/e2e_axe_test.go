package web

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility test runs: pinned,
// so that a new release's new rules do not fail CI on their own.
const axeVersion = "4.14.1"

// installAxe installs axe-core with npm into a temporary directory (it is
// a test's tool, never part of the product) and returns its script.
func installAxe(t *testing.T) string {
	t.Helper()
	npm, _ := exec.LookPath("npm")
	needTool(t, npm, "npm (to install axe-core)")
	dir := t.TempDir()
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", dir, "axe-core@"+axeVersion)
	cmd.Env = append(os.Environ(), "npm_config_cache="+filepath.Join(os.TempDir(), "selfcheck-npm-cache"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install axe-core@%s: %v\n%s", axeVersion, err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// axeViolation is what the test reports of one failed axe rule.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	Targets []string
	Nodes   []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// TestE2EAccessibility runs axe-core in Chromium over every kind of page,
// as each role sees it, in both languages, and fails on any violation of
// its default rules (WCAG 2.x A and AA and best practices).
func TestE2EAccessibility(t *testing.T) {
	chromium := findChromium()
	needTool(t, chromium, "Chromium")
	axe := installAxe(t)
	f := newAuthzFixture(t)
	// 44 pages, the longest with 130 items for axe to walk: more than the
	// two minutes of a walk through the product on a busy machine.
	b := newBrowserFor(t, f.reads, 10*time.Minute)
	pages := f.everyPage()
	for _, lang := range []string{"zh", "en"} {
		for _, p := range pages {
			name := fmt.Sprintf("%s %s as %s", lang, p.path, callerNames[p.who])
			if !openAs(b, f, p, lang, name) {
				continue
			}
			wantLang := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
			if got := eval[string](b, `document.documentElement.lang`); got != wantLang {
				t.Errorf("%s: <html lang=%q>, want %q", name, got, wantLang)
			}
			if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("%s: load axe-core: %v", name, err)
			}
			out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
				`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: run axe-core: %v", name, err)
			}
			var violations []axeViolation
			if err := json.Unmarshal([]byte(out), &violations); err != nil {
				t.Fatalf("%s: axe-core's answer: %v", name, err)
			}
			for _, v := range violations {
				var where []string
				for i, n := range v.Nodes {
					if i == 3 {
						where = append(where, fmt.Sprintf("… and %d more", len(v.Nodes)-3))
						break
					}
					where = append(where, fmt.Sprintf("%v %s", n.Target, clip(n.HTML, 160)))
				}
				t.Errorf("%s: %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
			}
		}
	}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
