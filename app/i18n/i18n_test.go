package i18n

import "testing"

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
