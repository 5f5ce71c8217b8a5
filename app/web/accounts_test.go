package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"selfcheck/app/store"
	"selfcheck/app/uscc"
)

// validCode completes 17 characters with their check character.
func validCode(t *testing.T, first17 string) string {
	t.Helper()
	ch, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(ch)
}

// loginWith logs in with a password and reports the status.
func (c *client) loginWith(email, password string) int {
	c.t.Helper()
	return c.post("/login", url.Values{"email": {email}, "password": {password}}).Status
}

var newPassword = regexp.MustCompile(`readonly value="([^"]+)" id="new-password"`)

// shownPassword reads the generated password from the page answering a form.
func shownPassword(t *testing.T, body string) string {
	t.Helper()
	m := newPassword.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no generated password on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

func demoFirmID(t *testing.T, a *testApp) string {
	t.Helper()
	f, err := a.store.FirmByCreditCode(context.Background(), store.DemoCreditCode)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(int(f.ID))
}

func userID(t *testing.T, a *testApp, email string) string {
	t.Helper()
	u, err := a.store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(int(u.ID))
}

func TestAdminCreatesFirm(t *testing.T) {
	a := newTestApp(t)
	admin := a.client()
	admin.login("admin@demo.local")
	good := validCode(t, "91310115MA1K3YJ2X")
	wrongCheck := good[:17] + "0"
	if good[17] == '0' {
		wrongCheck = good[:17] + "1"
	}

	refused := []struct {
		name, firm, code string
		want             string
	}{
		{"wrong check character", "坏校验", wrongCheck, "校验位（第 18 位）与前 17 位不符"},
		{"too short", "太短", good[:16], "应为 18 位，现为 16 位"},
		{"letter not allowed", "含字母 O", "O" + good[1:], "第 1 位的「O」不是允许的字符"},
		{"no name", "", good, "企业名称：请填写企业名称"},
		{"duplicate", "另一家", store.DemoCreditCode, "已有企业使用 " + store.DemoCreditCode},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.post("/admin/firms", url.Values{"name": {tt.firm}, "credit_code": {tt.code}})
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.Status)
			}
			mustContain(t, r.Body, tt.want, `id="form-errors"`)
		})
	}

	// Lower case and spaces are normalized.
	r := admin.post("/admin/firms", url.Values{"name": {"新建科技<有限>公司"}, "credit_code": {" " + strings.ToLower(good) + " "}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/firms" {
		t.Fatalf("create: %d\n%s", r.Status, r.Body)
	}
	page := admin.get("/admin/firms")
	mustContain(t, page.Body, "企业已创建", "新建科技&lt;有限&gt;公司", good, store.DemoFirmName)
	if strings.Contains(page.Body, "<有限>") {
		t.Error("a firm name is shown unescaped")
	}
	// The demo firm has two active members.
	if !regexp.MustCompile(store.DemoCreditCode + `</code></td><td>2</td>`).MatchString(page.Body) {
		t.Error("the demo firm's member count is not 2")
	}
	if _, err := a.store.FirmByCreditCode(context.Background(), good); err != nil {
		t.Fatal(err)
	}

	admin.lang = "en"
	r = admin.post("/admin/firms", url.Values{"name": {"Bad"}, "credit_code": {wrongCheck}})
	mustContain(t, r.Body, "the check character (the 18th) does not match")
}

