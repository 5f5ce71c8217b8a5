package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
)

// writeResults stores a sheet's results as submitted: the score, grade and
// gap counts on the assessment row, one row per theme and one per gap. The
// review queue and the dashboards read these rows, so they never score a
// sheet. A firm cannot change answers between submitting and being returned,
// so the stored results stay true until the next submit rewrites them.
//
// It keeps the campaign's rollups (rollups.go) in step: the assessment's
// share of them moves from its old results to the new ones, and, when the
// caller (Submit) moved it out of the state its sheet was read in, from
// that state to the new one. Backfilling reads the sheet in its current
// state, so no state moves.
func writeResults(tx *gorm.DB, sh *assessment.Sheet, campaignID *uint, now time.Time) error {
	var old resultsShare
	var row Assessment
	if err := tx.Select("id", "state", "score", "grade", "results_at", "rect_next_due").First(&row, sh.ID).Error; err != nil {
		return translate(err, "assessment %d", sh.ID)
	}
	if campaignID != nil && row.ResultsAt != nil {
		old = resultsShare{has: true, grade: row.Grade, scored: row.Score != nil}
		if err := tx.Where("assessment_id = ?", sh.ID).Find(&old.themes).Error; err != nil {
			return translate(err, "theme scores of assessment %d", sh.ID)
		}
		if err := tx.Where("assessment_id = ?", sh.ID).Find(&old.gaps).Error; err != nil {
			return translate(err, "gaps of assessment %d", sh.ID)
		}
	}
	r := sh.Result()
	var scores []AssessmentScore
	var gaps []AssessmentGap
	critical := 0
	for i, cl := range sh.Checklists {
		tr := r.Themes[i]
		scores = append(scores, AssessmentScore{AssessmentID: sh.ID, ChecklistID: cl.ID, CampaignID: campaignID,
			Position: i, Score: tr.Score, Gaps: tr.Gaps, Items: tr.Total})
		for _, it := range cl.Items() {
			ans := sh.Answers[it.ID].Value
			if !ans.IsGap() {
				continue
			}
			if it.Severity == checklist.Critical {
				critical++
			}
			p := sh.Plans[it.ID]
			gaps = append(gaps, AssessmentGap{AssessmentID: sh.ID, ItemID: it.ID, CampaignID: campaignID, ChecklistID: cl.ID,
				Severity: string(it.Severity), Answer: string(ans), PlanDue: p.Due, PlanDone: p.Status.Finished(), PlanStatus: string(p.Status)})
		}
	}
	nextDue := rectNextDue(gaps)
	err := tx.Model(&Assessment{}).Where("id = ?", sh.ID).Updates(map[string]any{
		"score": r.Score, "grade": string(r.Grade), "critical_gaps": critical, "gaps": len(gaps), "results_at": now,
		"rect_next_due": nextDue,
	}).Error
	if err != nil {
		return translate(err, "store results of assessment %d", sh.ID)
	}
	if err := tx.Where("assessment_id = ?", sh.ID).Delete(&AssessmentScore{}).Error; err != nil {
		return translate(err, "clear theme scores of assessment %d", sh.ID)
	}
	if err := tx.Where("assessment_id = ?", sh.ID).Delete(&AssessmentGap{}).Error; err != nil {
		return translate(err, "clear gaps of assessment %d", sh.ID)
	}
	if len(scores) > 0 {
		if err := tx.Create(&scores).Error; err != nil {
			return translate(err, "store theme scores of assessment %d", sh.ID)
		}
	}
	if len(gaps) > 0 {
		if err := tx.CreateInBatches(&gaps, 200).Error; err != nil {
			return translate(err, "store gaps of assessment %d", sh.ID)
		}
	}
	if campaignID == nil {
		return nil
	}
	next := resultsShare{has: true, grade: string(r.Grade), scored: r.Score != nil, themes: scores, gaps: gaps}
	if err := rollupResults(tx, *campaignID, old, next); err != nil {
		return err
	}
	if placed := nextDue != ""; placed != (row.RectNextDue != "") {
		d := 1
		if !placed {
			d = -1
		}
		if err := bump(tx, "campaign_rollups", []string{"campaign_id"}, []any{*campaignID}, []string{"firms", "started", "with_plans"}, []any{0, 0, d}); err != nil {
			return err
		}
	}
	return rollupTransition(tx, campaignID, sh.State, assessment.State(row.State))
}

// backfillResults stores the results of submitted assessments that have
// none: those submitted before results were stored (migration 7).
func (s *Store) backfillResults(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	var ids []uint
	if err := db.Model(&Assessment{}).Where("state <> ? AND results_at IS NULL", string(assessment.Draft)).Pluck("id", &ids).Error; err != nil {
		return translate(err, "find assessments without results")
	}
	system := &User{Role: auth.Admin}
	for _, id := range ids {
		// Under the write lock, and only if still without results: another
		// instance starting at the same time may have stored them, and
		// storing them twice would count them twice in the rollups.
		err := s.transact(ctx, func(tx *gorm.DB) error {
			var a Assessment
			if err := tx.Select("id", "campaign_id", "results_at").First(&a, id).Error; err != nil {
				return translate(err, "assessment %d", id)
			}
			if a.ResultsAt != nil {
				return nil
			}
			sh, err := s.sheet(tx, system, id)
			if err != nil {
				return err
			}
			return writeResults(tx, sh, a.CampaignID, time.Now().UTC())
		})
		if err != nil {
			return fmt.Errorf("store: backfill results: %w", err)
		}
	}
	if len(ids) > 0 {
		s.log.Info("stored results of earlier submissions", "assessments", len(ids))
	}
	return nil
}
