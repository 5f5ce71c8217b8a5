package main

import (
	"io"
	"strings"
	"testing"
)

// The SMTP settings come from flags or the environment, are checked at
// start, and a refusal never prints the password the URL holds.
func TestServeSMTPSettings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		url  string
		bad  string
	}{
		{"none: in-app only", nil, nil, "", ""},
		{"flags", []string{"--smtp-url", "smtps://u:p@mail.example.com", "--smtp-from", "Selfcheck <noreply@example.com>"}, nil, "smtps://u:p@mail.example.com", ""},
		{"environment", nil, map[string]string{"SELFCHECK_SMTP_URL": "smtp://mail.example.com:25", "SELFCHECK_SMTP_FROM": "noreply@example.com"}, "smtp://mail.example.com:25", ""},
		{"no From", []string{"--smtp-url", "smtp://mail.example.com"}, nil, "", "smtp from"},
		{"bad port, password not shown", []string{"--smtp-url", "smtp://u:hunter2@mail.example.com:port", "--smtp-from", "a@b.c"}, nil, "", "port"},
		{"wrong scheme, password not shown", []string{"--smtp-url", "http://u:hunter2@mail.example.com", "--smtp-from", "a@b.c"}, nil, "", "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SELFCHECK_SMTP_URL", "")
			t.Setenv("SELFCHECK_SMTP_FROM", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := parseServe(tt.args, io.Discard)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) || strings.Contains(err.Error(), "hunter2") {
					t.Errorf("err = %v, want one naming %q without the password", err, tt.bad)
				}
				return
			}
			if err != nil || cfg.smtp.URL != tt.url {
				t.Errorf("smtp url %q, err %v; want %q", cfg.smtp.URL, err, tt.url)
			}
		})
	}
}
