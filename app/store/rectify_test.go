package store

import (
	"context"
	"errors"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
)

// TestRectificationLifecycle follows plans of submitted and approved
// assessments from progress to verification, with the refusals on the way,
// and checks the campaign's rollups stay what the raw rows give.
func TestRectificationLifecycle(t *testing.T) {
	fx := seedDashboard(t)
	s, ctx := fx.s, context.Background()
	approved, submitted := fx.ids[2], fx.ids[1]
	third, second := fx.members[2], fx.members[1]
	const today = "2021-06-01"
	progress := func(u *User, id uint, item string, st assessment.PlanStatus, note string, version int) (assessment.Plan, error) {
		return s.UpdatePlanProgress(ctx, u, id, item, PlanProgressInput{PlanProgress: assessment.PlanProgress{Status: st, Note: note}, Version: version, Today: today})
	}
	verify := func(u *User, id uint, item string, d assessment.PlanDecision, comment string, version int) (assessment.Plan, error) {
		return s.VerifyPlan(ctx, u, id, item, PlanVerifyInput{Verification: assessment.Verification{Decision: d, Comment: comment}, Version: version, Today: today})
	}

	// The answers of the approved assessment stay frozen; its plan does not.
	if _, err := s.SavePlan(ctx, third, approved, "a-1", PlanInput{Measure: "改", Owner: "李四", Due: "2022-01-01", Status: assessment.PlanDone}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("saving the plan's measure after approval: %v, want read-only", err)
	}
	p, err := progress(third, approved, "a-1", assessment.PlanInProgress, "已委托第三方评估", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != assessment.PlanInProgress || p.Version != 2 {
		t.Fatalf("after progress: %+v", p)
	}
	if _, err := progress(third, approved, "a-1", assessment.PlanDone, "", 1); !isPlanConflict(err, 2) {
		t.Fatalf("a stale version: %v, want a conflict at version 2", err)
	}
	if _, err := progress(fx.members[0], approved, "a-1", assessment.PlanDone, "", 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another firm's member: %v, want not found", err)
	}
	if _, err := progress(third, approved, "b-1", assessment.PlanDone, "", 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an item without a plan: %v, want not found", err)
	}
	if _, err := verify(fx.auditor, approved, "a-1", assessment.PlanAccept, "", 2); !isField(err, "status", assessment.CodeTransition) {
		t.Fatalf("verifying a plan not done: %v", err)
	}
	p, err = progress(third, approved, "a-1", assessment.PlanDone, "评估报告已出具", 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.DoneOn != today {
		t.Errorf("done on %q, want %s", p.DoneOn, today)
	}
	checkRollups(t, fx, "a plan done after approval")

	// Rectification files reach the plan; the answers' evidence stays frozen.
	if _, err := s.AddEvidence(ctx, third, approved, NewEvidence{ItemID: "a-1", Name: "x.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 x")}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("answer evidence after approval: %v, want read-only", err)
	}
	ev, err := s.AddPlanEvidence(ctx, third, approved, NewEvidence{ItemID: "a-1", Name: "评估报告.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 report")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPlanEvidence(ctx, fx.members[0], approved, NewEvidence{ItemID: "a-1", Name: "y.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 y")}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another firm's plan evidence: %v", err)
	}
	if _, data, err := s.PlanEvidenceFile(ctx, fx.auditor, approved, ev.ID); err != nil || string(data) != "%PDF-1.4 report" {
		t.Fatalf("the auditor reads the file: %q %v", data, err)
	}
	if _, _, err := s.PlanEvidenceFile(ctx, fx.members[0], approved, ev.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another firm reads the file: %v", err)
	}

	// Only the campaign's auditors decide.
	if _, err := verify(fx.other, approved, "a-1", assessment.PlanAccept, "", 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an auditor of another campaign: %v, want not found", err)
	}
	if _, err := verify(fx.admin, approved, "a-1", assessment.PlanAccept, "", 3); !errors.Is(err, fault.ErrForbidden) {
		t.Fatalf("an admin: %v, want forbidden", err)
	}
	if _, err := verify(third, approved, "a-1", assessment.PlanAccept, "", 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the firm itself: %v, want not found", err)
	}
	if _, err := verify(fx.auditor, approved, "a-1", assessment.PlanAccept, "", 2); !isPlanConflict(err, 3) {
		t.Fatalf("a stale verification: %v", err)
	}
	p, err = verify(fx.auditor, approved, "a-1", assessment.PlanAccept, "材料齐全", 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != assessment.PlanVerified || p.VerifiedOn != today || p.ReviewComment != "材料齐全" {
		t.Fatalf("after acceptance: %+v", p)
	}
	sh, err := s.Sheet(ctx, third, approved)
	if err != nil {
		t.Fatal(err)
	}
	if sh.RectifiedOn != today {
		t.Errorf("rectification closed on %q, want %s (its only plan is verified)", sh.RectifiedOn, today)
	}
	if _, err := progress(third, approved, "a-1", assessment.PlanInProgress, "", 4); !isField(err, "status", assessment.CodeTransition) {
		t.Fatalf("the firm moves a verified plan: %v", err)
	}
	checkRollups(t, fx, "a plan verified")
	// The scheduler reminds nobody of a verified plan, due or overdue.
	targets, err := s.PlanTargets(ctx, "2000-01-01", "2099-12-31")
	if err != nil {
		t.Fatal(err)
	}
	for _, pt := range targets {
		if pt.AssessmentID == approved && pt.ItemID == "a-1" {
			t.Errorf("the verified plan is a reminder target: %+v", pt)
		}
	}

	// Reopened: back in progress with the auditor's comment; the
	// submitted assessment's rectification stays open.
	p, err = verify(fx.auditor, submitted, "a-2", assessment.PlanReopen, "缺少培训签到表", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != assessment.PlanInProgress || p.DoneOn != "" || p.ReviewComment != "缺少培训签到表" {
		t.Fatalf("after reopening: %+v", p)
	}
	if _, err := verify(fx.auditor, submitted, "a-2", assessment.PlanReopen, "", 2); !isField(err, "comment", assessment.CodeNeedsComment) &&
		!isField(err, "status", assessment.CodeTransition) {
		t.Fatalf("reopening again: %v", err)
	}
	checkRollups(t, fx, "a plan reopened")

	recs, err := s.PlanRecords(ctx, third, approved)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []assessment.PlanEntryKind
	for _, e := range recs.Entries["a-1"] {
		kinds = append(kinds, e.Kind)
	}
	if want := []assessment.PlanEntryKind{assessment.EntryProgress, assessment.EntryProgress, assessment.EntryAccepted}; !equalKinds(kinds, want) {
		t.Errorf("log of a-1: %v, want %v", kinds, want)
	}
	if len(recs.Evidence["a-1"]) != 1 {
		t.Errorf("files of a-1: %+v", recs.Evidence["a-1"])
	}
	if _, err := s.PlanRecords(ctx, fx.members[0], approved); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm reads the logs: %v", err)
	}

	var evs []string
	if err := s.db.Model(&eventRow{}).Where("assessment_id IN ?", []uint{approved, submitted}).Order("id").Pluck("kind", &evs).Error; err != nil {
		t.Fatal(err)
	}
	for _, k := range []outbox.Kind{outbox.PlanProgress, outbox.PlanEvidenceAdded, outbox.PlanVerified, outbox.PlanReopened, outbox.RectificationClosed} {
		found := false
		for _, e := range evs {
			found = found || e == string(k)
		}
		if !found {
			t.Errorf("no %s event among %v", k, evs)
		}
	}
	_ = second
}

func isPlanConflict(err error, version int) bool {
	var pe *PlanConflictError
	return errors.As(err, &pe) && pe.Current.Version == version
}

func equalKinds(a, b []assessment.PlanEntryKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDashboardRectificationPanel counts the campaign's plans by status,
// per firm and in total, with the oldest overdue firm first and then the
// next due, as plans move after submission; drafts are left out.
func TestDashboardRectificationPanel(t *testing.T) {
	fx := seedDashboard(t)
	s, ctx := fx.s, context.Background()
	panel := func() RectificationPanel {
		t.Helper()
		d, err := s.CampaignDashboard(ctx, fx.auditor, fx.campaign, DashboardOptions{Today: dashToday})
		if err != nil {
			t.Fatal(err)
		}
		return d.Rectification
	}
	// Submitted: 一号 a-3 open due 2021-01-10 (overdue), b-2 open due 2031;
	// 二号 a-1 in progress due 2021-03-01 (overdue), a-2 done, a-3 open
	// due 2021-05-01 (overdue); 三号 (approved) a-1 open due 2022. The
	// draft's five overdue plans count nowhere.
	p := panel()
	want := RectCounts{Open: 4, InProgress: 1, Done: 1, Overdue: 3, OldestOverdue: "2021-01-10"}
	if p.Total != want {
		t.Errorf("total %+v, want %+v", p.Total, want)
	}
	if p.FirmsWithPlans != 3 || len(p.Firms) != 3 {
		t.Fatalf("firms %d, rows %+v", p.FirmsWithPlans, p.Firms)
	}
	order := []string{p.Firms[0].FirmName, p.Firms[1].FirmName, p.Firms[2].FirmName}
	if order[0] != "一号公司" || order[1] != "二号公司" || order[2] != "三号公司" {
		t.Errorf("order %v, want the oldest overdue first, then no overdue", order)
	}
	if f := p.Firms[1]; f.RectCounts != (RectCounts{Open: 1, InProgress: 1, Done: 1, Overdue: 2, OldestOverdue: "2021-03-01"}) {
		t.Errorf("二号公司 %+v", f.RectCounts)
	}

	// 一号 finishes its overdue plan; the auditor verifies 二号's done one.
	one, two := fx.ids[0], fx.ids[1]
	if _, err := s.UpdatePlanProgress(ctx, fx.members[0], one, "a-3", PlanProgressInput{PlanProgress: assessment.PlanProgress{Status: assessment.PlanDone}, Version: 1, Today: dashToday}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyPlan(ctx, fx.auditor, two, "a-2", PlanVerifyInput{Verification: assessment.Verification{Decision: assessment.PlanAccept}, Version: 1, Today: dashToday}); err != nil {
		t.Fatal(err)
	}
	p = panel()
	want = RectCounts{Open: 3, InProgress: 1, Done: 1, Verified: 1, Overdue: 2, OldestOverdue: "2021-03-01"}
	if p.Total != want {
		t.Errorf("after progress: total %+v, want %+v", p.Total, want)
	}
	// 二号 has the oldest overdue plan, 三号 the next due (2022), 一号 only
	// one due in 2031.
	order = []string{p.Firms[0].FirmName, p.Firms[1].FirmName, p.Firms[2].FirmName}
	if order[0] != "二号公司" || order[1] != "三号公司" || order[2] != "一号公司" {
		t.Errorf("after progress the order is %v, want the oldest overdue first, then by the next due date", order)
	}
	checkRollups(t, fx, "after the panel's changes")
	if _, err := s.CampaignDashboard(ctx, fx.other, fx.campaign, DashboardOptions{Today: dashToday}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another campaign's auditor: %v", err)
	}

	// The queue's filter finds the assessments with a plan awaiting verification.
	q, err := s.ReviewQueue(ctx, fx.auditor, QueueFilter{CampaignID: fx.campaign, AwaitingVerification: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Rows) != 1 || q.Rows[0].ID != one {
		t.Errorf("awaiting verification: %+v, want only 一号公司's", q.Rows)
	}
}
