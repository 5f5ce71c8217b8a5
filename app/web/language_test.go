package web

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/store"
)

// userContent is what users of the authorization fixture typed or named:
// it shows as typed in either language.
var userContent = []string{
	store.DemoFirmName, "另一家公司", "示例合规专员", "示例合规负责人", "示例审核员", "示例管理员",
	"别家专员", "别家负责人", "另一审核员", "同事", authzSecret, "整改", "张三", "机密.pdf",
	"另一专项", store.DemoCampaignZH, "证明材料.txt", "草稿讨论",
}

// quotedTerms are Chinese words the catalog's English quotes on purpose: a
// label the law requires in Chinese (广告 on an advertisement), a grade
// named in a Chinese regulation (较大).
var quotedTerms = []string{"广告", "较大"}

var (
	pageTags = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<svg.*?</svg>|<code>.*?</code>|<[^>]*>`)
	// An element marked with its own language (the language switch's
	// 中文 on an English page, an audit record as it was written) is as
	// it should be.
	ownLanguage = regexp.MustCompile(`(?s)<(button|a|span)\b[^>]*\slang="[^"]*"[^>]*>.*?</(?:button|a|span)>`)
	// Commands the catalog's guidance tells a tester to run (between
	// backquotes) are commands in either language.
	commands = regexp.MustCompile("`[^`]*`")
	// Names that are the same in both languages: e-mail addresses, item
	// and theme ids, the product's name, file formats, service names.
	identifiers = regexp.MustCompile(`\S+@\S+|\b[a-z0-9]+(?:[-_.][a-z0-9]+)+\b|\b(?:Selfcheck|popups|resources|governance|deceiving|user|rights|data|security|market|order|App|SDK|API|PDF|XLSX|CSV|JSON|OSCAL)\b`)
	hanRun      = regexp.MustCompile(`\p{Han}[\p{Han}\p{P}\s]*`)
	// An English sentence: three words or more.
	englishRun = regexp.MustCompile(`[A-Za-z][a-z]+(?:[ ,'][A-Za-z][a-z]+){2,}`)
	// A value the code keeps in English, shown untranslated.
	machineWord = regexp.MustCompile(`\b(?:open|in_progress|done|draft|submitted|approved|rejected|changes_requested|compliant|partial|non_compliant|not_applicable|excellent|bytes)\b`)
)

// TestEveryPageSpeaksOneLanguage renders every kind of page, as each role
// sees it, in Chinese and in English, and fails on the other language's
// words outside what users typed: an English sentence in the Chinese UI,
// a Chinese word in the English one.
func TestEveryPageSpeaksOneLanguage(t *testing.T) {
	f := newAuthzFixture(t)
	pages := f.everyPage()
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range pages {
			req, _ := http.NewRequest(http.MethodGet, f.reads+p.path, nil)
			req.Header.Set("Accept-Language", lang)
			if s := f.sessions[p.who]; s != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s})
			}
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil || (r.StatusCode != http.StatusOK && !strings.HasPrefix(p.path, "/verify/NOT")) {
				t.Fatalf("%s %s: %d %v", lang, p.path, r.StatusCode, err)
			}
			text := html.UnescapeString(pageTags.ReplaceAllString(ownLanguage.ReplaceAllString(string(body), " "), " "))
			text = commands.ReplaceAllString(text, " ")
			text = identifiers.ReplaceAllString(text, " ")
			for _, u := range append(userContent, quotedTerms...) {
				text = strings.ReplaceAll(text, u, " ")
			}
			var foreign []string
			if lang == "en" {
				foreign = hanRun.FindAllString(text, -1)
			} else {
				foreign = append(englishRun.FindAllString(text, -1), machineWord.FindAllString(text, -1)...)
			}
			seen := map[string]bool{}
			for _, s := range foreign {
				s = strings.TrimSpace(s)
				if seen[s] {
					continue
				}
				seen[s] = true
				t.Errorf("%s %s as %s: %q", lang, p.path, callerNames[p.who], s)
			}
		}
	}
}

// pageAs is a page and the caller who opens it.
type pageAs struct {
	who  int
	path string
}

// everyPage is every kind of page the fixture has, as the role that sees
// it: what the language and accessibility tests walk.
func (f *authzFixture) everyPage() []pageAs {
	return []pageAs{
		{asAnonymous, "/login"},
		{asAnonymous, "/verify/" + f.verifyCode},
		{asAnonymous, "/verify/NOT-A-CODE"},
		{asAnonymous, "/verify/key"},
		{asMember, "/"},
		{asMember, fmt.Sprintf("/assessments/%d", f.draft)},     // editable
		{asMember, fmt.Sprintf("/assessments/%d", f.submitted)}, // read-only
		{asMember, fmt.Sprintf("/assessments/%d/score", f.submitted)},
		{asMember, fmt.Sprintf("/assessments/%d/score?by=standard", f.submitted)},
		{asMember, fmt.Sprintf("/assessments/%d/timeline", f.submitted)},
		{asMember, fmt.Sprintf("/assessments/%d/timeline", f.draft)},
		{asMember, "/plans"},
		{asMember, fmt.Sprintf("/assessments/%d/rectification", f.submitted)},
		{asAuditor, fmt.Sprintf("/assessments/%d/rectification", f.submitted)},
		{asMember, "/profile"},
		{asFirmAdmin, "/team"},
		{asAuditor, "/"},
		{asAuditor, "/review"},
		{asAuditor, fmt.Sprintf("/assessments/%d/review", f.submitted)},
		{asAuditor, fmt.Sprintf("/campaigns/%d/dashboard", f.campaign)},
		{asAdmin, "/admin/users"},
		{asAdmin, "/admin/firms"},
		{asAdmin, "/admin/campaigns"},
		{asAdmin, "/admin/checklists"},
		{asAdmin, "/admin/audit"},
		{asAdmin, "/admin/locks"},
	}
}
