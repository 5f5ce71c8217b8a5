package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAdminEndpoints creates a firm, an account and a campaign through the
// API and refuses bad input with 422 naming the field, as the pages do.
func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	tok := ta.adminToken
	r := ta.request(http.MethodPost, "/api/v1/firms", tok, map[string]any{"name": "新公司", "credit_code": testCreditCode})
	want(t, r, http.StatusCreated)
	want(t, ta.request(http.MethodPost, "/api/v1/firms", tok, map[string]any{"name": "又一家", "credit_code": testCreditCode}), http.StatusConflict, "duplicate")

	r = ta.request(http.MethodPost, "/api/v1/users", tok, map[string]any{"email": "new@firm.test", "name": "新人", "role": "firm_member", "firm": testCreditCode, "generate": true})
	want(t, r, http.StatusCreated)
	var created struct {
		ID       uint   `json:"id"`
		Password string `json:"password"`
		Firm     *struct {
			CreditCode string `json:"credit_code"`
		} `json:"firm"`
	}
	json.Unmarshal(r.Body, &created)
	if len(created.Password) < 8 || created.Firm == nil || created.Firm.CreditCode != testCreditCode {
		t.Fatalf("created account: %s", r.Body)
	}
	r = ta.request(http.MethodPost, "/api/v1/users", tok, map[string]any{"email": "chosen@firm.test", "name": "自选", "role": "auditor", "password": "long enough"})
	want(t, r, http.StatusCreated)
	if strings.Contains(string(r.Body), "password") {
		t.Errorf("a password chosen by the admin is echoed: %s", r.Body)
	}
	want(t, ta.request(http.MethodPut, fmt.Sprintf("/api/v1/users/%d/role", created.ID), tok, map[string]any{"role": "firm_admin"}), http.StatusOK)

	r = ta.request(http.MethodPost, "/api/v1/campaigns", tok, map[string]any{"name": map[string]string{"zh": "接口专项"}, "themes": []string{"popups", "popups"},
		"starts_on": "2030-01-01", "deadline": "2030-02-01", "firms": []string{testCreditCode}, "auditors": []string{"auditor@demo.local"}})
	want(t, r, http.StatusCreated)
	var camp struct {
		ID       uint     `json:"id"`
		Themes   []string `json:"themes"`
		Auditors []string `json:"auditors"`
		Firms    []struct {
			CreditCode string `json:"credit_code"`
		} `json:"firms"`
	}
	json.Unmarshal(r.Body, &camp)
	if len(camp.Themes) != 1 || len(camp.Firms) != 1 || len(camp.Auditors) != 1 || r.Header.Get("Location") == "" {
		t.Fatalf("created campaign: %s", r.Body)
	}
	// Once the demo firm has started the demo campaign, it cannot leave it.
	ta.start(map[string]any{"campaign": ta.campaign})
	want(t, ta.request(http.MethodPut, fmt.Sprintf("/api/v1/campaigns/%d/firms", ta.campaign), tok, map[string]any{"firms": []string{}}), http.StatusUnprocessableEntity)

	for _, tc := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", "/firms", map[string]any{"name": "", "credit_code": testCreditCode}, "name"},
		{"POST", "/firms", map[string]any{"name": "某公司", "credit_code": "91110000600037341M"}, "credit_code"},
		{"POST", "/users", map[string]any{"email": "nope", "name": "甲", "role": "auditor", "generate": true}, "email"},
		{"POST", "/users", map[string]any{"email": "a@b.test", "name": "甲", "role": "chief", "generate": true}, "role"},
		{"POST", "/users", map[string]any{"email": "a@b.test", "name": "甲", "role": "firm_member", "generate": true}, "firm"},
		{"POST", "/users", map[string]any{"email": "a@b.test", "name": "甲", "role": "auditor", "password": "short"}, "password"},
		{"POST", fmt.Sprintf("/users/%d/disable", ta.admin.ID), nil, "id"},
		{"PUT", fmt.Sprintf("/users/%d/role", ta.member.ID), map[string]any{"role": "auditor"}, "role"},
		{"POST", "/campaigns", map[string]any{"name": map[string]string{"en": "x"}, "themes": []string{"popups"}, "starts_on": "2030-01-01", "deadline": "2030-02-01"}, "name_zh"},
		{"POST", "/campaigns", map[string]any{"name": map[string]string{"zh": "甲"}, "themes": []string{"nope"}, "starts_on": "2030-01-01", "deadline": "2030-02-01"}, "themes"},
		{"POST", "/campaigns", map[string]any{"name": map[string]string{"zh": "甲"}, "themes": []string{"popups"}, "starts_on": "2030-01-01", "deadline": "2029-02-01"}, "deadline"},
		{"POST", "/campaigns", map[string]any{"name": map[string]string{"zh": "甲"}, "themes": []string{"popups"}, "starts_on": "2030-01-01", "deadline": "2030-02-01", "firms": []string{"nobody"}}, "firms"},
		{"PUT", fmt.Sprintf("/campaigns/%d/auditors", ta.campaign), map[string]any{"auditors": []string{"firm@demo.local"}}, "auditors"},
		{"PUT", fmt.Sprintf("/campaigns/%d/firms", ta.campaign), map[string]any{}, "firms"},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.field, func(t *testing.T) {
			r := ta.request(tc.method, "/api/v1"+tc.path, tok, tc.body)
			want(t, r, http.StatusUnprocessableEntity)
			if got := r.errorOf(t)["field"]; got != tc.field {
				t.Errorf("field %v, want %s: %s", got, tc.field, r.Body)
			}
		})
	}
}

