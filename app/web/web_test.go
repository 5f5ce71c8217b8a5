package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

func TestHealthz(t *testing.T) {
	a := newTestApp(t)
	r := a.client().get("/healthz")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "ok") {
		t.Fatalf("healthz = %d %s", r.Status, r.Body)
	}
}

func TestLogin(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		name, email, password string
		status                int
		want                  string
	}{
		{"right password", "firm@demo.local", "demo12345", http.StatusSeeOther, ""},
		{"email is case-insensitive", "FIRM@demo.local", "demo12345", http.StatusSeeOther, ""},
		{"wrong password", "firm@demo.local", "demo1234", http.StatusUnauthorized, "邮箱或密码不正确"},
		// Same answer for an unknown account: no user enumeration.
		{"unknown email", "nobody@demo.local", "demo12345", http.StatusUnauthorized, "邮箱或密码不正确"},
		{"empty", "", "", http.StatusUnprocessableEntity, "请填写邮箱和密码"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.client()
			r := c.post("/login", url.Values{"email": {tt.email}, "password": {tt.password}})
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d", r.Status, tt.status)
			}
			mustContain(t, r.Body, tt.want)
			if tt.status == http.StatusSeeOther {
				ck := r.Header.Get("Set-Cookie")
				if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
					t.Errorf("session cookie flags: %s", ck)
				}
				if home := c.get("/"); home.Status != http.StatusOK {
					t.Errorf("home after login: %d", home.Status)
				}
			}
		})
	}
}

func TestLogoutEndsSession(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	u, _ := url.Parse(a.srv.URL)
	var token string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			token = ck.Value
		}
	}
	if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	// The old token is dead on the server, not only forgotten by the browser.
	replay := a.client()
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token}})
	if r := replay.get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("the session token still works after logout: %d", r.Status)
	}
	if r := c.get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("after logout / must send to login, got %d %s", r.Status, r.Header.Get("Location"))
	}
}

func TestCSRFRequired(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	for _, path := range []string{"/assessments", "/logout", "/login"} {
		r := c.post(path, url.Values{"_csrf": {"forged-token-forged-token-forged-token-1234"}, "theme": {"popups"}})
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "安全令牌") {
			t.Errorf("POST %s with a forged token: %d", path, r.Status)
		}
	}
	// Still logged in: the forged logout did nothing.
	if r := c.get("/"); r.Status != http.StatusOK {
		t.Errorf("forged logout ended the session: %d", r.Status)
	}
}

func TestAnonymousIsSentToLogin(t *testing.T) {
	a := newTestApp(t)
	r := a.client().get("/assessments/1")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fassessments%2F1" {
		t.Errorf("got %d %q", r.Status, r.Header.Get("Location"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newTestApp(t)
	r := a.client().get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers: %v", r.Header)
	}
}

// every route of the Echo router must come from the route table, which says
// who may use it.
func TestEveryRouteDeclaresAccess(t *testing.T) {
	s := newTestApp(t).server
	declared := map[string]route{}
	for _, r := range s.Routes() {
		declared[r.Method+" "+r.Path] = r
	}
	// The only pages anyone may use without logging in.
	public := map[string]bool{"GET /healthz": true, "GET /livez": true, "GET /readyz": true, "GET /static/*": true, "GET /favicon.ico": true, "GET /login": true, "POST /login": true, "POST /lang": true,
		"GET /login/code": true, "POST /login/code": true, // the code step of a sign-in
		"GET /verify/:code": true,                            // a report's verification page: anyone holding the PDF
		"GET /verify/key":   true,                            // the key submission packages are signed with: anyone checking one
		"GET /unsubscribe":  true, "POST /unsubscribe": true} // an e-mail's unsubscribe link: its signed token is the proof
	for _, r := range s.echo.Routes() {
		if strings.HasPrefix(r.Method, "echo_") || strings.HasPrefix(r.Path, "/api/") { // the fallback; the API has its own table
			continue
		}
		key := r.Method + " " + r.Path
		d, ok := declared[key]
		if !ok {
			t.Errorf("route %s has no access declaration", key)
			continue
		}
		if (d.Who == nil) != public[key] {
			t.Errorf("route %s: open to anyone = %v, want %v", key, d.Who == nil, public[key])
		}
		// Firm content is written by firm users only; reviewers write only
		// their decisions (on the assessment, and on a plan marked done:
		// /verify) and comments, a discussion between both sides;
		// admins only the admin pages.
		comments := strings.HasSuffix(r.Path, "/comments") || strings.Contains(r.Path, "/comments/")
		if r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/assessments") && !strings.HasSuffix(r.Path, "/review") && !strings.HasSuffix(r.Path, "/verify") && !comments {
			for _, role := range d.Who {
				if !role.InFirm() {
					t.Errorf("route %s lets %s write a firm's assessment", key, role)
				}
			}
		}
		if strings.HasPrefix(r.Path, "/admin/") && (len(d.Who) != 1 || d.Who[0] != auth.Admin) {
			t.Errorf("route %s is not for admins only: %v", key, d.Who)
		}
	}
}

