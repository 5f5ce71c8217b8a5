package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"selfcheck/app/auth"
)

// Issue 19, item 2, in the API: an admin lists the locks and lifts one.
func TestLoginLocksEndpoints(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ctx := context.Background()
	now := time.Now()
	for range auth.MaxPairFailures {
		if err := ta.store.RecordLoginFailure(ctx, "firm@demo.local", "203.0.113.9", now); err != nil {
			t.Fatal(err)
		}
	}
	r := ta.get("/api/v1/login-locks", ta.adminToken)
	want(t, r, http.StatusOK)
	var list struct {
		Locks []loginLockView `json:"locks"`
	}
	json.Unmarshal(r.Body, &list)
	if len(list.Locks) != 2 || list.Locks[0].Kind != "pair" || list.Locks[0].Address != "203.0.113.9" || list.Locks[1].Kind != "account" {
		t.Fatalf("locks: %s", r.Body)
	}
	want(t, ta.request(http.MethodPost, "/api/v1/login-locks/clear", ta.adminToken, map[string]any{"kind": "pair", "account": "firm@demo.local"}), http.StatusUnprocessableEntity, "invalid")
	r = ta.request(http.MethodPost, "/api/v1/login-locks/clear", ta.adminToken, map[string]any{"kind": "account", "account": "firm@demo.local"})
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"cleared":5`) {
		t.Errorf("clear: %s", r.Body)
	}
	r = ta.get("/api/v1/login-locks", ta.adminToken)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"locks":[]`) {
		t.Errorf("locks after clearing: %s", r.Body)
	}
	if _, ok, _ := ta.store.LoginAllowed(ctx, "firm@demo.local", "203.0.113.9", now); !ok {
		t.Error("still locked")
	}
}
