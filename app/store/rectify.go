package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
)

// A plan lives on after its assessment is submitted: the firm reports
// progress and attaches the files that show it carried out, an auditor of
// the campaign accepts (销号) or reopens it. The answers stay frozen; only
// these changes reach a submitted, approved or rejected assessment.

// PlanProgressInput is a firm's progress report on a plan. Version is the
// plan's version the firm last saw; Today is the date in the server's zone.
type PlanProgressInput struct {
	assessment.PlanProgress
	Version int
	Today   string
}

// PlanVerifyInput is an auditor's decision on a plan marked done.
type PlanVerifyInput struct {
	assessment.Verification
	Version int
	Today   string
}

// lockPlan finds an assessment actor may see and its plan of itemID, both
// locked for the rest of the transaction (the write lock of transact
// already orders writers; the row locks keep the read-then-write correct
// should a writer ever run without it). No plan is ErrNotFound.
func lockPlan(tx *gorm.DB, actor *User, id uint, itemID string) (Assessment, Plan, error) {
	var a Assessment
	var p Plan
	err := tx.Scopes(scopeAssessments(actor)).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Select("id", "state", "firm_id", "campaign_id", "rectified_on", "rect_next_due").First(&a, "assessments.id = ?", id).Error
	if err != nil {
		return a, p, translate(err, "assessment %d", id)
	}
	err = tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("assessment_id = ? AND item_id = ?", id, itemID).First(&p).Error
	return a, p, translate(err, "plan of %s", itemID)
}

// planConflict refuses a change sent against another version than old's.
func (s *Store) planConflict(ctx context.Context, itemID string, old Plan) error {
	pe := &PlanConflictError{ItemID: itemID, Current: planOf(old)}
	if old.UpdatedByID != 0 {
		pe.Current.UpdatedBy = s.userName(ctx, old.UpdatedByID)
	}
	return pe
}

// keepPlan writes next over the locked plan old as actor's change, at the
// next version.
func keepPlan(tx *gorm.DB, actor *User, old Plan, next assessment.Plan, now time.Time) (Plan, error) {
	row := old
	row.Status, row.DoneOn, row.VerifiedOn, row.ReviewComment = string(next.Status), next.DoneOn, next.VerifiedOn, next.ReviewComment
	row.Version, row.UpdatedByID, row.UpdatedAt = old.Version+1, actor.ID, now
	res := tx.Model(&Plan{}).Where("id = ? AND version = ?", old.ID, old.Version).Updates(map[string]any{
		"status": row.Status, "done_on": row.DoneOn, "verified_on": row.VerifiedOn, "review_comment": row.ReviewComment,
		"version": row.Version, "updated_by_id": row.UpdatedByID, "updated_at": row.UpdatedAt,
	})
	if res.Error != nil {
		return row, translate(res.Error, "update plan of %s", old.ItemID)
	}
	if res.RowsAffected != 1 {
		return row, fmt.Errorf("store: plan of %s changed under its lock", old.ItemID)
	}
	row.UpdatedBy = *actor
	return row, nil
}