// TestTeamEndpoints: a firm admin lists, adds and removes their own firm's
// members, never themselves.
func TestTeamEndpoints(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	_, tok := ta.user("firmadmin@demo.local")
	r := ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": "mate@demo.local", "name": "同事", "role": "firm_member", "generate": true})
	want(t, r, http.StatusCreated)
	var nu struct {
		ID       uint   `json:"id"`
		Password string `json:"password"`
	}
	json.Unmarshal(r.Body, &nu)
	if nu.Password == "" {
		t.Fatalf("no generated password: %s", r.Body)
	}
	want(t, ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": "x@demo.local", "name": "甲", "role": "auditor", "generate": true}), http.StatusUnprocessableEntity)
	want(t, ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": "mate@demo.local", "name": "甲", "role": "firm_member", "generate": true}), http.StatusConflict, "duplicate")
	r = ta.get("/api/v1/team", tok)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), "mate@demo.local") || strings.Contains(string(r.Body), "auditor@demo.local") {
		t.Errorf("team: %s", r.Body)
	}
	want(t, ta.request(http.MethodDelete, fmt.Sprintf("/api/v1/team/%d", nu.ID), tok, nil), http.StatusNoContent)
	want(t, ta.request(http.MethodDelete, fmt.Sprintf("/api/v1/team/%d", nu.ID), tok, nil), http.StatusNotFound)
	want(t, ta.request(http.MethodDelete, fmt.Sprintf("/api/v1/team/%d", ta.auditor.ID), tok, nil), http.StatusNotFound)
}

