package store

// The dashboard's figures as they were computed before the rollups (v10):
// aggregates over the raw rows on every view. The tests compare the
// rollup-backed dashboard with them.

import (
	"sort"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// dashboardFirms counts the campaign's firms and those that have not
// started (primary key of campaign_firms, idx_assessment_campaign_firm).
func legacyDashboardFirms(db *gorm.DB, d *Dashboard) error {
	var r struct{ Firms, NotStarted int }
	err := db.Table("campaign_firms").
		Select(`COUNT(*) AS firms, COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM assessments
			WHERE assessments.campaign_id = campaign_firms.campaign_id AND assessments.firm_id = campaign_firms.firm_id)
			THEN 0 ELSE 1 END), 0) AS not_started`).
		Where("campaign_firms.campaign_id = ?", d.Campaign.ID).Scan(&r).Error
	if err != nil {
		return translate(err, "dashboard firms of campaign %d", d.Campaign.ID)
	}
	d.Firms, d.NotStarted = r.Firms, r.NotStarted
	return nil
}

// dashboardStates counts assessments by state and the non-draft ones by
// grade, in one pass over the campaign's assessments (idx_assessment_campaign_score_id
// finds them). It returns how many non-draft assessments have a score.
func legacyDashboardStates(db *gorm.DB, d *Dashboard) (int, error) {
	var rows []struct {
		State  string
		Grade  string
		N      int
		Scored int
	}
	err := db.Model(&Assessment{}).Select("state, grade, COUNT(*) AS n, COUNT(score) AS scored").
		Where("campaign_id = ?", d.Campaign.ID).Group("state, grade").Scan(&rows).Error
	if err != nil {
		return 0, translate(err, "dashboard states of campaign %d", d.Campaign.ID)
	}
	states := map[assessment.State]int{}
	grades := map[scoring.Grade]int{}
	scored := 0
	for _, r := range rows {
		st := assessment.State(r.State)
		states[st] += r.N
		if st == assessment.Draft {
			continue
		}
		d.Submitted += r.N
		grades[scoring.Grade(r.Grade)] += r.N
		scored += r.Scored
	}
	for _, st := range assessment.States {
		d.States = append(d.States, StateCount{State: st, Count: states[st]})
	}
	for _, g := range []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail, scoring.NoGrade} {
		d.Grades = append(d.Grades, GradeCount{Grade: g, Count: grades[g]})
	}
	return scored, nil
}

// dashboardThemes averages each theme's score (idx_score_campaign_theme,
// which covers the query). The campaign's themes come first, in its order.
func legacyDashboardThemes(db *gorm.DB, d *Dashboard) error {
	var rows []struct {
		ChecklistID string
		Average     *float64
		Scored      int
		N           int
	}
	err := db.Model(&AssessmentScore{}).Select("checklist_id, AVG(score) AS average, COUNT(score) AS scored, COUNT(*) AS n").
		Where("campaign_id = ?", d.Campaign.ID).Group("checklist_id").Scan(&rows).Error
	if err != nil {
		return translate(err, "dashboard themes of campaign %d", d.Campaign.ID)
	}
	byID := map[string]ThemeStat{}
	for _, r := range rows {
		byID[r.ChecklistID] = ThemeStat{ChecklistID: r.ChecklistID, Average: r.Average, Scored: r.Scored, Assessments: r.N}
	}
	for _, id := range d.Campaign.Themes {
		t, ok := byID[id]
		if !ok {
			t = ThemeStat{ChecklistID: id}
		}
		d.Themes = append(d.Themes, t)
		delete(byID, id)
	}
	var rest []string
	for id := range byID {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for _, id := range rest {
		d.Themes = append(d.Themes, byID[id])
	}
	return nil
}

// dashboardItems finds the items most often answered non-compliant, then
// counts the partial answers of those items only. Both read
// idx_gap_campaign_answer alone: the first the campaign's non-compliant
// range, grouped in index order; the second one short range per item.
func legacyDashboardItems(db *gorm.DB, d *Dashboard) error {
	var top []struct {
		ItemID string
		N      int
	}
	err := db.Model(&AssessmentGap{}).Select("item_id, COUNT(*) AS n").
		Where("campaign_id = ? AND answer = ?", d.Campaign.ID, string(scoring.NonCompliant)).
		Group("item_id").Order("n DESC, item_id").Limit(topItems).Scan(&top).Error
	if err != nil {
		return translate(err, "dashboard items of campaign %d", d.Campaign.ID)
	}
	if len(top) == 0 {
		return nil
	}
	ids := make([]string, len(top))
	for i, t := range top {
		ids[i] = t.ItemID
	}
	var partial []struct {
		ItemID string
		N      int
	}
	err = db.Model(&AssessmentGap{}).Select("item_id, COUNT(*) AS n").
		Where("campaign_id = ? AND answer = ? AND item_id IN ?", d.Campaign.ID, string(scoring.Partial), ids).
		Group("item_id").Scan(&partial).Error
	if err != nil {
		return translate(err, "dashboard partial answers of campaign %d", d.Campaign.ID)
	}
	p := map[string]int{}
	for _, r := range partial {
		p[r.ItemID] = r.N
	}
	for _, t := range top {
		d.TopItems = append(d.TopItems, ItemStat{ItemID: t.ItemID, NonCompliant: t.N, Partial: p[t.ItemID]})
	}
	return nil
}

// dashboardOverdue counts the overdue plans of the campaign's gaps and lists
// the first by due date; both read the range of idx_gap_campaign_due for
// (campaign, not done, due before today).
func legacyDashboardOverdue(db *gorm.DB, actor *User, d *Dashboard, today string) error {
	if today == "" {
		return nil
	}
	// plan_due > '' leaves out gaps stored without a plan (submitted before
	// plans were required) and keeps the condition a range of the index.
	overdue := "assessment_gaps.campaign_id = ? AND assessment_gaps.plan_done = ? AND assessment_gaps.plan_due > '' AND assessment_gaps.plan_due < ?"
	var n int64
	if err := db.Model(&AssessmentGap{}).Where(overdue, d.Campaign.ID, false, today).Count(&n).Error; err != nil {
		return translate(err, "dashboard overdue plans of campaign %d", d.Campaign.ID)
	}
	d.Overdue.Count = int(n)
	if n == 0 {
		return nil
	}
	err := db.Model(&AssessmentGap{}).Scopes(scopeAssessments(actor)).
		Select("assessment_gaps.assessment_id, assessment_gaps.checklist_id, assessment_gaps.item_id, assessment_gaps.plan_due AS due, firms.name AS firm_name").
		Joins("JOIN assessments ON assessments.id = assessment_gaps.assessment_id").
		Joins("JOIN firms ON firms.id = assessments.firm_id").
		Where(overdue, d.Campaign.ID, false, today).
		Order("assessment_gaps.plan_due, assessment_gaps.assessment_id, assessment_gaps.item_id").
		Limit(overdueShown).Scan(&d.Overdue.First).Error
	return translate(err, "dashboard overdue plans of campaign %d", d.Campaign.ID)
}