// rollupPlanStatus keeps the stored gap of a plan whose status moved after
// the assessment's results were stored in step with it, and with it the
// campaign's counts of open plans by due date and of planned gaps by
// status (rollups.go) and the assessment's place in the rectification
// panel. It compares with the gap's stored status, not the plan's previous
// one: a returned assessment's plans may have changed since the gap was
// stored, and are counted from its next submission; so is the plan of a gap
// stored without one.
func rollupPlanStatus(tx *gorm.DB, a Assessment, itemID string, status assessment.PlanStatus) error {
	var gaps []AssessmentGap
	if err := tx.Where("assessment_id = ?", a.ID).Find(&gaps).Error; err != nil {
		return translate(err, "gaps of assessment %d", a.ID)
	}
	i := slices.IndexFunc(gaps, func(g AssessmentGap) bool { return g.ItemID == itemID })
	if i < 0 || gaps[i].PlanStatus == "" || gaps[i].PlanStatus == string(status) {
		return nil
	}
	g := gaps[i]
	finished := status.Finished()
	err := tx.Model(&AssessmentGap{}).Where("assessment_id = ? AND item_id = ?", a.ID, itemID).
		Updates(map[string]any{"plan_status": string(status), "plan_done": finished}).Error
	if err != nil {
		return translate(err, "update gap %s of assessment %d", itemID, a.ID)
	}
	gaps[i].PlanStatus, gaps[i].PlanDone = string(status), finished
	if next := rectNextDue(gaps); next != a.RectNextDue {
		if err := tx.Model(&Assessment{}).Where("id = ?", a.ID).Update("rect_next_due", next).Error; err != nil {
			return translate(err, "rectification order of assessment %d", a.ID)
		}
	}
	if g.CampaignID == nil {
		return nil
	}
	if g.PlanDone != finished && g.PlanDue != "" {
		n := 1
		if finished {
			n = -1
		}
		if err := bump(tx, "campaign_open_plans", []string{"campaign_id", "plan_due"}, []any{*g.CampaignID, g.PlanDue}, []string{"n"}, []any{n}); err != nil {
			return err
		}
	}
	if err := bumpPlanStatus(tx, *g.CampaignID, g.PlanStatus, g.PlanDue, -1); err != nil {
		return err
	}
	return bumpPlanStatus(tx, *g.CampaignID, string(status), g.PlanDue, 1)
}

// rectAllFinished is the RectNextDue of an assessment whose planned gaps
// are all finished: after every due date, so such firms come after those
// with open plans in the panel, in one index range with them.
const rectAllFinished = "9999-12-31"

// rectNextDue is the RectNextDue of an assessment with these stored gaps.
func rectNextDue(gaps []AssessmentGap) string {
	next, planned := "", false
	for _, g := range gaps {
		if g.PlanStatus == "" {
			continue
		}
		planned = true
		if st := assessment.PlanStatus(g.PlanStatus); !st.Finished() && g.PlanDue != "" && (next == "" || g.PlanDue < next) {
			next = g.PlanDue
		}
	}
	if next == "" && planned {
		return rectAllFinished
	}
	return next
}

// syncRectified sets the day the assessment's rectification closed when
// every plan is verified, and clears it when one no longer is. It reports
// whether it has just closed.
func syncRectified(tx *gorm.DB, a Assessment, today string) (bool, error) {
	var statuses []string
	if err := tx.Model(&Plan{}).Where("assessment_id = ?", a.ID).Pluck("status", &statuses).Error; err != nil {
		return false, translate(err, "plans of assessment %d", a.ID)
	}
	plans := make(map[string]assessment.Plan, len(statuses))
	for i, st := range statuses {
		plans[fmt.Sprint(i)] = assessment.Plan{Status: assessment.PlanStatus(st)}
	}
	want := ""
	if assessment.RectificationClosed(plans) {
		want = a.RectifiedOn
		if want == "" {
			want = today
		}
	}
	if want == a.RectifiedOn {
		return false, nil
	}
	if err := tx.Model(&Assessment{}).Where("id = ?", a.ID).Update("rectified_on", want).Error; err != nil {
		return false, translate(err, "close rectification of assessment %d", a.ID)
	}
	return want != "", nil
}

// planMove is a plan changed by one step of its rectification, in the
// transaction that locked it.
type planMove struct {
	a        Assessment
	old, row Plan
	itemID   string
	now      time.Time
}

// movePlan locks the plan of itemID, checks the version the client saw,
// applies step to it and stores the result: the part a firm's progress and
// an auditor's verification share.
func (s *Store) movePlan(tx *gorm.DB, ctx context.Context, actor *User, id uint, itemID string, version int, step func(assessment.Plan) (assessment.Plan, error)) (planMove, error) {
	a, old, err := lockPlan(tx, actor, id, itemID)
	if err != nil {
		return planMove{}, err
	}
	if version != old.Version {
		return planMove{}, s.planConflict(ctx, itemID, old)
	}
	next, err := step(planOf(old))
	if err != nil {
		if fe, ok := fault.AsField(err); ok {
			fe.Item = itemID
		}
		return planMove{}, err
	}
	now := time.Now().UTC()
	row, err := keepPlan(tx, actor, old, next, now)
	if err != nil {
		return planMove{}, err
	}
	return planMove{a: a, old: old, row: row, itemID: itemID, now: now}, nil
}

