package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var evidenceLink = regexp.MustCompile(`"url":"(/assessments/\d+/evidence/\d+)"`)

func TestEvidenceUploadAndDownload(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	item := itemField.FindStringSubmatch(firm.get("/assessments/" + id).Body)[1]
	pdf := []byte("%PDF-1.4\n% 整改前后截图\n%%EOF\n")

	up := func(c *client, name string, content []byte) resp {
		return c.uploadJSON("/assessments/"+id+"/answers/"+item+"/evidence", name, content)
	}
	r := up(firm, "整改截图.pdf", pdf)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var got struct {
		Name, SHA256 string
		Size         int64
	}
	json.Unmarshal([]byte(r.Body), &got)
	if got.Name != "整改截图.pdf" || got.Size != int64(len(pdf)) || len(got.SHA256) != 64 {
		t.Errorf("upload answer: %s", r.Body)
	}
	link := evidenceLink.FindStringSubmatch(r.Body)[1]

	for _, bad := range []struct{ name, body, want string }{
		{"report.pdf", "<html><script>alert(1)</script></html>", "不接受 HTML"},
		{"notes.txt", "<svg onload=alert(1)></svg>", "SVG"},
		{"setup.pdf", "MZ\x90\x00 this is a windows program", "可执行"},
		{"empty.pdf", "", "请选择要上传的文件"},
	} {
		r := up(firm, bad.name, []byte(bad.body))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, bad.want) {
			t.Errorf("%s: %d %s", bad.name, r.Status, r.Body)
		}
	}
	// The refused files left nothing behind.
	page := firm.get("/assessments/" + id).Body
	if strings.Count(page, `href="/assessments/`+id+`/evidence/`) != 1 {
		t.Error("a refused upload was stored")
	}

	dl := firm.get(link)
	if dl.Status != http.StatusOK || dl.Body != string(pdf) || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	if !strings.Contains(dl.Header.Get("Content-Disposition"), "filename*=UTF-8''%E6%95%B4%E6%94%B9") {
		t.Errorf("the Chinese file name is lost: %s", dl.Header.Get("Content-Disposition"))
	}

	other := a.client()
	other.login("other@firm.local")
	if r := other.get(link); r.Status != http.StatusNotFound {
		t.Errorf("another firm downloads evidence: %d", r.Status)
	}
	if r := up(other, "x.pdf", pdf); r.Status != http.StatusNotFound {
		t.Errorf("another firm uploads evidence: %d", r.Status)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	if r := auditor.get(link); r.Status != http.StatusNotFound {
		t.Errorf("the auditor downloads a draft's evidence: %d", r.Status)
	}
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if r := auditor.get(link); r.Status != http.StatusOK || r.Body != string(pdf) {
		t.Errorf("the campaign's auditor cannot download the evidence: %d", r.Status)
	}
	// Submitted: no more uploads, and the refusal says why.
	if r := up(firm, "late.pdf", pdf); r.Status != http.StatusConflict || !strings.Contains(r.Body, "已提交") {
		t.Errorf("upload after submit: %d %s", r.Status, r.Body)
	}
}

