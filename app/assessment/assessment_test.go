package assessment

import (
	"testing"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

func sheet(answers map[string]scoring.Answer) *Sheet {
	cl := &checklist.Checklist{ID: "t", Sections: []checklist.Section{{ID: "s", Items: []checklist.Item{
		{ID: "a", Weight: 1, Severity: checklist.Low},
		{ID: "b", Weight: 1, Severity: checklist.Critical},
		{ID: "c", Weight: 2, Severity: checklist.High},
	}}}}
	sh := &Sheet{State: Draft, Checklists: []*checklist.Checklist{cl}, Answers: map[string]Answer{}}
	for id, a := range answers {
		sh.Answers[id] = Answer{Value: a}
	}
	return sh
}

func ids(refs []Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Item.ID)
	}
	return out
}

func TestSheet(t *testing.T) {
	sh := sheet(map[string]scoring.Answer{"a": scoring.Partial, "b": scoring.NonCompliant})
	if got := ids(sh.Missing()); len(got) != 1 || got[0] != "c" {
		t.Errorf("Missing = %v, want [c]", got)
	}
	// Gaps come most severe first: the critical b before the low a.
	if got := ids(sh.Gaps()); len(got) != 2 || got[0] != "b" || got[1] != "a" {
		t.Errorf("Gaps = %v, want [b a]", got)
	}
	r := sh.Result()
	if !r.CriticalFail || r.Grade != scoring.Fail || r.Answered != 2 || r.Total != 3 {
		t.Errorf("Result = %+v", r)
	}
	if _, it, ok := sh.Find("c"); !ok || it.Weight != 2 {
		t.Errorf("Find(c) = %+v %v", it, ok)
	}
	if _, _, ok := sh.Find("zzz"); ok {
		t.Error("Find of an unknown id succeeded")
	}
	if !sh.Editable() {
		t.Error("a draft must be editable")
	}
	sh.State = Submitted
	if sh.Editable() {
		t.Error("a submitted assessment must be read-only")
	}
}
