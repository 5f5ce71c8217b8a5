package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/store/loadseed"
)

var queueRow = regexp.MustCompile(`href="/assessments/(\d+)/review"`)

// The auditor finds the submission in the queue, returns an item, sees what
// the firm changed after resubmitting, filters the page to it, and views an
// image of evidence inline.
func TestQueueDiffAndInlineEvidence(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	item := itemField.FindStringSubmatch(firm.get("/assessments/" + id).Body)[1]
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	if r := firm.uploadJSON("/assessments/"+id+"/answers/"+item+"/evidence", "弹窗截图.png", png); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}

	auditor := a.client()
	auditor.login("auditor@demo.local")
	q := auditor.get("/review")
	if q.Status != http.StatusOK {
		t.Fatalf("queue: %d", q.Status)
	}
	if m := queueRow.FindAllStringSubmatch(q.Body, -1); len(m) != 1 || m[0][1] != id {
		t.Fatalf("queue rows: %v", m)
	}
	mustContain(t, q.Body, "示例科技有限公司", "已提交", "优秀", "共 1 份")
	for _, filter := range []string{"grade=fail", "firm=%E5%88%AB%E5%AE%B6", "state=resubmitted"} {
		if m := queueRow.FindAllString(auditor.get("/review?"+filter).Body, -1); len(m) != 0 {
			t.Errorf("filter %s keeps the submission", filter)
		}
	}
	if r := auditor.get("/review?sort=price"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "筛选条件无效") {
		t.Errorf("unknown sort: %d", r.Status)
	}
	if r := firm.get("/review"); r.Status != http.StatusForbidden {
		t.Errorf("a firm member opens the queue: %d", r.Status)
	}

	page := auditor.get("/assessments/" + id + "/review").Body
	view := regexp.MustCompile(`<img src="(/assessments/` + id + `/evidence/\d+/view)"`).FindStringSubmatch(page)
	if view == nil {
		t.Fatal("the review page shows no inline image")
	}
	v := auditor.get(view[1])
	if v.Status != http.StatusOK || v.Body != string(png) || v.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(v.Header.Get("Content-Disposition"), "inline;") || !strings.Contains(v.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("inline view: %d %v", v.Status, v.Header)
	}

	r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"request_changes"}, "comment": {"请补充说明"},
		"verdict." + item: {"needs_change"}, "comment." + item: {"说明不足"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("request changes: %d %s", r.Status, r.Body)
	}
	if m := queueRow.FindAllString(auditor.get("/review").Body, -1); len(m) != 0 {
		t.Error("a returned assessment stays in the queue")
	}
	if r := firm.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {"已补充 <b>说明</b>"}}); r.Status != http.StatusOK {
		t.Fatalf("fix: %d %s", r.Status, r.Body)
	}
	if r := firm.fetch("/assessments/"+id+"/answers/"+item+"/plan",
		url.Values{"measure": {"补充弹窗关闭按钮"}, "owner": {"产品部"}, "due": {"2031-12-31"}, "status": {"open"}}); r.Status != http.StatusOK {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	if r := firm.post("/assessments/"+id, url.Values{"action": {"submit"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", r.Status)
	}
	q = auditor.get("/review?state=resubmitted")
	if m := queueRow.FindAllStringSubmatch(q.Body, -1); len(m) != 1 || m[0][1] != id {
		t.Fatalf("resubmission not in the queue: %v", m)
	}
	page = auditor.get("/assessments/" + id + "/review").Body
	mustContain(t, page, "企业修改了 1 项", "退回后的修改", "<del>符合</del> → <ins>部分符合</ins>", "已补充 &lt;b&gt;说明&lt;/b&gt;", "补充弹窗关闭按钮")
	if n := strings.Count(page, `<fieldset class="item`); n < 10 {
		t.Errorf("the full page shows %d items", n)
	}
	only := auditor.get("/assessments/" + id + "/review?changed=1").Body
	if n := strings.Count(only, `<fieldset class="item`); n != 1 || !strings.Contains(only, `name="verdict.`+item+`"`) {
		t.Errorf("filtered to changed items, the page shows %d items", n)
	}
	if r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"approve"}, "verdict." + item: {"accepted"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
}

// An auditor of another campaign sees none of this campaign's submissions.
func TestQueueScopedToAssignedCampaigns(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	otherUser, err := a.store.CreateUser(t.Context(), store.NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: store.DemoPassword, Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	other := a.client()
	other.login("other-auditor@x.cn")
	if m := queueRow.FindAllString(other.get("/review").Body, -1); len(m) != 0 {
		t.Errorf("an unassigned auditor's queue lists %v", m)
	}
	for _, path := range []string{"/assessments/" + id + "/review", "/assessments/" + id + "/score", "/assessments/" + id + "/evidence/1/view"} {
		if r := other.get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s for an unassigned auditor: %d", path, r.Status)
		}
	}
	admin := a.client()
	admin.login("admin@demo.local")
	if m := queueRow.FindAllString(admin.get("/review").Body, -1); len(m) != 1 {
		t.Errorf("the admin's queue lists %v", m)
	}

	// The admin hands the campaign to the other auditor.
	cid := regexp.MustCompile(`action="/admin/campaigns/(\d+)/auditors"`).FindStringSubmatch(admin.get("/admin/campaigns").Body)
	if cid == nil {
		t.Fatal("no auditor assignment form")
	}
	if r := other.post("/admin/campaigns/"+cid[1]+"/auditors", url.Values{"auditor": {fmt.Sprint(otherUser.ID)}}); r.Status != http.StatusForbidden {
		t.Errorf("an auditor assigns auditors: %d", r.Status)
	}
	if r := admin.post("/admin/campaigns/"+cid[1]+"/auditors", url.Values{"auditor": {"999"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("assigning an unknown auditor: %d", r.Status)
	}
	if r := admin.post("/admin/campaigns/"+cid[1]+"/auditors", url.Values{"auditor": {fmt.Sprint(otherUser.ID)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	if r := other.get("/assessments/" + id + "/review"); r.Status != http.StatusOK {
		t.Errorf("the newly assigned auditor cannot open the review: %d", r.Status)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	if r := auditor.get("/assessments/" + id + "/review"); r.Status != http.StatusNotFound {
		t.Errorf("the unassigned auditor still opens the review: %d", r.Status)
	}
}

// An admin promotes a firm member to firm admin: the team page opens to them
// at once, the change is in the audit log, and roles that do not fit the
// account are refused.
func TestAdminChangesRole(t *testing.T) {
	a := newTestApp(t)
	admin := a.client()
	admin.login("admin@demo.local")
	member := a.client()
	member.login("firm@demo.local")
	if r := member.get("/team"); r.Status != http.StatusForbidden {
		t.Fatalf("a firm member opens /team: %d", r.Status)
	}
	u, err := a.store.UserByEmail(t.Context(), "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/users/%d/role", u.ID)
	if r := member.post(path, url.Values{"role": {"firm_admin"}}); r.Status != http.StatusForbidden {
		t.Errorf("a firm member changes roles: %d", r.Status)
	}
	for _, bad := range []string{"auditor", "owner"} {
		if r := admin.post(path, url.Values{"role": {bad}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "角色未更改") {
			t.Errorf("role %s for a firm account: %d", bad, r.Status)
		}
	}
	if r := admin.post(path, url.Values{"role": {"firm_admin"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("promote: %d %s", r.Status, r.Body)
	}
	if r := member.get("/team"); r.Status != http.StatusOK {
		t.Errorf("the promoted member cannot open /team: %d", r.Status)
	}
	mustContain(t, admin.get("/admin/audit?action=role_changed").Body, "firm@demo.local: firm_member → firm_admin")
	self, _ := a.store.UserByEmail(t.Context(), "admin@demo.local")
	if r := admin.post(fmt.Sprintf("/admin/users/%d/role", self.ID), url.Values{"role": {"auditor"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an admin changes their own role: %d", r.Status)
	}
}

// Past store.QueueCountCap submissions the queue says "1,000+" (the
// template escapes "+") and offers the next page instead of counting every
// one; a firm search found through the name index shows its rows.
func TestQueueCapsItsCount(t *testing.T) {
	a := newTestApp(t)
	ctx := t.Context()
	lc, err := loadseed.Seed(ctx, a.store)
	if err != nil {
		t.Fatal(err)
	}
	// About half the load campaign's assessments wait for review.
	if err := loadseed.Grow(ctx, a.store, lc, 2600); err != nil {
		t.Fatal(err)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	for _, c := range []struct {
		lang, path string
		want       []string
	}{
		{"zh-CN", fmt.Sprintf("/review?campaign=%d", lc.ID), []string{"共 1,000&#43; 份", "第 1 页", `rel="next"`}},
		{"en", fmt.Sprintf("/review?campaign=%d&page=20", lc.ID), []string{"1,000&#43; in total", "Page 20", `rel="next"`}},
		{"en", fmt.Sprintf("/review?campaign=%d&firm=%s", lc.ID, url.QueryEscape("科技0004")), []string{"in total"}},
	} {
		auditor.lang = c.lang
		r := auditor.get(c.path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", c.path, r.Status)
		}
		mustContain(t, r.Body, c.want...)
		if m := queueRow.FindAllString(r.Body, -1); len(m) == 0 {
			t.Errorf("%s: no rows", c.path)
		}
	}
}