// Two members on one item: the second save, made against the version both
// loaded, is refused with the first member's answer; nothing is overwritten.
func TestAutosaveConflict(t *testing.T) {
	a := newTestApp(t)
	alice := a.client()
	alice.login("firm@demo.local")
	id := start(t, alice, "popups")
	popups, _ := a.catalog.Get("popups")
	item := popups.Items()[0].ID
	bob := a.client()
	bob.login("firmadmin@demo.local")

	r := alice.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {"首页弹窗关闭按钮偏小"}, "version": {"0"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"version":1`) {
		t.Fatalf("first save: %d %s", r.Status, r.Body)
	}
	r = bob.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"compliant"}, "version": {"0"}})
	if r.Status != http.StatusConflict {
		t.Fatalf("stale save: %d %s", r.Status, r.Body)
	}
	mustContain(t, r.Body, "示例合规专员", "部分符合", "首页弹窗关闭按钮偏小")
	page := alice.get("/assessments/" + id).Body
	mustContain(t, page, `value="partial" checked`, "示例合规专员 于")
	// Bob saves knowingly over it with the current version.
	if r := bob.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"compliant"}, "version": {"1"}}); r.Status != http.StatusOK {
		t.Errorf("save with the current version: %d", r.Status)
	}

	// The whole history is on the timeline.
	tl := alice.get("/assessments/" + id + "/timeline")
	if tl.Status != http.StatusOK {
		t.Fatalf("timeline: %d", tl.Status)
	}
	mustContain(t, tl.Body, item, "示例合规专员", "示例合规负责人", "部分符合", "符合", "首页弹窗关闭按钮偏小")
}

func TestPlansPageAndCampaigns(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	c := a.client()
	c.login("firm@demo.local")
	home := c.get("/").Body
	mustContain(t, home, "2021 互联网行业专项整治 自查", "尚未开始")
	id := start(t, c, "popups")
	popups, _ := a.catalog.Get("popups")
	late, soon := popups.Items()[0].ID, popups.Items()[1].ID
	for _, it := range []string{late, soon} {
		c.fetch("/assessments/"+id+"/answers/"+it, url.Values{"answer": {"non_compliant"}})
	}
	for it, due := range map[string]string{late: "2020-01-31", soon: "2099-12-31"} {
		r := c.fetch("/assessments/"+id+"/answers/"+it+"/plan", url.Values{"measure": {"整改措施 " + it}, "owner": {"王五"}, "due": {due}, "status": {"in_progress"}})
		if r.Status != http.StatusOK {
			t.Fatalf("plan %s: %d %s", it, r.Status, r.Body)
		}
	}
	r := c.fetch("/assessments/"+id+"/answers/"+late+"/plan", url.Values{"measure": {"x"}, "owner": {"王五"}, "due": {"2030-02-30"}, "status": {"open"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "完成期限") {
		t.Errorf("plan with an impossible due date: %d %s", r.Status, r.Body)
	}
	plans := c.get("/plans").Body
	i, j := strings.Index(plans, "整改措施 "+late), strings.Index(plans, "整改措施 "+soon)
	if i < 0 || j < 0 || i > j {
		t.Fatalf("plans not listed by due date:\n%s", plans)
	}
	if strings.Count(plans, `class="overdue-row"`) != 1 {
		t.Error("the overdue plan is not marked (or the other one is)")
	}
	other := a.client()
	other.login("other@firm.local")
	if strings.Contains(other.get("/plans").Body, "整改措施") {
		t.Error("another firm sees our plans")
	}
	if r := other.get("/assessments/" + id + "/timeline"); r.Status != http.StatusNotFound {
		t.Errorf("another firm reads the timeline: %d", r.Status)
	}
	if r := other.fetch("/assessments/"+id+"/answers/"+late+"/plan", url.Values{"measure": {"x"}, "owner": {"y"}, "due": {"2030-01-01"}, "status": {"open"}}); r.Status != http.StatusNotFound {
		t.Errorf("another firm writes a plan: %d", r.Status)
	}
}

// The auditor of the campaign reviews item by item and returns the
// assessment; the firm sees the comments beside the items, changes and
// resubmits; the auditor approves. Firms cannot review.
func TestReviewRoundTrip(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if r := firm.get("/assessments/" + id + "/review"); r.Status != http.StatusForbidden {
		t.Errorf("a firm member opens the review page: %d", r.Status)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	page := auditor.get("/assessments/" + id + "/review")
	if page.Status != http.StatusOK {
		t.Fatalf("review page: %d", page.Status)
	}
	item := regexp.MustCompile(`name="verdict\.([a-z0-9-]+)"`).FindStringSubmatch(page.Body)[1]
	r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"request_changes"}, "verdict." + item: {"needs_change"}})
	// The refusal is in the page's language (zh by default), with no English sentence from the rule.
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "审核结论未保存：退回修改或驳回时必须填写审核意见。") || strings.Contains(r.Body, "comment is required") {
		t.Fatalf("request changes without a comment: %d", r.Status)
	}
	r = auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"request_changes"}, "comment": {"请补充弹窗关闭按钮截图"},
		"verdict." + item: {"needs_change"}, "comment." + item: {"缺少截图 <b>证据</b>"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("request changes: %d %s", r.Status, r.Body)
	}
	fill := firm.get("/assessments/" + id).Body
	mustContain(t, fill, "审核员退回修改", "请补充弹窗关闭按钮截图", "缺少截图 &lt;b&gt;证据&lt;/b&gt;", "退回修改")
	if r := firm.fetch("/assessments/"+id+"/answers/"+item, url.Values{"note": {"已补充截图"}}); r.Status != http.StatusOK {
		t.Fatalf("editing a returned assessment: %d", r.Status)
	}
	if r := firm.post("/assessments/"+id, url.Values{"action": {"submit"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", r.Status)
	}
	mustContain(t, auditor.get("/assessments/"+id+"/score").Body, "已重新提交")
	if r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	mustContain(t, firm.get("/assessments/"+id).Body, "已通过")
	if r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"reject"}, "comment": {"x"}}); r.Status != http.StatusConflict {
		t.Errorf("deciding an approved assessment again: %d", r.Status)
	}
	tl := firm.get("/assessments/" + id + "/timeline").Body
	mustContain(t, tl, "示例审核员", "请补充弹窗关闭按钮截图")
}
