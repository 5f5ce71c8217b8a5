package checklist

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"selfcheck"
)

func TestLoadValid(t *testing.T) {
	cat, sums, err := Load(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	cl, ok := cat.Get("mini")
	if !ok {
		t.Fatal("checklist mini not in catalog")
	}
	if got := len(cl.Items()); got != 2 || sums[0].Items != 2 {
		t.Fatalf("items = %d, summary %d; want 2", got, sums[0].Items)
	}
	it := cl.Items()[0]
	if it.Severity != Critical || it.Weight != 5 || it.Basis[0].Article.EN != "Art. 14" {
		t.Errorf("first item parsed wrong: %+v", it)
	}
	if got := cl.Sections[0].Title.In("en"); got != "同意" {
		t.Errorf("missing en must fall back to zh, got %q", got)
	}
	if got := cl.BasisText(it, "zh"); got != "中华人民共和国个人信息保护法 第十四条" {
		t.Errorf("BasisText = %q", got)
	}
	if cl.Order != 3 {
		t.Errorf("order = %d, want 3", cl.Order)
	}
	notice := cl.Items()[1]
	tests := []struct {
		profile map[Tag]bool
		want    bool
	}{
		{nil, false},
		{map[Tag]bool{"website": true}, false},
		{map[Tag]bool{"minors": true}, true},
		{map[Tag]bool{"app": true, "website": true}, true},
	}
	for _, tt := range tests {
		if got := notice.Applies(tt.profile); got != tt.want {
			t.Errorf("Applies(%v) = %v, want %v", tt.profile, got, tt.want)
		}
	}
	if !it.Applies(nil) {
		t.Error("an item without applies_to must apply to every firm")
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		file string
		want string // the problem line, as a user reads it
	}{
		{"unknown_key.yaml", `unknown_key.yaml:42: unknown key "colour" in item`},
		{"missing_zh.yaml", `missing_zh.yaml:34: item text is missing "zh"`},
		{"weight_range.yaml", `weight_range.yaml:30: weight 7 is out of range 1–5`},
		{"empty_section.yaml", `empty_section.yaml:46: section "empty" has no items`},
		{"dup_item.yaml", `dup_item.yaml:32: duplicate item id "mini-consent" (first defined at dir/dup_item.yaml:17)`},
		{"bad_severity.yaml", `bad_severity.yaml:42: severity "urgent" must be one of`},
		{"undeclared_source.yaml", `undeclared_source.yaml:38: basis cites source "dsl"`},
		{"syntax.yaml", `syntax.yaml:41: found character`},
		// A repeated key does not hide the file's other problems.
		{"repeated_key.yaml", `repeated_key.yaml:3: key "version" repeated in checklist`},
		{"repeated_key.yaml", `repeated_key.yaml:44: severity "Medium" must be one of`},
		{"unknown_tag.yaml", `unknown_tag.yaml:44: unknown applies_to tag "robots" (known: app, mini_program`},
		{"weight_range.yaml", `weight_range.yaml:1: checklist id "mini" must match the file name "weight_range.yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/bad/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{"dir/" + tt.file: {Data: data}}
			_, _, err = Load(fsys, "dir")
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			if !strings.Contains(err.Error(), "dir/"+tt.want) {
				t.Errorf("problems:\n%v\nwant a line containing %q", err, "dir/"+tt.want)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, _, err := Load(os.DirFS("testdata"), "bad")
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Load error = %v, want Problems", err)
	}
	files := map[string]bool{}
	for _, p := range probs {
		files[p.File] = true
	}
	if len(files) != 10 {
		t.Errorf("problems from %d files, want all 10 bad files:\n%v", len(files), err)
	}
}

// TestBuiltinCatalog enforces the catalog-wide invariants of the checklists
// shipped in the binary, beyond what the loader checks per file: every MIIT
// theme is there in campaign order, at least 100 items in all, and every item
// carries English beside Chinese, guidance, evidence and a legal basis.
func TestBuiltinCatalog(t *testing.T) {
	cat, _, err := Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatalf("built-in catalog invalid:\n%v", err)
	}
	themes := []string{"market-order", "user-rights", "popups", "deceiving", "data-security", "resources", "governance"}
	var got []string
	total := 0
	for _, cl := range cat.Checklists {
		got = append(got, cl.ID)
		total += len(cl.Items())
	}
	if strings.Join(got, " ") != strings.Join(themes, " ") {
		t.Errorf("themes in order = %v, want %v", got, themes)
	}
	if total < 100 {
		t.Errorf("the catalog has %d items, want at least 100", total)
	}
	for _, cl := range cat.Checklists {
		if n := len(cl.Items()); n < 8 {
			t.Errorf("theme %s has %d items, want at least 8", cl.ID, n)
		}
		if cl.Title.EN == "" || cl.Description.ZH == "" || cl.Description.EN == "" {
			t.Errorf("theme %s lacks an English title or a description", cl.ID)
		}
		critical := 0
		for _, it := range cl.Items() {
			if it.Text.EN == "" || it.Guidance.EN == "" || it.Evidence.EN == "" {
				t.Errorf("%s: item %s lacks English text", cl.ID, it.ID)
			}
			if len(it.Basis) == 0 || it.Guidance.ZH == "" || it.Evidence.ZH == "" {
				t.Errorf("%s: item %s lacks a legal basis, guidance or evidence", cl.ID, it.ID)
			}
			for _, b := range it.Basis {
				if b.Article.ZH != "" && b.Article.EN == "" {
					t.Errorf("%s: item %s cites %s without an English article", cl.ID, it.ID, b.Article.ZH)
				}
			}
			if it.Severity == Critical {
				critical++
			}
		}
		// Critical is the one-vote veto: for priority enforcement targets only.
		if critical > 3 {
			t.Errorf("theme %s has %d critical items; reserve critical for a few", cl.ID, critical)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	cat, _, err := Load(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := cat.Get("mini")
	b, err := cl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Items()[1].Text.ZH != cl.Items()[1].Text.ZH || back.Items()[0].Basis[0].Article.ZH != "第十四条" {
		t.Errorf("snapshot lost data: %+v", back)
	}
}
