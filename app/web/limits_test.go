package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"selfcheck/app/assessment"
)

// Issue 19, finding 1: the fields that made a 2,856-page report (a
// 20,000-character note and a 5,000-character plan on each item) are
// refused, with a message in the page's language naming the field and its
// limit, and nothing of the refused save is kept; at the limit they save.
func TestReportSizedFieldsAreBounded(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := startCampaign(t, c)
	m := itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)
	if m == nil {
		t.Fatal("no item on the assessment page")
	}
	item := m[1]
	answer := "/assessments/" + id + "/answers/" + item
	plan := func(measure, owner string) resp {
		return c.fetch(answer+"/plan", url.Values{"measure": {measure}, "owner": {owner}, "due": {"2030-01-01"}, "status": {"open"}})
	}
	for _, tc := range []struct {
		name string
		r    func() resp
		want string
	}{
		{"the attack's note", func() resp {
			return c.fetch(answer, url.Values{"answer": {"non_compliant"}, "note": {strings.Repeat("测", 20000)}})
		}, "说明过长，最多 5000 个字符"},
		{"a note one over", func() resp {
			return c.fetch(answer, url.Values{"answer": {"non_compliant"}, "note": {strings.Repeat("测", assessment.MaxNoteLen+1)}})
		}, "说明过长，最多 5000 个字符"},
		{"the attack's measure", func() resp { return plan(strings.Repeat("改", 5000), "张三") }, "整改措施过长，最多 2000 个字符"},
		{"an owner one over", func() resp { return plan("措施", strings.Repeat("张", assessment.MaxPlanOwner+1)) }, "负责人过长，最多 100 个字符"},
	} {
		r := tc.r()
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) || strings.Contains(r.Body, "too long") {
			t.Errorf("%s: %d %.200s, want 422 %q", tc.name, r.Status, r.Body, tc.want)
		}
	}
	if strings.Contains(c.get("/assessments/"+id).Body, strings.Repeat("测", 100)) {
		t.Error("a refused note was stored")
	}
	if r := c.fetch(answer, url.Values{"answer": {"non_compliant"}, "note": {strings.Repeat("测", assessment.MaxNoteLen)}}); r.Status != http.StatusOK {
		t.Errorf("a note at the limit: %d %s", r.Status, r.Body)
	}
	if r := plan(strings.Repeat("改", assessment.MaxPlanMeasure), strings.Repeat("张", assessment.MaxPlanOwner)); r.Status != http.StatusOK {
		t.Errorf("a plan at the limits: %d %s", r.Status, r.Body)
	}
}
