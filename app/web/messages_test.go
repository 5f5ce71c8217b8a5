package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"selfcheck"
	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

// Every message key the pages and handlers use exists in the catalog, so no
// page shows a raw key instead of text. (i18n.Load already checks that zh
// and en hold the same keys.)
func TestEveryUsedMessageKeyExists(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`(?:\.T|fail\([^,]+,|flash\(c,|s\.T\(c,|Messages\.T\([^,]+,) ?"([a-z_]+\.[a-z_.]+)"`)
	var sources []string
	fs.WalkDir(selfcheck.Templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(selfcheck.Templates, p)
			sources = append(sources, string(b))
		}
		return err
	})
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range goFiles {
		b, _ := os.ReadFile(f)
		sources = append(sources, string(b))
	}
	used := map[string]bool{}
	for _, src := range sources {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys: the pattern no longer matches how pages call T", len(used))
	}
	// Keys built from values with print "prefix." value.
	for _, r := range []auth.Role{auth.FirmMember, auth.Auditor, auth.Admin} {
		used["role."+string(r)] = true
	}
	for _, s := range checklist.Severities {
		used["severity."+string(s)] = true
	}
	for _, a := range scoring.Answers {
		used["answer."+string(a)] = true
	}
	for _, g := range []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail} {
		used["grade."+string(g)] = true
	}
	for _, k := range []string{"grade.none", "answer.none"} {
		used[k] = true
	}
	for _, st := range assessment.States {
		used["state."+string(st)] = true
	}
	for _, st := range assessment.AllPlanStatuses {
		used["plan.status."+string(st)] = true
	}
	for _, k := range []assessment.PlanEntryKind{assessment.EntryProgress, assessment.EntryAccepted, assessment.EntryReopened} {
		used["rectify.entry."+string(k)] = true
	}
	for _, st := range assessment.PlanStatuses {
		used["plan.status."+string(st)] = true
	}
	for _, b := range []assessment.Block{assessment.BlockUnanswered, assessment.BlockPlanMissing, assessment.BlockEvidenceMissing} {
		used["block."+string(b)] = true
	}
	for _, r := range []string{"too_large", "empty", "unknown_type", "html", "svg", "executable", "zip_bomb", "zip_entry", "corrupt", "name"} {
		used["evidence.refused."+r] = true
	}
	for _, f := range []string{"answer", "note", "evidence", "plan.measure", "plan.owner", "plan.due", "plan.status"} {
		used["timeline.field."+f] = true
	}
	for _, k := range outbox.Kinds {
		used["activity.kind."+string(k)] = true
	}
	for k := range used {
		if strings.HasSuffix(k, ".") {
			continue // a prefix completed at run time, enumerated above
		}
		if !cat.Has(k) {
			t.Errorf("message key %q is used but not in the catalog", k)
		}
	}
}
