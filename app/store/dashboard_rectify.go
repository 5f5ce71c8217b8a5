package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
)

// rectFirmsShown bounds the firms the rectification panel lists.
const rectFirmsShown = 50

// RectCounts counts plans by where they stand. Overdue plans are open or
// in progress and past their due date; they are counted in Open or
// InProgress too.
type RectCounts struct {
	Open, InProgress, Done, Verified, Overdue int
	// OldestOverdue is the earliest due date among the overdue plans.
	OldestOverdue string
}

// Plans is every plan counted.
func (c RectCounts) Plans() int { return c.Open + c.InProgress + c.Done + c.Verified }

// FirmRectification is one firm's plans in a campaign.
type FirmRectification struct {
	AssessmentID uint
	FirmName     string
	RectifiedOn  string // every plan verified on that day; "" while one is not
	RectCounts
}

// RectificationPanel is the dashboard's rectification panel: the plans of
// the campaign's non-draft assessments in total and per firm, the firms
// with the oldest overdue plan first (then by name), at most rectFirmsShown.
type RectificationPanel struct {
	Total RectCounts
	Firms []FirmRectification
	// FirmsWithPlans counts every firm with a plan, listed or not.
	FirmsWithPlans int
}

// rectOverdue is the condition of an overdue plan as of @today.
const rectOverdue = "plans.status IN ('open', 'in_progress') AND plans.due > '' AND plans.due < @today"

// rectSums is the select list counting plans by status and overdue.
const rectSums = `COALESCE(SUM(CASE WHEN plans.status = 'open' THEN 1 ELSE 0 END), 0) AS open,
	COALESCE(SUM(CASE WHEN plans.status = 'in_progress' THEN 1 ELSE 0 END), 0) AS in_progress,
	COALESCE(SUM(CASE WHEN plans.status = 'done' THEN 1 ELSE 0 END), 0) AS done,
	COALESCE(SUM(CASE WHEN plans.status = 'verified' THEN 1 ELSE 0 END), 0) AS verified,
	COALESCE(SUM(CASE WHEN ` + rectOverdue + ` THEN 1 ELSE 0 END), 0) AS overdue,
	COALESCE(MIN(CASE WHEN ` + rectOverdue + ` THEN plans.due END), '') AS oldest_overdue`

// dashboardRectification reads the panel live from the plans, which change
// after submission (rectify.go): two aggregates over the campaign's plans,
// found through its assessments.
func dashboardRectification(db *gorm.DB, actor *User, d *Dashboard, today string) error {
	if today == "" {
		today = "0000-00-00" // no date: nothing is overdue
	}
	plans := func() *gorm.DB {
		return db.Table("plans").Joins("JOIN assessments ON assessments.id = plans.assessment_id").
			Scopes(scopeAssessments(actor)).
			Where("assessments.campaign_id = ? AND assessments.state <> ?", d.Campaign.ID, string(assessment.Draft))
	}
	type counts struct {
		Open, InProgress, Done, Verified, Overdue int
		OldestOverdue                             string
	}
	args := map[string]any{"today": today}
	var total counts
	if err := plans().Select(rectSums, args).Scan(&total).Error; err != nil {
		return translate(err, "rectification totals of campaign %d", d.Campaign.ID)
	}
	d.Rectification.Total = RectCounts(total)
	var n int64
	if err := plans().Distinct("plans.assessment_id").Count(&n).Error; err != nil {
		return translate(err, "firms with plans in campaign %d", d.Campaign.ID)
	}
	d.Rectification.FirmsWithPlans = int(n)
	var rows []struct {
		AssessmentID                              uint
		FirmName, RectifiedOn                     string
		Open, InProgress, Done, Verified, Overdue int
		OldestOverdue                             string
	}
	// Ordered by the aggregate itself (PostgreSQL orders by an output
	// column only when named alone); a firm without an overdue plan (NULL)
	// comes last on both engines.
	oldest := "MIN(CASE WHEN " + rectOverdue + " THEN plans.due END)"
	err := plans().Joins("JOIN firms ON firms.id = assessments.firm_id").
		Select("assessments.id AS assessment_id, firms.name AS firm_name, assessments.rectified_on, "+rectSums, args).
		Group("assessments.id, firms.name, assessments.rectified_on").
		Clauses(clause.OrderBy{Expression: clause.NamedExpr{
			SQL: "CASE WHEN " + oldest + " IS NULL THEN 1 ELSE 0 END, " + oldest + ", firms.name, assessments.id", Vars: []any{args}}}).
		Limit(rectFirmsShown).Scan(&rows).Error
	if err != nil {
		return translate(err, "rectification by firm in campaign %d", d.Campaign.ID)
	}
	for _, r := range rows {
		d.Rectification.Firms = append(d.Rectification.Firms, FirmRectification{AssessmentID: r.AssessmentID, FirmName: r.FirmName,
			RectifiedOn: r.RectifiedOn, RectCounts: RectCounts{Open: r.Open, InProgress: r.InProgress, Done: r.Done, Verified: r.Verified,
				Overdue: r.Overdue, OldestOverdue: r.OldestOverdue}})
	}
	return nil
}
