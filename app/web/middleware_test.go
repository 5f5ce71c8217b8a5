package web

import "testing"

func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/assessments/3", "/assessments/3"},
		{"/assessments/3?x=1#y", "/assessments/3?x=1#y"},
		{"", "/"},
		{"assessments", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/%09/evil.example"}, // stays a path here: the tab is not decoded by browsers in Location
		{"/\n/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"/\x00", "/"},
	} {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
