package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"selfcheck/app/i18n"
)

// shownItems are the ids of the items a fill-in or review page shows.
var shownItem = regexp.MustCompile(`<fieldset class="item[^"]*" id="item-([a-z0-9-]+)"`)

func shownItems(body string) []string {
	var out []string
	for _, m := range shownItem.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// viewCount is the count a view link shows.
func viewCount(body, filter string) string {
	m := regexp.MustCompile(`data-filter="` + filter + `"[^>]*>[^<]*<span class="count">(\d+)</span>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestFillViews: each filter and theme of the fill-in page shows exactly
// its items, with the counts of every view and links to each theme; the
// default view is the first theme with unanswered items; an unknown
// filter or theme is a clear 400 in the page's language.
func TestFillViews(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups", "data-security")
	popups, _ := a.catalog.Get("popups")
	ds, _ := a.catalog.Get("data-security")
	ids := func(items ...[]string) []string { return slices.Concat(items...) }
	var pIDs, dIDs []string
	for _, it := range popups.Items() {
		pIDs = append(pIDs, it.ID)
	}
	for _, it := range ds.Items() {
		dIDs = append(dIDs, it.ID)
	}
	// Every popups item answered (one of them a gap), one data-security
	// item a gap: the first theme with unanswered items is data-security.
	for i, item := range pIDs {
		answer := "compliant"
		if i == 1 {
			answer = "non_compliant"
		}
		if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {answer}}); r.Status != http.StatusOK {
			t.Fatalf("autosave %s: %d %s", item, r.Status, r.Body)
		}
	}
	if r := c.fetch("/assessments/"+id+"/answers/"+dIDs[0], url.Values{"answer": {"partial"}}); r.Status != http.StatusOK {
		t.Fatalf("autosave: %d", r.Status)
	}
	for _, tc := range []struct {
		query   string
		want    []string
		current string // the view link marked current
	}{
		{"", dIDs, `href="?theme=data-security" aria-current="page"`},
		{"?filter=all", ids(pIDs, dIDs), `data-filter="all" aria-current="page"`},
		{"?filter=unanswered", dIDs[1:], `data-filter="unanswered" aria-current="page"`},
		{"?filter=gaps", []string{pIDs[1], dIDs[0]}, `data-filter="gaps" aria-current="page"`},
		{"?filter=gaps&theme=data-security", []string{dIDs[0]}, `href="?filter=gaps&amp;theme=data-security" aria-current="page"`},
		{"?theme=popups", pIDs, `href="?theme=popups" aria-current="page"`},
		{"?filter=flagged", nil, `data-filter="flagged" aria-current="page"`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := c.get("/assessments/" + id + tc.query)
			if r.Status != http.StatusOK {
				t.Fatalf("%d", r.Status)
			}
			if got := shownItems(r.Body); !slices.Equal(got, tc.want) {
				t.Errorf("shows %v, want %v", got, tc.want)
			}
			// Every view shows the overall progress and each theme's count, linked.
			answered := len(pIDs) + 1
			mustContain(t, r.Body, tc.current, `data-progress-answered>`+itoa(answered)+`</span> / `+itoa(len(pIDs)+len(dIDs)),
				`data-theme-progress="popups">`+itoa(len(pIDs))+`</span> / `+itoa(len(pIDs)),
				`data-theme-progress="data-security">1</span> / `+itoa(len(dIDs)))
			if tc.want == nil {
				mustContain(t, r.Body, `id="view-empty"`, "此筛选下没有检查项")
			}
			if strings.Contains(r.Body, `class="theme" id="theme-popups"`) != slices.ContainsFunc(tc.want, func(s string) bool { return slices.Contains(pIDs, s) }) {
				t.Error("the popups heading is shown without its items, or hidden with them")
			}
		})
	}
	// The counts of the views, over every theme, and within one.
	all := c.get("/assessments/" + id + "?filter=all").Body
	for filter, want := range map[string]int{"unanswered": len(dIDs) - 1, "gaps": 2, "flagged": 0, "all": len(pIDs) + len(dIDs)} {
		if got := viewCount(all, filter); got != itoa(want) {
			t.Errorf("the %s link counts %s, want %d", filter, got, want)
		}
	}
	if got := viewCount(c.get("/assessments/"+id+"?theme=popups").Body, "gaps"); got != "1" {
		t.Errorf("gaps within popups: %s, want 1", got)
	}
	// Unknown values are refused with a message naming them, in either language.
	for _, tc := range []struct{ query, zh, en string }{
		{"?filter=nope%3Cb%3E", "未知的筛选条件“nope&lt;b&gt;”", "There is no filter “nope&lt;b&gt;”"},
		{"?theme=nope", "本次自查没有主题“nope”", "This assessment has no theme “nope”"},
		{"?filter=gaps&theme=nope", "本次自查没有主题“nope”", "This assessment has no theme “nope”"},
	} {
		r := c.get("/assessments/" + id + tc.query)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", tc.query, r.Status)
		}
		mustContain(t, r.Body, tc.zh)
	}
	en := a.client()
	en.login("firm@demo.local")
	en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	r := en.get("/assessments/" + id + "?filter=nope")
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "There is no filter “nope”") {
		t.Errorf("English refusal: %d", r.Status)
	}
}

// TestFillViewsSpeakOneLanguage: the views' links and messages, and the
// confirmation step, are in the page's language with nothing of the other.
func TestFillViewsSpeakOneLanguage(t *testing.T) {
	a := newTestApp(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"view.label", "view.filter.unanswered", "view.filter.gaps", "view.filter.flagged", "view.filter.all",
		"confirm.heading", "confirm.grade", "confirm.campaign", "confirm.reviewers", "confirm.back"}
	zh := a.client()
	zh.login("firm@demo.local")
	id := startCampaign(t, zh)
	en := a.client()
	en.login("firm@demo.local")
	en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	for _, tc := range []struct {
		c           *client
		lang, other string
	}{{zh, "zh", "en"}, {en, "en", "zh"}} {
		mustContain(t, tc.c.get("/assessments/"+id+"?theme=popups").Body, cat.T(tc.lang, "view.all_themes"))
		for _, path := range []string{"/assessments/" + id + "?theme=popups", "/assessments/" + id + "?filter=flagged", "/assessments/" + id + "/submit"} {
			body := tc.c.get(path).Body
			for _, k := range keys {
				if strings.Contains(path, "/submit") != strings.HasPrefix(k, "confirm.") {
					continue
				}
				mustContain(t, body, cat.T(tc.lang, k))
				if other := cat.T(tc.other, k); strings.Contains(body, ">"+other) {
					t.Errorf("%s in %s shows %q of %s", path, tc.lang, other, tc.other)
				}
			}
			if tc.lang == "en" {
				nav := regexp.MustCompile(`(?s)<nav class="views".*?</nav>|<section class="card" id="submit-confirm">.*?<dd data-campaign>`).FindString(body)
				if nav == "" || cjkIn(nav) != "" {
					t.Errorf("%s in English: %q has %q", path, nav, cjkIn(nav))
				}
			}
		}
	}
}

// TestPartialFormKeepsOtherAnswers: the no-JavaScript form of one view
// saves only the items it shows, never clears an answer, note or plan of
// an item not on it, and comes back to the same view.
func TestPartialFormKeepsOtherAnswers(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups", "data-security")
	popups, _ := a.catalog.Get("popups")
	ds, _ := a.catalog.Get("data-security")
	other, mine := ds.Items()[0].ID, popups.Items()[0].ID
	if r := c.fetch("/assessments/"+id+"/answers/"+other, url.Values{"answer": {"partial"}, "note": {"另一主题的说明"}}); r.Status != http.StatusOK {
		t.Fatalf("autosave: %d", r.Status)
	}
	if r := c.fetch("/assessments/"+id+"/answers/"+other+"/plan", url.Values{"measure": {"整改"}, "owner": {"张三"}, "due": {"2030-01-01"}, "status": {"open"}}); r.Status != http.StatusOK {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	// The form of the popups view, as a browser posts it: every field on
	// the page, one answer chosen.
	page := c.get("/assessments/" + id + "?theme=popups").Body
	if strings.Contains(page, `name="answer.`+other+`"`) {
		t.Fatal("the popups view shows a data-security item")
	}
	form := url.Values{"action": {"save"}}
	for _, m := range regexp.MustCompile(`<(?:input type="hidden"|textarea[^>]*) name="([^"]+)"(?: value="([^"]*)")?`).FindAllStringSubmatch(page, -1) {
		if m[1] != "_csrf" {
			form.Set(m[1], strings.ReplaceAll(m[2], "&#43;", "+"))
		}
	}
	if form.Get("theme") != "popups" {
		t.Fatalf("the form does not post its view: %v", form["theme"])
	}
	form.Set("answer."+mine, "compliant")
	r := c.post("/assessments/"+id, form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"?theme=popups" {
		t.Fatalf("save: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	all := c.get("/assessments/" + id + "?filter=all").Body
	mustContain(t, all, `name="answer.`+mine+`" value="compliant" checked`, `name="answer.`+other+`" value="partial" checked`,
		">另一主题的说明</textarea>", `value="张三"`)
	// A post naming no item saves nothing and clears nothing.
	if r := c.post("/assessments/"+id, url.Values{"action": {"save"}, "filter": {"gaps"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"?filter=gaps" {
		t.Fatalf("empty save: %d %q", r.Status, r.Header.Get("Location"))
	}
	// An unknown view in a post is no error: the save returns to the default view.
	if r := c.post("/assessments/"+id, url.Values{"action": {"save"}, "filter": {"bogus"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id {
		t.Fatalf("save with an unknown view: %d %q", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, c.get("/assessments/"+id+"?filter=all").Body, `name="answer.`+other+`" value="partial" checked`, ">另一主题的说明</textarea>")
}

// TestDefaultViewSize: the default view of the assessment of every
// built-in theme, filled in with notes and plans, is one theme and under
// 150 KB of HTML; so is every theme's view, where the default view may
// open.
func TestDefaultViewSize(t *testing.T) {
	for _, query := range []string{"", "?theme=popups", "?theme=data-security", "?theme=deceiving", "?theme=governance",
		"?theme=market-order", "?theme=resources", "?theme=user-rights"} {
		get, body := fillFixtureView(t, "zh-CN", query)
		if _, err := get(); err != nil {
			t.Fatal(err)
		}
		page := body()
		if n := len(shownItems(page)); n == 0 || n > 30 {
			t.Errorf("%q shows %d items", query, n)
		}
		if len(page) > 150_000 {
			t.Errorf("%q is %d bytes, want ≤ 150 KB", query, len(page))
		}
		t.Logf("%q: %d bytes, %d items", query, len(page), len(shownItems(page)))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