// TestReviewerEndpoints: the queue with its filters, the dashboard, the
// results export, the firm's plans, the history and evidence removal.
func TestReviewerEndpoints(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"campaign": ta.campaign})
	item := a.Items[0].ID
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), ta.memberToken, map[string]any{"response": "non_compliant"}), http.StatusOK)
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), ta.memberToken, map[string]any{"measure": "整改", "owner": "张三", "due": "2020-01-01"}), http.StatusOK)
	up := ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), ta.memberToken, "a.txt", []byte("材料"))
	want(t, up, http.StatusCreated)
	var ev struct{ ID uint }
	json.Unmarshal(up.Body, &ev)
	want(t, ta.request(http.MethodDelete, assessmentPath(a.ID, "/answers/", a.Items[1].ID, fmt.Sprintf("/evidence/%d", ev.ID)), ta.memberToken, nil), http.StatusNotFound)
	want(t, ta.request(http.MethodDelete, assessmentPath(a.ID, "/answers/", item, fmt.Sprintf("/evidence/%d", ev.ID)), ta.memberToken, nil), http.StatusNoContent)
	up = ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), ta.memberToken, "b.txt", []byte("材料"))
	want(t, up, http.StatusCreated)
	for _, it := range a.Items[1:] {
		want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), ta.memberToken, map[string]any{"response": "compliant"}), http.StatusOK)
	}
	ta.attachRequired(a.ID, ta.memberToken)
	want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil), http.StatusOK)

	r := ta.get("/api/v1/plans", ta.memberToken)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"measure":"整改"`) {
		t.Errorf("plans: %s", r.Body)
	}
	r = ta.get(assessmentPath(a.ID, "/history"), ta.auditorToken)
	want(t, r, http.StatusOK)
	for _, s := range []string{`"field":"evidence"`, `"field":"state"`, `"field":"answer"`} {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("history lacks %s: %.400s", s, r.Body)
		}
	}

	for _, tc := range []struct {
		query string
		total int
	}{
		{"", 1}, {fmt.Sprintf("?campaign=%d", ta.campaign), 1}, {"?state=resubmitted", 0}, {"?grade=fail&sort=score&page=1", -1},
		{"?firm=" + strings.Repeat("无", 3), 0},
	} {
		r := ta.get("/api/v1/review-queue"+tc.query, ta.auditorToken)
		want(t, r, http.StatusOK)
		var q struct {
			Total int64 `json:"total"`
			Items []struct {
				ID uint `json:"id"`
			} `json:"items"`
		}
		json.Unmarshal(r.Body, &q)
		if tc.total >= 0 && int(q.Total) != tc.total {
			t.Errorf("queue%s: total %d, want %d: %s", tc.query, q.Total, tc.total, r.Body)
		}
	}
	for query, field := range map[string]string{"?state=draft": "state", "?sort=random": "sort", "?grade=A": "grade", "?page=0": "page", "?campaign=x": "campaign"} {
		r := ta.get("/api/v1/review-queue"+query, ta.auditorToken)
		want(t, r, http.StatusUnprocessableEntity)
		if got := r.errorOf(t)["field"]; got != field {
			t.Errorf("queue%s: field %v, want %s", query, got, field)
		}
	}

	r = ta.get(fmt.Sprintf("/api/v1/campaigns/%d/dashboard", ta.campaign), ta.auditorToken)
	want(t, r, http.StatusOK)
	var d struct {
		Submitted int `json:"submitted"`
		TopItems  []struct {
			Item string `json:"item"`
		} `json:"top_non_compliant"`
		Heat struct {
			Rows []struct {
				Assessment uint `json:"assessment"`
			} `json:"rows"`
		} `json:"heat_map"`
		Overdue struct {
			Count int `json:"count"`
		} `json:"overdue_plans"`
	}
	json.Unmarshal(r.Body, &d)
	if d.Submitted != 1 || len(d.TopItems) == 0 || d.TopItems[0].Item != item || len(d.Heat.Rows) != 1 || d.Overdue.Count != 1 {
		t.Errorf("dashboard: %s", r.Body)
	}
	want(t, ta.get(fmt.Sprintf("/api/v1/campaigns/%d/dashboard?page=x", ta.campaign), ta.auditorToken), http.StatusUnprocessableEntity)

	r = ta.get(fmt.Sprintf("/api/v1/campaigns/%d/results.csv?lang=en", ta.campaign), ta.auditorToken)
	want(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.Body), "Firm") || !strings.Contains(string(r.Body), item) {
		t.Errorf("results.csv: %s %.300s", r.Header.Get("Content-Type"), r.Body)
	}
	r = ta.get(fmt.Sprintf("/api/v1/campaigns/%d/results.xlsx", ta.campaign), ta.adminToken)
	want(t, r, http.StatusOK)
	if !strings.HasPrefix(string(r.Body), "PK") {
		t.Errorf("results.xlsx is not a workbook")
	}
}

// TestChecklistEndpoints: an admin uploads a theme through the API with the
// page's checks (a refusal lists every problem and stores nothing), sees it
// offered, and deletes it.
func TestChecklistEndpoints(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	bad := strings.Replace(miniChecklist("api-theme"), "weight: ", "weight: 9", 1)
	r := ta.upload("/api/v1/checklists", ta.adminToken, "api-theme.yaml", []byte(bad))
	want(t, r, http.StatusUnprocessableEntity, "invalid_checklist")
	if probs, _ := r.errorOf(t)["problems"].([]any); len(probs) == 0 || !strings.Contains(fmt.Sprint(probs[0]), "api-theme.yaml:") {
		t.Errorf("the refusal names no problem with file:line: %v", r.errorOf(t))
	}
	want(t, ta.upload("/api/v1/checklists", ta.adminToken, "api-theme.txt", []byte(miniChecklist("api-theme"))), http.StatusUnprocessableEntity, "invalid_checklist")
	want(t, ta.upload("/api/v1/checklists", ta.memberToken, "api-theme.yaml", []byte(miniChecklist("api-theme"))), http.StatusForbidden, "forbidden")

	r = ta.upload("/api/v1/checklists", ta.adminToken, "api-theme.yaml", []byte(miniChecklist("api-theme")))
	want(t, r, http.StatusCreated)
	if !strings.Contains(string(ta.get("/api/v1/checklists", ta.memberToken).Body), `"api-theme"`) {
		t.Error("the uploaded theme is not offered")
	}
	want(t, ta.request(http.MethodDelete, "/api/v1/checklists/api-theme", ta.adminToken, nil), http.StatusNoContent)
	want(t, ta.request(http.MethodDelete, "/api/v1/checklists/api-theme", ta.adminToken, nil), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodDelete, "/api/v1/checklists/popups", ta.adminToken, nil), http.StatusNotFound, "not_found")
}
