package workflow

import (
	"context"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/store"
)

// PlanRecords are the logs and rectification files of an assessment's
// plans, by item id.
type PlanRecords = store.PlanRecords

// Today is the date in the server's zone (Deps.Location), for due dates
// and completion dates.
func (s *Service) Today() string {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.Now().In(loc).Format(assessment.DateLayout)
}

// ReportProgress records p's progress on the plan of an item of an
// assessment of p's firm, submitted or not: a status the firm may move it
// to (assessment.PlanMove), the completion date and a note appended to the
// plan's log. version is the plan's version p last saw; another is
// *PlanConflictError.
func (s *Service) ReportProgress(ctx context.Context, p access.Principal, id uint, itemID string, pr assessment.PlanProgress, version int) (assessment.Plan, error) {
	plan, err := s.Store.UpdatePlanProgress(ctx, actor(p), id, itemID, store.PlanProgressInput{PlanProgress: pr, Version: version, Today: s.Today()})
	if err == nil {
		s.Log.Info("plan progress", "assessment", id, "item", itemID, "status", plan.Status, "version", plan.Version, "user", p.ID)
	}
	return plan, err
}

// VerifyPlan records the decision of an auditor of the assessment's
// campaign on a plan marked done: accepted (verified, 销号) or reopened
// with a comment. Admins are refused (fault.ErrForbidden); the plan's
// version must be the one the auditor saw.
func (s *Service) VerifyPlan(ctx context.Context, p access.Principal, id uint, itemID string, v assessment.Verification, version int) (assessment.Plan, error) {
	plan, err := s.Store.VerifyPlan(ctx, actor(p), id, itemID, store.PlanVerifyInput{Verification: v, Version: version, Today: s.Today()})
	if err == nil {
		s.Log.Info("plan verified", "assessment", id, "item", itemID, "decision", v.Decision, "status", plan.Status, "user", p.ID)
	}
	return plan, err
}

// PlanRecords reads the logs and rectification files of the plans of an
// assessment p may see.
func (s *Service) PlanRecords(ctx context.Context, p access.Principal, id uint) (PlanRecords, error) {
	return s.Store.PlanRecords(ctx, actor(p), id)
}

// AttachPlanEvidence checks a file as AttachEvidence does and attaches it to
// the plan of an item of an assessment of p's firm, whatever its state.
func (s *Service) AttachPlanEvidence(ctx context.Context, p access.Principal, id uint, itemID, name string, data []byte) (assessment.Evidence, error) {
	if int64(len(data)) > s.MaxEvidenceBytes {
		return assessment.Evidence{}, TooLarge(s.MaxEvidenceBytes)
	}
	lim := evidence.DefaultLimits()
	lim.MaxBytes = s.MaxEvidenceBytes
	kind, err := evidence.Check(name, data, lim)
	if err != nil {
		s.Log.Info("plan evidence refused", "assessment", id, "item", itemID, "err", err, "user", p.ID)
		return assessment.Evidence{}, err
	}
	e, err := s.Store.AddPlanEvidence(ctx, actor(p), id, store.NewEvidence{
		ItemID: itemID, Name: evidence.SafeName(name, kind), Kind: string(kind), Data: data,
	})
	if err != nil {
		return e, err
	}
	s.Log.Info("plan evidence uploaded", "assessment", id, "item", itemID, "evidence", e.ID, "sha256", e.SHA256, "size", e.Size, "user", p.ID)
	return e, nil
}

// PlanEvidenceFile is a rectification file of an assessment p may see, with
// its content.
func (s *Service) PlanEvidenceFile(ctx context.Context, p access.Principal, id, evidenceID uint) (assessment.Evidence, []byte, error) {
	return s.Store.PlanEvidenceFile(ctx, actor(p), id, evidenceID)
}
