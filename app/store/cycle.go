package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
)

// The next cycle (整改闭环, issue 16 part 5): a follow-up campaign repeats
// an earlier one, and a firm's assessment in it may start from the firm's
// assessment of the earlier campaign. What is carried over is marked so
// that nothing of last cycle's is submitted unread.

// carryStates are the states an assessment may be carried over from: it
// was submitted, and not rejected or returned.
var carryStates = []assessment.State{assessment.Approved, assessment.Submitted, assessment.Resubmitted}

// checkCarry finds the assessment from that a new assessment of the firm
// in campaignID may start from: the firm's own (another firm's is
// ErrNotFound), of the campaign the new one follows, submitted or approved.
func checkCarry(tx *gorm.DB, firmID uint, campaignID *uint, from uint) (Assessment, error) {
	var e Assessment
	err := tx.Select("id", "firm_id", "campaign_id", "state").Where("id = ? AND firm_id = ?", from, firmID).First(&e).Error
	if err != nil {
		return e, translate(err, "assessment %d to carry over", from)
	}
	if campaignID == nil {
		return e, fault.Field("carry_from", assessment.CarryNoFollowUp)
	}
	var c Campaign
	if err := tx.Select("id", "follows_id").First(&c, *campaignID).Error; err != nil {
		return e, translate(err, "campaign %d", *campaignID)
	}
	if c.FollowsID == nil {
		return e, fault.Field("carry_from", assessment.CarryNoFollowUp)
	}
	if e.CampaignID == nil || *e.CampaignID != *c.FollowsID {
		return e, fault.Field("carry_from", assessment.CarryNotPrevious, from)
	}
	if !slices.Contains(carryStates, assessment.State(e.State)) {
		return e, fault.Field("carry_from", assessment.CarryNotSubmitted, from, fault.Term("state."+e.State))
	}
	return e, nil
}

// carryOver copies into the new assessment a, whose items are items, what
// the firm's assessment from said of the same items: each answer and note,
// marked carried and not confirmed; each evidence file, as a new row over
// the same blob (the content is stored once, by SHA-256); each plan not
// done, linked to the gap it came from. The answers enter the history as
// saves, so replaying it (resubmissionBaseline) finds them.
func carryOver(tx *gorm.DB, actor *User, from uint, a Assessment, items map[string]bool) error {
	to := a.ID
	now := time.Now().UTC()
	var answers []Answer
	if err := tx.Select("item_id", "value", "note").Where("assessment_id = ?", from).Order("item_id").Find(&answers).Error; err != nil {
		return translate(err, "answers of assessment %d", from)
	}
	var rows []Answer
	var changes []Change
	for _, a := range answers {
		if !items[a.ItemID] || a.Value == "" {
			continue
		}
		rows = append(rows, Answer{AssessmentID: to, ItemID: a.ItemID, Value: a.Value, Note: a.Note, Version: 1,
			Carried: true, UpdatedByID: actor.ID, UpdatedAt: now})
		changes = append(changes, Change{AssessmentID: to, ItemID: a.ItemID, Field: "answer", NewValue: a.Value, UserID: actor.ID, At: now})
		if a.Note != "" {
			changes = append(changes, Change{AssessmentID: to, ItemID: a.ItemID, Field: "note", NewValue: a.Note, UserID: actor.ID, At: now})
		}
	}
	if len(rows) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(&rows, rowsPerInsert).Error; err != nil {
			return translate(err, "carry answers into assessment %d", to)
		}
	}
	if err := insertChanges(tx, changes); err != nil {
		return translate(err, "record carried answers of assessment %d", to)
	}

	var files []Evidence
	if err := tx.Where("assessment_id = ? AND deleted_at IS NULL", from).Order("id").Find(&files).Error; err != nil {
		return translate(err, "evidence of assessment %d", from)
	}
	var copies []Evidence
	for _, f := range files {
		if items[f.ItemID] {
			copies = append(copies, Evidence{AssessmentID: to, ItemID: f.ItemID, BlobSHA256: f.BlobSHA256, FileName: f.FileName,
				Kind: f.Kind, Size: f.Size, UploadedByID: f.UploadedByID, UploadedAt: f.UploadedAt, CampaignID: a.CampaignID})
		}
	}
	if len(copies) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(&copies, rowsPerInsert).Error; err != nil {
			return translate(err, "carry evidence into assessment %d", to)
		}
	}

	var plans []Plan
	if err := tx.Where("assessment_id = ? AND status <> ?", from, string(assessment.PlanDone)).Order("item_id").Find(&plans).Error; err != nil {
		return translate(err, "plans of assessment %d", from)
	}
	var open []Plan
	for _, p := range plans {
		if items[p.ItemID] {
			open = append(open, Plan{AssessmentID: to, ItemID: p.ItemID, Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: p.Status,
				Version: 1, UpdatedByID: actor.ID, UpdatedAt: now, OriginAssessmentID: &from, OriginItemID: p.ItemID})
		}
	}
	if len(open) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(&open, rowsPerInsert).Error; err != nil {
			return translate(err, "carry plans into assessment %d", to)
		}
	}
	return nil
}

