package web

import (
	"context"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/people"
	"selfcheck/app/store"
	"selfcheck/app/workflow"
)

// TestRefusalsInThePageLanguage renders each refusal of the admin campaign
// form, the account and firm forms, the team form, the role change, the
// review queue's filter and the checklist upload in Chinese and in English,
// and checks that the page shows the refusal's message in its language and
// no sentence of the other: on the Chinese page no ASCII word of three
// letters or more but the identifiers the request itself carried (an
// email, a file name), on the English page no CJK character at all.
func TestRefusalsInThePageLanguage(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	firm, err := a.store.FirmByCreditCode(ctx, store.DemoCreditCode)
	if err != nil {
		t.Fatal(err)
	}
	firmID := strconv.Itoa(int(firm.ID))
	member := userID(t, a, "firm@demo.local")
	good := validCode(t, "91310115MA1K3YJ2X")
	wrongCheck := good[:17] + "0"
	if good[17] == '0' {
		wrongCheck = good[:17] + "1"
	}
	campaignForm := func(change url.Values) url.Values {
		v := url.Values{"name_zh": {"专项"}, "name_en": {"Round"}, "theme": {"popups"}, "starts_on": {"2030-03-01"}, "deadline": {"2030-04-30"}}
		for k, x := range change {
			v[k] = x
		}
		return v
	}
	account := func(change url.Values) url.Values {
		v := url.Values{"email": {"new@demo.local"}, "name": {"Xu"}, "role": {"auditor"}, "generate": {"1"}}
		for k, x := range change {
			v[k] = x
		}
		return v
	}

	type send func(c *client) resp
	post := func(path string, form url.Values) send {
		// A copy each time: post adds the client's own CSRF token.
		return func(c *client) resp { return c.post(path, maps.Clone(form)) }
	}
	get := func(path string) send { return func(c *client) resp { return c.get(path) } }
	upload := func(name string, content []byte) send {
		return func(c *client) resp { return c.upload("/admin/checklists", "file", name, content) }
	}
	tests := []struct {
		name   string
		as     string // who sends it
		send   send
		status int
		want   *fault.FieldError
		allow  string // identifiers the request carried, which either page may echo
	}{
		{"campaign without a Chinese name", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"name_zh": {""}})), 422, fault.Field("name_zh", fault.Required), ""},
		{"campaign name too long", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"name_zh": {strings.Repeat("名", 201)}})), 422, fault.Field("name_zh", fault.TooLong, 200), ""},
		{"campaign English name too long", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"name_en": {strings.Repeat("n", 201)}})), 422, fault.Field("name_en", fault.TooLong, 200), ""},
		{"campaign without themes", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"theme": nil})), 422, fault.Field("themes", fault.Required), ""},
		{"campaign with an unknown theme", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"theme": {"nope"}})), 422, fault.Field("themes", fault.Unknown, "nope"), "nope"},
		{"campaign start not a date", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"starts_on": {"2030-13-01"}})), 422, fault.Field("starts_on", fault.Invalid), ""},
		{"campaign deadline not a date", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"deadline": {"soon"}})), 422, fault.Field("deadline", fault.Invalid), ""},
		{"campaign deadline before start", "admin@demo.local", post("/admin/campaigns", campaignForm(url.Values{"deadline": {"2030-02-01"}})), 422, fault.Field("deadline", fault.Order, "2030-02-01", "2030-03-01"), ""},

		{"account without email", "admin@demo.local", post("/admin/users", account(url.Values{"email": {""}})), 422, fault.Field("email", fault.Required), ""},
		{"account email invalid", "admin@demo.local", post("/admin/users", account(url.Values{"email": {"not-an-email"}})), 422, fault.Field("email", fault.Invalid, "not-an-email"), "not-an-email"},
		{"account email taken", "admin@demo.local", post("/admin/users", account(url.Values{"email": {"auditor@demo.local"}})), 422, nil, "auditor@demo.local"},
		{"account without name", "admin@demo.local", post("/admin/users", account(url.Values{"name": {""}})), 422, fault.Field("name", fault.Required), ""},
		{"account name too long", "admin@demo.local", post("/admin/users", account(url.Values{"name": {strings.Repeat("x", 201)}})), 422, fault.Field("name", fault.TooLong, 200), ""},
		{"account role unknown", "admin@demo.local", post("/admin/users", account(url.Values{"role": {"root"}})), 422, fault.Field("role", fault.OneOf), ""},
		{"account firm missing", "admin@demo.local", post("/admin/users", account(url.Values{"role": {"firm_member"}})), 422, fault.Field("firm", fault.Required, people.RoleTerm(auth.FirmMember)), ""},
		{"account firm unknown", "admin@demo.local", post("/admin/users", account(url.Values{"role": {"firm_member"}, "firm": {"9999"}})), 422, fault.Field("firm", fault.Unknown, "9999"), ""},
		{"account firm not allowed", "admin@demo.local", post("/admin/users", account(url.Values{"firm": {firmID}})), 422, fault.Field("firm", fault.Invalid, people.RoleTerm(auth.Auditor)), ""},
		{"account without password", "admin@demo.local", post("/admin/users", account(url.Values{"generate": nil})), 422, fault.Field("password", fault.Required), ""},
		{"account password too short", "admin@demo.local", post("/admin/users", account(url.Values{"generate": nil, "password": {"short"}})), 422, fault.Field("password", fault.TooShort, auth.MinPasswordLen), ""},
		{"account password and generate", "admin@demo.local", post("/admin/users", account(url.Values{"password": {"chosen-pass-1"}})), 422, fault.Field("password", fault.Invalid), ""},
		{"role change across kinds", "admin@demo.local", post("/admin/users/"+member+"/role", url.Values{"role": {"auditor"}}), 422, fault.Field("role", fault.Invalid, people.RoleTerm(auth.Auditor)), ""},
		{"team member of another role", "firmadmin@demo.local", post("/team", account(nil)), 422, fault.Field("role", fault.OneOf), ""},

		{"firm without name", "admin@demo.local", post("/admin/firms", url.Values{"name": {""}, "credit_code": {good}}), 422, fault.Field("firm_name", fault.Required), good},
		{"firm without code", "admin@demo.local", post("/admin/firms", url.Values{"name": {"Acme"}, "credit_code": {""}}), 422, fault.Field("credit_code", fault.Required), ""},
		{"firm code character", "admin@demo.local", post("/admin/firms", url.Values{"name": {"Acme"}, "credit_code": {"O" + good[1:]}}), 422, fault.Field("credit_code", fault.Invalid, "O", 1), "O" + good[1:]},
		{"firm code length", "admin@demo.local", post("/admin/firms", url.Values{"name": {"Acme"}, "credit_code": {good[:16]}}), 422, fault.Field("credit_code", fault.Length, 18, 16), good[:16]},
		{"firm code check character", "admin@demo.local", post("/admin/firms", url.Values{"name": {"Acme"}, "credit_code": {wrongCheck}}), 422, fault.Field("credit_code", fault.Checksum), wrongCheck},

		{"queue state", "auditor@demo.local", get("/review?state=draft"), 400, fault.Field("state", fault.OneOf, "draft"), "draft"},
		{"queue sort", "auditor@demo.local", get("/review?sort=price"), 400, fault.Field("sort", fault.OneOf, "price"), "price"},
		{"queue grade", "auditor@demo.local", get("/review?grade=best"), 400, fault.Field("grade", fault.OneOf, "best"), "best"},

		{"upload not yaml", "admin@demo.local", upload("notes.txt", []byte("id: x")), 422, fault.Field("file", fault.OneOf), "yaml"},
		{"upload empty", "admin@demo.local", upload("empty.yaml", nil), 422, fault.Field("file", fault.Required), ""},
		{"upload too large", "admin@demo.local", upload("big.yaml", make([]byte, workflow.MaxChecklistBytes+1)), 422, fault.Field("file", fault.TooLong, workflow.MaxChecklistBytes>>10), ""},
		{"upload not UTF-8", "admin@demo.local", upload("bin.yaml", []byte{0xff, 0xfe, 0}), 422, fault.Field("file", fault.Invalid), "UTF"},
		{"upload a built-in's name", "admin@demo.local", upload("popups.yaml", []byte("id: popups")), 422, fault.Field("file", fault.Taken, "popups.yaml"), "popups.yaml"},
	}

	clients := map[string]map[string]*client{}
	as := func(lang, email string) *client {
		if clients[lang] == nil {
			clients[lang] = map[string]*client{}
		}
		if c, ok := clients[lang][email]; ok {
			return c
		}
		c := a.client()
		c.lang = lang
		c.login(email)
		clients[lang][email] = c
		return c
	}
	for _, tt := range tests {
		for _, lang := range []string{"zh", "en"} {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				r := tt.send(as(lang, tt.as))
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tt.status, alerts(r.Body))
				}
				shown := alerts(r.Body)
				if shown == "" {
					t.Fatalf("no refusal shown:\n%s", r.Body)
				}
				if tt.want != nil {
					if msg := a.server.Messages.Fault(lang, tt.want); !strings.Contains(shown, msg) {
						t.Errorf("shown %q, want the message %q", shown, msg)
					}
				}
				if lang == "zh" {
					if w := foreignWords(shown, tt.allow); len(w) > 0 {
						t.Errorf("the Chinese page shows English %q in %q", w, shown)
					}
				} else if r := cjkIn(shown); r != "" {
					t.Errorf("the English page shows %q in %q", r, shown)
				}
			})
		}
	}
}

