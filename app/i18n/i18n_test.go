package i18n

import (
	"strings"
	"testing"

	"selfcheck/app/fault"
)

func TestLoadKeepsLanguagesInStep(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("en", "login.title"); got != "Log in" {
		t.Errorf("en login.title = %q", got)
	}
	if got := c.T("zh", "login.title"); got != "登录" {
		t.Errorf("zh login.title = %q", got)
	}
	if got := c.T("fr", "login.title"); got != "登录" {
		t.Errorf("unknown language must fall back to zh, got %q", got)
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"fr-FR, en;q=0.5", "en"},
		{"", "zh"},
		{"de", "zh"},
	} {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// TestFaultMessages: every rule's refusal reads as a sentence in each
// language, naming the field by its label, never as a key or in the other
// language.
func TestFaultMessages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range fault.Codes {
		if !c.Has("fault." + code) {
			t.Errorf("no message for the code %s", code)
		}
	}
	for _, tt := range []struct {
		fe     *fault.FieldError
		zh, en string
	}{
		{fault.Field("comment", fault.Required), "退回修改或驳回时必须填写审核意见。", "A comment is required to request changes or reject."},
		{fault.Field("due", fault.Invalid), "完成期限须为有效日期，格式 YYYY-MM-DD。", "due must be a date written YYYY-MM-DD."},
		{fault.ItemField("pw-close-button", "verdict", fault.OneOf), "检查项 pw-close-button：逐项结论只能是“通过”或“需修改”。", "Item pw-close-button: A verdict must be accepted or needs_change."},
		{fault.Field("note", fault.TooLong, 20000), "说明过长，最多 20000 个字符。", "The note is too long: at most 20000 characters."},
		{fault.Field("nickname", fault.TooLong, 30), "“nickname”过长，最多 30 个字符。", "nickname is too long: at most 30 characters."},
		{fault.Field("firm", fault.Required, fault.Term("role.firm_admin")), "所属企业：角色为「企业管理员」时必须选择所属企业。", "Firm: the role “Firm admin” needs a firm; choose one."},
	} {
		if got := c.Fault("zh", tt.fe); got != tt.zh {
			t.Errorf("zh %v = %q, want %q", tt.fe, got, tt.zh)
		}
		if got := c.Fault("en", tt.fe); got != tt.en {
			t.Errorf("en %v = %q, want %q", tt.fe, got, tt.en)
		}
	}
}

// English counts take the singular at one; Chinese has no number.
func TestSingularAtOne(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "audit.total", []any{1}, "1 entry"},
		{"en", "audit.total", []any{2}, "2 entries"},
		{"en", "audit.total", []any{0}, "0 entries"},
		{"en", "dashboard.theme_value", []any{"Pop-ups", 1}, "Pop-ups (1 firm)"},
		{"en", "queue.days", []any{int64(1)}, "1 day"},
		{"zh", "audit.total", []any{1}, "共 1 条记录"},
	} {
		if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
	// Every singular form takes as many arguments as its message.
	for lang, m := range c.msgs {
		for k, v := range m {
			if base, ok := strings.CutSuffix(k, oneSuffix); ok && strings.Count(v, "%") != strings.Count(m[base], "%") {
				t.Errorf("%s %s has %d verbs, its message %d", lang, k, strings.Count(v, "%"), strings.Count(m[base], "%"))
			}
		}
	}
}
