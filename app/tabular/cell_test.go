package tabular

import "testing"

func TestSafeCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+1", "'+1"},
		{"中文", "中文"},
		{"", ""},
		{"a\xffb", "a\uFFFDb"},
		{"=\xff", "'=\uFFFD"},
	} {
		if got := SafeCell(tt.in); got != tt.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A bidirectional control in front of a formula neither hides it from the
// check nor stays in the cell (issue 19).
func TestSafeDropsBidiControls(t *testing.T) {
	for in, want := range map[string]string{
		"\u202E=1+1":           "'=1+1",
		"\u2066负责人\u2069":      "负责人",
		"a\u200Eb\u200F\u061C": "ab",
		"plain":                "plain",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
