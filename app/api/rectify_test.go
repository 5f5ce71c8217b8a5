package api

import (
	"fmt"
	"net/http"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// submittedWithPlan starts the demo campaign's assessment with one gap and
// its plan, answers the rest compliant and submits it.
func (ta *testAPI) submittedWithPlan() (uint, string) {
	ta.t.Helper()
	a := ta.start(map[string]any{"campaign": ta.campaign})
	item := a.Items[0].ID
	want(ta.t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), ta.memberToken, map[string]any{"response": "partial"}), http.StatusOK)
	want(ta.t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), ta.memberToken,
		map[string]any{"measure": "完善隐私政策", "owner": "张三", "due": "2020-01-01"}), http.StatusOK)
	for _, it := range a.Items[1:] {
		want(ta.t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), ta.memberToken, map[string]any{"response": "compliant"}), http.StatusOK)
	}
	ta.attachRequired(a.ID, ta.memberToken)
	want(ta.t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil), http.StatusOK)
	return a.ID, item
}

// TestPlanRectificationAPI takes a plan of a submitted assessment through
// every transition over HTTP: the firm reports it done, the campaign's
// auditor reopens it with a comment, the firm reports again, the auditor
// accepts it and the rectification is closed. Other firms, other
// campaigns' auditors and admins are refused on the way; stale versions
// are 409.
func TestPlanRectificationAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	id, item := ta.submittedWithPlan()
	other := ta.otherFirm()
	if _, err := ta.store.CreateUser(t.Context(), store.NewUser{Email: "a2@x.cn", Name: "另一审核员", Password: "password1", Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	_, otherAuditor := ta.user("a2@x.cn")
	plan := assessmentPath(id, "/plans/", item)
	progress, verify := plan+"/progress", plan+"/verify"

	r := ta.get(plan, ta.memberToken)
	want(t, r, http.StatusOK)
	if p := r.json(t); p["overdue"] != true || p["status"] != "open" || p["version"] != float64(1) {
		t.Fatalf("a plan past its due date: %v", p)
	}
	steps := []struct {
		name   string
		path   string
		token  string
		body   map[string]any
		status int
		code   string
		field  string
		rule   string
	}{
		{"another firm", progress, other, map[string]any{"status": "done", "version": 1}, 404, "not_found", "", ""},
		{"without a version", progress, ta.memberToken, map[string]any{"status": "done"}, 422, "invalid", "version", ""},
		{"an unknown status", progress, ta.memberToken, map[string]any{"status": "closed", "version": 1}, 422, "invalid", "status", ""},
		{"the firm cannot verify", progress, ta.memberToken, map[string]any{"status": "verified", "version": 1}, 422, "invalid", "status", "transition"},
		{"verify before done", verify, ta.auditorToken, map[string]any{"decision": "accept", "version": 1}, 422, "invalid", "status", "transition"},
		{"done", progress, ta.memberToken, map[string]any{"status": "done", "note": "已上线新版隐私政策", "version": 1}, 200, "", "", ""},
		{"a stale version", progress, ta.memberToken, map[string]any{"note": "补充", "version": 1}, 409, "conflict", "", ""},
		{"the firm on verify", verify, ta.memberToken, map[string]any{"decision": "accept", "version": 2}, 403, "forbidden", "", ""},
		{"another campaign's auditor", verify, otherAuditor, map[string]any{"decision": "accept", "version": 2}, 404, "not_found", "", ""},
		{"an admin", verify, ta.adminToken, map[string]any{"decision": "accept", "version": 2}, 403, "forbidden", "", ""},
		{"reopen without a comment", verify, ta.auditorToken, map[string]any{"decision": "reopen", "version": 2}, 422, "invalid", "comment", "needs_comment"},
		{"an unknown decision", verify, ta.auditorToken, map[string]any{"decision": "close", "version": 2}, 422, "invalid", "decision", "plan_decision"},
		{"a stale verification", verify, ta.auditorToken, map[string]any{"decision": "accept", "version": 1}, 409, "conflict", "", ""},
		{"reopen", verify, ta.auditorToken, map[string]any{"decision": "reopen", "comment": "缺少弹窗截图", "version": 2}, 200, "", "", ""},
		{"done again", progress, ta.memberToken, map[string]any{"status": "done", "note": "已补充截图", "version": 3}, 200, "", "", ""},
		{"accept", verify, ta.auditorToken, map[string]any{"decision": "accept", "comment": "同意销号", "version": 4}, 200, "", "", ""},
		{"a verified plan is closed", progress, ta.memberToken, map[string]any{"status": "in_progress", "version": 5}, 422, "invalid", "status", "transition"},
	}
	for _, s := range steps {
		r := ta.request(http.MethodPost, s.path, s.token, s.body)
		if s.code == "" {
			want(t, r, s.status)
			continue
		}
		want(t, r, s.status, s.code)
		e := r.errorOf(t)
		if s.field != "" && e["field"] != s.field {
			t.Errorf("%s: field %v, want %s", s.name, e["field"], s.field)
		}
		if s.rule != "" && e["rule"] != s.rule {
			t.Errorf("%s: rule %v, want %s", s.name, e["rule"], s.rule)
		}
		if s.code == "conflict" {
			if cur, _ := e["current"].(map[string]any); cur == nil || cur["version"] == float64(0) {
				t.Errorf("%s: no current plan in %v", s.name, e)
			}
		}
	}
	// The refusal speaks the caller's language.
	r = ta.request(http.MethodPost, progress, ta.memberToken, map[string]any{"status": "open", "version": 5}, "Accept-Language", "zh-CN")
	if e := r.errorOf(t); e["message"] != "检查项 "+item+"：整改状态不能从“已验收销号”改为“未开始”。" {
		t.Errorf("zh message: %v", e["message"])
	}

	r = ta.get(plan, ta.memberToken)
	want(t, r, http.StatusOK)
	p := r.json(t)
	if p["status"] != "verified" || p["review_comment"] != "同意销号" || p["verified_on"] == nil || p["done_on"] == nil || p["overdue"] != false {
		t.Errorf("the verified plan: %v", p)
	}
	var kinds []any
	for _, e := range p["log"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"])
	}
	if len(kinds) != 4 || kinds[0] != "progress" || kinds[1] != "reopened" || kinds[2] != "progress" || kinds[3] != "accepted" {
		t.Errorf("log kinds %v", kinds)
	}
	want(t, ta.get(plan, other), http.StatusNotFound)
	want(t, ta.get(plan, otherAuditor), http.StatusNotFound)

	a := ta.get(assessmentPath(id), ta.memberToken).json(t)
	if a["rectified_on"] == nil {
		t.Errorf("every plan verified, and rectified_on is %v", a["rectified_on"])
	}
	// The answers stay frozen.
	want(t, ta.request(http.MethodPut, assessmentPath(id, "/answers/", item), ta.memberToken, map[string]any{"response": "compliant"}), http.StatusConflict, "read_only")
}

// TestPlanEvidenceAfterSubmission: rectification files reach a submitted
// assessment's plan, while its answers' evidence stays frozen; other firms
// neither add nor read them.
func TestPlanEvidenceAfterSubmission(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	id, item := ta.submittedWithPlan()
	other := ta.otherFirm()
	want(t, ta.upload(assessmentPath(id, "/answers/", item, "/evidence"), ta.memberToken, "a.txt", []byte("答案材料")), http.StatusConflict, "read_only")
	want(t, ta.upload(assessmentPath(id, "/plans/", item, "/evidence"), other, "a.txt", []byte("别家")), http.StatusNotFound)
	want(t, ta.upload(assessmentPath(id, "/plans/", item, "/evidence"), ta.memberToken, "a.exe", []byte("MZ\x90\x00")), http.StatusUnprocessableEntity, "evidence_refused")
	r := ta.upload(assessmentPath(id, "/plans/", item, "/evidence"), ta.memberToken, "整改记录.txt", []byte("整改记录"))
	want(t, r, http.StatusCreated)
	url := r.Header.Get("Location")
	got := ta.get(url, ta.auditorToken)
	want(t, got, http.StatusOK)
	if string(got.Body) != "整改记录" {
		t.Errorf("downloaded %q", got.Body)
	}
	want(t, ta.get(url, other), http.StatusNotFound)
	ev := ta.get(assessmentPath(id, "/plans/", item), ta.auditorToken).json(t)["evidence"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["sha256"] == "" {
		t.Errorf("the plan's files: %v", ev)
	}

	// Reported done: the queue's filter and the dashboard's panel show it
	// awaiting verification.
	want(t, ta.request(http.MethodPost, assessmentPath(id, "/plans/", item, "/progress"), ta.memberToken, map[string]any{"status": "done", "version": 1}), http.StatusOK)
	q := ta.get(fmt.Sprintf("/api/v1/review-queue?awaiting_verification=true&campaign=%d", ta.campaign), ta.auditorToken)
	want(t, q, http.StatusOK)
	if rows, _ := q.json(t)["items"].([]any); len(rows) != 1 || rows[0].(map[string]any)["id"] != float64(id) {
		t.Errorf("awaiting verification: %s", q.Body)
	}
	d := ta.get(fmt.Sprintf("/api/v1/campaigns/%d/dashboard", ta.campaign), ta.auditorToken)
	want(t, d, http.StatusOK)
	total := d.json(t)["rectification"].(map[string]any)["total"].(map[string]any)
	if total["done_awaiting_verification"] != float64(1) || total["overdue"] != float64(0) || total["open"] != float64(0) {
		t.Errorf("dashboard rectification total: %v", total)
	}
}
