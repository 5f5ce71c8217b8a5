package main

import (
	"io"
	"strings"
	"testing"
)

func TestServePublicURL(t *testing.T) {
	t.Setenv("SELFCHECK_PUBLIC_URL", "")
	t.Setenv("SELFCHECK_ADDR", "")
	tests := []struct {
		args    []string
		want    string // the public URL; "" when the flags are refused
		derived bool
	}{
		{nil, "http://127.0.0.1:8080", true},
		{[]string{"--addr", "0.0.0.0:9000"}, "http://127.0.0.1:9000", true},
		{[]string{"--addr", ":9000"}, "http://127.0.0.1:9000", true},
		{[]string{"--addr", "[::]:9000"}, "http://127.0.0.1:9000", true},
		{[]string{"--addr", "[::1]:9000"}, "http://[::1]:9000", true},
		{[]string{"--addr", "selfcheck.lan:80"}, "http://selfcheck.lan:80", true},
		{[]string{"--public-url", "https://selfcheck.example.com"}, "https://selfcheck.example.com", false},
		{[]string{"--public-url", "https://example.com/selfcheck/"}, "https://example.com/selfcheck/", false},
		{[]string{"--public-url", "selfcheck.example.com"}, "", false},
		{[]string{"--public-url", "ftp://selfcheck.example.com"}, "", false},
		{[]string{"--public-url", "https://selfcheck.example.com/?x=1"}, "", false},
		{[]string{"--public-url", "https://selfcheck.example.com/#top"}, "", false},
	}
	for _, tt := range tests {
		cfg, err := parseServe(tt.args, io.Discard)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%v: accepted as %q", tt.args, cfg.publicURL)
		case tt.want == "" && !strings.Contains(err.Error(), "--public-url"):
			t.Errorf("%v: error %q does not name the flag", tt.args, err)
		case tt.want != "" && err != nil:
			t.Errorf("%v: %v", tt.args, err)
		case tt.want != "" && (cfg.publicURL != tt.want || cfg.derivedURL != tt.derived):
			t.Errorf("%v: public URL %q (derived %v), want %q (derived %v)", tt.args, cfg.publicURL, cfg.derivedURL, tt.want, tt.derived)
		}
	}
	t.Setenv("SELFCHECK_PUBLIC_URL", "https://from-env.example")
	if cfg, err := parseServe(nil, io.Discard); err != nil || cfg.publicURL != "https://from-env.example" || cfg.derivedURL {
		t.Errorf("from the environment: %q %v", cfg.publicURL, err)
	}
}