func TestAdminCreatesUsers(t *testing.T) {
	a := newTestApp(t)
	admin := a.client()
	admin.login("admin@demo.local")
	firm := demoFirmID(t, a)

	// A generated password, shown once, that works.
	r := admin.post("/admin/users", url.Values{"email": {"New.Member@Demo.local"}, "name": {"新成员"}, "role": {"firm_member"}, "firm": {firm}, "generate": {"1"}})
	if r.Status != http.StatusOK {
		t.Fatalf("create: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, r.Body, "账号已创建", "new.member@demo.local", "只显示这一次")
	password := shownPassword(t, r.Body)
	if strings.Contains(admin.get("/admin/users").Body, password) {
		t.Error("the generated password is shown again")
	}
	member := a.client()
	if st := member.loginWith("new.member@demo.local", password); st != http.StatusSeeOther {
		t.Fatalf("the new member cannot log in: %d", st)
	}
	mustContain(t, member.get("/").Body, "新成员")

	// A chosen password, and an auditor without a firm.
	r = admin.post("/admin/users", url.Values{"email": {"aud2@demo.local"}, "name": {"审核员二"}, "role": {"auditor"}, "password": {"chosen-pass-1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create auditor: %d\n%s", r.Status, r.Body)
	}
	if st := a.client().loginWith("aud2@demo.local", "chosen-pass-1"); st != http.StatusSeeOther {
		t.Errorf("the auditor cannot log in: %d", st)
	}

	refused := []struct {
		name string
		form url.Values
		want string
	}{
		{"duplicate email", url.Values{"email": {"FIRM@demo.local"}, "name": {"x"}, "role": {"firm_member"}, "firm": {firm}, "generate": {"1"}}, "邮箱：已有账号使用 firm@demo.local"},
		{"invalid email", url.Values{"email": {"not-an-email"}, "name": {"x"}, "role": {"auditor"}, "generate": {"1"}}, "「not-an-email」不是有效的邮箱地址"},
		{"unknown firm", url.Values{"email": {"u1@demo.local"}, "name": {"x"}, "role": {"firm_member"}, "firm": {"9999"}, "generate": {"1"}}, "所属企业：所选企业不存在"},
		{"missing firm", url.Values{"email": {"u2@demo.local"}, "name": {"x"}, "role": {"firm_admin"}, "generate": {"1"}}, "角色为「企业管理员」时必须选择所属企业"},
		{"firm for an auditor", url.Values{"email": {"u3@demo.local"}, "name": {"x"}, "role": {"auditor"}, "firm": {firm}, "generate": {"1"}}, "「审核员」不属于任何企业"},
		{"firm for an admin", url.Values{"email": {"u4@demo.local"}, "name": {"x"}, "role": {"admin"}, "firm": {firm}, "generate": {"1"}}, "「管理员」不属于任何企业"},
		{"unknown role", url.Values{"email": {"u5@demo.local"}, "name": {"x"}, "role": {"root"}, "generate": {"1"}}, "角色：请选择列表中的角色"},
		{"short password", url.Values{"email": {"u6@demo.local"}, "name": {"x"}, "role": {"auditor"}, "password": {"short"}}, "密码：至少 8 个字符"},
		{"no password", url.Values{"email": {"u7@demo.local"}, "name": {"x"}, "role": {"auditor"}}, "请填写密码，或勾选自动生成"},
		{"password and generate", url.Values{"email": {"u8@demo.local"}, "name": {"x"}, "role": {"auditor"}, "password": {"chosen-pass-2"}, "generate": {"1"}}, "请二选一"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.post("/admin/users", tt.form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.Status)
			}
			mustContain(t, r.Body, tt.want)
			// The form keeps what was typed.
			mustContain(t, r.Body, `value="`+html.EscapeString(tt.form.Get("email"))+`"`)
		})
	}
	for _, e := range []string{"u1@demo.local", "u2@demo.local", "u3@demo.local", "u4@demo.local"} {
		if _, err := a.store.UserByEmail(context.Background(), e); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused account %s exists: %v", e, err)
		}
	}

	// Disabling ends the account's session and logins.
	id := userID(t, a, "new.member@demo.local")
	mustContain(t, admin.get("/admin/users").Body, "/admin/users/"+id+"/disable")
	if r := admin.post("/admin/users/"+id+"/disable", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.Status)
	}
	mustContain(t, admin.get("/admin/users").Body, "该用户已停用", "已停用（")
	if r := member.get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("the disabled member's session goes on: %d", r.Status)
	}
	if st := a.client().loginWith("new.member@demo.local", password); st != http.StatusUnauthorized {
		t.Errorf("the disabled member can log in: %d", st)
	}
	if r := admin.post("/admin/users/"+userID(t, a, "admin@demo.local")+"/disable", nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("admin disables themselves: %d", r.Status)
	}
	if r := admin.post("/admin/users/99999/disable", nil); r.Status != http.StatusNotFound {
		t.Errorf("disable an unknown user: %d", r.Status)
	}
}

