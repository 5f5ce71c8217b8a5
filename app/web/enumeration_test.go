package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"selfcheck/app/store"
)

// Issue 19, item 7: a firm admin adding another firm's user by e-mail got
// "已有账号使用 …", which told them the address is registered. Now the
// answer is the one a new address gets; the other account is untouched
// and the request waits in the audit log for an administrator.
func TestAddingAnotherFirmsUserRevealsNothing(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("other@elsewhere.local", "别家公司", validCode(t, "91440300MA5F0XYW1"))
	ctx := context.Background()
	before, err := a.store.UserByEmail(ctx, "other@elsewhere.local")
	if err != nil {
		t.Fatal(err)
	}
	boss := a.client()
	boss.login("firmadmin@demo.local")
	add := func(email string) resp {
		return boss.post("/team", url.Values{"email": {email}, "name": {"新同事"}, "role": {"firm_member"}, "generate": {"1"}})
	}
	fresh, taken := add("newbie@demo.local"), add("other@elsewhere.local")
	if fresh.Status != http.StatusOK || taken.Status != fresh.Status {
		t.Fatalf("a new address %d, another firm's %d", fresh.Status, taken.Status)
	}
	// Both pages list the team, which since the first add holds the new
	// member: that row is cut out, then the address and password asked
	// for, before comparing.
	same := func(r resp, email string) string {
		body := r.Body
		if i := strings.Index(body, `>newbie@demo.local<`); i >= 0 { // in its cell, wrapped or not
			start := strings.LastIndex(body[:i], "<tr")
			end := strings.Index(body[i:], "</tr>") + i + len("</tr>")
			body = body[:start] + body[end:]
		}
		body = strings.ReplaceAll(body, email, "EMAIL")
		return strings.ReplaceAll(body, shownPassword(t, r.Body), "PASSWORD")
	}
	if f, tk := same(fresh, "newbie@demo.local"), same(taken, "other@elsewhere.local"); f != tk {
		t.Errorf("the answers differ:\n--- new address\n%s\n--- another firm's\n%s", f, tk)
	}
	if strings.Contains(taken.Body, "已有账号") {
		t.Error("the answer says the address is taken")
	}
	after, err := a.store.UserByEmail(ctx, "other@elsewhere.local")
	if err != nil || *after.FirmID != *before.FirmID || after.Name != before.Name || after.PasswordHash != before.PasswordHash || after.Role != before.Role {
		t.Errorf("the other firm's account changed: %+v -> %+v (%v)", before, after, err)
	}
	admin, _ := a.store.UserByEmail(ctx, "admin@demo.local")
	evs, _, err := a.store.AuditLog(ctx, admin, store.AuditFilter{Action: store.AuditMemberHeld})
	if err != nil || len(evs) != 1 || evs[0].Actor != "firmadmin@demo.local" || !strings.Contains(evs[0].Detail, "other@elsewhere.local") {
		t.Errorf("the held request is not in the audit log for an administrator: %+v %v", evs, err)
	}
	// The audit page words the entry.
	root := a.client()
	root.login("admin@demo.local")
	mustContain(t, root.get("/admin/audit?action="+store.AuditMemberHeld).Body, "成员添加待处理", "other@elsewhere.local")
}
