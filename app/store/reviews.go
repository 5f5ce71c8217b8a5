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
	"selfcheck/app/auth"
	"selfcheck/app/outbox"
)

// The review decision is the domain's (app/assessment); these names keep
// the store's callers short.
type (
	Verdict     = assessment.Verdict
	ItemVerdict = assessment.ItemVerdict
	Decision    = assessment.Decision
)

// The verdicts.
const (
	Accepted    = assessment.Accepted
	NeedsChange = assessment.NeedsChange
)

// ItemReview is a stored verdict, with who gave it and when.
type ItemReview struct {
	ID           uint
	AssessmentID uint
	TransitionID uint
	ItemID       string
	Verdict      string
	Comment      string
	ReviewerID   uint
	Reviewer     User
	At           time.Time
}

// Review records an auditor's decision on a submitted or resubmitted
// assessment of one of their campaigns (admins: any), with the item verdicts,
// and moves it to approved, changes requested or rejected.
func (s *Store) Review(ctx context.Context, actor *User, id uint, d Decision) error {
	if actor.Role != auth.Auditor && actor.Role != auth.Admin {
		return fmt.Errorf("store: review: %w", ErrNotFound)
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return s.change(ctx, func(tx *gorm.DB) error {
		var a Assessment
		if err := tx.Scopes(scopeAssessments(actor)).Select("id", "state", "profile", "firm_id", "campaign_id").First(&a, "assessments.id = ?", id).Error; err != nil {
			return translate(err, "assessment %d", id)
		}
		from := assessment.State(a.State)
		to, err := assessment.Next(from, d.Action)
		if err != nil {
			return &ReadOnlyError{State: from}
		}
		items, err := s.itemIDs(tx, a)
		if err != nil {
			return err
		}
		for _, it := range d.Items {
			if !items[it.ItemID] {
				return fmt.Errorf("%w: %q", ErrUnknownItem, it.ItemID)
			}
		}
		now := time.Now().UTC()
		res := tx.Model(&Assessment{}).Where("id = ? AND state = ?", id, string(from)).Updates(map[string]any{"state": string(to), "updated_at": now})
		if res.Error != nil {
			return translate(res.Error, "review assessment %d", id)
		}
		if res.RowsAffected != 1 {
			return &ReadOnlyError{State: from}
		}
		tr := Transition{AssessmentID: id, FromState: string(from), ToState: string(to), UserID: actor.ID, Comment: strings.TrimSpace(d.Comment), At: now}
		if err := tx.Omit(clause.Associations).Create(&tr).Error; err != nil {
			return translate(err, "record review of assessment %d", id)
		}
		if err := rollupTransition(tx, a.CampaignID, from, to); err != nil {
			return err
		}
		if err := appendAudit(tx, ctx, reviewEvent(actor, id, a.FirmID, d, from, to)); err != nil {
			return err
		}
		if err := emit(tx, reviewOutboxEvent(actor, id, d, from, to)); err != nil {
			return err
		}
		if len(d.Items) == 0 {
			return nil
		}
		rows := make([]ItemReview, len(d.Items))
		for i, it := range d.Items {
			rows[i] = ItemReview{AssessmentID: id, TransitionID: tr.ID, ItemID: it.ItemID, Verdict: string(it.Verdict),
				Comment: strings.TrimSpace(it.Comment), ReviewerID: actor.ID, At: now}
		}
		return translate(tx.Omit(clause.Associations).Create(&rows).Error, "record item verdicts of assessment %d", id)
	})
}

// reviewEvent is the audit entry of a decision: the decision, the move it
// made and how many items were marked needs change.
func reviewEvent(actor *User, id, firmID uint, d Decision, from, to assessment.State) AuditEvent {
	needs := 0
	for _, it := range d.Items {
		if it.Verdict == NeedsChange {
			needs++
		}
	}
	detail := fmt.Sprintf("decision %s (%s → %s); %d of %d items marked needs_change", d.Action, from, to, needs, len(d.Items))
	return auditBy(actor, AuditReviewed, fmt.Sprintf("assessment:%d", id), detail).inFirm(firmID)
}

// reviewKinds is the event of each decision.
var reviewKinds = map[assessment.Action]outbox.Kind{
	assessment.Approve:        outbox.ReviewApproved,
	assessment.RequestChanges: outbox.ReviewChangesRequested,
	assessment.Reject:         outbox.ReviewRejected,
}

// reviewOutboxEvent is the event of a decision, with the move it made and
// how many items were marked needs change.
func reviewOutboxEvent(actor *User, id uint, d Decision, from, to assessment.State) outbox.Event {
	needs := 0
	for _, it := range d.Items {
		if it.Verdict == NeedsChange {
			needs++
		}
	}
	return eventBy(actor, reviewKinds[d.Action], id, "", map[string]any{"from": from, "to": to, "items": len(d.Items), "needs_change": needs})
}

// LastReview is an assessment's most recent auditor decision.
type LastReview struct {
	Action   assessment.State // the state it led to; "" when never reviewed
	Comment  string
	Reviewer string
	At       time.Time
	Items    map[string]ItemReview // verdicts by item
}

// LatestReview returns the most recent decision on an assessment actor may
// see, with its item verdicts: what the firm must address after changes were
// requested.
func (s *Store) LatestReview(ctx context.Context, actor *User, id uint) (LastReview, error) {
	db := s.db.WithContext(ctx)
	out := LastReview{Items: map[string]ItemReview{}}
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return out, translate(err, "assessment %d", id)
	}
	var tr Transition
	err := db.Preload("User").Where("assessment_id = ? AND to_state IN ?", id,
		[]string{string(assessment.ChangesRequested), string(assessment.Approved), string(assessment.Rejected)}).
		Order("id DESC").First(&tr).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return out, nil
	}
	if err != nil {
		return out, translate(err, "reviews of assessment %d", id)
	}
	out.Action, out.Comment, out.Reviewer, out.At = assessment.State(tr.ToState), tr.Comment, tr.User.Name, tr.At
	var rows []ItemReview
	if err := db.Preload("Reviewer").Where("assessment_id = ? AND transition_id = ?", id, tr.ID).Find(&rows).Error; err != nil {
		return out, translate(err, "verdicts of assessment %d", id)
	}
	for _, r := range rows {
		out.Items[r.ItemID] = r
	}
	return out, nil
}

// ReviewRound is one auditor decision with its item verdicts.
type ReviewRound struct {
	State    assessment.State // what the decision led to
	Comment  string
	Reviewer string
	At       time.Time
	Items    []ItemReview
}

// ReviewHistory returns every decision on an assessment actor may see,
// oldest first.
func (s *Store) ReviewHistory(ctx context.Context, actor *User, id uint) ([]ReviewRound, error) {
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	var trs []Transition
	if err := db.Preload("User").Where("assessment_id = ? AND to_state IN ?", id,
		[]string{string(assessment.ChangesRequested), string(assessment.Approved), string(assessment.Rejected)}).
		Order("id").Find(&trs).Error; err != nil {
		return nil, translate(err, "reviews of assessment %d", id)
	}
	var rows []ItemReview
	if err := db.Where("assessment_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "verdicts of assessment %d", id)
	}
	byRound := map[uint][]ItemReview{}
	for _, r := range rows {
		byRound[r.TransitionID] = append(byRound[r.TransitionID], r)
	}
	out := make([]ReviewRound, len(trs))
	for i, t := range trs {
		out[i] = ReviewRound{State: assessment.State(t.ToState), Comment: t.Comment, Reviewer: t.User.Name, At: t.At, Items: byRound[t.ID]}
	}
	return out, nil
}
