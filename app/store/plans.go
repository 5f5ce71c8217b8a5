package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
)

// PlanInput is a rectification plan to save. Version, when set, is the
// version the caller last saw.
type PlanInput struct {
	Measure, Owner, Due string
	Status              assessment.PlanStatus
	Version             *int
}

func planOf(p Plan) assessment.Plan {
	return assessment.Plan{Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: assessment.PlanStatus(p.Status),
		Version: p.Version, UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy.Name, Origin: originOf(p.OriginAssessmentID, p.OriginItemID),
		DoneOn: p.DoneOn, VerifiedOn: p.VerifiedOn, ReviewComment: p.ReviewComment}
}

// originOf is the gap a plan was carried over from, nil for none.
func originOf(id *uint, item string) *assessment.Origin {
	if id == nil {
		return nil
	}
	return &assessment.Origin{AssessmentID: *id, ItemID: item}
}

// SavePlan stores the rectification plan of an item of an editable
// assessment of actor's firm and records each changed field. Like
// SaveAnswers it shares a transaction with other saves (groupcommit.go)
// and returns once its save is committed.
func (s *Store) SavePlan(ctx context.Context, actor *User, id uint, itemID string, in PlanInput) (assessment.Plan, error) {
	if !actor.Role.InFirm() {
		return assessment.Plan{}, fmt.Errorf("store: save plan: %w", ErrNotFound)
	}
	p := assessment.NewPlan(in.Measure, in.Owner, in.Due, in.Status)
	if err := p.ValidateDraft(); err != nil {
		if fe, ok := fault.AsField(err); ok {
			fe.Item = itemID
		}
		return p, err
	}
	var saved assessment.Plan
	err := s.groupWrite(ctx, id, []string{itemID}, func(tx *gorm.DB) error {
		if err := s.editableItem(tx, actor, id, itemID); err != nil {
			return err
		}
		// Locked as saveAnswers locks its answers: a save of the same plan
		// on another instance waits for this one and reads its version.
		var old Plan
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("assessment_id = ? AND item_id = ?", id, itemID).First(&old).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err, "plan of %s", itemID)
		}
		if old.ID != 0 {
			// A verified plan is closed, even in a draft returned for changes.
			if err := assessment.PlanMove(assessment.PlanStatus(old.Status), p.Status, assessment.PlanByFirm); err != nil {
				if fe, ok := fault.AsField(err); ok {
					fe.Item = itemID
				}
				return err
			}
		}
		now := time.Now().UTC()
		doneOn := ""
		if p.Status == assessment.PlanDone {
			doneOn = old.DoneOn
			if doneOn == "" {
				doneOn = now.Format(assessment.DateLayout)
			}
		}
		var changes []Change
		for _, f := range []struct{ name, old, new string }{
			{"plan.measure", old.Measure, p.Measure}, {"plan.owner", old.Owner, p.Owner},
			{"plan.due", old.Due, p.Due}, {"plan.status", old.Status, string(p.Status)},
		} {
			if f.old != f.new {
				changes = append(changes, Change{AssessmentID: id, ItemID: itemID, Field: f.name, OldValue: f.old, NewValue: f.new, UserID: actor.ID, At: now})
			}
		}
		// As for answers: a resend that changes nothing is acknowledged.
		if len(changes) > 0 && in.Version != nil && *in.Version != old.Version {
			return &PlanConflictError{ItemID: itemID, Current: planOf(old), updatedByID: old.UpdatedByID}
		}
		row := Plan{AssessmentID: id, ItemID: itemID, Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: string(p.Status),
			Version: old.Version, UpdatedByID: old.UpdatedByID, UpdatedAt: old.UpdatedAt,
			OriginAssessmentID: old.OriginAssessmentID, OriginItemID: old.OriginItemID, DoneOn: doneOn}
		if len(changes) == 0 {
			row.DoneOn = old.DoneOn
		}
		if len(changes) > 0 {
			row.Version, row.UpdatedByID, row.UpdatedAt = old.Version+1, actor.ID, now
			res := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "assessment_id"}, {Name: "item_id"}},
				Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "plans.version = excluded.version - 1"}}},
				DoUpdates: clause.AssignmentColumns([]string{"measure", "owner", "due", "status", "version", "updated_by_id", "updated_at", "done_on"}),
			}).Omit(clause.Associations).Create(&row)
			if res.Error != nil {
				return translate(res.Error, "save plan of %s", itemID)
			}
			if res.RowsAffected != 1 {
				// A first plan of the item committed after this save read:
				// there was no row to lock.
				var now Plan
				if err := tx.Where("assessment_id = ? AND item_id = ?", id, itemID).First(&now).Error; err != nil {
					return translate(err, "plan of %s", itemID)
				}
				return &PlanConflictError{ItemID: itemID, Current: planOf(now), updatedByID: now.UpdatedByID}
			}
			if err := recordChanges(tx, changes); err != nil {
				return translate(err, "record plan changes")
			}
			if err := appendAudit(tx, ctx, auditBy(actor, AuditPlanChanged, fmt.Sprintf("assessment:%d item:%s", id, itemID), planChangeDetail(changes))); err != nil {
				return err
			}
			fields := make([]string, len(changes))
			for i, c := range changes {
				fields[i] = strings.TrimPrefix(c.Field, "plan.")
			}
			detail := map[string]any{"status": p.Status, "due": p.Due, "changed": fields}
			if err := emit(tx, eventBy(actor, outbox.PlanSaved, id, itemID, detail)); err != nil {
				return err
			}
			row.UpdatedBy = *actor
		}
		saved = planOf(row)
		return nil
	})
	var pe *PlanConflictError
	if errors.As(err, &pe) && pe.updatedByID != 0 {
		pe.Current.UpdatedBy = s.userName(ctx, pe.updatedByID)
	}
	return saved, err
}

