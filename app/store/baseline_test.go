package store

import (
	"context"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// A returned and resubmitted assessment compares with its answers as first
// submitted, replayed from the history; a new assessment of the same
// themes compares with the firm's earlier one; otherwise there is nothing
// to compare with.
func TestBaseline(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	id, u := f.ids["乙公司"], f.members["乙公司"]
	if b, err := f.s.Baseline(ctx, u, id); err != nil || b != nil {
		t.Fatalf("a first submission has a baseline: %+v %v", b, err)
	}
	if err := f.s.Review(ctx, f.auditor, id, Decision{Action: assessment.RequestChanges, Comment: "请整改",
		Items: []ItemVerdict{{ItemID: "t-1", Verdict: NeedsChange}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	b, err := f.s.Baseline(ctx, f.auditor, id)
	if err != nil || b == nil {
		t.Fatalf("resubmission baseline: %+v %v", b, err)
	}
	if !b.Resubmission || b.AssessmentID != id || b.Answers["t-1"] != scoring.Partial || b.Answers["t-2"] != scoring.Compliant {
		t.Errorf("resubmission baseline: %+v", b)
	}
	if _, err := f.s.Baseline(ctx, f.stranger, id); err == nil {
		t.Error("another campaign's auditor reads the baseline")
	}
	if err := f.s.Review(ctx, f.auditor, id, Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	// Next year the firm starts again with the same theme.
	next, err := f.s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err = f.s.Baseline(ctx, u, next)
	if err != nil || b == nil {
		t.Fatalf("earlier baseline: %+v %v", b, err)
	}
	if b.Resubmission || b.AssessmentID != id || b.Answers["t-1"] != scoring.Compliant {
		t.Errorf("earlier baseline: %+v", b)
	}
}