// record logs the move in the plan's log as kind with text, keeps the
// assessment's count of finished plans, and closes or reopens its
// rectification; closed reports that this move closed it.
func (m planMove) record(tx *gorm.DB, actor *User, kind assessment.PlanEntryKind, text, today string) (closed bool, err error) {
	entry := PlanEntry{AssessmentID: m.a.ID, ItemID: m.itemID, Kind: string(kind), Status: m.row.Status, Text: text, UserID: actor.ID, At: m.now}
	if err := tx.Omit(clause.Associations).Create(&entry).Error; err != nil {
		return false, translate(err, "log plan of %s", m.itemID)
	}
	if m.row.Status != m.old.Status {
		if err := rollupPlanStatus(tx, m.a, m.itemID, assessment.PlanStatus(m.row.Status)); err != nil {
			return false, err
		}
	}
	return syncRectified(tx, m.a, today)
}

// UpdatePlanProgress records a firm's progress on a plan of an assessment
// of its firm, in whatever state the assessment is: the status (by
// assessment.PlanMove), the completion date and a note appended to the
// plan's log. A version other than the plan's is *PlanConflictError.
func (s *Store) UpdatePlanProgress(ctx context.Context, actor *User, id uint, itemID string, in PlanProgressInput) (assessment.Plan, error) {
	if !actor.Role.InFirm() || actor.FirmID == nil {
		return assessment.Plan{}, fmt.Errorf("store: plan progress: %w", ErrNotFound)
	}
	var saved assessment.Plan
	err := s.change(ctx, func(tx *gorm.DB) error {
		pr := in.PlanProgress
		st, err := s.movePlan(tx, ctx, actor, id, itemID, in.Version, func(p assessment.Plan) (assessment.Plan, error) { return pr.Apply(p, in.Today) })
		if err != nil {
			return err
		}
		old, row, now := st.old, st.row, st.now
		var changes []Change
		for _, f := range []struct{ name, old, new string }{
			{"plan.status", old.Status, row.Status}, {"plan.done_on", old.DoneOn, row.DoneOn}, {"plan.progress", "", pr.Note},
		} {
			if f.old != f.new {
				changes = append(changes, Change{AssessmentID: id, ItemID: itemID, Field: f.name, OldValue: f.old, NewValue: f.new, UserID: actor.ID, At: now})
			}
		}
		if err := insertChanges(tx, changes); err != nil {
			return translate(err, "record plan progress")
		}
		if _, err := st.record(tx, actor, assessment.EntryProgress, pr.Note, in.Today); err != nil {
			return err
		}
		if err := appendAudit(tx, ctx, auditBy(actor, AuditPlanChanged, fmt.Sprintf("assessment:%d item:%s", id, itemID), planChangeDetail(changes))); err != nil {
			return err
		}
		detail := map[string]any{"from": old.Status, "status": row.Status, "done_on": row.DoneOn, "note": pr.Note != "", "version": row.Version}
		if err := emit(tx, eventBy(actor, outbox.PlanProgress, id, itemID, detail)); err != nil {
			return err
		}
		saved = planOf(row)
		return nil
	})
	return saved, err
}

