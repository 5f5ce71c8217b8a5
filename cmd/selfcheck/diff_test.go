package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"selfcheck"
)

// oldCatalog writes the built-in checklist files to a directory as an
// earlier version would have them: pw-ad-label not yet there, pw-close-button
// worded differently, an item since removed, popups at version 2020.9.
func oldCatalog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := fs.Glob(selfcheck.Checklists, "checklists/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(selfcheck.Checklists, f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if filepath.Base(f) == "popups.yaml" {
			s = strings.Replace(s, `version: "2021.5"`, `version: "2020.9"`, 1)
			start := strings.Index(s, "      - id: pw-ad-label\n")
			end := strings.Index(s[start+1:], "      - id: ") + start + 1
			if start < 0 || end <= start {
				t.Fatal("pw-ad-label not found in popups.yaml")
			}
			removed := strings.Replace(s[start:end], "id: pw-ad-label", "id: pw-old-banner", 1)
			s = s[:start] + removed + s[end:]
			s = strings.Replace(s, "en: Splash screens, pop-up messages and pop-up ads all have", "en: Splash screens, pop-ups and pop-up ads all have", 1)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestChecklistsDiff(t *testing.T) {
	old := oldCatalog(t)
	tests := []struct {
		name      string
		args      []string
		want, not []string
	}{
		{"zh", []string{"--lang", "zh", old},
			[]string{"新增 1 项，删除 1 项，变更 1 项", "## 主题版本", "- popups: 2020.9 → 2021.5", "## 新增检查项 (1)", "弹窗骚扰 · pw-ad-label · 弹窗推送的广告",
				"## 删除检查项 (1)", "pw-old-banner", "## 变更检查项 (1)", "pw-close-button", "  检查项内容"},
			[]string{"Added items", "Changed items", "Pop-up"}},
		{"en", []string{"--lang", "en", old, "builtin"},
			[]string{"1 added, 1 removed, 1 changed", "## Theme versions", "## Added items (1)", "pw-ad-label · Advertising pushed by pop-up",
				"## Removed items (1)", "## Changed items (1)", "  text"},
			[]string{"新增", "弹窗", "主题版本"}},
		{"plain", []string{"--lang", "plain", old},
			[]string{"theme\tpopups\t2020.9\t2021.5\n", "added\tpopups\tpw-ad-label\n", "removed\tpopups\tpw-old-banner\n", "changed\tpopups\tpw-close-button\ttext\n"},
			[]string{"##"}},
		{"same", []string{"--lang", "en", "builtin", "builtin"},
			[]string{"0 added, 0 removed, 0 changed", "## Added items (0)\nnone"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), append([]string{"checklists", "diff"}, tt.args...), &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("output holds %q:\n%s", n, out.String())
				}
			}
		})
	}
	for _, bad := range [][]string{{}, {"--lang", "fr", old}, {old, old, old}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"checklists", "diff"}, bad...), &out, &errOut); code != 2 {
			t.Errorf("diff %q: exit %d, want 2", bad, code)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"checklists", "diff", filepath.Join(old, "missing")}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not a directory") {
		t.Errorf("diff of a missing directory: exit %d, %s", code, errOut.String())
	}
}
