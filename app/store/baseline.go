package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// Baseline is an earlier state of a firm's answers to compare an
// assessment's answers with.
type Baseline struct {
	Resubmission bool // the same assessment before its latest return; else the firm's earlier assessment
	AssessmentID uint
	At           time.Time                 // when those answers were submitted
	Answers      map[string]scoring.Answer // by item id
}

// Baseline returns what a report on assessment id compares with, or nil:
// when the assessment was returned by an auditor, its answers as submitted
// before that return (replayed from the change history, which holds every
// save); otherwise the firm's latest earlier submitted assessment of the
// same themes, as it stands.
func (s *Store) Baseline(ctx context.Context, actor *User, id uint) (*Baseline, error) {
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id", "firm_id", "created_at", "carried_from_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	var ret Transition
	err := db.Where("assessment_id = ? AND to_state = ?", id, string(assessment.ChangesRequested)).Order("id DESC").First(&ret).Error
	switch {
	case err == nil:
		return resubmissionBaseline(db, id, ret)
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, translate(err, "returns of assessment %d", id)
	}
	if a.CarriedFromID != nil {
		// A follow-up assessment compares with the one it was carried
		// over from, whatever themes the follow-up campaign chose.
		if b, err := carriedBaseline(db, actor, *a.CarriedFromID); b != nil || err != nil {
			return b, err
		}
	}
	return earlierBaseline(db, actor, a)
}

// resubmissionBaseline replays the answer history up to the submission the
// return answered.
func resubmissionBaseline(db *gorm.DB, id uint, ret Transition) (*Baseline, error) {
	var sub Transition
	err := db.Where("assessment_id = ? AND id < ? AND to_state IN ?", id, ret.ID,
		[]string{string(assessment.Submitted), string(assessment.Resubmitted)}).Order("id DESC").First(&sub).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "submissions of assessment %d", id)
	}
	var changes []Change
	if err := db.Select("item_id", "new_value").Where("assessment_id = ? AND field = ? AND at <= ?", id, "answer", sub.At).
		Order("id").Find(&changes).Error; err != nil {
		return nil, translate(err, "answer history of assessment %d", id)
	}
	b := &Baseline{Resubmission: true, AssessmentID: id, At: sub.At, Answers: map[string]scoring.Answer{}}
	for _, c := range changes {
		b.Answers[c.ItemID] = scoring.Answer(c.NewValue)
	}
	return b, nil
}

// earlierBaseline finds the firm's latest submitted assessment started
// before a, of the same themes.
func earlierBaseline(db *gorm.DB, actor *User, a Assessment) (*Baseline, error) {
	themes := func(id uint) ([]string, error) {
		var ids []string
		err := db.Model(&AssessmentTheme{}).Where("assessment_id = ?", id).Order("checklist_id").Pluck("checklist_id", &ids).Error
		return ids, translate(err, "themes of assessment %d", id)
	}
	mine, err := themes(a.ID)
	if err != nil {
		return nil, err
	}
	var earlier []Assessment
	err = db.Scopes(scopeAssessments(actor)).Select("id", "submitted_at").
		Where("assessments.firm_id = ? AND assessments.id <> ? AND assessments.created_at < ? AND assessments.state <> ? AND assessments.submitted_at IS NOT NULL",
			a.FirmID, a.ID, a.CreatedAt, string(assessment.Draft)).
		Order("assessments.submitted_at DESC").Limit(20).Find(&earlier).Error
	if err != nil {
		return nil, translate(err, "earlier assessments of firm %d", a.FirmID)
	}
	for _, e := range earlier {
		ids, err := themes(e.ID)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(ids, mine) {
			continue
		}
		return answersBaseline(db, e)
	}
	return nil, nil
}

// answersBaseline is the submitted assessment e (ID, SubmittedAt) as it stands.
func answersBaseline(db *gorm.DB, e Assessment) (*Baseline, error) {
	var answers []Answer
	if err := db.Select("item_id", "value").Where("assessment_id = ?", e.ID).Find(&answers).Error; err != nil {
		return nil, translate(err, "answers of assessment %d", e.ID)
	}
	b := &Baseline{AssessmentID: e.ID, At: *e.SubmittedAt, Answers: map[string]scoring.Answer{}}
	for _, ans := range answers {
		b.Answers[ans.ItemID] = scoring.Answer(ans.Value)
	}
	return b, nil
}
