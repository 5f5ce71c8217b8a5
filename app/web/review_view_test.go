package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"selfcheck/app/checklist"
)

// TestReviewTriage: the review page sums the submission up at the top
// (score, grade with the veto named, gaps by severity, changes, flagged
// items still open, a link to the decision), filters by gaps, changes,
// flags and theme without empty theme headings, and shows each item's
// guidance collapsed; the firm's returned assessment opens at the flagged
// items.
func TestReviewTriage(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	attachRequired(t, firm, id)
	page := firm.get("/assessments/" + id + "?filter=all").Body
	themeOf := map[string]string{}
	sevOf := map[string]checklist.Severity{}
	for _, cl := range a.catalog.Checklists {
		for _, it := range cl.Items() {
			themeOf[it.ID], sevOf[it.ID] = cl.ID, it.Severity
		}
	}
	// A critical item non-compliant (the one-vote veto), and a gap of
	// another severity in another theme.
	var veto, other string
	items := itemField.FindAllStringSubmatch(page, -1)
	for _, m := range items {
		if sevOf[m[1]] == checklist.Critical && veto == "" {
			veto = m[1]
		}
	}
	for _, m := range items {
		if sevOf[m[1]] != checklist.Critical && themeOf[m[1]] != themeOf[veto] && other == "" {
			other = m[1]
		}
	}
	form := url.Values{"action": {"submit"}}
	for _, m := range items {
		form.Set("answer."+m[1], "compliant")
	}
	for _, g := range []string{veto, other} {
		form.Set("answer."+g, "non_compliant")
		form.Set("plan.measure."+g, "整改")
		form.Set("plan.owner."+g, "张三")
		form.Set("plan.due."+g, "2030-01-01")
		form.Set("plan.status."+g, "open")
	}
	if r := firm.post("/assessments/"+id, form); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}

	auditor := a.client()
	auditor.login("auditor@demo.local")
	base := "/assessments/" + id + "/review"
	r := auditor.get(base)
	if r.Status != http.StatusOK {
		t.Fatalf("review: %d", r.Status)
	}
	// The score page and the campaign's heat map show the high score as
	// failed: its grade's colour, the veto named.
	mustContain(t, auditor.get("/assessments/"+id+"/score").Body, `class="big-score grade-fail" data-score>`, `data-veto>一票否决</span>`)
	if m := regexp.MustCompile(`/campaigns/(\d+)/dashboard`).FindStringSubmatch(auditor.get("/").Body); m == nil {
		t.Error("the auditor's home has no dashboard link")
	} else if heat := auditor.get(m[0]).Body; !regexp.MustCompile(`总分: \d+\.\d \(一票否决\)</title><rect [^>]*fill="#`).MatchString(heat) {
		t.Error("the heat map does not show the vetoed total as failed")
	}
	vetoItem, _ := findItem(a.catalog.Checklists, veto)
	mustContain(t, r.Body, `id="triage"`, `data-veto>一票否决`, `data-grade>不合格`, `data-gaps-critical>1<`, `data-gaps-`+string(sevOf[other])+`>1<`,
		`href="#decision"`, `id="decision"`, `<summary>检查方法、法律依据与所需证据</summary>`, vetoItem.Guidance.ZH, `data-changed-count>0<`)
	if got := len(shownItems(r.Body)); got != len(items) {
		t.Errorf("the whole review shows %d items, want %d", got, len(items))
	}
	headings := func(body string) int { return strings.Count(body, `<section class="theme" id="theme-`) }
	for _, tc := range []struct {
		query    string
		want     []string
		headings int
	}{
		{"?filter=gaps", []string{veto, other}, 2},
		{"?filter=gaps&theme=" + themeOf[veto], []string{veto}, 1},
		{"?filter=changed", nil, 0},
		{"?filter=flagged", nil, 0},
	} {
		body := auditor.get(base + tc.query).Body
		got := shownItems(body)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) || headings(body) != tc.headings {
			t.Errorf("%s shows %v under %d headings, want %v under %d", tc.query, got, headings(body), want, tc.headings)
		}
		if tc.want == nil {
			mustContain(t, body, `id="view-empty"`)
		}
	}
	theme := auditor.get(base + "?theme=" + themeOf[other]).Body
	for _, it := range shownItems(theme) {
		if themeOf[it] != themeOf[other] {
			t.Errorf("the %s view shows %s", themeOf[other], it)
		}
	}
	mustContain(t, theme, `data-theme-link="`+themeOf[other]+`" aria-current="page"`, `data-all-themes`)
	for _, q := range []string{"?filter=mine%22", "?theme=nope"} {
		if r := auditor.get(base + q); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "请从页面上的链接中选择") {
			t.Errorf("%s: %d", q, r.Status)
		}
	}

	// Returned with the veto item flagged, from the gaps view.
	r = auditor.post(base, url.Values{"decision": {"request_changes"}, "comment": {"请整改"}, "filter": {"gaps"},
		"verdict." + veto: {"needs_change"}, "comment." + veto: {"请补充"}, "verdict." + other: {"accepted"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.Status, r.Body)
	}
	fill := firm.get("/assessments/" + id).Body
	if got := shownItems(fill); !slices.Equal(got, []string{veto}) {
		t.Errorf("the returned assessment opens at %v, want the flagged %s", got, veto)
	}
	mustContain(t, fill, `data-filter="flagged" aria-current="page"`)
	if r := auditor.get(base); !strings.Contains(r.Body, `data-flagged-open>1<`) {
		t.Error("the flagged item is not counted open")
	}
	if r := firm.fetch("/assessments/"+id+"/answers/"+veto, url.Values{"answer": {"compliant"}}); r.Status != http.StatusOK {
		t.Fatalf("fix: %d", r.Status)
	}
	if r := firm.post("/assessments/"+id, url.Values{"action": {"submit"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", r.Status, r.Body)
	}
	for _, q := range []string{"?filter=changed", "?changed=1", "?filter=flagged"} {
		body := auditor.get(base + q).Body
		if got := shownItems(body); !slices.Equal(got, []string{veto}) || headings(body) != 1 {
			t.Errorf("%s shows %v under %d headings, want only %s", q, got, headings(body), veto)
		}
		mustContain(t, body, `data-changed-count>1<`, `data-flagged-open>0<`)
		if strings.Contains(body, `data-veto`) {
			t.Errorf("%s names the veto after the fix", q)
		}
	}

	// In English, the summary and the links have no Chinese.
	en := a.client()
	en.login("auditor@demo.local")
	en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	body := en.get(base + "?filter=gaps").Body
	triage := regexp.MustCompile(`(?s)<section class="card triage".*?</section>`).FindString(body)
	mustContain(t, triage, "Triage", "Gaps by severity", "Go to the decision")
	// Theme titles are in English too; only the firm's text is user content.
	if triage == "" || cjkIn(triage) != "" {
		t.Errorf("the English triage has %q", cjkIn(triage))
	}
}

func findItem(lists []*checklist.Checklist, id string) (checklist.Item, bool) {
	for _, cl := range lists {
		for _, it := range cl.Items() {
			if it.ID == id {
				return it, true
			}
		}
	}
	return checklist.Item{}, false
}