// CarrySource is the firm's assessment a new assessment of campaignID may
// start from (see checkCarry), with its state; 0 when there is none (the
// campaign follows none, or the firm has no submitted assessment of it).
func (s *Store) CarrySource(ctx context.Context, actor *User, campaignID uint) (uint, assessment.State, error) {
	if !actor.Role.InFirm() || actor.FirmID == nil {
		return 0, "", nil
	}
	db := s.db.WithContext(ctx)
	var c Campaign
	if err := db.Scopes(scopeCampaigns(actor)).Select("id", "follows_id").First(&c, "campaigns.id = ?", campaignID).Error; err != nil {
		return 0, "", translate(err, "campaign %d", campaignID)
	}
	if c.FollowsID == nil {
		return 0, "", nil
	}
	states := make([]string, len(carryStates))
	for i, st := range carryStates {
		states[i] = string(st)
	}
	var rows []Assessment
	// One assessment per firm and campaign (migration 5): at most one row.
	if err := db.Select("id", "state").Where("firm_id = ? AND campaign_id = ? AND state IN ?", *actor.FirmID, *c.FollowsID, states).
		Order("id DESC").Limit(1).Find(&rows).Error; err != nil {
		return 0, "", translate(err, "assessments of campaign %d", *c.FollowsID)
	}
	if len(rows) == 0 {
		return 0, "", nil
	}
	return rows[0].ID, assessment.State(rows[0].State), nil
}

// Revisions is how the items of assessment id differ from those of the
// assessment it was carried over from (assessment.Revisions): nil when it
// was not carried over.
func (s *Store) Revisions(ctx context.Context, actor *User, id uint) (map[string]assessment.Revision, error) {
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id", "carried_from_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	if a.CarriedFromID == nil {
		return nil, nil
	}
	earlier, err := s.wholeChecklists(db, *a.CarriedFromID)
	if err != nil {
		return nil, err
	}
	current, err := s.wholeChecklists(db, id)
	if err != nil {
		return nil, err
	}
	return assessment.Revisions(earlier, current), nil
}

// wholeChecklists are the snapshots assessment id froze, every item of
// them. The caller has checked that the actor may see the assessment (or
// one carried over from it): checklists are not a firm's data.
func (s *Store) wholeChecklists(db *gorm.DB, id uint) ([]*checklist.Checklist, error) {
	var themes []AssessmentTheme
	if err := db.Where("assessment_id = ?", id).Order("position").Find(&themes).Error; err != nil {
		return nil, translate(err, "themes of assessment %d", id)
	}
	out := make([]*checklist.Checklist, 0, len(themes))
	for _, t := range themes {
		cl, err := s.snapshot(db, t.SnapshotSHA256)
		if err != nil {
			return nil, fmt.Errorf("store: assessment %d theme %s: %w", id, t.ChecklistID, err)
		}
		out = append(out, cl)
	}
	return out, nil
}

// carriedBaseline is what a report on a follow-up assessment compares
// with: the assessment it was carried over from, as it stands, when actor
// may see it.
func carriedBaseline(db *gorm.DB, actor *User, from uint) (*Baseline, error) {
	var e Assessment
	err := db.Scopes(scopeAssessments(actor)).Select("id", "submitted_at").
		Where("assessments.submitted_at IS NOT NULL").First(&e, "assessments.id = ?", from).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "assessment %d", from)
	}
	return answersBaseline(db, e)
}

// FollowUpCampaign creates a campaign that follows campaign id: n as
// given, FollowsID set to id. Only admins may; an unknown campaign is
// ErrNotFound.
func (s *Store) FollowUpCampaign(ctx context.Context, actor *User, id uint, n NewCampaign) (uint, error) {
	if actor.Role != auth.Admin {
		return 0, fmt.Errorf("store: follow-up campaign: %w", ErrNotFound)
	}
	n.FollowsID = &id
	return s.CreateCampaign(ctx, actor, n)
}
