package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
)

// webCycleChecklist is a small theme in two versions: the second rewords
// wc-1 and adds wc-3.
func webCycleChecklist(v2 bool) string {
	text, extra, version := "告知收集目的。", "", "1"
	if v2 {
		text, version = "以显著方式告知收集目的。", "2"
		extra = `      - id: wc-3
        text: {zh: 新增的检查项。, en: A new item.}
        weight: 1
        severity: low
        basis: [{source: pipl}]
        guidance: {zh: 查看。, en: Look.}
        evidence: {zh: 截图, en: Screenshots}
`
	}
	return `id: webcycle
version: "` + version + `"
title: {zh: 复查测试, en: Cycle test}
sources:
  - id: pipl
    title: {zh: 个人信息保护法, en: PIPL}
sections:
  - id: main
    title: {zh: 主要, en: Main}
    items:
      - id: wc-1
        text: {zh: ` + text + `, en: The purpose is told.}
        weight: 2
        severity: high
        basis: [{source: pipl}]
        guidance: {zh: 查看。, en: Look.}
        evidence: {zh: 截图, en: Screenshots}
      - id: wc-2
        text: {zh: 提供撤回同意的方式。, en: Consent can be withdrawn.}
        weight: 1
        severity: medium
        basis: [{source: pipl}]
        guidance: {zh: 查看。, en: Look.}
        evidence: {zh: 截图, en: Screenshots}
` + extra
}

var cycleWasField = regexp.MustCompile(`name="was\.([^"]+)" value="([^"]*)"`)

