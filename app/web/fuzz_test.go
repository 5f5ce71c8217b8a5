package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
)

// FuzzAnswerForm posts arbitrary form bodies to the answer parsing of
// autosave (parseAnswerForm) and of the full form (changedFields): neither
// panics, and an answer parseAnswerForm accepts is one the store takes — a
// valid answer or none, for the item asked, with the fields and the version
// that were sent and the stored values for the rest.
//
// Seeds: testdata/fuzz/FuzzAnswerForm (body, stored answer, stored note).
func FuzzAnswerForm(f *testing.F) {
	f.Fuzz(func(t *testing.T, body, oldValue, oldNote string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // refused before any handler runs (readForm: 400)
		}
		const item = "item-1"
		old := assessment.Answer{Value: scoring.Answer(oldValue), Note: oldNote, Version: 2}
		changedFields(item, old, form)

		in, err := parseAnswerForm(item, old, form)
		if err != nil {
			if !errors.Is(err, errBadVersion) && !isFault(err) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if in.ItemID != item {
			t.Errorf("item %q", in.ItemID)
		}
		if in.Value != scoring.Unanswered && !in.Value.Valid() {
			t.Errorf("accepted the answer %q", in.Value)
		}
		wantValue, wantNote := old.Value, old.Note
		if v, ok := form["answer"]; ok {
			wantValue = scoring.Answer(v[0])
		}
		if v, ok := form["note"]; ok {
			wantNote = v[0]
		}
		if in.Value != wantValue || in.Note != wantNote {
			t.Errorf("got %q %q, want %q %q", in.Value, in.Note, wantValue, wantNote)
		}
		switch v := form.Get("version"); {
		case v == "" && in.Version != nil:
			t.Errorf("a version %d out of nowhere", *in.Version)
		case v != "":
			n, err := strconv.Atoi(v)
			if err != nil || in.Version == nil || *in.Version != n {
				t.Errorf("version %q read as %v", v, in.Version)
			}
		}
	})
}

// FuzzPlanForm posts arbitrary form bodies to the plan parsing of autosave
// (parsePlanForm) and of the full form (changedPlan): neither panics, and a
// plan parsePlanForm accepts (a draft may lack fields) has something in
// it, a due date written YYYY-MM-DD if any, a valid status (open unless
// sent), once stored as the store stores it.
//
// Seeds: testdata/fuzz/FuzzPlanForm (body, stored measure).
func FuzzPlanForm(f *testing.F) {
	f.Fuzz(func(t *testing.T, body, oldMeasure string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		stored := assessment.Plan{Measure: oldMeasure, Owner: "张三", Due: "2030-01-01", Status: assessment.PlanOpen, Version: 1}
		changedPlan("item-1", stored, form)
		changedPlan("item-1", assessment.Plan{}, form)

		in, err := parsePlanForm(form)
		switch fe, ok := fault.AsField(err); {
		case ok:
			if fe.Field == "" || fe.Code == "" {
				t.Fatal("an incomplete plan without the field or the rule")
			}
			return
		case errors.Is(err, errBadVersion):
			return
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		}
		if strings.TrimSpace(in.Measure+in.Owner+in.Due) == "" || !in.Status.Valid() {
			t.Errorf("accepted an empty plan or a bad status %+v", in)
		}
		if due := strings.TrimSpace(in.Due); due != "" {
			if _, err := time.Parse(assessment.DateLayout, due); err != nil {
				t.Errorf("accepted the due date %q", in.Due)
			}
		}
		if in.Measure != form.Get("measure") || in.Owner != form.Get("owner") || in.Due != form.Get("due") {
			t.Errorf("got %+v from %v", in, form)
		}
	})
}
