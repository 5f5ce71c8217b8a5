package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"selfcheck/app/store"
)

// Issue 19, item 7, in the API: POST /team with another firm's user's
// e-mail answers as for a new address (201, the same fields, a generated
// password) instead of 409 "duplicate", and changes nothing of that
// account. The auditor's address (no firm) is held the same way.
func TestAddingAnotherFirmsUserRevealsNothingInTheAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ta.otherFirm()
	_, tok := ta.user("firmadmin@demo.local")
	fields := func(r resp) map[string]bool {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
		out := map[string]bool{}
		for k := range m {
			out[k] = true
		}
		return out
	}
	fresh := ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": "mate@demo.local", "name": "同事", "role": "firm_member", "generate": true})
	want(t, fresh, http.StatusCreated)
	before, _ := ta.store.UserByEmail(context.Background(), "other@firm.test")
	for _, email := range []string{"other@firm.test", "auditor@demo.local"} {
		r := ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": email, "name": "同事", "role": "firm_member", "generate": true})
		want(t, r, http.StatusCreated)
		if f, g := fields(fresh), fields(r); len(f) != len(g) {
			t.Errorf("%s: fields %v, a new address gets %v", email, g, f)
		}
	}
	after, _ := ta.store.UserByEmail(context.Background(), "other@firm.test")
	if after.PasswordHash != before.PasswordHash || *after.FirmID != *before.FirmID {
		t.Error("the other firm's account changed")
	}
	evs, _, err := ta.store.AuditLog(context.Background(), ta.admin, store.AuditFilter{Action: store.AuditMemberHeld})
	if err != nil || len(evs) != 2 {
		t.Errorf("held requests in the audit log: %d %v", len(evs), err)
	}
	// A member of the firm's own team, whom the team list shows anyway, is
	// still a conflict: nothing is hidden that the caller cannot see.
	want(t, ta.request(http.MethodPost, "/api/v1/team", tok, map[string]any{"email": "firm@demo.local", "name": "甲", "role": "firm_member", "generate": true}), http.StatusConflict, "duplicate")
}
