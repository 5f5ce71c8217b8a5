package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// Issue 19, item 2: an admin sees who is locked out from where, lifts the
// lock, and the person gets in at once; the lifting is in the audit log.
func TestAdminSeesAndLiftsLoginLocks(t *testing.T) {
	a, _ := secApp(t, Config{BehindProxy: true}, false)
	for range auth.MaxPairFailures {
		secLogin(secClient(a), "firm@demo.local", "wrong-password", "203.0.113.9")
	}
	if r := secLogin(secClient(a), "firm@demo.local", store.DemoPassword, "203.0.113.9"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("not locked: %d", r.Status)
	}
	root := secClient(a)
	root.login("admin@demo.local")
	page := root.get("/admin/locks")
	if page.Status != http.StatusOK {
		t.Fatalf("/admin/locks: %d", page.Status)
	}
	mustContain(t, page.Body, "登录锁定", "地址对账号锁定", "firm@demo.local", "203.0.113.9", `action="/admin/locks/clear"`)
	r := root.post("/admin/locks/clear", url.Values{"kind": {"pair"}, "account": {"firm@demo.local"}, "address": {"203.0.113.9"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("clear: %d", r.Status)
	}
	mustContain(t, root.get("/admin/locks").Body, "已解除锁定", "当前没有锁定")
	if r := secLogin(secClient(a), "firm@demo.local", store.DemoPassword, "203.0.113.9"); r.Status != http.StatusSeeOther {
		t.Errorf("still locked after the admin lifted it: %d", r.Status)
	}
	admin, _ := a.store.UserByEmail(context.Background(), "admin@demo.local")
	evs, _, err := a.store.AuditLog(context.Background(), admin, store.AuditFilter{Action: store.AuditLoginUnlocked})
	if err != nil || len(evs) != 1 || evs[0].Actor != "admin@demo.local" {
		t.Errorf("audit log: %+v %v", evs, err)
	}
	mustContain(t, root.get("/admin/audit").Body, "解除登录锁定")
	if r := root.post("/admin/locks/clear", url.Values{"kind": {"everything"}}); r.Status != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d", r.Status)
	}
	root.lang = "en"
	mustContain(t, root.get("/admin/locks").Body, "Login locks", "No locks in force")
}