var alertOpen = regexp.MustCompile(`<(div|p)[^>]*role="alert"[^>]*>`)
var tag = regexp.MustCompile(`<[^>]+>`)

// alerts is the text of the page's alerts, where refusals are shown.
func alerts(body string) string {
	var out []string
	for _, m := range alertOpen.FindAllStringSubmatchIndex(body, -1) {
		name := body[m[2]:m[3]]
		rest := body[m[1]:]
		end := strings.Index(rest, "</"+name+">")
		if end < 0 {
			continue
		}
		out = append(out, strings.Join(strings.Fields(html.UnescapeString(tag.ReplaceAllString(rest[:end], " "))), " "))
	}
	return strings.Join(out, " | ")
}

var asciiWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// foreignWords are the ASCII words of three letters or more in s that the
// request did not carry itself.
func foreignWords(s, allow string) []string {
	var out []string
	for _, w := range asciiWord.FindAllString(s, -1) {
		if !strings.Contains(strings.ToLower(allow), strings.ToLower(w)) {
			out = append(out, w)
		}
	}
	return out
}

// cjkIn returns the first CJK character or CJK punctuation in s, if any.
func cjkIn(s string) string {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) {
			return fmt.Sprintf("%c", r)
		}
	}
	return ""
}

// TestPlanRefusalNamesItsFieldOnce: a malformed plan, by autosave or in
// the whole form, is refused with one sentence in the page's language that
// names the item once and what is wrong; an incomplete one is kept as a
// draft, and the answer says what it lacks.
func TestPlanRefusalNamesItsFieldOnce(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	item := itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)[1]
	if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}}); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	r := c.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"增加关闭按钮"}, "status": {"open"}})
	want := "整改计划草稿已保存，还缺：负责人、完成期限。"
	if r.Status != http.StatusOK || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `"missing":["owner","due"]`) {
		t.Errorf("autosave of a plan with only its measure: %d %s, want it kept and %q", r.Status, r.Body, want)
	}
	en := a.client()
	en.lang = "en"
	en.login("firm@demo.local")
	r = en.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"增加关闭按钮"}, "owner": {"张三"}, "status": {"open"}, "version": {"1"}})
	if want := "Draft plan saved; still missing: Due."; r.Status != http.StatusOK || !strings.Contains(r.Body, want) {
		t.Errorf("the English answer to a draft: %d %s, want %q", r.Status, r.Body, want)
	}
	r = c.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"增加关闭按钮"}, "due": {"2030-02-30"}, "status": {"open"}, "version": {"2"}})
	want = "检查项 " + item + " 的整改计划未保存：完成期限须为有效日期，格式 YYYY-MM-DD。"
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, want) || strings.Count(r.Body, item) != 1 || strings.Contains(r.Body, "缺失或无效") {
		t.Errorf("autosave of a plan with an impossible date: %d %s, want %q", r.Status, r.Body, want)
	}
	form := url.Values{"action": {"save"}, "answer." + item: {"partial"}, "plan.measure." + item: {"增加关闭按钮"},
		"plan.owner." + item: {"张三"}, "plan.due." + item: {"2030-02-30"}, "plan.status." + item: {"open"}}
	r = c.post("/assessments/"+id, form)
	want = "检查项 " + item + " 的整改计划未保存：完成期限须为有效日期，格式 YYYY-MM-DD。"
	if !strings.Contains(r.Body, want) || strings.Contains(r.Body, "未保存：检查项") {
		t.Errorf("the whole form with an impossible due date: %d, want %q in the page", r.Status, want)
	}
}
