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
