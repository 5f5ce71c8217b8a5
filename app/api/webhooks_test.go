package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A firm admin registers, lists and deletes a webhook; the secret is never
// answered; a wrong field is a 422 naming it; a firm admin may not name a
// campaign; an admin's campaign must exist.
func TestWebhooksAPI(t *testing.T) {
	ta := newTestAPI(t)
	_, firmAdmin := ta.user("firmadmin@demo.local")
	_, admin := ta.user("admin@demo.local")
	r := ta.request(http.MethodPost, Prefix+"/webhooks", firmAdmin, map[string]any{
		"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "secret": "SECxyz", "events": []string{"submitted", "rejected"}})
	want(t, r, http.StatusCreated)
	if strings.Contains(string(r.Body), "SECxyz") {
		t.Error("the answer shows the secret")
	}
	got := r.json(t)
	if got["kind"] != "dingtalk" || got["has_secret"] != true || got["firm"] == nil || got["campaign"] != nil {
		t.Errorf("created: %s", r.Body)
	}
	list := ta.get(Prefix+"/webhooks", firmAdmin)
	want(t, list, http.StatusOK)
	if !strings.Contains(string(list.Body), "oapi.dingtalk.com") || strings.Contains(string(list.Body), "SECxyz") {
		t.Errorf("list: %s", list.Body)
	}
	if a := ta.get(Prefix+"/webhooks", admin); strings.Contains(string(a.Body), "dingtalk") {
		t.Errorf("the admins see a firm's webhook: %s", a.Body)
	}
	for _, c := range []struct {
		body  map[string]any
		token string
		field string
	}{
		{map[string]any{"kind": "slack", "url": "https://x.example", "events": []string{"submitted"}}, firmAdmin, "kind"},
		{map[string]any{"kind": "generic", "url": "gopher://x.example", "events": []string{"submitted"}}, firmAdmin, "url"},
		{map[string]any{"kind": "generic", "url": "https://x.example", "events": []string{"teatime"}}, firmAdmin, "events"},
		{map[string]any{"kind": "generic", "url": "https://x.example", "events": []string{"submitted"}, "campaign": 1}, firmAdmin, "campaign"},
		{map[string]any{"kind": "generic", "url": "https://x.example", "events": []string{"submitted"}, "campaign": 99999}, admin, "campaign"},
	} {
		r := ta.request(http.MethodPost, Prefix+"/webhooks", c.token, c.body)
		want(t, r, http.StatusUnprocessableEntity)
		if f := r.errorOf(t)["field"]; f != c.field {
			t.Errorf("%v: field %v, want %s", c.body, f, c.field)
		}
	}
	id := int(got["id"].(float64))
	want(t, ta.request(http.MethodDelete, Prefix+"/webhooks/"+itoa(id), admin, nil), http.StatusNotFound)
	want(t, ta.request(http.MethodDelete, Prefix+"/webhooks/"+itoa(id), firmAdmin, nil), http.StatusNoContent)
	want(t, ta.request(http.MethodDelete, Prefix+"/webhooks/"+itoa(id), firmAdmin, nil), http.StatusNotFound)
}

func itoa(n int) string { return strconv.Itoa(n) }

// An admin sets a campaign's reminder days; a day out of range is a 422.
func TestReminderDaysAPI(t *testing.T) {
	ta := newTestAPI(t)
	admin, token := ta.user("admin@demo.local")
	camps, err := ta.store.Campaigns(context.Background(), admin)
	if err != nil || len(camps) == 0 {
		t.Fatalf("campaigns: %v %v", camps, err)
	}
	path := Prefix + "/campaigns/" + itoa(int(camps[0].ID)) + "/reminders"
	r := ta.request(http.MethodPut, path, token, map[string]any{"days": []int{3, 14, 3}})
	want(t, r, http.StatusOK)
	if string(r.Body) != `{"days":[14,3]}`+"\n" {
		t.Errorf("days: %s", r.Body)
	}
	r = ta.request(http.MethodPut, path, token, map[string]any{"days": []int{0}})
	want(t, r, http.StatusUnprocessableEntity)
	if f := r.errorOf(t)["field"]; f != "days" {
		t.Errorf("field %v", f)
	}
	want(t, ta.request(http.MethodPut, Prefix+"/campaigns/99999/reminders", token, map[string]any{"days": []int{7}}), http.StatusNotFound)
}