// planChangeDetail names the changed fields of a plan for the audit log,
// with old → new for the short ones (status, due date).
func planChangeDetail(changes []Change) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = c.Field
		if c.Field == "plan.status" || c.Field == "plan.due" {
			parts[i] += ": " + auditValue(c.OldValue) + " → " + auditValue(c.NewValue)
		}
	}
	return strings.Join(parts, "; ")
}

// PlanConflictError refuses a plan saved against an older version.
type PlanConflictError struct {
	ItemID  string
	Current assessment.Plan

	updatedByID uint // whose name Current.UpdatedBy is, read after the batch
}

func (e *PlanConflictError) Error() string {
	return fmt.Sprintf("store: the plan of %s was changed by someone else (now version %d)", e.ItemID, e.Current.Version)
}

// PlanRow is a plan in the firm-wide list.
type PlanRow struct {
	assessment.Plan
	AssessmentID uint
	ItemID       string
	State        assessment.State
}

// FirmPlans lists every rectification plan of actor's firm across its
// assessments, by due date.
func (s *Store) FirmPlans(ctx context.Context, actor *User) ([]PlanRow, error) {
	if !actor.Role.InFirm() || actor.FirmID == nil {
		return nil, fmt.Errorf("store: firm plans: %w", ErrNotFound)
	}
	var rows []struct {
		Plan
		State string
	}
	err := s.db.WithContext(ctx).Model(&Plan{}).
		Select("plans.*, assessments.state AS state").
		Joins("JOIN assessments ON assessments.id = plans.assessment_id").
		Where("assessments.firm_id = ?", *actor.FirmID).
		Order("plans.due, plans.id").Limit(2000).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "firm plans")
	}
	out := make([]PlanRow, len(rows))
	for i, r := range rows {
		out[i] = PlanRow{Plan: planOf(r.Plan), AssessmentID: r.AssessmentID, ItemID: r.ItemID, State: assessment.State(r.State)}
	}
	return out, nil
}
