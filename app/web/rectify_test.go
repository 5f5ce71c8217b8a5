package web

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/auth"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
)

// submittedWithPlan starts the demo campaign as the demo member, answers
// every item compliant but the first (partial, with a plan due long ago)
// and submits it; it returns the assessment's id and the planned item.
func submittedWithPlan(t *testing.T, a *testApp, c *client) (string, string) {
	t.Helper()
	return submittedWithPlanOf(t, a, c, "张三")
}

// submittedWithPlanOf is submittedWithPlan with the plan's owner field.
func submittedWithPlanOf(t *testing.T, a *testApp, c *client, owner string) (string, string) {
	t.Helper()
	ctx := context.Background()
	id := startCampaign(t, c)
	attachRequired(t, c, id)
	member, err := a.store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseUint(id, 10, 32)
	sh, err := a.store.Sheet(ctx, member, uint(n))
	if err != nil {
		t.Fatal(err)
	}
	var in []store.AnswerInput
	item := ""
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v := scoring.Compliant
			if item == "" {
				item, v = it.ID, scoring.Partial
			}
			in = append(in, store.AnswerInput{ItemID: it.ID, Value: v})
		}
	}
	if _, err := a.store.SaveAnswers(ctx, member, uint(n), in); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SavePlan(ctx, member, uint(n), item, store.PlanInput{Measure: "修订隐私政策", Owner: owner, Due: "2020-01-01"}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.Submit(ctx, member, uint(n)); err != nil {
		t.Fatal(err)
	}
	return id, item
}

