package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"selfcheck/app/store"
)

func TestAdminAuditLog(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()

	firm := a.client()
	firm.login("firm@demo.local")
	stranger := a.client()
	if r := stranger.post("/login", url.Values{"email": {"Intruder@Example.cn"}, "password": {"guess-Zq9"}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("failed login: %d", r.Status)
	}
	member, err := a.store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	// More than a page of entries.
	for i := range store.AuditPerPage + 5 {
		if _, err := a.store.CreateToken(ctx, member.ID, fmt.Sprintf("token-%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	for _, who := range []string{"firm@demo.local", "auditor@demo.local"} {
		c := a.client()
		c.login(who)
		if r := c.get("/admin/audit"); r.Status != http.StatusForbidden || strings.Contains(r.Body, "intruder@example.cn") {
			t.Errorf("%s opens the audit log: %d", who, r.Status)
		}
	}
	if r := a.client().get("/admin/audit"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
	}

	admin := a.client()
	admin.login("admin@demo.local")
	r := admin.get("/admin/audit")
	if r.Status != http.StatusOK {
		t.Fatalf("admin: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, r.Body, "审计日志", `id="audit-filter"`, "登录失败", "创建 API 令牌", "token-54", "127.0.0.1", "示例科技有限公司",
		"第 1 页", `href="/admin/audit?page=2"`, `id="verify-chain"`)
	if strings.Contains(r.Body, "guess-Zq9") {
		t.Error("the page shows a tried password")
	}

	tests := []struct {
		name     string
		query    string
		want     []string
		wantNot  []string
		wantRows int
	}{
		{"failed logins", "?action=login_failed", []string{"intruder@example.cn", "no active account", "共 1 条记录"}, []string{"token-3"}, 1},
		{"actor substring", "?actor=INTRUDER", []string{"intruder@example.cn"}, []string{"firm@demo.local"}, 1},
		{"actor and action", "?action=login&actor=firm%40demo", []string{"firm@demo.local", `<option value="login" selected>`}, []string{"intruder@example.cn"}, 2},
		{"firm", "?action=login&firm=" + fmt.Sprint(*member.FirmID), []string{"firm@demo.local"}, []string{"admin@demo.local<br>"}, 2},
		{"date range of today and before", "?action=login_failed&from=2000-01-01&to=2999-12-31", []string{"intruder@example.cn"}, nil, 1},
		{"date range in the past", "?from=2000-01-01&to=2000-12-31", []string{"没有符合条件的记录", "共 0 条记录"}, nil, 0},
		{"second page keeps the filter", "?action=token_created&page=2", []string{"第 2 页，共 2 页", `href="/admin/audit?action=token_created"`}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.get("/admin/audit" + tt.query)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			mustContain(t, r.Body, tt.want...)
			for _, w := range tt.wantNot {
				if strings.Contains(r.Body, w) {
					t.Errorf("page shows %q", w)
				}
			}
			if tt.wantRows > 0 {
				if n := strings.Count(r.Body, "<tr>") - 1; n != tt.wantRows {
					t.Errorf("%d rows, want %d", n, tt.wantRows)
				}
			}
		})
	}

	r = admin.get("/admin/audit?from=yesterday")
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", r.Status)
	}
	mustContain(t, r.Body, "不是有效日期")

	r = admin.get("/admin/audit?action=login_failed&verify=1")
	mustContain(t, r.Body, `id="chain-status"`, "审计日志完整：已校验", "intruder@example.cn")

	admin.lang = "en-US"
	mustContain(t, admin.get("/admin/audit?verify=1").Body, "Audit log", "Failed login", "API token created", "The audit log is intact:")
}

// Every action the store records has a label in the message catalog.
func TestAuditActionsHaveLabels(t *testing.T) {
	a := newTestApp(t)
	for _, action := range store.AuditActions {
		if !a.server.Messages.Has("audit.action." + action) {
			t.Errorf("action %s has no label", action)
		}
	}
	for _, p := range []store.AuditProblem{store.AuditAltered, store.AuditRemoved, store.AuditOutOfOrder} {
		if !a.server.Messages.Has("audit.problem." + string(p)) {
			t.Errorf("problem %s has no message", p)
		}
	}
}

// A broken chain is shown with the first bad entry and what is wrong.
func TestAdminAuditShowsBrokenChain(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		report store.AuditReport
		want   string
	}{
		{store.AuditReport{Seq: 5, Entries: 4, Problem: store.AuditRemoved}, "审计日志在第 5 条记录处断裂：该记录被删除。"},
		{store.AuditReport{Seq: 0, Problem: store.AuditRemoved}, "编号记录之外的数据"},
	}
	for _, tt := range tests {
		data := auditPage{Verify: &tt.report, Problem: a.server.Messages.T("zh", "audit.problem."+string(tt.report.Problem)), Page: 1}
		var buf strings.Builder
		p := &Page{Title: "审计日志", Lang: "zh", Path: "/admin/audit", Data: data, s: a.server}
		if err := a.server.pages.sets["admin_audit"].ExecuteTemplate(&buf, "base", p); err != nil {
			t.Fatal(err)
		}
		mustContain(t, buf.String(), `role="alert" id="chain-status"`, tt.want)
	}
}