func TestAdminCreatesCampaign(t *testing.T) {
	a := newTestApp(t)
	admin := a.client()
	admin.login("admin@demo.local")
	page := admin.get("/admin/campaigns")
	if page.Status != http.StatusOK {
		t.Fatalf("campaigns page: %d", page.Status)
	}
	mustContain(t, page.Body, `type="date" name="starts_on"`, `type="date" name="deadline"`, `value="popups"`, "示例审核员", store.DemoFirmName)

	firm := demoFirmID(t, a)
	auditor := userID(t, a, "auditor@demo.local")
	form := func(changes map[string][]string) url.Values {
		v := url.Values{"name_zh": {"2025 第二轮自查"}, "name_en": {"2025 second round"}, "theme": {"popups", "user-rights"},
			"starts_on": {"2025-03-01"}, "deadline": {"2025-04-30"}, "firm": {firm}, "auditor": {auditor}}
		for k, x := range changes {
			v[k] = x
		}
		return v
	}

	refused := []struct {
		name    string
		changes map[string][]string
		want    string
	}{
		{"deadline before start", map[string][]string{"deadline": {"2025-02-01"}}, "截止日期：2025-02-01 早于开始日期 2025-03-01"},
		{"no theme", map[string][]string{"theme": nil}, "主题：请至少选择一个主题"},
		{"unknown theme", map[string][]string{"theme": {"nope"}}, "清单中没有「nope」"},
		{"no name", map[string][]string{"name_zh": {""}}, "活动名称（中文）：请填写"},
		{"bad start", map[string][]string{"starts_on": {"2025-13-01"}}, "开始日期：请填写有效日期"},
		{"unknown firm", map[string][]string{"firm": {"9999"}}, "参加企业：所选企业不存在"},
		{"not an auditor", map[string][]string{"auditor": {userID(t, a, "firm@demo.local")}}, "审核员：所选账号不存在"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.post("/admin/campaigns", form(tt.changes))
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.Status)
			}
			mustContain(t, r.Body, tt.want, `value="2025 second round"`)
		})
	}

	r := admin.post("/admin/campaigns", form(nil))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.Status, r.Body)
	}
	list := admin.get("/admin/campaigns").Body
	mustContain(t, list, "自查活动已创建", "2025 第二轮自查", `<span class="date">2025-03-01</span> – <span class="date">2025-04-30</span>`)
	// The firm and its auditor see it.
	for _, who := range []string{"firm@demo.local", "auditor@demo.local"} {
		c := a.client()
		c.login(who)
		mustContain(t, c.get("/").Body, "2025 第二轮自查")
	}
	admin.lang = "en"
	mustContain(t, admin.get("/admin/campaigns").Body, "2025 second round")
}

func TestAccountAdminPagesForbiddenToFirmMembers(t *testing.T) {
	a := newTestApp(t)
	for _, who := range []string{"firm@demo.local", "auditor@demo.local"} {
		c := a.client()
		c.login(who)
		for _, p := range []string{"/admin/firms", "/admin/users", "/admin/campaigns", "/team"} {
			if r := c.get(p); r.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, p, r.Status)
			}
		}
		for _, p := range []string{"/admin/firms", "/admin/users", "/admin/users/1/disable", "/admin/campaigns", "/team", "/team/1/remove"} {
			if r := c.post(p, url.Values{"email": {"x@y.z"}, "name": {"x"}, "role": {"firm_member"}, "generate": {"1"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", who, p, r.Status)
			}
		}
		if strings.Contains(c.get("/").Body, `href="/admin/firms"`) {
			t.Errorf("%s is offered the admin links", who)
		}
	}
	firmAdmin := a.client()
	firmAdmin.login("firmadmin@demo.local")
	if r := firmAdmin.get("/admin/users"); r.Status != http.StatusForbidden {
		t.Errorf("firm admin GET /admin/users: %d", r.Status)
	}
	if r := a.client().get("/team"); r.Status != http.StatusSeeOther {
		t.Errorf("anonymous GET /team: %d", r.Status)
	}
}

