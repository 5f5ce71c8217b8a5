package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// submitted starts the demo campaign's assessment, answers every item
// compliant and submits it, returning its id and one item id.
func (ta *testAPI) submitted() (uint, string) {
	ta.t.Helper()
	a := ta.start(map[string]any{"campaign": ta.campaign})
	for _, it := range a.Items {
		r := ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), ta.memberToken, map[string]any{"response": "compliant", "version": 0})
		want(ta.t, r, http.StatusOK)
	}
	ta.attachRequired(a.ID, ta.memberToken)
	want(ta.t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil), http.StatusOK)
	return a.ID, a.Items[0].ID
}

func TestReviewDecisions(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	id, item := ta.submitted()
	path := assessmentPath(id, "/review")

	tests := []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"firm users cannot review", ta.memberToken, map[string]any{"decision": "approve"}, http.StatusForbidden, "forbidden", ""},
		{"unknown decision", ta.auditorToken, map[string]any{"decision": "maybe"}, http.StatusUnprocessableEntity, "invalid", "decision"},
		{"reject needs a comment", ta.auditorToken, map[string]any{"decision": "reject"}, http.StatusUnprocessableEntity, "invalid", "comment"},
		{"bad verdict", ta.auditorToken, map[string]any{"decision": "approve", "items": []any{map[string]any{"item": item, "verdict": "fine"}}}, http.StatusUnprocessableEntity, "invalid", "items"},
		{"unknown field", ta.auditorToken, map[string]any{"decision": "approve", "score": 100}, http.StatusBadRequest, "bad_request", ""},
		{"unknown item", ta.auditorToken, map[string]any{"decision": "approve", "items": []any{map[string]any{"item": "nope", "verdict": "accepted"}}}, http.StatusNotFound, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.request(http.MethodPost, path, tt.token, tt.body)
			want(t, r, tt.status, tt.code)
			if tt.field != "" && r.errorOf(t)["field"] != tt.field {
				t.Errorf("field %v, want %s", r.errorOf(t)["field"], tt.field)
			}
		})
	}
	// A refusal names the rule and speaks the caller's language: English
	// by default, Chinese when asked, never the other.
	for _, tt := range []struct{ lang, message string }{
		{"", "A comment is required to request changes or reject."},
		{"zh-CN,zh;q=0.9", "退回修改或驳回时必须填写审核意见。"},
	} {
		r := ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"decision": "reject"}, "Accept-Language", tt.lang)
		e := r.errorOf(t)
		if e["message"] != tt.message || e["rule"] != "required" || e["field"] != "comment" {
			t.Errorf("Accept-Language %q: %v", tt.lang, e)
		}
	}
	r := ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"decision": "approve", "items": []any{map[string]any{"item": item, "verdict": "fine"}}})
	if e := r.errorOf(t); e["item"] != item || e["rule"] != "one_of" {
		t.Errorf("a bad verdict names its item and rule: %v", e)
	}
	// Another auditor, not assigned to the campaign, cannot see it.
	if _, err := ta.store.CreateUser(t.Context(), store.NewUser{Email: "a2@x.cn", Name: "另一审核员", Password: "password1", Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	_, other := ta.user("a2@x.cn")
	want(t, ta.request(http.MethodPost, path, other, map[string]any{"decision": "approve"}), http.StatusNotFound, "not_found")

	r = ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"decision": "request_changes", "comment": "请补充证据",
		"items": []any{map[string]any{"item": item, "verdict": "needs_change", "comment": "缺少截图"}}})
	want(t, r, http.StatusOK)
	var got struct {
		State   string `json:"state"`
		Reviews []struct {
			State, Comment, Reviewer string
			Items                    []struct{ Item, Verdict, Comment string }
		} `json:"reviews"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.State != "changes_requested" || len(got.Reviews) != 1 || got.Reviews[0].Comment != "请补充证据" ||
		len(got.Reviews[0].Items) != 1 || got.Reviews[0].Items[0].Comment != "缺少截图" || got.Reviews[0].Reviewer != ta.auditor.Name {
		t.Fatalf("after request_changes: %s", r.Body)
	}
	// Not awaiting review now: 409 naming the state.
	want(t, ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"decision": "approve"}), http.StatusConflict)
	// The firm sees the history too, fixes and resubmits; the auditor approves.
	r = ta.get(assessmentPath(id), ta.memberToken)
	want(t, r, http.StatusOK)
	json.Unmarshal(r.Body, &got)
	if len(got.Reviews) != 1 {
		t.Errorf("the firm does not see the review: %s", r.Body)
	}
	want(t, ta.request(http.MethodPut, assessmentPath(id, "/answers/", item), ta.memberToken, map[string]any{"response": "compliant", "note": "已补充截图"}), http.StatusOK)
	want(t, ta.request(http.MethodPost, assessmentPath(id, "/submit"), ta.memberToken, nil), http.StatusOK)
	r = ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"decision": "approve"})
	want(t, r, http.StatusOK)
	json.Unmarshal(r.Body, &got)
	if got.State != "approved" || len(got.Reviews) != 2 {
		t.Errorf("after approve: %s", r.Body)
	}
}