// The next cycle in the pages: an admin creates the follow-up campaign
// from the campaign page; the start page offers the firm's approved
// assessment; the fill-in page marks the reworded item (old and new text
// side by side) and the new one, and each carried answer to confirm; the
// submit page lists them; ticking "still holds" and saving confirms them.
func TestNextCycleWeb(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	user := func(email string) *store.User {
		u, err := a.store.UserByEmail(ctx, email)
		must(err)
		return u
	}
	admin, member, auditor := user("admin@demo.local"), user("firm@demo.local"), user("auditor@demo.local")
	_, err := a.server.Work.UploadChecklist(ctx, principal(admin), "webcycle.yaml", []byte(webCycleChecklist(false)))
	must(err)
	c1, err := a.store.CreateCampaign(ctx, admin, store.NewCampaign{NameZH: "首轮专项", Themes: []string{"webcycle"}, StartsOn: "2025-01-01",
		Deadline: "2099-12-31", FirmIDs: []uint{*member.FirmID}, AuditorIDs: []uint{auditor.ID}})
	must(err)

	m := a.client()
	m.login("firm@demo.local")
	r := m.post("/assessments", url.Values{"campaign": {fmt.Sprint(c1)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	var a1 uint
	fmt.Sscanf(r.Header.Get("Location"), "/assessments/%d", &a1)
	_, err = a.store.SaveAnswers(ctx, member, a1, []store.AnswerInput{{ItemID: "wc-1", Value: scoring.Compliant, Note: "首页弹窗说明"},
		{ItemID: "wc-2", Value: scoring.Compliant}})
	must(err)
	must(a.store.Submit(ctx, member, a1))
	must(a.server.Work.Review(ctx, principal(auditor), a1, assessment.Decision{Action: assessment.Approve}))
	_, err = a.server.Work.UploadChecklist(ctx, principal(admin), "webcycle.yaml", []byte(webCycleChecklist(true)))
	must(err)

	ad := a.client()
	ad.login("admin@demo.local")
	if !strings.Contains(ad.get("/admin/campaigns").Body, fmt.Sprintf(`action="/admin/campaigns/%d/follow-up"`, c1)) {
		t.Fatal("the campaign page has no follow-up form")
	}
	r = ad.post(fmt.Sprintf("/admin/campaigns/%d/follow-up", c1), url.Values{"name_zh": {"复查专项"}, "starts_on": {"2026-01-01"}, "deadline": {"2025-01-01"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("follow-up with the deadline first: %d", r.Status)
	}
	r = ad.post(fmt.Sprintf("/admin/campaigns/%d/follow-up", c1), url.Values{"name_zh": {"复查专项"}, "starts_on": {"2026-01-01"}, "deadline": {"2099-12-31"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("follow-up: %d %s", r.Status, r.Body)
	}
	mustContain(t, ad.get("/admin/campaigns").Body, "复查自：首轮专项")
	if r := m.post(fmt.Sprintf("/admin/campaigns/%d/follow-up", c1), url.Values{"name_zh": {"x"}, "starts_on": {"2026-01-01"}, "deadline": {"2099-12-31"}}); r.Status != http.StatusForbidden {
		t.Errorf("a firm member posted a follow-up: %d", r.Status)
	}
	var c2 uint
	camps, err := a.store.Campaigns(ctx, admin)
	must(err)
	for _, c := range camps {
		if c.Follows == c1 {
			c2 = c.ID
		}
	}
	if c2 == 0 {
		t.Fatal("no follow-up campaign")
	}

	// The start page offers the approved assessment.
	offer := fmt.Sprintf(`name="carry_from.%d" value="%d"`, c2, a1)
	mustContain(t, m.get("/").Body, offer, "从上一轮自查（#"+fmt.Sprint(a1)+"，已通过）开始")
	r = m.post("/assessments", url.Values{"campaign": {fmt.Sprint(c2)}, fmt.Sprintf("carry_from.%d", c2): {fmt.Sprint(a1)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("start from the earlier assessment: %d %s", r.Status, r.Body)
	}
	var a2 uint
	fmt.Sscanf(r.Header.Get("Location"), "/assessments/%d", &a2)
	page := m.get(fmt.Sprintf("/assessments/%d?filter=all", a2)).Body
	mustContain(t, page, "检查项内容已修订", "<bdi>告知收集目的。</bdi>", "<bdi>以显著方式告知收集目的。</bdi>", "新增检查项",
		"待确认：", `name="confirm.wc-1"`, `name="confirm.wc-2"`, "首页弹窗说明")
	if strings.Contains(page, `name="confirm.wc-3"`) {
		t.Error("the new item is offered to confirm")
	}
	mustContain(t, m.get(fmt.Sprintf("/assessments/%d?filter=to_confirm", a2)).Body, `name="confirm.wc-2"`)
	mustContain(t, m.get(fmt.Sprintf("/assessments/%d/submit", a2)).Body, "沿用上一轮的答复，尚未确认", `data-unconfirmed="2"`, "沿用自上一轮的答复须逐项核对并保存后才能提交")

	// The same in English, with no Chinese label.
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	enPage := en.get(fmt.Sprintf("/assessments/%d?filter=all", a2)).Body
	mustContain(t, enPage, "Item text changed", "Last cycle", "This cycle", "New item", "To confirm:", "Checked: this answer still holds")
	for _, zh := range []string{"检查项内容已修订", "待确认", "新增检查项"} {
		if strings.Contains(enPage, zh) {
			t.Errorf("the English page shows %q", zh)
		}
	}

	// Another firm sees none of it.
	a.addFirmUser("other@firm.test", "别家", "91350100M000100Y43")
	o := a.client()
	o.login("other@firm.test")
	if r := o.get(fmt.Sprintf("/assessments/%d", a2)); r.Status != http.StatusNotFound {
		t.Errorf("another firm opens the follow-up: %d", r.Status)
	}

	// Saved with wc-1 ticked and wc-2 left alone: only wc-1 is confirmed.
	form := url.Values{"answer.wc-3": {"compliant"}, "confirm.wc-1": {"1"}}
	for _, f := range cycleWasField.FindAllStringSubmatch(page, -1) {
		form.Set("was."+f[1], f[2])
	}
	form.Set("answer.wc-1", "compliant")
	form.Set("note.wc-1", "首页弹窗说明")
	form.Set("answer.wc-2", "compliant")
	form.Set("note.wc-2", "")
	if r := m.post(fmt.Sprintf("/assessments/%d", a2), form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	sh, err := a.store.Sheet(ctx, member, a2)
	must(err)
	if !sh.Answers["wc-1"].Confirmed || sh.Answers["wc-1"].Version != 2 || !sh.Answers["wc-2"].ToConfirm() || sh.Answers["wc-3"].Value != scoring.Compliant {
		t.Fatalf("after the save: %+v", sh.Answers)
	}
	// The autosave of an unchanged answer (ticking the box sends it) confirms it too.
	r = m.fetch(fmt.Sprintf("/assessments/%d/answers/wc-2", a2), url.Values{"answer": {"compliant"}, "note": {""}, "version": {"1"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `"version":2`) {
		t.Fatalf("autosave confirming wc-2: %d %s", r.Status, r.Body)
	}
	if sh, _ := a.store.Sheet(ctx, member, a2); sh.Answers["wc-2"].ToConfirm() {
		t.Fatal("the autosave did not confirm wc-2")
	}
	form = url.Values{"confirm.wc-2": {"1"}, "action": {"submit"}, "answer.wc-1": {"compliant"}, "note.wc-1": {"首页弹窗说明"},
		"answer.wc-2": {"compliant"}, "note.wc-2": {""}, "answer.wc-3": {"compliant"}, "note.wc-3": {""}}
	for _, f := range cycleWasField.FindAllStringSubmatch(m.get(fmt.Sprintf("/assessments/%d?filter=all", a2)).Body, -1) {
		form.Set("was."+f[1], f[2])
	}
	if r := m.post(fmt.Sprintf("/assessments/%d", a2), form); r.Status != http.StatusSeeOther {
		t.Fatalf("confirm and submit: %d %s", r.Status, r.Body)
	}
	if sh, _ := a.store.Sheet(ctx, member, a2); sh.State != assessment.Submitted {
		t.Errorf("state after confirming every carried answer: %s", sh.State)
	}
}