// TestRectificationPages: the firm reports a submitted assessment's plan
// done and attaches a file, the campaign's auditor reopens and then
// accepts it from the page, and the rectification shows closed on the
// fill-in page and the plans list. Another firm and another campaign's
// auditor find nothing; a stale form is refused with 409.
func TestRectificationPages(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id, item := submittedWithPlan(t, a, c)
	page := "/assessments/" + id + "/rectification"
	progress := "/assessments/" + id + "/plans/" + item + "/progress"
	verify := "/assessments/" + id + "/plans/" + item + "/verify"

	r := c.get(page)
	if r.Status != http.StatusOK {
		t.Fatalf("rectification page: %d", r.Status)
	}
	mustContain(t, r.Body, "整改进展", "修订隐私政策", "逾期", `action="`+progress+`"`, `name="version" value="1"`)
	mustContain(t, c.get("/assessments/"+id).Body, `href="/assessments/`+id+`/rectification#plan-`+item+`"`)

	a.addFirmUser("other@firm.test", "别家科技有限公司", "91350100M000100Y43")
	other := a.client()
	other.login("other@firm.test")
	if r := other.get(page); r.Status != http.StatusNotFound {
		t.Errorf("another firm sees the page: %d", r.Status)
	}
	if r := other.post(progress, url.Values{"status": {"done"}, "version": {"1"}}); r.Status != http.StatusNotFound {
		t.Errorf("another firm reports progress: %d", r.Status)
	}

	r = c.post(progress, url.Values{"status": {"done"}, "note": {"新版隐私政策已上线"}, "version": {"1"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != page+"#plan-"+item {
		t.Fatalf("report done: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = c.post(progress, url.Values{"note": {"补充"}, "version": {"1"}})
	if r.Status != http.StatusConflict {
		t.Fatalf("a stale form: %d", r.Status)
	}
	mustContain(t, r.Body, "您的提交未保存", "补充")
	if r := c.upload("/assessments/"+id+"/plans/"+item+"/evidence", "file", "整改截图.txt", []byte("整改后截图说明")); r.Status != http.StatusSeeOther {
		t.Fatalf("plan evidence: %d %s", r.Status, r.Body)
	}
	r = c.get(page)
	mustContain(t, r.Body, "整改截图.txt", "新版隐私政策已上线", "已完成")
	if strings.Contains(r.Body, `action="`+verify+`"`) {
		t.Error("the firm is offered the verification form")
	}
	if r := c.post(verify, url.Values{"decision": {"accept"}, "version": {"2"}}); r.Status != http.StatusForbidden {
		t.Errorf("the firm verifies: %d", r.Status)
	}

	ctx := context.Background()
	if _, err := a.store.CreateUser(ctx, store.NewUser{Email: "a2@demo.local", Name: "另一审核员", Password: store.DemoPassword, Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	stranger := a.client()
	stranger.login("a2@demo.local")
	if r := stranger.get(page); r.Status != http.StatusNotFound {
		t.Errorf("another campaign's auditor sees the page: %d", r.Status)
	}
	if r := stranger.post(verify, url.Values{"decision": {"accept"}, "version": {"2"}}); r.Status != http.StatusNotFound {
		t.Errorf("another campaign's auditor verifies: %d", r.Status)
	}

	aud := a.client()
	aud.login("auditor@demo.local")
	r = aud.get(page)
	mustContain(t, r.Body, `action="`+verify+`"`, `value="accept"`, `value="reopen"`)
	r = aud.post(verify, url.Values{"decision": {"reopen"}, "version": {"2"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reopen without a comment: %d", r.Status)
	}
	mustContain(t, r.Body, "退回整改时必须写明还缺少什么。")
	// The review page has the same decision on the plan, in a form of its own.
	mustContain(t, aud.get("/assessments/"+id+"/review").Body, `<form id="verify-`+item+`" method="post" action="`+verify+`">`,
		`form="verify-`+item+`" name="decision" value="reopen"`)
	if strings.Contains(c.get("/assessments/"+id).Body, `id="verify-`) {
		t.Error("the firm's page offers the verification")
	}
	r = aud.post(verify, url.Values{"decision": {"reopen"}, "comment": {"缺少弹窗截图"}, "version": {"2"}, "back": {"review"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"/review#item-"+item {
		t.Fatalf("reopen from the review page: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	// The firm reads why, and reports again.
	mustContain(t, c.get(page).Body, "缺少弹窗截图", "退回整改")
	if r := c.post(progress, url.Values{"status": {"done"}, "note": {"已补截图"}, "version": {"3"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report again: %d %s", r.Status, r.Body)
	}
	// Done again: the queue's filter finds it, approved or not.
	if r := aud.get("/review?awaiting=1"); !strings.Contains(r.Body, `href="/assessments/`+id+`/review"`) || !strings.Contains(r.Body, `name="awaiting" value="1" checked`) {
		t.Errorf("the queue's awaiting filter lacks assessment %s", id)
	}
	if _, err := a.store.UserByEmail(ctx, "auditor@demo.local"); err != nil {
		t.Fatal(err)
	}
	member, _ := a.store.UserByEmail(ctx, "firm@demo.local")
	camps, err := a.store.Campaigns(ctx, member)
	if err != nil || len(camps) != 1 {
		t.Fatalf("campaigns: %v %v", camps, err)
	}
	dash := "/campaigns/" + strconv.FormatUint(uint64(camps[0].ID), 10) + "/dashboard"
	mustContain(t, aud.get(dash).Body, `id="dash-rectification"`, "整改闭环", "待验收",
		`<tr class="total"><th>合计</th><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td></td></tr>`)
	if r := aud.post(verify, url.Values{"decision": {"accept"}, "comment": {"同意销号"}, "version": {"4"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	mustContain(t, aud.get(page).Body, "整改完成", "已验收销号")
	mustContain(t, aud.get(dash).Body, `<tr class="total"><th>合计</th><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td></td></tr>`)
	if r := aud.get("/review?awaiting=1"); strings.Contains(r.Body, `href="/assessments/`+id+`/review"`) {
		t.Error("a verified plan still awaits verification in the queue")
	}
	mustContain(t, c.get("/assessments/"+id).Body, "整改完成")
	mustContain(t, c.get("/plans").Body, "已验收销号", "同意销号")
	if r := c.get(page); strings.Contains(r.Body, `action="`+progress+`"`) {
		t.Error("a verified plan still offers the progress form")
	}

	// The same page in English, with nothing of the Chinese interface.
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	r = en.get(page)
	mustContain(t, r.Body, "Rectification closed", "Verified", "Progress log")
	for _, zh := range []string{"整改完成", "整改记录"} {
		if strings.Contains(r.Body, zh) {
			t.Errorf("the English page shows %q", zh)
		}
	}
}

// The firm hears of the auditor's decision on a plan: a reopened plan and
// an accepted one each notify the firm's admins (the plan's owner is text,
// not an account).
func TestPlanDecisionsNotifyTheFirm(t *testing.T) {
	a := newTestApp(t)
	a.runOutbox(t)
	c := a.client()
	c.login("firm@demo.local")
	id, item := submittedWithPlan(t, a, c)
	admin := a.client()
	admin.login("firmadmin@demo.local")
	aud := a.client()
	aud.login("auditor@demo.local")
	progress := "/assessments/" + id + "/plans/" + item + "/progress"
	verify := "/assessments/" + id + "/plans/" + item + "/verify"
	waitBell(t, admin, "/team", "0")
	if r := c.post(progress, url.Values{"status": {"done"}, "note": {"已整改"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report done: %d %s", r.Status, r.Body)
	}
	if r := aud.post(verify, url.Values{"decision": {"reopen"}, "comment": {"缺少截图"}, "version": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reopen: %d %s", r.Status, r.Body)
	}
	waitBell(t, admin, "/team", "1")
	mustContain(t, admin.get("/notifications").Body, "退回了自查表 #"+id+" 的一项整改计划")
	if r := c.post(progress, url.Values{"status": {"done"}, "note": {"已补截图"}, "version": {"3"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report again: %d %s", r.Status, r.Body)
	}
	if r := aud.post(verify, url.Values{"decision": {"accept"}, "version": {"4"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	waitBell(t, admin, "/team", "2")
	mustContain(t, admin.get("/notifications").Body, "验收了自查表 #"+id+" 的一项整改计划（销号）")
}

// A plan whose owner field names an account (by e-mail or name): the
// auditor's decision is told to that person, not to the firm's admins.
func TestPlanDecisionsNotifyTheOwner(t *testing.T) {
	a := newTestApp(t)
	a.runOutbox(t)
	c := a.client()
	c.login("firm@demo.local")
	id, item := submittedWithPlanOf(t, a, c, "firm@demo.local")
	admin := a.client()
	admin.login("firmadmin@demo.local")
	aud := a.client()
	aud.login("auditor@demo.local")
	if r := c.post("/assessments/"+id+"/plans/"+item+"/progress", url.Values{"status": {"done"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report done: %d %s", r.Status, r.Body)
	}
	if r := aud.post("/assessments/"+id+"/plans/"+item+"/verify", url.Values{"decision": {"accept"}, "version": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	waitBell(t, c, "/plans", "1")
	mustContain(t, c.get("/notifications").Body, "验收了自查表 #"+id+" 的一项整改计划（销号）")
	if strings.Contains(admin.get("/notifications").Body, "验收了自查表") {
		t.Error("the firm admin is told although the plan names its owner")
	}
}

// The rectification report of a closed rectification carries the whole
// record of each gap: the progress log, the completion date, the
// rectification files with their SHA-256, the auditor's verification, and
// how many days it took to close.
func TestRectificationReportRecordsTheLoop(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id, item := submittedWithPlan(t, a, c)
	progress := "/assessments/" + id + "/plans/" + item + "/progress"
	if r := c.post(progress, url.Values{"status": {"done"}, "note": {"新版隐私政策已上线"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("report done: %d %s", r.Status, r.Body)
	}
	proof := []byte("整改后截图说明")
	if r := c.upload("/assessments/"+id+"/plans/"+item+"/evidence", "file", "整改截图.txt", proof); r.Status != http.StatusSeeOther {
		t.Fatalf("plan evidence: %d %s", r.Status, r.Body)
	}
	aud := a.client()
	aud.login("auditor@demo.local")
	if r := aud.post("/assessments/"+id+"/plans/"+item+"/verify", url.Values{"decision": {"accept"}, "comment": {"同意销号"}, "version": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	r := c.get("/assessments/" + id + "/rectification.pdf")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("rectification report: %d", r.Status)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed to read the report back")
	}
	file := filepath.Join(t.TempDir(), "rectification.pdf")
	if err := os.WriteFile(file, []byte(r.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(strings.Join(strings.Fields(string(out)), ""), "-", "")
	today := time.Now().Format("2006-01-02")
	sum := sha256.Sum256(proof)
	for _, w := range []string{"已验收销号", "报告进展", "新版隐私政策已上线", "验收销号", "完成日期：" + today, "验收日期：" + today,
		"审核意见：同意销号", "整改截图.txt", hex.EncodeToString(sum[:]), "整改用时"} {
		if !strings.Contains(text, strings.ReplaceAll(w, "-", "")) {
			t.Errorf("the rectification report lacks %q", w)
		}
	}
	// The same data as a ledger: XLSX and CSV, one row per gap.
	mustContain(t, c.get("/assessments/"+id+"/score").Body, `href="/assessments/`+id+`/rectification.xlsx"`, `href="/assessments/`+id+`/rectification.csv"`)
	csvResp := c.get("/assessments/" + id + "/rectification.csv")
	if csvResp.Status != http.StatusOK || !strings.HasPrefix(csvResp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("ledger csv: %d %v", csvResp.Status, csvResp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvResp.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][len(rows[0])-1] != "整改证据" {
		t.Fatalf("ledger csv: %d rows, header %v", len(rows), rows[0])
	}
	row := strings.Join(rows[1], "|")
	for _, w := range []string{item, "修订隐私政策", "张三", today, "同意销号", "新版隐私政策已上线", "整改截图.txt", hex.EncodeToString(sum[:])} {
		if !strings.Contains(row, w) {
			t.Errorf("the ledger's row lacks %q: %s", w, row)
		}
	}
	x := c.get("/assessments/" + id + "/rectification.xlsx")
	book, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatalf("ledger xlsx: %d %v", x.Status, err)
	}
	defer book.Close()
	xrows, err := book.GetRows("整改台账")
	if err != nil || len(xrows) != 2 || !strings.Contains(strings.Join(xrows[1], "|"), hex.EncodeToString(sum[:])) {
		t.Errorf("ledger xlsx: %v %v", xrows, err)
	}
	if !strings.Contains(x.Header.Get("Content-Disposition"), "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6") { // 整改台账
		t.Errorf("ledger file name: %s", x.Header.Get("Content-Disposition"))
	}
}
