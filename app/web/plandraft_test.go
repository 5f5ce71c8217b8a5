package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A plan typed in part is kept as a draft; submitting then names, per
// item, the fields its plan lacks, in the page's language; an item
// answered compliant since hides its plan, which stays stored.
func TestDraftPlanBlocksSubmitNamingWhatItLacks(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	item := itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)[1]
	if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"non_compliant"}, "note": {""}}); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	if r := c.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"增加关闭按钮"}}); r.Status != http.StatusOK {
		t.Fatalf("draft plan: %d %s", r.Status, r.Body)
	}
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	for _, tt := range []struct {
		c    *client
		want string
	}{
		{c, "缺少整改计划</strong> (缺：负责人、完成期限)"},
		{en, "rectification plan missing</strong> (lacks: Owner, Due)"},
	} {
		r := tt.c.post("/assessments/"+id, url.Values{"action": {"submit"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
			t.Errorf("submit with a draft plan (%s): %d, want %q in the list of what blocks it", tt.c.lang, r.Status, tt.want)
		}
	}

	planOf := regexp.MustCompile(`(?s)name="answer\.` + regexp.QuoteMeta(item) + `".*?<div class="plan" data-plan( hidden)?>`)
	if m := planOf.FindStringSubmatch(c.get("/assessments/" + id).Body); m == nil || m[1] != "" {
		t.Fatalf("the gap's plan panel: %q, want it shown", m)
	}
	if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"compliant"}, "note": {""}}); r.Status != http.StatusOK {
		t.Fatalf("answer compliant: %d %s", r.Status, r.Body)
	}
	page := c.get("/assessments/" + id).Body
	if m := planOf.FindStringSubmatch(page); m == nil || m[1] != " hidden" {
		t.Errorf("the plan panel of an item answered compliant: %q, want it hidden", m)
	}
	if !strings.Contains(page, "增加关闭按钮") {
		t.Error("the plan of an item answered compliant is gone from the form: it should stay stored")
	}
}
