package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"selfcheck/app/notify"
)

// notifyAll runs the notifications subscriber over every stored event, as
// the outbox dispatcher does after the commits.
func (ta *testAPI) notifyAll() {
	ta.t.Helper()
	ctx := context.Background()
	evs, err := ta.store.EventsAfter(ctx, 0, 100000)
	if err != nil {
		ta.t.Fatal(err)
	}
	if err := (notify.Subscriber{Store: ta.store}).Handle(ctx, evs); err != nil {
		ta.t.Fatal(err)
	}
}

// The firm's user reads the decision on their submission; the auditor
// reads the submission; each only their own, and marks it read.
func TestNotifications(t *testing.T) {
	ta := newTestAPI(t)
	id, _ := ta.submitted()
	want(t, ta.request(http.MethodPost, assessmentPath(id, "/review"), ta.auditorToken,
		map[string]any{"decision": "reject", "comment": "不符合"}), http.StatusOK)
	ta.notifyAll()

	list := func(token string) []any {
		r := ta.get("/api/v1/notifications", token)
		want(t, r, http.StatusOK)
		return r.json(t)["notifications"].([]any)
	}
	mine := list(ta.memberToken)
	if len(mine) != 1 {
		t.Fatalf("member's notifications: %v", mine)
	}
	n := mine[0].(map[string]any)
	if n["event"] != "rejected" || n["link"] != fmt.Sprintf("/assessments/%d", id) || n["read"] != false || n["actor"] != ta.auditor.Name {
		t.Errorf("member's notification: %v", n)
	}
	aud := list(ta.auditorToken)
	if len(aud) != 1 || aud[0].(map[string]any)["event"] != "submitted" || aud[0].(map[string]any)["link"] != fmt.Sprintf("/assessments/%d/review", id) {
		t.Errorf("auditor's notifications: %v", aud)
	}
	if got := list(ta.otherFirm()); len(got) != 0 {
		t.Errorf("another firm's user reads %v", got)
	}

	nid := int64(n["id"].(float64))
	read := fmt.Sprintf("/api/v1/notifications/%d/read", nid)
	want(t, ta.request(http.MethodPost, read, ta.auditorToken, nil), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPost, "/api/v1/notifications/x/read", ta.memberToken, nil), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPost, read, "", nil), http.StatusUnauthorized)
	want(t, ta.request(http.MethodPost, read, ta.memberToken, nil), http.StatusNoContent)
	want(t, ta.request(http.MethodPost, read, ta.memberToken, nil), http.StatusNoContent)
	r := ta.get("/api/v1/notifications", ta.memberToken)
	if doc := r.json(t); doc["unread"] != float64(0) || doc["notifications"].([]any)[0].(map[string]any)["read"] != true {
		t.Errorf("after reading: %v", doc)
	}
	want(t, ta.get("/api/v1/notifications?limit=0", ta.memberToken), http.StatusUnprocessableEntity, "invalid")
	want(t, ta.get("/api/v1/notifications?before=-1", ta.memberToken), http.StatusUnprocessableEntity, "invalid")
}
