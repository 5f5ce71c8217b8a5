package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRefsShownOnFillAndReview checks that an item's standard clauses
// (国标对照) are in its guidance panel on the fill-in page and beside it on
// the review page, in the reader's language only.
func TestRefsShownOnFillAndReview(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm) // in the auditor's campaign, so the review page opens
	panel := regexp.MustCompile(`(?s)id="item-ur-account-closure".*?</details>`)
	tests := []struct {
		lang      string
		want, not []string
	}{
		{"zh", []string{"国标对照", "GB/T 35273—2020 8.5；认定方法 6.1；认定方法 6.2；认定方法 6.4"}, []string{"Standards mapping", "Identification Methods"}},
		{"en", []string{"Standards mapping", "GB/T 35273-2020 8.5; Identification Methods 6.1; Identification Methods 6.2; Identification Methods 6.4"}, []string{"国标对照", "认定方法"}},
	}
	for _, tt := range tests {
		firm.lang = tt.lang
		page := firm.get("/assessments/" + id + "?filter=all")
		if page.Status != http.StatusOK {
			t.Fatalf("%s fill page: %d", tt.lang, page.Status)
		}
		got := panel.FindString(page.Body)
		if got == "" {
			t.Fatalf("%s: no guidance panel for ur-account-closure", tt.lang)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s fill page: panel lacks %q:\n%s", tt.lang, w, got)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s fill page: panel holds the other language's %q", tt.lang, n)
			}
		}
	}
	firm.lang = "zh"
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	review := auditor.get("/assessments/" + id + "/review")
	if review.Status != http.StatusOK {
		t.Fatalf("review page: %d", review.Status)
	}
	item := regexp.MustCompile(`(?s)id="item-ur-account-closure".*?</fieldset>`).FindString(review.Body)
	if !strings.Contains(item, "国标对照") || !strings.Contains(item, "GB/T 35273—2020 8.5") {
		t.Errorf("review page shows no standard clauses for ur-account-closure:\n%s", item)
	}
}

// TestScoreByStandard checks the standards view of a result (?by=standard):
// the items grouped by standard and clause with their answers and gaps, in
// the reader's language only, and an unknown view refused with a message.
func TestScoreByStandard(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	form := url.Values{"action": {"save"}, "answer.ur-account-closure": {"non_compliant"}}
	if r := firm.post("/assessments/"+id, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	// The clause row of GB/T 35273 8.5 lists ur-account-closure, answered non-compliant.
	clause := regexp.MustCompile(`(?s)<tr class="gap">\s*<th scope="rowgroup"[^>]*>([^<]*)</th>\s*<td><span class="item-id">ur-account-closure</span>.*?<span class="ans ans-non_compliant">([^<]*)</span>`)
	tests := []struct {
		lang                    string
		heading, clause, answer string
		not                     []string
	}{
		{"zh", "国标对照", "GB/T 35273—2020 8.5", "不符合", []string{"Standards mapping", "By standard clause"}},
		{"en", "Standards mapping", "GB/T 35273-2020 8.5", "Non-compliant", []string{"国标对照", "按国标条款"}},
	}
	for _, tt := range tests {
		firm.lang = tt.lang
		page := firm.get("/assessments/" + id + "/score?by=standard")
		if page.Status != http.StatusOK {
			t.Fatalf("%s: standards view %d", tt.lang, page.Status)
		}
		if !strings.Contains(page.Body, `<section class="card" id="standards">`) || !strings.Contains(page.Body, "<h2>"+tt.heading+"</h2>") {
			t.Errorf("%s: no standards section headed %q", tt.lang, tt.heading)
		}
		m := clause.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("%s: no row for ur-account-closure under a clause marked as a gap", tt.lang)
		}
		if strings.TrimSpace(m[1]) != tt.clause || m[2] != tt.answer {
			t.Errorf("%s: ur-account-closure under %q answered %q, want %q, %q", tt.lang, m[1], m[2], tt.clause, tt.answer)
		}
		for _, n := range tt.not {
			if strings.Contains(page.Body, n) {
				t.Errorf("%s: the page holds the other language's %q", tt.lang, n)
			}
		}
		if strings.Contains(page.Body, `class="chart"`) {
			t.Errorf("%s: the standards view still draws the theme chart", tt.lang)
		}
	}
	firm.lang = "en"
	if page := firm.get("/assessments/" + id + "/score"); !strings.Contains(page.Body, `class="chart"`) || strings.Contains(page.Body, `id="standards"`) {
		t.Error("the default score page is not the theme view")
	}
	bad := firm.get("/assessments/" + id + "/score?by=clause")
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, "There is no “clause” view") {
		t.Errorf("unknown view: %d, want 400 naming the view", bad.Status)
	}
	// Who may open the page, and the 404 for another firm's, is the score
	// page's and is checked in TestAuthorization; the view changes neither.
}