func TestLanguage(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.lang = "en-US,en;q=0.9"
	mustContain(t, c.get("/login").Body, "Log in", `lang="en"`)
	c.lang = "en-US"
	if r := c.post("/lang", url.Values{"lang": {"zh"}, "back": {"/login"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("toggle: %d %s", r.Status, r.Header.Get("Location"))
	}
	// The choice beats Accept-Language and is remembered.
	mustContain(t, c.get("/login").Body, "登录", `lang="zh-CN"`)
	if r := c.post("/lang", url.Values{"lang": {"fr"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unsupported language: %d", r.Status)
	}
	if r := c.post("/lang", url.Values{"lang": {"en"}, "back": {"//evil.example/"}}); r.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %s", r.Header.Get("Location"))
	}
}

var assessmentLoc = regexp.MustCompile(`^/assessments/(\d+)$`)

// start creates an assessment with the given themes for a firm that runs
// everything (so every item applies) and returns its id.
func start(t *testing.T, c *client, themes ...string) string {
	t.Helper()
	form := url.Values{"theme": themes}
	for _, ti := range checklist.Tags {
		form.Add("profile", string(ti.Tag))
	}
	r := c.post("/assessments", form)
	m := assessmentLoc.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("start: %d %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	return m[1]
}

var itemField = regexp.MustCompile(`name="answer\.([a-z0-9-]+)" value="compliant"`)

func TestFillSubmitScore(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups", "data-security")
	page := c.get("/assessments/" + id + "?filter=all")
	if page.Status != http.StatusOK {
		t.Fatalf("fill page: %d", page.Status)
	}
	var items []string
	for _, m := range itemField.FindAllStringSubmatch(page.Body, -1) {
		items = append(items, m[1])
	}
	popups, _ := a.catalog.Get("popups")
	ds, _ := a.catalog.Get("data-security")
	if want := len(popups.Items()) + len(ds.Items()); len(items) != want {
		t.Fatalf("fill page shows %d items, want %d", len(items), want)
	}
	mustContain(t, page.Body, popups.Title.ZH, popups.Items()[0].Text.ZH, popups.BasisText(popups.Items()[0], "zh"))

	// Autosave one item: it is stored and progress comes back.
	r := c.fetch("/assessments/"+id+"/answers/"+items[0], url.Values{"answer": {"non_compliant"}, "note": {"弹窗无关闭按钮 <b>x</b>"}})
	if r.Status != http.StatusOK {
		t.Fatalf("autosave: %d %s", r.Status, r.Body)
	}
	var saved autosaveResponse
	if err := json.Unmarshal([]byte(r.Body), &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Progress == nil || saved.Progress.Answered != 1 || saved.Progress.Total != len(items) || saved.Answer != scoring.NonCompliant {
		t.Errorf("autosave response: %+v", saved)
	}
	// A note-only save keeps the answer. The count of answered items is
	// as it was, so the response leaves the progress out and the page
	// keeps its counts.
	r = c.fetch("/assessments/"+id+"/answers/"+items[0], url.Values{"note": {"已整改中"}})
	saved = autosaveResponse{}
	if err := json.Unmarshal([]byte(r.Body), &saved); err != nil || saved.Answer != scoring.NonCompliant || saved.Note != "已整改中" || saved.Progress != nil {
		t.Errorf("note-only save: %s", r.Body)
	}
	// Another answer to the same item counts the same: no progress. A
	// first answer to a second item does: two answered now.
	for _, step := range []struct {
		item, answer string
		answered     int // 0: no progress in the response
	}{{items[0], "partial", 0}, {items[0], "non_compliant", 0}, {items[1], "partial", 2}} {
		r = c.fetch("/assessments/"+id+"/answers/"+step.item, url.Values{"answer": {step.answer}, "note": {"已整改中"}})
		saved = autosaveResponse{}
		if err := json.Unmarshal([]byte(r.Body), &saved); err != nil || r.Status != http.StatusOK {
			t.Fatalf("autosave %s: %d %s", step.item, r.Status, r.Body)
		}
		switch {
		case step.answered == 0 && saved.Progress != nil:
			t.Errorf("autosave of %s changed no count but reported progress: %s", step.item, r.Body)
		case step.answered > 0 && (saved.Progress == nil || saved.Progress.Answered != step.answered):
			t.Errorf("autosave of %s: progress %s, want %d answered", step.item, r.Body, step.answered)
		}
	}
	// Bad input is refused with a clear message, nothing stored.
	for _, bad := range []struct {
		item, answer string
		status       int
		want         string
	}{
		{items[1], "maybe", http.StatusUnprocessableEntity, "结论无效"},
		{"no-such-item", "compliant", http.StatusUnprocessableEntity, "没有这个检查项"},
	} {
		r := c.fetch("/assessments/"+id+"/answers/"+bad.item, url.Values{"answer": {bad.answer}})
		if r.Status != bad.status || !strings.Contains(r.Body, bad.want) {
			t.Errorf("bad autosave %s=%s: %d %s", bad.item, bad.answer, r.Status, r.Body)
		}
	}

	// Submit while incomplete: refused, with the list of what is missing.
	r = c.post("/assessments/"+id, url.Values{"action": {"submit"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("incomplete submit: %d", r.Status)
	}
	// Every unanswered item, and the gap without a plan, with the reason.
	mustContain(t, r.Body, fmt.Sprintf("还有 %d 项不能提交", len(items)), `href="?theme=popups#item-`+items[1]+`"`, "缺少整改计划", "未作答")

	// The no-JS form: answer everything and submit in one post.
	form := url.Values{"action": {"submit"}}
	for _, it := range items[1:] {
		form.Set("answer."+it, "compliant")
	}
	form.Set("answer."+items[2], "na")
	form.Set("note."+items[3], "已核查")
	// The gap gets its rectification plan in the same post.
	form.Set("plan.measure."+items[0], "首页弹窗增加显著关闭按钮")
	form.Set("plan.owner."+items[0], "产品部 李四")
	form.Set("plan.due."+items[0], "2030-06-30")
	form.Set("plan.status."+items[0], "in_progress")
	attachRequired(t, c, id)
	r = c.post("/assessments/"+id, form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"/score" {
		t.Fatalf("submit: %d %s\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	score := c.get("/assessments/" + id + "/score")
	// The gap list holds the non-compliant item with its latest note.
	mustContain(t, score.Body, "自查已提交", "下载 PDF 报告", "<svg", popups.Title.ZH, "已整改中", "不合格")

	// Submitted means read-only for the firm.
	if r := c.fetch("/assessments/"+id+"/answers/"+items[1], url.Values{"answer": {"partial"}}); r.Status != http.StatusConflict {
		t.Errorf("autosave after submit: %d", r.Status)
	}
	if r := c.post("/assessments/"+id, url.Values{"answer." + items[1]: {"partial"}}); r.Status != http.StatusConflict {
		t.Errorf("form save after submit: %d", r.Status)
	}
	mustContain(t, c.get("/assessments/"+id).Body, "内容只读")

	pdf := c.get("/assessments/" + id + "/report.pdf")
	if pdf.Status != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	if !strings.Contains(pdf.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("pdf disposition: %s", pdf.Header.Get("Content-Disposition"))
	}
}

func TestNotesAreEscaped(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	popups, _ := a.catalog.Get("popups")
	item := popups.Items()[0].ID
	c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {`<script>alert(1)</script>`}})
	for _, path := range []string{"/assessments/" + id, "/assessments/" + id + "/score"} {
		body := c.get(path).Body
		if strings.Contains(body, "<script>alert(1)") {
			t.Errorf("%s renders the note as markup", path)
		}
		mustContain(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

func TestFirmIsolation(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	owner := a.client()
	owner.login("firm@demo.local")
	id := start(t, owner, "popups")
	popups, _ := a.catalog.Get("popups")
	item := popups.Items()[0].ID

	other := a.client()
	other.login("other@firm.local")
	for _, path := range []string{"/assessments/" + id, "/assessments/" + id + "/score", "/assessments/" + id + "/report.pdf"} {
		if r := other.get(path); r.Status != http.StatusNotFound {
			t.Errorf("other firm GET %s: %d, want 404", path, r.Status)
		}
	}
	if r := other.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"compliant"}}); r.Status != http.StatusNotFound {
		t.Errorf("other firm autosave: %d, want 404", r.Status)
	}
	if r := other.post("/assessments/"+id, url.Values{"action": {"submit"}}); r.Status != http.StatusNotFound {
		t.Errorf("other firm submit: %d, want 404", r.Status)
	}
	if strings.Contains(other.get("/").Body, "/assessments/"+id+`"`) {
		t.Error("other firm's home lists the assessment")
	}
	// Nothing the other firm did reached the assessment.
	if r := owner.get("/assessments/" + id); strings.Contains(r.Body, `value="compliant" checked`) {
		t.Error("other firm's save was stored")
	}
}

var campaignOption = regexp.MustCompile(`<option value="(\d+)" selected>`)

// startCampaign starts the demo campaign's assessment and returns its id.
func startCampaign(t *testing.T, c *client) string {
	t.Helper()
	m := campaignOption.FindStringSubmatch(c.get("/").Body)
	if m == nil {
		t.Fatal("the start form offers no campaign")
	}
	form := url.Values{"campaign": {m[1]}}
	for _, ti := range checklist.Tags {
		form.Add("profile", string(ti.Tag))
	}
	r := c.post("/assessments", form)
	loc := assessmentLoc.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || loc == nil {
		t.Fatalf("start campaign: %d %q", r.Status, r.Header.Get("Location"))
	}
	return loc[1]
}

// answerAll answers every item on the fill-in page compliant, attaches a
// file to each item that requires evidence, and submits.
func answerAll(t *testing.T, c *client, id string) resp {
	t.Helper()
	attachRequired(t, c, id)
	form := url.Values{"action": {"submit"}}
	for _, m := range itemField.FindAllStringSubmatch(c.get("/assessments/"+id+"?filter=all").Body, -1) {
		form.Set("answer."+m[1], "compliant")
	}
	return c.post("/assessments/"+id, form)
}

// requiredItem finds the items the fill-in page marks as needing evidence.
var requiredItem = regexp.MustCompile(`(?s)<fieldset class="item[^"]*" id="item-([a-z0-9-]+)".*?</p>`)

// attachRequired uploads a file, as the fill-in page does, to every item
// the page marks as needing evidence: a firm must before it submits.
func attachRequired(t *testing.T, c *client, id string) {
	t.Helper()
	for _, m := range requiredItem.FindAllStringSubmatch(c.get("/assessments/"+id+"?filter=all").Body, -1) {
		if !strings.Contains(m[0], `class="req"`) {
			continue
		}
		if r := c.uploadJSON("/assessments/"+id+"/answers/"+m[1]+"/evidence", "证明材料.txt", []byte("证明材料 "+m[1])); r.Status != http.StatusCreated {
			t.Fatalf("evidence for %s: %d %s", m[1], r.Status, r.Body)
		}
	}
}

func TestAuditorSeesSubmittedOnly(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	auditor := a.client()
	auditor.login("auditor@demo.local")
	if r := auditor.get("/assessments/" + id + "/score"); r.Status != http.StatusNotFound {
		t.Errorf("auditor sees a draft: %d", r.Status)
	}
	popups, _ := a.catalog.Get("popups")
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	// An assessment outside the auditor's campaigns stays invisible to them.
	outside := start(t, firm, "popups")
	if r := answerAll(t, firm, outside); r.Status != http.StatusSeeOther {
		t.Fatalf("submit outside the campaign: %d", r.Status)
	}
	if r := auditor.get("/assessments/" + outside + "/score"); r.Status != http.StatusNotFound {
		t.Errorf("auditor sees an assessment outside their campaigns: %d", r.Status)
	}
	r := auditor.get("/assessments/" + id + "/score")
	if r.Status != http.StatusOK {
		t.Fatalf("auditor score page: %d", r.Status)
	}
	mustContain(t, r.Body, "100.0", "优秀")
	mustContain(t, auditor.get("/").Body, "示例科技有限公司")
	// Auditors read; they never write a firm's answers.
	if r := auditor.fetch("/assessments/"+id+"/answers/"+popups.Items()[0].ID, url.Values{"answer": {"partial"}}); r.Status != http.StatusForbidden {
		t.Errorf("auditor autosave: %d, want 403", r.Status)
	}
	if r := auditor.post("/assessments", url.Values{"theme": {"popups"}}); r.Status != http.StatusForbidden {
		t.Errorf("auditor start: %d, want 403", r.Status)
	}
}

func TestStartNeedsATheme(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	if r := c.post("/assessments", url.Values{}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("no theme: %d %s", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, c.get("/").Body, "请至少选择一个主题")
	if r := c.post("/assessments", url.Values{"theme": {"made-up"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "made-up") {
		t.Errorf("unknown theme: %d", r.Status)
	}
}

func TestStaticAssetsAreHashed(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	m := regexp.MustCompile(`href="(/static/css/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(c.get("/login").Body)
	if m == nil {
		t.Fatal("no hashed stylesheet link")
	}
	r := c.get(m[1])
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("asset: %d %v", r.Status, r.Header)
	}
	if r := c.get("/static/fonts/wqy-microhei.ttf"); r.Status != http.StatusNotFound {
		t.Errorf("the PDF font is not a web asset: %d", r.Status)
	}
}

// The firm's declared profile decides which items are asked; the rest are
// listed with the reason.
func TestProfileLeavesOutItems(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	// The start form is pre-filled with the firm's saved profile.
	home := c.get("/").Body
	mustContain(t, home, `name="profile" value="app" checked`, `name="profile" value="website" checked`)
	if strings.Contains(home, `value="cloud" checked`) {
		t.Error("cloud is not in the demo profile")
	}
	r := c.post("/assessments", url.Values{"theme": {"popups", "user-rights"}, "profile": {"website"}})
	m := assessmentLoc.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	page := c.get("/assessments/" + m[1] + "?filter=all").Body
	profile := checklist.NewProfile("website")
	asked, left := 0, 0
	for _, id := range []string{"popups", "user-rights"} {
		cl, _ := a.catalog.Get(id)
		kept, out := cl.ForProfile(profile)
		asked += len(kept.Items())
		left += len(out)
		for _, it := range out {
			if strings.Contains(page, `name="answer.`+it.ID+`"`) {
				t.Errorf("left-out item %s is asked", it.ID)
			}
		}
	}
	if got := len(itemField.FindAllString(page, -1)); got != asked || left == 0 {
		t.Fatalf("asked %d items, want %d (left out %d)", got, asked, left)
	}
	mustContain(t, page, fmt.Sprintf("%d 项检查项因不适用于本企业业务而未纳入", left), "仅适用于：", "网站、网页服务")
	// The choice became the firm's profile.
	if home := c.get("/").Body; strings.Contains(home, `value="app" checked`) || !strings.Contains(home, `value="website" checked`) {
		t.Error("the firm profile was not saved")
	}
	// A profile to which nothing applies is refused with a message.
	r = c.post("/assessments", url.Values{"theme": {"popups"}, "profile": {"cloud"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("nothing applies: %d %s", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, c.get("/").Body, "没有适用于所勾选业务的检查项")
	if r := c.post("/assessments", url.Values{"theme": {"popups"}, "profile": {"robots"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown tag: %d", r.Status)
	}
}

var wasField = regexp.MustCompile(`name="was\.([a-z0-9-]+)" value="([^"]*)"`)

// A page loaded before a colleague's save does not wipe that save when its
// whole form is posted: only what this form changed is written.
func TestStaleFormKeepsColleaguesSave(t *testing.T) {
	a := newTestApp(t)
	a.addFirmUser("colleague@demo.local", "同事所在公司", "91350100M000100Y43")
	alice := a.client()
	alice.login("firm@demo.local")
	id := start(t, alice, "popups")
	stale := alice.get("/assessments/" + id).Body
	popups, _ := a.catalog.Get("popups")
	first, second := popups.Items()[0].ID, popups.Items()[1].ID

	// Meanwhile (as a second tab would) the first item gets an answer and note.
	r := alice.fetch("/assessments/"+id+"/answers/"+first, url.Values{"answer": {"partial"}, "note": {"整改中，王五负责"}})
	if r.Status != http.StatusOK {
		t.Fatal(r.Body)
	}
	// The stale page posts everything it shows, having changed only the second item.
	form := url.Values{"action": {"save"}}
	was := wasField.FindAllStringSubmatch(stale, -1)
	if len(was) != len(popups.Items()) {
		t.Fatalf("the page carries the loaded state of %d items, want %d", len(was), len(popups.Items()))
	}
	for _, m := range was {
		form.Set("was."+m[1], m[2])
		form.Set("note."+m[1], "")
	}
	form.Set("answer."+second, "compliant")
	if r := alice.post("/assessments/"+id, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	page := alice.get("/assessments/" + id).Body
	mustContain(t, page, "整改中，王五负责", `name="answer.`+first+`" value="partial" checked`, `name="answer.`+second+`" value="compliant" checked`)
}

// A refused save shows the page again with everything that was typed.
func TestRefusedFormKeepsInput(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	popups, _ := a.catalog.Get("popups")
	items := popups.Items()
	form := url.Values{"action": {"save"}}
	form.Set("answer."+items[0].ID, "compliant")
	form.Set("note."+items[0].ID, "第一项的说明")
	form.Set("answer."+items[1].ID, "sometimes") // not a valid answer
	r := c.post("/assessments/"+id, form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	mustContain(t, r.Body, "结论无效", "第一项的说明", `name="answer.`+items[0].ID+`" value="compliant" checked`)
	// Nothing was stored: the batch is all or nothing.
	if strings.Contains(c.get("/assessments/"+id).Body, "第一项的说明") {
		t.Error("part of a refused batch was stored")
	}
	// Line breaks count once, as the browser's maxlength counts them.
	note := strings.Repeat("一行说明\r\n", assessment.MaxNoteLen/5)
	r = c.fetch("/assessments/"+id+"/answers/"+items[2].ID, url.Values{"answer": {"na"}, "note": {note}})
	if r.Status != http.StatusOK {
		t.Errorf("a note of the longest length with CRLF line breaks: %d %s", r.Status, r.Body)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	a := newTestApp(t)
	for _, next := range []string{"/\t/evil.example", "//evil.example", "https://evil.example", "/\\evil.example"} {
		c := a.client()
		r := c.post("/login", url.Values{"email": {"firm@demo.local"}, "password": {"demo12345"}, "next": {next}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d %q", next, r.Status, r.Header.Get("Location"))
		}
	}
	c := a.client()
	r := c.post("/login", url.Values{"email": {"firm@demo.local"}, "password": {"demo12345"}, "next": {"/assessments/7"}})
	if r.Header.Get("Location") != "/assessments/7" {
		t.Errorf("a local next is kept: %q", r.Header.Get("Location"))
	}
}

// The full form (no JavaScript) changed two items a colleague saved after
// the page was loaded: both are reported, nothing is saved, and once the
// user has seen them a second post saves deliberately.
func TestFullFormReportsEveryConflict(t *testing.T) {
	a := newTestApp(t)
	member := a.client()
	member.login("firm@demo.local")
	id := start(t, member, "popups")
	stale := member.get("/assessments/" + id).Body
	popups, _ := a.catalog.Get("popups")
	x, y := popups.Items()[0].ID, popups.Items()[1].ID

	colleague := a.client()
	colleague.login("firmadmin@demo.local")
	for _, it := range []string{x, y} {
		if r := colleague.fetch("/assessments/"+id+"/answers/"+it, url.Values{"answer": {"non_compliant"}, "note": {"同事的结论 " + it}}); r.Status != http.StatusOK {
			t.Fatal(r.Body)
		}
	}
	form := url.Values{"action": {"save"}}
	for _, m := range wasField.FindAllStringSubmatch(stale, -1) {
		form.Set("was."+m[1], m[2])
	}
	form.Set("answer."+x, "compliant")
	form.Set("answer."+y, "partial")
	r := member.post("/assessments/"+id, form)
	if r.Status != http.StatusConflict {
		t.Fatalf("stale full form: %d", r.Status)
	}
	mustContain(t, r.Body, "同事的结论 "+x, "同事的结论 "+y, "示例合规负责人")
	if page := member.get("/assessments/" + id).Body; !strings.Contains(page, `name="answer.`+x+`" value="non_compliant" checked`) ||
		!strings.Contains(page, `name="answer.`+y+`" value="non_compliant" checked`) {
		t.Fatal("a conflicting post overwrote the colleague's answers")
	}
	// The conflict page shows what was typed, with the colleague's versions
	// as the loaded state: posting it again is a deliberate overwrite.
	mustContain(t, r.Body, `name="answer.`+x+`" value="compliant" checked`)
	again := url.Values{"action": {"save"}}
	for _, m := range wasField.FindAllStringSubmatch(r.Body, -1) {
		again.Set("was."+m[1], m[2])
	}
	again.Set("answer."+x, "compliant")
	again.Set("answer."+y, "partial")
	if r := member.post("/assessments/"+id, again); r.Status != http.StatusSeeOther {
		t.Fatalf("second post: %d", r.Status)
	}
	mustContain(t, member.get("/assessments/"+id).Body, `name="answer.`+x+`" value="compliant" checked`, `name="answer.`+y+`" value="partial" checked`)
}

// Every page names its icon, and browsers that ask for /favicon.ico are
// sent to the same file.
func TestFavicon(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	login := c.get("/login")
	m := regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="([^"]+)">`).FindStringSubmatch(login.Body)
	if m == nil {
		t.Fatal("the login page names no icon")
	}
	icon := c.get(html.UnescapeString(m[1]))
	if icon.Status != http.StatusOK || icon.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(icon.Body, "<svg") {
		t.Fatalf("the icon: %d %s", icon.Status, icon.Header.Get("Content-Type"))
	}
	if r := c.get("/favicon.ico"); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != html.UnescapeString(m[1]) {
		t.Errorf("/favicon.ico: %d to %q, want a redirect to the icon", r.Status, r.Header.Get("Location"))
	}
}
