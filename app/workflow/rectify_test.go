package workflow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

// TestRectificationUseCases carries a plan of an approved assessment to
// closure through the use cases: the dates are the server zone's (a
// plan done at 20:00 UTC is done the next day in Beijing), rectification
// files are checked as evidence is, and the assessment's rectification
// closes with its last plan verified.
func TestRectificationUseCases(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	f.Location = time.FixedZone("CST", 8*3600)
	f.Now = func() time.Time { return time.Date(2030, 1, 1, 20, 0, 0, 0, time.UTC) }
	member, auditor := f.who("firm@demo.local"), f.who("auditor@demo.local")
	if got := f.Today(); got != "2030-01-02" {
		t.Fatalf("today in Beijing at 20:00 UTC: %s", got)
	}
	id, item := f.started(member)
	sh, err := f.Sheet(ctx, member, id)
	if err != nil {
		t.Fatal(err)
	}
	var all []workflow.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v := scoring.Compliant
			if it.ID == item {
				v = scoring.Partial
			}
			all = append(all, workflow.AnswerInput{ItemID: it.ID, Value: v})
			if it.EvidenceRequired {
				if _, err := f.AttachEvidence(ctx, member, id, it.ID, "证明.txt", []byte("证明材料")); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := f.SaveAnswers(ctx, member, id, all); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SavePlan(ctx, member, id, item, workflow.PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2030-03-31"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Submit(ctx, member, id); err != nil {
		t.Fatal(err)
	}
	if err := f.Review(ctx, auditor, id, assessment.Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}

	p, err := f.ReportProgress(ctx, member, id, item, assessment.PlanProgress{Status: assessment.PlanDone, Note: "已上线"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.DoneOn != "2030-01-02" {
		t.Errorf("done on %s, want the zone's today", p.DoneOn)
	}
	var re *evidence.RefusedError
	if _, err := f.AttachPlanEvidence(ctx, member, id, item, "x.png", []byte("<html><script>alert(1)</script></html>")); !errors.As(err, &re) {
		t.Errorf("HTML named .png as a rectification file: %v", err)
	}
	if _, err := f.AttachPlanEvidence(ctx, member, id, item, "big.txt", make([]byte, f.MaxEvidenceBytes+1)); !errors.As(err, &re) || re.Reason != "too_large" {
		t.Errorf("a rectification file over the limit: %v", err)
	}
	if _, err := f.AttachPlanEvidence(ctx, member, id, item, "上线记录.txt", []byte("上线记录")); err != nil {
		t.Fatal(err)
	}
	wantField(t, func() error {
		_, err := f.VerifyPlan(ctx, auditor, id, item, assessment.Verification{Decision: assessment.PlanReopen}, 2)
		return err
	}(),
		"comment", assessment.CodeNeedsComment)
	p, err = f.VerifyPlan(ctx, auditor, id, item, assessment.Verification{Decision: assessment.PlanAccept}, 2)
	if err != nil || p.VerifiedOn != "2030-01-02" {
		t.Fatalf("accept: %v %+v", err, p)
	}
	sh, err = f.Sheet(ctx, member, id)
	if err != nil {
		t.Fatal(err)
	}
	if sh.RectifiedOn != "2030-01-02" || sh.State != assessment.Approved {
		t.Errorf("rectified on %q in state %s", sh.RectifiedOn, sh.State)
	}
	recs, err := f.PlanRecords(ctx, member, id)
	if err != nil || len(recs.Entries[item]) != 2 || len(recs.Evidence[item]) != 1 {
		t.Errorf("records: %v %+v", err, recs)
	}
	if _, err := f.PlanRecords(ctx, f.otherFirmMember(), id); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("another firm read the records: %v", err)
	}
}
