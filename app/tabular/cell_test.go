package tabular

import "testing"

// XLSXText keeps what the user typed, formula-like or not, and drops only
// what a cell must not hold.
func TestXLSXText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"},
		{"+1", "+1"},
		{"中文", "中文"},
		{"", ""},
		{"a\xffb", "a\uFFFDb"},
		{"=\xff", "=\uFFFD"},
	} {
		if got := XLSXText(tt.in); got != tt.want {
			t.Errorf("XLSXText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A bidirectional control neither stays in the cell nor changes what the CSV
// guard sees (issue 19).
func TestBidiControlsDropped(t *testing.T) {
	for in, want := range map[string]string{
		"\u202E=1+1":           "=1+1",
		"\u2066负责人\u2069":      "负责人",
		"a\u200Eb\u200F\u061C": "ab",
		"plain":                "plain",
	} {
		if got := XLSXText(in); got != want {
			t.Errorf("XLSXText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Safe("\u202E=1+1"); got != "'=1+1" {
		t.Errorf("Safe hides a formula behind a bidi control: %q", got)
	}
}