func TestTeamAddsAndRemovesMembers(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("other@elsewhere.local", "别家公司", validCode(t, "91440300MA5F0XYW1"))
	boss := a.client()
	boss.login("firmadmin@demo.local")

	page := boss.get("/team")
	if page.Status != http.StatusOK {
		t.Fatalf("team: %d", page.Status)
	}
	mustContain(t, page.Body, "firm@demo.local", "firmadmin@demo.local", `href="/team"`)
	for _, hidden := range []string{"other@elsewhere.local", ">admin@demo.local<", "auditor@demo.local", `value="auditor"`} {
		if strings.Contains(page.Body, hidden) {
			t.Errorf("the team page shows %q", hidden)
		}
	}

	r := boss.post("/team", url.Values{"email": {"newbie@demo.local"}, "name": {"新同事"}, "role": {"firm_member"}, "generate": {"1"}})
	if r.Status != http.StatusOK {
		t.Fatalf("add: %d\n%s", r.Status, r.Body)
	}
	password := shownPassword(t, r.Body)
	newbie := a.client()
	if st := newbie.loginWith("newbie@demo.local", password); st != http.StatusSeeOther {
		t.Fatalf("the new member cannot log in: %d", st)
	}
	if u, _ := a.store.UserByEmail(context.Background(), "newbie@demo.local"); u.Firm == nil || u.Firm.CreditCode != store.DemoCreditCode {
		t.Errorf("the new member is not in the firm admin's firm: %+v", u.Firm)
	}

	refused := []struct {
		name string
		form url.Values
		want string
	}{
		{"auditor role", url.Values{"email": {"a@demo.local"}, "name": {"x"}, "role": {"auditor"}, "generate": {"1"}}, "角色：请选择列表中的角色"},
		{"duplicate", url.Values{"email": {"firm@demo.local"}, "name": {"x"}, "role": {"firm_member"}, "generate": {"1"}}, "已有账号使用"},
	}
	for _, tt := range refused {
		if r := boss.post("/team", tt.form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
			t.Errorf("%s: %d", tt.name, r.Status)
		}
	}

	if r := boss.post("/team/"+userID(t, a, "firmadmin@demo.local")+"/remove", nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "不能移除自己的账号") {
		t.Errorf("removing oneself: %d", r.Status)
	}
	if r := boss.post("/team/"+userID(t, a, "other@elsewhere.local")+"/remove", nil); r.Status != http.StatusNotFound {
		t.Errorf("removing another firm's user: %d", r.Status)
	}
	if _, err := a.store.UserByEmail(context.Background(), "other@elsewhere.local"); err != nil {
		t.Errorf("another firm's user was removed: %v", err)
	}

	if r := boss.post("/team/"+userID(t, a, "newbie@demo.local")+"/remove", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.Status)
	}
	mustContain(t, boss.get("/team").Body, "成员已移除", "已移除（")
	if r := newbie.get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("the removed member's session goes on: %d", r.Status)
	}
	if st := a.client().loginWith("newbie@demo.local", password); st != http.StatusUnauthorized {
		t.Errorf("the removed member can log in: %d", st)
	}
}

var tokenOnPage = regexp.MustCompile(`readonly value="(sc_[A-Za-z0-9_-]+)"`)

func TestProfileTokens(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	c := a.client()
	c.login("firm@demo.local")
	page := c.get("/profile")
	if page.Status != http.StatusOK {
		t.Fatalf("profile: %d", page.Status)
	}
	mustContain(t, page.Body, "firm@demo.local", "示例合规专员", "企业成员", store.DemoFirmName, "Authorization: Bearer", "还没有访问令牌")

	if r := c.post("/profile/tokens", url.Values{"name": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("token without a name: %d", r.Status)
	}
	r := c.post("/profile/tokens", url.Values{"name": {"持续集成"}})
	if r.Status != http.StatusOK {
		t.Fatalf("create token: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, r.Body, "只显示这一次")
	m := tokenOnPage.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no token on the page:\n%s", r.Body)
	}
	token := m[1]
	if u, err := a.store.TokenUser(ctx, token); err != nil || u.Email != "firm@demo.local" {
		t.Fatalf("TokenUser: %v %v", u, err)
	}

	page = c.get("/profile")
	if strings.Contains(page.Body, token) {
		t.Error("the token is shown again")
	}
	mustContain(t, page.Body, "持续集成", "正常")
	id := regexp.MustCompile(`/profile/tokens/(\d+)/revoke`).FindStringSubmatch(page.Body)
	if id == nil {
		t.Fatal("no revoke form")
	}

	// Another user cannot revoke it.
	other := a.client()
	other.login("auditor@demo.local")
	if r := other.post("/profile/tokens/"+id[1]+"/revoke", nil); r.Status != http.StatusNotFound {
		t.Errorf("another user revokes the token: %d", r.Status)
	}
	if r := c.post("/profile/tokens/"+id[1]+"/revoke", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	mustContain(t, c.get("/profile").Body, "令牌已撤销", "已撤销（")
	if _, err := a.store.TokenUser(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked token still works: %v", err)
	}

	c.lang = "en"
	mustContain(t, c.get("/profile").Body, "Access tokens", "Revoked (")
}
