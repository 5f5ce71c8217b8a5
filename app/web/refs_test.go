package web

import (
	"net/http"
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
