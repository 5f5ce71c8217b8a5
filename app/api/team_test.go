package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

func TestAssignmentsAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ctx := context.Background()
	legal, err := ta.store.CreateUser(ctx, store.NewUser{Email: "legal@demo.local", Name: "法务小王", Password: "password1", Role: auth.FirmMember, FirmID: ta.member.FirmID})
	if err != nil {
		t.Fatal(err)
	}
	_, legalToken := ta.user(legal.Email)
	_, adminToken := ta.user("firmadmin@demo.local")
	r := ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, map[string]any{"campaign": ta.campaign})
	want(t, r, http.StatusCreated)
	a := decodeAssessment(t, r)
	theme, item := a.Items[0].Theme, a.Items[0].ID
	var other string
	for _, it := range a.Items {
		if it.Theme == theme && it.ID != item {
			other = it.ID
			break
		}
	}

	put := func(token string, entries ...map[string]any) resp {
		return ta.request(http.MethodPut, assessmentPath(a.ID, "/assignments"), token, map[string]any{"assignments": entries})
	}
	// The member who started it assigns the theme, the firm admin one item of it.
	want(t, put(ta.memberToken, map[string]any{"theme": theme, "user": "legal@demo.local"}), http.StatusOK)
	r = put(adminToken, map[string]any{"item": item, "user": "firmadmin@demo.local"})
	want(t, r, http.StatusOK)
	var got struct {
		Items map[string]struct{ Email, Name string } `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || got.Items[item].Email != "firmadmin@demo.local" || got.Items[other].Name != "法务小王" {
		t.Fatalf("assignments %s %v", r.Body, err)
	}
	// Each item of GET carries its assignee, or null.
	r = ta.get(assessmentPath(a.ID), ta.memberToken)
	want(t, r, http.StatusOK)
	var full struct {
		Items []struct {
			ID       string          `json:"id"`
			Assignee json.RawMessage `json:"assignee"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &full); err != nil {
		t.Fatal(err)
	}
	for _, it := range full.Items {
		s := string(it.Assignee)
		switch {
		case it.ID == item && s != `{"email":"firmadmin@demo.local","name":"Demo Firm Admin"}` && !strings.Contains(s, `"email":"firmadmin@demo.local"`):
			t.Errorf("%s: %s", it.ID, s)
		case it.ID == other && !strings.Contains(s, `"name":"法务小王"`):
			t.Errorf("%s: %s", it.ID, s)
		case len(it.Assignee) == 0:
			t.Errorf("%s has no assignee field", it.ID)
		}
	}

	// Refusals: all or nothing, naming the entry.
	for _, tt := range []struct {
		name    string
		token   string
		entries []map[string]any
		status  int
		field   string
	}{
		{"unknown theme", ta.memberToken, []map[string]any{{"item": other, "user": nil}, {"theme": "no-such-theme", "user": "legal@demo.local"}}, 422, "assignments[1].theme"},
		{"unknown item", ta.memberToken, []map[string]any{{"item": "no-such-item", "user": "legal@demo.local"}}, 422, "assignments[0].item"},
		{"an auditor is no member", ta.memberToken, []map[string]any{{"item": other, "user": "auditor@demo.local"}}, 422, "assignments[0].user"},
		{"a member who did not start it", legalToken, []map[string]any{{"item": other, "user": "legal@demo.local"}}, 403, ""},
		{"an auditor", ta.auditorToken, []map[string]any{{"item": other, "user": "legal@demo.local"}}, 403, ""},
		{"another firm", ta.otherFirm(), []map[string]any{{"item": other, "user": "legal@demo.local"}}, 404, ""},
	} {
		r := put(tt.token, tt.entries...)
		if r.Status != tt.status {
			t.Errorf("%s: %d %s", tt.name, r.Status, r.Body)
			continue
		}
		if tt.field != "" && r.errorOf(t)["field"] != tt.field {
			t.Errorf("%s: field %v", tt.name, r.errorOf(t)["field"])
		}
	}
	// The refused batch kept the first entry's target as it was.
	r = ta.get(assessmentPath(a.ID), ta.memberToken)
	if !strings.Contains(string(r.Body), `"name":"法务小王"`) {
		t.Error("a refused batch cleared an assignment")
	}
	// null clears the item's own assignee: the theme's applies again.
	r = put(ta.memberToken, map[string]any{"item": item, "user": nil})
	want(t, r, http.StatusOK)
	if err := json.Unmarshal(r.Body, &got); err != nil || got.Items[item].Email != "legal@demo.local" {
		t.Errorf("after clearing: %s", r.Body)
	}
}

func TestCommentsAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	r := ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, map[string]any{"campaign": ta.campaign})
	want(t, r, http.StatusCreated)
	a := decodeAssessment(t, r)
	item := a.Items[0].ID
	path := assessmentPath(a.ID, "/answers/", item, "/comments")

	r = ta.request(http.MethodPost, path, ta.memberToken, map[string]any{"body": "请 @auditor@demo.local 看看"})
	want(t, r, http.StatusCreated)
	var c1 struct {
		ID       uint   `json:"id"`
		Author   string `json:"author"`
		Role     string `json:"role"`
		Body     string `json:"body"`
		At       string `json:"at"`
		Mentions []uint `json:"mentions"`
	}
	if err := json.Unmarshal(r.Body, &c1); err != nil || c1.Role != "firm_member" || c1.Author != ta.member.Name || c1.At == "" {
		t.Fatalf("comment %s %v", r.Body, err)
	}
	// The auditor is a participant of the campaign, but the draft is not
	// theirs to see yet.
	if len(c1.Mentions) != 1 || c1.Mentions[0] != ta.auditor.ID {
		t.Errorf("mentions %v", c1.Mentions)
	}
	want(t, ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"body": "x"}), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPost, path, ta.otherFirm(), map[string]any{"body": "x"}), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPost, path, ta.memberToken, map[string]any{"body": strings.Repeat("字", 2001)}), http.StatusUnprocessableEntity, "invalid")
	want(t, ta.request(http.MethodPost, path, ta.memberToken, map[string]any{"body": ""}), http.StatusUnprocessableEntity, "invalid")
	want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/answers/no-such-item/comments"), ta.memberToken, map[string]any{"body": "x"}), http.StatusNotFound)
	r = ta.request(http.MethodPost, path, ta.memberToken, map[string]any{"body": strings.Repeat("字", 2001)}, "Accept-Language", "zh-CN")
	if msg, _ := r.errorOf(t)["message"].(string); !strings.Contains(msg, "2000") || !strings.Contains(msg, "讨论") {
		t.Errorf("zh message %q", msg)
	}

	// Edit within five minutes by the author only; then it is final.
	edit := assessmentPath(a.ID, "/comments/", jsonNumber(c1.ID))
	_, adminToken := ta.user("firmadmin@demo.local")
	want(t, ta.request(http.MethodPut, edit, adminToken, map[string]any{"body": "改"}), http.StatusForbidden, "forbidden")
	r = ta.request(http.MethodPut, edit, ta.memberToken, map[string]any{"body": "请审核员看看"})
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"edited_at":"`) {
		t.Errorf("edited: %s", r.Body)
	}
	ta.api.Work.Now = func() time.Time { return time.Now().Add(5*time.Minute + time.Second) }
	want(t, ta.request(http.MethodPut, edit, ta.memberToken, map[string]any{"body": "再改"}), http.StatusConflict, "final")
	want(t, ta.request(http.MethodDelete, edit, ta.memberToken, nil), http.StatusConflict, "final")
	ta.api.Work.Now = time.Now
	r = ta.request(http.MethodPost, path, adminToken, map[string]any{"body": "马上删"})
	want(t, r, http.StatusCreated)
	var c2 struct{ ID uint }
	_ = json.Unmarshal(r.Body, &c2)
	want(t, ta.request(http.MethodDelete, assessmentPath(a.ID, "/comments/", jsonNumber(c2.ID)), adminToken, nil), http.StatusNoContent)

	// Submitted: the campaign's auditor reads the thread, oldest first, and answers.
	for _, it := range a.Items {
		want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), ta.memberToken, map[string]any{"response": "compliant"}), http.StatusOK)
	}
	ta.attachRequired(a.ID, ta.memberToken)
	want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil), http.StatusOK)
	want(t, ta.request(http.MethodPost, path, ta.auditorToken, map[string]any{"body": "已阅"}), http.StatusCreated)
	r = ta.get(path, ta.auditorToken)
	want(t, r, http.StatusOK)
	var thread struct {
		Comments []struct {
			Body, Role, Author string
		} `json:"comments"`
	}
	if err := json.Unmarshal(r.Body, &thread); err != nil || len(thread.Comments) != 2 ||
		thread.Comments[0].Body != "请审核员看看" || thread.Comments[1].Role != "auditor" {
		t.Errorf("thread %s %v", r.Body, err)
	}
	stranger, err := ta.store.CreateUser(context.Background(), store.NewUser{Email: "a2@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	_, strangerToken := ta.user(stranger.Email)
	want(t, ta.get(path, strangerToken), http.StatusNotFound, "not_found")
}

func jsonNumber(id uint) string {
	b, _ := json.Marshal(id)
	return string(b)
}