// VerifyPlan records an auditor's decision on a plan marked done of an
// assessment of one of their campaigns: accepted, it is verified (销号);
// reopened, it is in progress again with the auditor's comment. When the
// last plan is verified, the assessment's rectification is closed. Only
// the campaign's auditors decide: an admin is refused (fault.ErrForbidden),
// anyone else finds nothing.
func (s *Store) VerifyPlan(ctx context.Context, actor *User, id uint, itemID string, in PlanVerifyInput) (assessment.Plan, error) {
	switch actor.Role {
	case auth.Auditor:
	case auth.Admin:
		return assessment.Plan{}, fault.Forbidden("store: verify plan: only the campaign's auditors verify")
	default:
		return assessment.Plan{}, fmt.Errorf("store: verify plan: %w", ErrNotFound)
	}
	var saved assessment.Plan
	err := s.change(ctx, func(tx *gorm.DB) error {
		v := in.Verification
		st, err := s.movePlan(tx, ctx, actor, id, itemID, in.Version, func(p assessment.Plan) (assessment.Plan, error) { return v.Apply(p, in.Today) })
		if err != nil {
			return err
		}
		a, old, row, now := st.a, st.old, st.row, st.now
		changes := []Change{{AssessmentID: id, ItemID: itemID, Field: "plan.status", OldValue: old.Status, NewValue: row.Status, UserID: actor.ID, At: now}}
		if v.Comment != "" {
			changes = append(changes, Change{AssessmentID: id, ItemID: itemID, Field: "plan.review", NewValue: v.Comment, UserID: actor.ID, At: now})
		}
		if err := insertChanges(tx, changes); err != nil {
			return translate(err, "record plan verification")
		}
		kind, ev := assessment.EntryAccepted, outbox.PlanVerified
		if v.Decision == assessment.PlanReopen {
			kind, ev = assessment.EntryReopened, outbox.PlanReopened
		}
		closed, err := st.record(tx, actor, kind, v.Comment, in.Today)
		if err != nil {
			return err
		}
		audit := auditBy(actor, AuditPlanVerified, fmt.Sprintf("assessment:%d item:%s", id, itemID), string(v.Decision)+": "+planChangeDetail(changes[:1])).inFirm(a.FirmID)
		if err := appendAudit(tx, ctx, audit); err != nil {
			return err
		}
		detail := map[string]any{"decision": v.Decision, "status": row.Status, "version": row.Version}
		// Told to the plan's owner when the owner field names an account
		// of the firm (notify.OwnerOrFirmAdmins), as the scheduler's
		// reminders are.
		owner, err := ownerAccount(tx, a.FirmID, old.Owner)
		if err != nil {
			return err
		}
		if owner != 0 {
			detail["user"] = owner
		}
		if err := emit(tx, eventBy(actor, ev, id, itemID, detail)); err != nil {
			return err
		}
		if closed {
			if err := emit(tx, eventBy(actor, outbox.RectificationClosed, id, "", map[string]any{"on": in.Today})); err != nil {
				return err
			}
		}
		saved = planOf(row)
		return nil
	})
	return saved, err
}

// PlanRecords are the logs and rectification files of an assessment's
// plans, by item id.
type PlanRecords struct {
	Entries  map[string][]assessment.PlanEntry
	Evidence map[string][]assessment.Evidence
}

// PlanRecords reads the logs (oldest first) and the rectification files of
// every plan of an assessment actor may see.
func (s *Store) PlanRecords(ctx context.Context, actor *User, id uint) (PlanRecords, error) {
	out := PlanRecords{Entries: map[string][]assessment.PlanEntry{}, Evidence: map[string][]assessment.Evidence{}}
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return out, translate(err, "assessment %d", id)
	}
	var entries []PlanEntry
	if err := db.Preload("User", userNames).Where("assessment_id = ?", id).Order("at, id").Find(&entries).Error; err != nil {
		return out, translate(err, "plan logs of assessment %d", id)
	}
	for _, e := range entries {
		out.Entries[e.ItemID] = append(out.Entries[e.ItemID], assessment.PlanEntry{ID: e.ID, Kind: assessment.PlanEntryKind(e.Kind),
			Status: assessment.PlanStatus(e.Status), Text: e.Text, By: e.User.Name, At: e.At})
	}
	var files []PlanEvidence
	if err := db.Preload("UploadedBy", userNames).Where("assessment_id = ? AND deleted_at IS NULL", id).Order("uploaded_at, id").Find(&files).Error; err != nil {
		return out, translate(err, "plan files of assessment %d", id)
	}
	for _, f := range files {
		out.Evidence[f.ItemID] = append(out.Evidence[f.ItemID], planEvidenceOf(f))
	}
	return out, nil
}

