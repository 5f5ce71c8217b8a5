package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

var teamItem = regexp.MustCompile(`name="assignee\.item:([a-z0-9-]+)"`)

// Assign in place, comment, see it on the review page, and find the work
// again from the home page and the returned banner: the no-JS forms, in
// both languages, each with nothing of the other language.
func TestTeamWorkOnThePages(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	member, err := a.store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.CreateUser(ctx, store.NewUser{Email: "legal@demo.local", Name: "法务小王", Password: store.DemoPassword,
		Role: auth.FirmMember, FirmID: member.FirmID}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.login("firm@demo.local")
	id := startCampaign(t, c)
	page := c.get("/assessments/" + id)
	mustContain(t, page.Body, `id="team-assign"`, `id="team-comment"`, `form="team-assign"`, "负责人", "未分配", "讨论")
	m := teamItem.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("no assignee select on the fill-in page")
	}
	item := m[1]
	theme := regexp.MustCompile(`name="assignee\.theme:([a-z0-9-]+)"`).FindStringSubmatch(page.Body)
	if theme == nil {
		t.Fatal("no theme assignee select")
	}

	// Without a CSRF token nothing happens.
	r := c.post("/assessments/"+id+"/assignments", url.Values{"_csrf": {"forged"}, "target": {"item:" + item}, "assignee.item:" + item: {"legal@demo.local"}})
	if r.Status == http.StatusSeeOther {
		t.Fatalf("a forged form assigned: %d", r.Status)
	}
	// The item to a colleague, the theme to me: the item's own wins.
	r = c.post("/assessments/"+id+"/assignments", url.Values{"target": {"item:" + item}, "assignee.item:" + item: {"legal@demo.local"},
		"assignee.theme:" + theme[1]: {"firmadmin@demo.local"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"#item-"+item {
		t.Fatalf("assign: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = c.post("/assessments/"+id+"/assignments", url.Values{"target": {"theme:" + theme[1]}, "assignee.theme:" + theme[1]: {"firm@demo.local"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("assign theme: %d %s", r.Status, r.Body)
	}
	page = c.get("/assessments/" + id)
	part := teamPart(t, page.Body, item)
	if !strings.Contains(part, "<bdi data-assignee>法务小王</bdi>") {
		t.Errorf("the item's part does not name its assignee:\n%s", part)
	}
	// A refusal names the field in the page's language.
	r = c.post("/assessments/"+id+"/assignments", url.Values{"target": {"item:" + item}, "assignee.item:" + item: {"auditor@demo.local"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "负责人必须是本企业的在职成员") {
		t.Errorf("an auditor as assignee: %d %s", r.Status, r.Body)
	}
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	r = en.post("/assessments/"+id+"/assignments", url.Values{"target": {"item:" + item}, "assignee.item:" + item: {"auditor@demo.local"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "must be an active member of your firm") || strings.Contains(r.Body, "负责人") {
		t.Errorf("in English: %d %s", r.Status, r.Body)
	}

	// Home: my open items, with their counts and why they are open.
	home := c.get("/")
	mustContain(t, home.Body, "我的待办事项", `href="/assessments/`+id+`#item-`, "未作答")
	if strings.Contains(home.Body, `#item-`+item+`"`) {
		t.Error("the item assigned to a colleague is listed as mine")
	}
	if h := en.get("/").Body; !strings.Contains(h, "My open items") || strings.Contains(h, "我的待办事项") || strings.Contains(h, "未作答") {
		t.Error("the English home page lacks my open items or shows Chinese ones")
	}

	// A comment with a mention; too long is refused in the page's language.
	r = c.post("/assessments/"+id+"/comments", url.Values{"item": {item}, "thread." + item: {"请 @法务小王 补充<b>制度</b>"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d %s", r.Status, r.Body)
	}
	r = c.post("/assessments/"+id+"/comments", url.Values{"item": {item}, "thread." + item: {strings.Repeat("长", 2001)}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "讨论内容过长：最多 2000 个字符") {
		t.Errorf("long comment: %d %s", r.Status, r.Body)
	}
	part = teamPart(t, c.get("/assessments/"+id).Body, item)
	mustContain(t, part, "请 @法务小王 补充&lt;b&gt;制度&lt;/b&gt;", "企业成员", `form="team-comment-delete"`, `form="team-comment-edit"`)
	// Within five minutes its author corrects it in place; nobody else may.
	cid := regexp.MustCompile(`name="edit\.(\d+)"`).FindStringSubmatch(part)
	if cid == nil {
		t.Fatalf("no edit field for the new comment:\n%s", part)
	}
	other := a.client()
	other.login("firmadmin@demo.local")
	if r := other.post("/assessments/"+id+"/comments/edit", url.Values{"comment": {cid[1]}, "edit." + cid[1]: {"改掉别人的"}}); r.Status != http.StatusForbidden {
		t.Errorf("a colleague edits the comment: %d", r.Status)
	}
	r = c.post("/assessments/"+id+"/comments/edit", url.Values{"comment": {cid[1]}, "edit." + cid[1]: {"请 @法务小王 补充<b>制度</b>（第二版）"}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "#item-"+item) {
		t.Fatalf("edit: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	part = teamPart(t, c.get("/assessments/"+id).Body, item)
	mustContain(t, part, "补充&lt;b&gt;制度&lt;/b&gt;（第二版）", "已修改")
	if r := c.post("/assessments/"+id+"/comments/edit", url.Values{"comment": {cid[1]}, "edit." + cid[1]: {"  "}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an empty edit: %d", r.Status)
	}
	enPage := en.get("/assessments/" + id).Body
	enPart := teamPart(t, enPage, item)
	mustContain(t, enPart, "Assignee", "Comments", "Post")
	for _, zh := range []string{"未分配", "发表", "企业成员", "讨论", "暂无"} {
		if strings.Contains(enPart, zh) {
			t.Errorf("the English item part shows %q:\n%s", zh, enPart)
		}
	}

	// (The demo admin is called 示例合规负责人: names are user content.)
	// Submitted: the auditor sees the thread on the review page and answers there.
	if r := answerAll(t, c, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	review := auditor.get("/assessments/" + id + "/review")
	mustContain(t, review.Body, "请 @法务小王 补充&lt;b&gt;制度&lt;/b&gt;", `id="team-comment"`, `name="back" value="review"`)
	if strings.Contains(review.Body, `form="team-assign"`) {
		t.Error("the auditor is offered to assign")
	}
	r = auditor.post("/assessments/"+id+"/comments", url.Values{"item": {item}, "back": {"review"}, "thread." + item: {"请上传最新版本"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"/review#item-"+item {
		t.Fatalf("auditor's comment: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	mustContain(t, teamPart(t, auditor.get("/assessments/"+id+"/review").Body, item), "请上传最新版本", "审核员")

	// Returned: the banner lists the flagged item with the auditor's comment.
	r = auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"request_changes"}, "comment": {"请修改"},
		"verdict." + item: {"needs_change"}, "comment." + item: {"弹窗缺少关闭按钮"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("return: %d %s", r.Status, r.Body)
	}
	page = c.get("/assessments/" + id)
	banner := between(page.Body, `id="returned"`, "</div>")
	mustContain(t, banner, "审核员要求修改以下事项", `href="#item-`+item+`"`, "弹窗缺少关闭按钮")
	mustContain(t, c.get("/").Body, ">修改</a>")
	if h := en.get("/").Body; !strings.Contains(h, ">Revise</a>") {
		t.Error("the English home page does not say Revise")
	}
	if b := between(en.get("/assessments/"+id).Body, `id="returned"`, "</div>"); !strings.Contains(b, "The auditor asks for changes to these items") || strings.Contains(b, "审核员要求") {
		t.Errorf("English banner: %s", b)
	}
}

// teamPart is an item's team part of a page.
func teamPart(t *testing.T, body, item string) string {
	t.Helper()
	s := between(body, `id="team-`+item+`"`, `<div class="item-team"`)
	if s == "" {
		t.Fatalf("no team part for %s", item)
	}
	return s
}

// between is the text of body from the first from to the next to after it
// (the rest of body when to is absent).
func between(body, from, to string) string {
	i := strings.Index(body, from)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest[len(from):], to); j >= 0 {
		return rest[:len(from)+j]
	}
	return rest
}

// The team parts are rendered once and reused across loads (teamState): a
// member who joins the firm must show in every item's and theme's select
// on the next load, and the English page must not get the Chinese parts.
func TestTeamPartsFollowTheFirm(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	member, err := a.store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.login("firm@demo.local")
	id := startCampaign(t, c)
	before := c.get("/assessments/" + id + "?filter=all")
	if before.Status != http.StatusOK || strings.Contains(before.Body, "安全小李") {
		t.Fatalf("before the member joins: %d, shows them: %v", before.Status, strings.Contains(before.Body, "安全小李"))
	}
	selects := strings.Count(before.Body, `form="team-assign" aria-label=`)
	if selects < 2 {
		t.Fatalf("%d assignee selects on the page", selects)
	}
	if _, err := a.store.CreateUser(ctx, store.NewUser{Email: "sec@demo.local", Name: "安全小李", Password: store.DemoPassword,
		Role: auth.FirmMember, FirmID: member.FirmID}); err != nil {
		t.Fatal(err)
	}
	after := c.get("/assessments/" + id + "?filter=all")
	if got := strings.Count(after.Body, `<option value="sec@demo.local">安全小李</option>`); got != selects {
		t.Errorf("the new member is offered in %d of %d selects", got, selects)
	}
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	page := en.get("/assessments/" + id + "?filter=all")
	if strings.Contains(page.Body, "未分配") || !strings.Contains(page.Body, "Unassigned") {
		t.Errorf("the English page shows the Chinese team parts")
	}
}
