package assessment

import (
	"reflect"
	"testing"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

func refsSheet(answers map[string]scoring.Answer) *Sheet {
	ref := func(s string) checklist.Ref {
		r, msg := checklist.ParseRef(s)
		if msg != "" {
			panic(msg)
		}
		return r
	}
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Items: []checklist.Item{
		// Declared out of clause order, to see the standard's order win.
		{ID: "close", Refs: []checklist.Ref{ref("gbt-35273/8.5"), ref("app-identification/6.1")}},
		{ID: "consent", Refs: []checklist.Ref{ref("gbt-35273/5.4")}},
		{ID: "minimum", Refs: []checklist.Ref{ref("gbt-35273/5.4"), ref("gbt-35273/5.2")}},
		{ID: "unmapped"},
		// A standard this build does not declare (an old snapshot): skipped.
		{ID: "old", Refs: []checklist.Ref{{Standard: "gbt-retired", Clause: "1"}}},
	}}}}
	sh := &Sheet{Checklists: []*checklist.Checklist{cl}, Answers: map[string]Answer{}}
	for id, a := range answers {
		sh.Answers[id] = Answer{Value: a}
	}
	return sh
}

// view flattens the grouping to "standard clause: items (answered/gaps)"
// lines and each standard's distinct totals.
func view(groups []Standard) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Standard.ID+" items="+itoa(g.Items)+" gaps="+itoa(g.Gaps))
		for _, c := range g.Clauses {
			line := "  " + c.Ref.Clause + ":"
			for _, r := range c.Items {
				line += " " + r.Item.ID
			}
			out = append(out, line+" ("+itoa(c.Answered)+"/"+itoa(c.Gaps)+")")
		}
	}
	return out
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestByStandard(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string]scoring.Answer
		want    []string
	}{
		{"unanswered", nil, []string{
			"gbt-35273 items=3 gaps=0", "  5.2: minimum (0/0)", "  5.4: consent minimum (0/0)", "  8.5: close (0/0)",
			"app-identification items=1 gaps=0", "  6.1: close (0/0)",
		}},
		{"gaps counted once per standard", map[string]scoring.Answer{
			"close": scoring.NonCompliant, "consent": scoring.Compliant, "minimum": scoring.Partial, "unmapped": scoring.NonCompliant,
		}, []string{
			"gbt-35273 items=3 gaps=2", "  5.2: minimum (1/1)", "  5.4: consent minimum (2/1)", "  8.5: close (1/1)",
			"app-identification items=1 gaps=1", "  6.1: close (1/1)",
		}},
		{"not applicable is answered, not a gap", map[string]scoring.Answer{"close": scoring.NotApplicable}, []string{
			"gbt-35273 items=3 gaps=0", "  5.2: minimum (0/0)", "  5.4: consent minimum (0/0)", "  8.5: close (1/0)",
			"app-identification items=1 gaps=0", "  6.1: close (1/0)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := view(refsSheet(tt.answers).ByStandard()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ByStandard =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestGapsByClause(t *testing.T) {
	st, _ := checklist.StandardByID("gbt-35273")
	refs := map[string][]checklist.Ref{
		"close":   {{Standard: "gbt-35273", Clause: "8.5"}, {Standard: "app-identification", Clause: "6.1"}},
		"consent": {{Standard: "gbt-35273", Clause: "5.4"}},
		"minimum": {{Standard: "gbt-35273", Clause: "5.4"}, {Standard: "gbt-35273", Clause: "5.2"}},
		"popup":   {{Standard: "miit-164", Clause: "6"}},
	}
	counts := []ItemGapCount{
		{ItemID: "close", NonCompliant: 2, Partial: 1},
		{ItemID: "consent", NonCompliant: 1},
		{ItemID: "minimum", Partial: 3},
		{ItemID: "popup", NonCompliant: 9},   // no clause of GB/T 35273
		{ItemID: "unknown", NonCompliant: 4}, // retired from the catalog
	}
	var got []string
	for _, g := range GapsByClause(st, func(id string) []checklist.Ref { return refs[id] }, counts) {
		line := g.Ref.Clause + " nc=" + itoa(g.NonCompliant) + " p=" + itoa(g.Partial) + ":"
		for _, it := range g.Items {
			line += " " + it.ItemID
		}
		got = append(got, line)
	}
	want := []string{"5.2 nc=0 p=3: minimum", "5.4 nc=1 p=3: consent minimum", "8.5 nc=2 p=1: close"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GapsByClause = %v, want %v", got, want)
	}
}
