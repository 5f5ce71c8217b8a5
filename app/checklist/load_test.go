package checklist

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
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
	if got := (Text{ZH: "同意"}).In("en"); got != "同意" {
		t.Errorf("missing en must fall back to zh, got %q", got)
	}
	if got := cl.BasisText(it, "zh"); got != "中华人民共和国个人信息保护法 第十四条" {
		t.Errorf("BasisText = %q", got)
	}
	if want := []Ref{{"gbt-35273", "5.4"}, {"app-identification", "3.1"}}; !slices.Equal(it.Refs, want) {
		t.Errorf("refs = %v, want %v", it.Refs, want)
	}
	if got := RefsText(it.Refs, "zh"); got != "GB/T 35273—2020 5.4；认定方法 3.1" {
		t.Errorf("RefsText zh = %q", got)
	}
	if got := RefsText(it.Refs, "en"); got != "GB/T 35273-2020 5.4; Identification Methods 3.1" {
		t.Errorf("RefsText en = %q", got)
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
		file   string
		marker string // text on the line the problem must name
		nth    int    // which occurrence of marker (1 = first)
		want   string // the message, as a user reads it
	}{
		{"unknown_key.yaml", "colour: red", 1, `unknown key "colour" in item`},
		{"missing_zh.yaml", "en: Notice.", 1, `item text is missing "zh"`},
		{"weight_range.yaml", "weight: 7", 1, `weight 7 is out of range 1–5`},
		{"empty_section.yaml", "items: []", 1, `section "empty" has no items`},
		{"dup_item.yaml", "- id: mini-consent", 2, `duplicate item id "mini-consent" (first defined at dir/dup_item.yaml:`},
		{"bad_severity.yaml", "severity: urgent", 1, `severity "urgent" must be one of`},
		{"undeclared_source.yaml", "source: dsl", 1, `basis cites source "dsl"`},
		{"syntax.yaml", "\tweight: 2", 1, `found character`},
		// A repeated key does not hide the file's other problems.
		{"repeated_key.yaml", `version: "1.1"`, 1, `key "version" repeated in checklist`},
		{"repeated_key.yaml", "severity: Medium", 1, `severity "Medium" must be one of`},
		{"unknown_tag.yaml", "robots", 1, `unknown applies_to tag "robots" (known: app, mini_program`},
		{"bad_refs.yaml", "gbt-9999/1.1", 1, `ref "gbt-9999/1.1" cites unknown standard "gbt-9999" (known: gbt-35273,`},
		{"bad_refs.yaml", "gbt-35273/5.x", 1, `ref "gbt-35273/5.x": clause "5.x" is malformed`},
		{"bad_refs.yaml", "gbt-35273/12.1", 1, `ref "gbt-35273/12.1": GB/T 35273-2020 has no clause 12.1`},
		{"bad_refs.yaml", "- gbt-35273", 3, `ref "gbt-35273" must be written standard/clause`},
		{"bad_refs.yaml", "gbt-35273/5.4", 2, `ref "gbt-35273/5.4" repeated`},
		{"weight_range.yaml", "id: mini", 1, `checklist id "mini" must match the file name "weight_range.yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/bad/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("dir/%s:%d: %s", tt.file, lineWith(t, data, tt.marker, tt.nth), tt.want)
			fsys := fstest.MapFS{"dir/" + tt.file: {Data: data}}
			_, _, err = Load(fsys, "dir")
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load error = %v, want Problems", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("problems:\n%v\nwant a line containing %q", err, want)
			}
		})
	}
}

// lineWith returns the line number of the nth line holding marker.
func lineWith(t *testing.T, data []byte, marker string, nth int) int {
	t.Helper()
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, marker) {
			if nth--; nth == 0 {
				return i + 1
			}
		}
	}
	t.Fatalf("marker %q not in the test file", marker)
	return 0
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
	if len(files) != 11 {
		t.Errorf("problems from %d files, want all 11 bad files:\n%v", len(files), err)
	}
}

// TestBuiltinCatalog enforces the catalog-wide invariants of the checklists
// shipped in the binary, beyond what the loader checks per file: every MIIT
// theme is there in campaign order, at least 138 items in all, and every item
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
	if total < 138 {
		t.Errorf("the catalog has %d items, want at least 138", total)
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

// withoutArticle lists the items that still cite only documents without
// articles: an administrative guidance meeting (the unblocking appeals), the
// advertising measures whose article numbers could not be checked against
// the text (deceptive close and skip marks), and self-start and chain launch,
// whose measure in MIIT Letter [2023] No. 26 (6) was inferred from the order
// of the published draft, not read numbered. It may only shrink: a new item
// must cite an article.
var withoutArticle = map[string]bool{
	"mo-unblock-appeal":        true,
	"pw-no-deceptive-controls": true,
	"pw-self-start":            true,
	"pw-chain-launch":          true,
}

// documentItems are items whose compliance is shown by a document (a licence
// or filing, the privacy policy, an appointment, an assessment or audit
// report, a contract, an incident plan); each must require evidence.
var documentItems = []string{
	"rq-icp-licence-or-filing", "rq-app-filing", "rq-ip-address-filing", "rq-licence-scope",
	"rq-licence-annual-report", "rq-algorithm-filing",
	"ur-privacy-policy-accessible", "ur-minors-pi-audit",
	"gv-pi-officer", "gv-data-security-officer", "gv-large-pi-security-officer", "gv-internal-rules",
	"gv-processing-records", "gv-pia", "gv-compliance-audit", "gv-vendor-management",
	"gv-platform-social-report", "gv-minors-platform-duties",
	"ds-management-system", "ds-mlps-testing", "ds-operating-procedures", "ds-third-party-provision",
	"ds-important-data-provision-assessment", "ds-important-data-filing", "ds-incident-response",
	"ds-incident-report-deadlines", "ds-vulnerability-handling", "ds-vulnerability-reporting", "ds-risk-assessment",
	"ds-cross-border", "ds-cross-border-volume-route", "ds-face-recognition-filing",
}

// TestBuiltinCatalogCitesAndEvidence enforces that every built-in item cites
// at least one article (save the shrinking list above) and that the items
// proved by a document block submission until evidence is attached.
func TestBuiltinCatalogCitesAndEvidence(t *testing.T) {
	cat, _, err := Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatalf("built-in catalog invalid:\n%v", err)
	}
	items := map[string]Item{}
	required := 0
	for _, cl := range cat.Checklists {
		for _, it := range cl.Items() {
			items[it.ID] = it
			if it.EvidenceRequired {
				required++
			}
			cited := false
			for _, b := range it.Basis {
				if b.Article.ZH != "" {
					cited = true
				}
			}
			switch {
			case !cited && !withoutArticle[it.ID]:
				t.Errorf("%s: item %s cites no article; cite the article it comes from", cl.ID, it.ID)
			case cited && withoutArticle[it.ID]:
				t.Errorf("%s: item %s now cites an article; remove it from withoutArticle", cl.ID, it.ID)
			}
		}
	}
	for id := range withoutArticle {
		if _, ok := items[id]; !ok {
			t.Errorf("withoutArticle lists %s, which is not in the catalog", id)
		}
	}
	for _, id := range documentItems {
		it, ok := items[id]
		switch {
		case !ok:
			t.Errorf("document item %s is not in the catalog", id)
		case !it.EvidenceRequired:
			t.Errorf("item %s is proved by a document but lacks evidence_required: true", id)
		}
	}
	if required < 15 {
		t.Errorf("%d items require evidence, want at least 15", required)
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

// Text in a checklist file is cleaned as every typed text is (app/clean): a
// control character written as a YAML escape does not reach an item.
func TestLoadCleansEscapedControlCharacters(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("zh: 处理个人信息前取得个人同意。"), []byte(`zh: "处理个人信息前\0取得\x01个人同意。"`), 1)
	cat, _, err := Load(fstest.MapFS{"dir/mini.yaml": {Data: data}}, "dir")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	cl, _ := cat.Get("mini")
	if got := cl.Items()[0].Text.ZH; got != "处理个人信息前取得个人同意。" {
		t.Errorf("item text %q, want it without control characters", got)
	}
}

// withoutRef lists the items of the crosswalked themes that map to no clause
// of a declared standard. Issue 18 asks for 90 % of them; these are the ones
// no declared document covers, left out rather than mapped loosely: the
// minors' online-protection duties (no standard with readable clause numbers
// covers minors' mode, spending, addiction, bullying or fan funding), the
// pop-up items that only the CAC pop-up rules and MIIT's PC guidance cover
// (advertising labels, PC pop-ups, complaint entry), settings hijacking,
// payment confirmation and dark patterns (no standard clause says the same),
// and fake system notices (T/TAF 078.7's chapter numbering was read only for
// its superseded 2021 edition). Declaring a standard whose
// text covers an item is how this list shrinks.
var withoutRef = map[string]bool{
	"ur-minors-mode": true, "ur-minors-spending-limits": true, "ur-minors-anti-addiction": true,
	"ur-minors-anti-bullying": true, "ur-minors-no-fan-funding": true,
	"pw-ad-label": true, "pw-pc-popups": true, "pw-complaint-entry": true,
	"dc-no-settings-hijack": true, "dc-payment-confirmation": true, "dc-no-dark-patterns": true,
	"dc-no-fake-system-notices": true,
}

// TestBuiltinCatalogRefs enforces the crosswalk (国标对照) on the themes it
// covers: every item carries a standard clause or is listed in withoutRef,
// and the share that carries one does not fall.
func TestBuiltinCatalogRefs(t *testing.T) {
	cat, _, err := Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatalf("built-in catalog invalid:\n%v", err)
	}
	const floor = 0.85 // the share mapped today; raise it as withoutRef shrinks
	total, mapped := 0, 0
	seen := map[string]bool{}
	for _, id := range []string{"user-rights", "popups", "deceiving", "data-security"} {
		cl, ok := cat.Get(id)
		if !ok {
			t.Fatalf("theme %s missing", id)
		}
		for _, it := range cl.Items() {
			seen[it.ID] = true
			total++
			switch {
			case len(it.Refs) > 0 && withoutRef[it.ID]:
				t.Errorf("%s now carries refs; remove it from withoutRef", it.ID)
			case len(it.Refs) > 0:
				mapped++
			case !withoutRef[it.ID]:
				t.Errorf("%s: item %s carries no standard clause (refs)", id, it.ID)
			}
		}
	}
	for id := range withoutRef {
		if !seen[id] {
			t.Errorf("withoutRef lists %s, which is not in a crosswalked theme", id)
		}
	}
	if share := float64(mapped) / float64(total); share < floor {
		t.Errorf("%d of %d items (%.0f %%) carry a standard clause, want at least %.0f %%", mapped, total, 100*share, 100*floor)
	} else {
		t.Logf("%d of %d items (%.1f %%) carry a standard clause", mapped, total, 100*share)
	}
}
