package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/twofactor"
	"selfcheck/app/workflow"
)

// clock gives the app a clock the test moves, starting on a step boundary.
func (a *testApp) clock() *time.Time {
	now := time.Unix(twofactor.Step(time.Now())*twofactor.Period, 0)
	a.server.Work.Now = func() time.Time { return now }
	return &now
}

func codeAt(secret string, t time.Time) string {
	c, _ := twofactor.Code(secret, twofactor.Step(t))
	return c
}

var (
	secretShown   = regexp.MustCompile(`id="twofactor-secret">([A-Z2-7]+)<`)
	recoveryShown = regexp.MustCompile(`<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>`)
)

// csrfFrom reads the CSRF token from the forms of the page at path.
func (c *client) csrfFrom(path string) string {
	c.t.Helper()
	m := csrfField.FindStringSubmatch(c.get(path).Body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// postOn posts a form with the CSRF token of the page at page.
func (c *client) postOn(page, path string, form url.Values) resp {
	c.t.Helper()
	form.Set("_csrf", c.csrfFrom(page))
	return c.post(path, form)
}

// enrolTwoFactor turns two-factor sign-in on for the signed-in client
// through the pages and returns the secret and the recovery codes.
func (c *client) enrolTwoFactor(now time.Time) (string, []string) {
	c.t.Helper()
	if r := c.postOn("/profile/2fa", "/profile/2fa", url.Values{}); r.Status != http.StatusSeeOther {
		c.t.Fatalf("start: %d\n%s", r.Status, r.Body)
	}
	page := c.get("/profile/2fa")
	m := secretShown.FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(page.Body, `src="data:image/png;base64,`) {
		c.t.Fatalf("no secret or QR code on the page:\n%s", page.Body)
	}
	r := c.postOn("/profile/2fa", "/profile/2fa/confirm", url.Values{"code": {codeAt(m[1], now)}})
	codes := recoveryShown.FindAllStringSubmatch(r.Body, -1)
	if r.Status != http.StatusOK || len(codes) != twofactor.RecoveryCodes {
		c.t.Fatalf("confirm: %d, %d recovery codes\n%s", r.Status, len(codes), r.Body)
	}
	var out []string
	for _, code := range codes {
		out = append(out, code[1])
	}
	return m[1], out
}

// passwordStep signs in with the password of a two-factor account and
// expects to be sent to the code step.
func (c *client) passwordStep(email string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"email": {email}, "password": {store.DemoPassword}, "next": {"/plans"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login/code?next=%2Fplans" {
		c.t.Fatalf("password step: %d %s\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		c.t.Fatalf("the password alone opened a session: %d", r.Status)
	}
	if r := c.get("/login/code"); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="code"`) {
		c.t.Fatalf("code page: %d", r.Status)
	}
}

func (c *client) codeStep(code string) resp {
	c.t.Helper()
	return c.postOn("/login", "/login/code", url.Values{"code": {code}, "next": {"/plans"}})
}

func (a *testApp) audited(action string) int64 {
	a.t.Helper()
	admin, err := a.store.UserByEmail(context.Background(), "admin@demo.local")
	if err != nil {
		a.t.Fatal(err)
	}
	_, n, err := a.store.AuditLog(context.Background(), admin, store.AuditFilter{Action: action})
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

// Turning it on: a wrong confirmation code is refused in the page's
// language; then sign-in asks for a code, refuses a replayed one, takes the
// next, and takes each recovery code once.
func TestTwoFactorSignIn(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	c := a.client()
	c.login("firm@demo.local")
	if r := c.get("/profile"); !strings.Contains(r.Body, `href="/profile/2fa"`) {
		t.Error("the profile page does not lead to two-factor sign-in")
	}
	c.postOn("/profile/2fa", "/profile/2fa", url.Values{})
	for lang, want := range map[string]string{"zh-CN": "验证码不正确、已过期或已使用过", "en": "The code is wrong, expired or already used"} {
		c.lang = lang
		r := c.postOn("/profile/2fa", "/profile/2fa/confirm", url.Values{"code": {"000000"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, want) {
			t.Errorf("%s: wrong confirmation code: %d, want 422 with %q", lang, r.Status, want)
		}
		if lang == "en" && strings.Contains(r.Body, "验证码不正确") {
			t.Error("the English page shows the Chinese message")
		}
	}
	c.lang = "zh-CN"
	secret, recovery := c.enrolTwoFactor(*now)
	if r := c.get("/profile/2fa"); !strings.Contains(r.Body, "剩余未使用的恢复码：10 个") || recoveryShown.MatchString(r.Body) || secretShown.MatchString(r.Body) {
		t.Error("after confirmation the page must show the count of recovery codes, never the codes or the secret again")
	}
	c.post("/logout", nil)

	c.passwordStep("firm@demo.local")
	if r := c.codeStep(codeAt(secret, *now)); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "已使用过") {
		t.Errorf("the confirmation code replayed: %d", r.Status)
	}
	if r := c.codeStep("12345"); r.Status != http.StatusUnauthorized {
		t.Errorf("a short code: %d", r.Status)
	}
	*now = now.Add(30 * time.Second)
	r := c.codeStep(codeAt(secret, *now))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/plans" {
		t.Fatalf("the right code: %d %s\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.get("/"); r.Status != http.StatusOK {
		t.Fatalf("signed in: %d", r.Status)
	}
	// The challenge is spent: another browser holding it gets nowhere.
	c.post("/logout", nil)

	c.passwordStep("firm@demo.local")
	if r := c.codeStep(strings.ToUpper(recovery[0])); r.Status != http.StatusSeeOther {
		t.Fatalf("recovery code: %d\n%s", r.Status, r.Body)
	}
	c.post("/logout", nil)
	c.passwordStep("firm@demo.local")
	if r := c.codeStep(recovery[0]); r.Status != http.StatusUnauthorized {
		t.Errorf("a recovery code used twice: %d", r.Status)
	}
	// A sign-in left waiting too long goes back to the password.
	*now = now.Add(workflow.LoginChallengeAge + time.Minute)
	r = c.codeStep(codeAt(secret, *now))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?") {
		t.Errorf("expired challenge: %d %s", r.Status, r.Header.Get("Location"))
	}
	if page := c.get("/login"); !strings.Contains(page.Body, "登录已超时") {
		t.Error("the login page does not say the sign-in timed out")
	}
	for action, want := range map[string]int64{store.Audit2FAEnabled: 1, store.Audit2FAPassed: 2, store.Audit2FAFailed: 3} {
		if n := a.audited(action); n != want {
			t.Errorf("audit %s: %d entries, want %d", action, n, want)
		}
	}
}

// Turning it off needs the password and a current code.
func TestTwoFactorDisable(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	c := a.client()
	c.login("firm@demo.local")
	secret, _ := c.enrolTwoFactor(*now)
	next := codeAt(secret, now.Add(30*time.Second))
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"nothing", url.Values{}, http.StatusUnprocessableEntity, "请输入密码和当前验证码"},
		{"no code", url.Values{"password": {store.DemoPassword}}, http.StatusUnprocessableEntity, "请输入密码和当前验证码"},
		{"wrong password", url.Values{"password": {"not-the-password"}, "code": {next}}, http.StatusUnprocessableEntity, "密码不正确"},
		{"replayed code", url.Values{"password": {store.DemoPassword}, "code": {codeAt(secret, *now)}}, http.StatusUnprocessableEntity, "验证码不正确"},
	} {
		r := c.postOn("/profile/2fa", "/profile/2fa/disable", tc.form)
		if r.Status != tc.status || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: %d, want %d with %q", tc.name, r.Status, tc.status, tc.want)
		}
	}
	r := c.postOn("/profile/2fa", "/profile/2fa/disable", url.Values{"password": {store.DemoPassword}, "code": {next}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("turning off: %d\n%s", r.Status, r.Body)
	}
	if page := c.get("/profile/2fa"); !strings.Contains(page.Body, "两步验证已关闭") || !strings.Contains(page.Body, "未开启") {
		t.Error("the page does not say it is off")
	}
	c.post("/logout", nil)
	c.login("firm@demo.local") // the password alone again
	if a.audited(store.Audit2FADisabled) != 1 {
		t.Error("turning off is not in the audit log")
	}
}

// Wrong codes count toward the login throttle: soon even the right one is
// refused, with Retry-After.
func TestTwoFactorWrongCodesThrottled(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	c := a.client()
	c.login("firm@demo.local")
	secret, _ := c.enrolTwoFactor(*now)
	c.post("/logout", nil)
	*now = now.Add(time.Minute)
	c.passwordStep("firm@demo.local")
	var last resp
	for i := 0; i < auth.MaxPairFailures; i++ {
		if last = c.codeStep("000000"); last.Status == http.StatusTooManyRequests {
			break
		}
	}
	r := c.codeStep(codeAt(secret, *now))
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "失败次数过多") {
		t.Errorf("the right code after wrong ones: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
}

// With --require-2fa admin,auditor, an admin without it is sent to set it
// up after the password and can do nothing else until then; a member is
// not concerned.
func TestRequireTwoFactor(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	a.server.Work.RequireTwoFactor = []auth.Role{auth.Admin, auth.Auditor}
	admin := a.client()
	admin.login("admin@demo.local")
	for _, path := range []string{"/", "/admin/users", "/profile", "/admin/audit"} {
		if r := admin.get(path); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/profile/2fa" {
			t.Errorf("GET %s: %d %s, want the setup page", path, r.Status, r.Header.Get("Location"))
		}
	}
	if r := admin.postOn("/profile/2fa", "/admin/firms", url.Values{"name": {"x"}, "credit_code": {"x"}}); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "请先完成两步验证的设置") {
		t.Errorf("POST /admin/firms before setup: %d", r.Status)
	}
	if r := admin.get("/profile/2fa"); r.Status != http.StatusOK || !strings.Contains(r.Body, "您的角色必须开启两步验证") {
		t.Errorf("setup page: %d", r.Status)
	}
	member := a.client()
	member.login("firm@demo.local")
	if r := member.get("/"); r.Status != http.StatusOK {
		t.Errorf("a member is not required to: %d", r.Status)
	}
	admin.enrolTwoFactor(*now)
	if r := admin.get("/admin/users"); r.Status != http.StatusOK {
		t.Errorf("after setup: %d", r.Status)
	}
	if r := admin.postOn("/profile/2fa", "/logout", url.Values{}); r.Status != http.StatusSeeOther {
		t.Errorf("logout: %d", r.Status)
	}
	admin.passwordStep("admin@demo.local")
}

// Hostile text in the code fields is refused like any wrong code, never
// echoed as markup, and never a server error.
func TestTwoFactorHostileCodes(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	c := a.client()
	c.login("firm@demo.local")
	c.enrolTwoFactor(*now)
	c.post("/logout", nil)
	hostile := []string{`<script>alert(1)</script>`, "\x00123456", "12345\u202e6", "\xff\xfe\xfd", strings.Repeat("9", 10000), `' OR 1=1 --`}
	c.passwordStep("firm@demo.local")
	for _, code := range hostile {
		// Each counts as a failure: the later ones meet the throttle.
		r := c.codeStep(code)
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusTooManyRequests {
			t.Errorf("code %.20q at sign-in: %d", code, r.Status)
		}
		if strings.Contains(r.Body, "<script>alert") {
			t.Errorf("code %.20q echoed as markup", code)
		}
	}
	admin := a.client()
	admin.login("firmadmin@demo.local")
	admin.postOn("/profile/2fa", "/profile/2fa", url.Values{})
	for _, code := range hostile {
		for path, form := range map[string]url.Values{
			"/profile/2fa/confirm": {"code": {code}},
			"/profile/2fa/disable": {"password": {store.DemoPassword}, "code": {code}},
		} {
			r := admin.postOn("/profile/2fa", path, form)
			if r.Status >= 500 || r.Status < 400 || strings.Contains(r.Body, "<script>alert") {
				t.Errorf("%s with %.20q: %d", path, code, r.Status)
			}
		}
	}
}

// A server started without the key says so at the code step and points
// to the recovery codes, which still work.
func TestTwoFactorCodeStepWithoutKey(t *testing.T) {
	a := newTestApp(t)
	now := a.clock()
	c := a.client()
	c.login("firm@demo.local")
	secret, recovery := c.enrolTwoFactor(*now)
	c.post("/logout", nil)
	a.server.Work.Sealer = nil
	c.passwordStep("firm@demo.local")
	if r := c.codeStep(codeAt(secret, now.Add(30*time.Second))); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "请改用恢复码登录") {
		t.Errorf("app code without the key: %d", r.Status)
	}
	if r := c.codeStep(recovery[1]); r.Status != http.StatusSeeOther {
		t.Errorf("recovery code without the key: %d", r.Status)
	}
}