func planEvidenceOf(e PlanEvidence) assessment.Evidence {
	return assessment.Evidence{ID: e.ID, ItemID: e.ItemID, Name: e.FileName, Kind: e.Kind, Size: e.Size,
		SHA256: e.BlobSHA256, UploadedAt: e.UploadedAt, UploadedBy: e.UploadedBy.Name}
}

// AddPlanEvidence attaches a file that shows a plan carried out to the plan
// of an item of an assessment of actor's firm, in whatever state the
// assessment is (the answers' evidence stays frozen after submission). The
// content goes to Blobs first, as AddEvidence does.
func (s *Store) AddPlanEvidence(ctx context.Context, actor *User, id uint, n NewEvidence) (assessment.Evidence, error) {
	if !actor.Role.InFirm() || actor.FirmID == nil {
		return assessment.Evidence{}, fmt.Errorf("store: add plan evidence: %w", ErrNotFound)
	}
	if err := s.transact(ctx, func(tx *gorm.DB) error {
		_, _, err := lockPlan(tx, actor, id, n.ItemID)
		return err
	}); err != nil {
		return assessment.Evidence{}, err
	}
	raw := sha256.Sum256(n.Data)
	sum := hex.EncodeToString(raw[:])
	if err := s.blobs.Put(ctx, sum, n.Data); err != nil {
		return assessment.Evidence{}, err
	}
	now := time.Now().UTC()
	row := PlanEvidence{AssessmentID: id, ItemID: n.ItemID, BlobSHA256: sum, FileName: n.Name, Kind: n.Kind, Size: int64(len(n.Data)), UploadedByID: actor.ID, UploadedAt: now}
	err := s.change(ctx, func(tx *gorm.DB) error {
		if _, _, err := lockPlan(tx, actor, id, n.ItemID); err != nil {
			return err
		}
		if err := tx.Omit(clause.Associations).Create(&row).Error; err != nil {
			return translate(err, "attach plan evidence")
		}
		ch := Change{AssessmentID: id, ItemID: n.ItemID, Field: "plan.evidence", NewValue: fmt.Sprintf("%s (%d bytes, sha256 %s)", n.Name, len(n.Data), sum), UserID: actor.ID, At: now}
		if err := insertChanges(tx, []Change{ch}); err != nil {
			return translate(err, "record plan evidence change")
		}
		if err := emit(tx, eventBy(actor, outbox.PlanEvidenceAdded, id, n.ItemID, map[string]any{"evidence": row.ID, "file": n.Name, "size": len(n.Data)})); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditEvidenceUploaded, fmt.Sprintf("assessment:%d item:%s plan_evidence:%d", id, n.ItemID, row.ID), ch.NewValue))
	})
	if err != nil {
		return assessment.Evidence{}, err
	}
	row.UploadedBy = *actor
	return planEvidenceOf(row), nil
}

// PlanEvidenceFile returns a rectification file and its content, if actor
// may see the assessment, and records the download in the audit log.
func (s *Store) PlanEvidenceFile(ctx context.Context, actor *User, id, evidenceID uint) (assessment.Evidence, []byte, error) {
	e, data, err := fileOf(s, ctx, actor, id, evidenceID, "plan_evidence", func(e *PlanEvidence) fileMeta {
		return fileMeta{itemID: e.ItemID, id: e.ID, name: e.FileName, size: int64(e.Size), sha: e.BlobSHA256}
	})
	if err != nil {
		return assessment.Evidence{}, nil, err
	}
	return planEvidenceOf(e), data, nil
}

// ownerAccount is the enabled user of the firm whose e-mail or name the
// plan's owner field holds, 0 for none.
func ownerAccount(tx *gorm.DB, firmID uint, owner string) (uint, error) {
	owner = strings.TrimSpace(owner)
	if owner == "" {
		return 0, nil
	}
	var ids []uint
	err := tx.Model(&User{}).Where("firm_id = ? AND disabled_at IS NULL AND (email = ? OR name = ?)", firmID, owner, owner).
		Order("id").Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, translate(err, "owner of a plan")
	}
	return ids[0], nil
}
